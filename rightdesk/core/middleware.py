"""Request middleware: refuse NUL characters in pages' input; show times in the agent's zone.

The zone is chosen once, at sign-in (the zone of the agent's first team), and
kept in the session, so rendering a page never costs a query for it.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone

SESSION_KEY = "rightdesk_time_zone"


def zone_for_agent(user: User) -> str:
    """The time zone an agent reads times in: their first team's, else the default."""
    team = user.teams.order_by("id").first()
    return team.time_zone if team is not None else ""


class LocalTimeMiddleware:
    """Activate the session's time zone for the request (templates render local times)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = request.session.get(SESSION_KEY, "") if hasattr(request, "session") else ""
        try:
            if name:
                timezone.activate(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefuseNulMiddleware:
    """A NUL character in a page's query string or form is a 400, not a database error.

    No person types one and PostgreSQL cannot store or compare text holding one.
    The API answers the same input itself, as JSON naming the field.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            sources = [request.GET]
            if request.method == "POST" and request.content_type in _FORM_TYPES:
                sources.append(request.POST)
            for data in sources:
                if any("\x00" in value for _key, values in data.lists() for value in values):
                    return HttpResponseBadRequest(
                        "Text may not contain NUL characters.", content_type="text/plain"
                    )
        return self.get_response(request)
