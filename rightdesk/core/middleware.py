"""Show times in the agent's own time zone.

The zone is chosen once, at sign-in (the zone of the agent's first team), and
kept in the session, so rendering a page never costs a query for it.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
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
