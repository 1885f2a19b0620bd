"""Console pages for promises: my promises, the manager view, the bell, case partial."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rightdesk.accounts.services import is_manager
from rightdesk.commitments.access import access_commitment
from rightdesk.commitments.reports import manager_report, my_promises, ticket_promises
from rightdesk.commitments.services import cancel_commitment, detect_for_ticket, keep_commitment
from rightdesk.core.errors import DomainError
from rightdesk.desk.views import agent_of, agent_required
from rightdesk.notifications.models import Notification
from rightdesk.notifications.services import mark_read
from rightdesk.sla.services import ticket_clocks
from rightdesk.tickets.access import access_ticket
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.queries import Record


def _zone(user: User) -> ZoneInfo:
    team = user.teams.order_by("pk").first()
    return ZoneInfo(team.time_zone if team is not None else "UTC")


def hours_zone(ticket: Ticket) -> str:
    return ticket.team.time_zone if ticket.team is not None else "UTC"


def ticket_promises_context(
    ticket: Ticket, *, now: datetime | None = None, record: Record | None = None
) -> dict[str, Any]:
    """What ``commitments/partials/ticket_promises.html`` needs for a case page."""
    return {
        "promise_ticket": ticket,
        "promises": ticket_promises(ticket),
        "sla_clocks": ticket_clocks(ticket=ticket, now=now, record=record),
    }


@agent_required
def my_promises_view(request: HttpRequest) -> HttpResponse:
    user = agent_of(request)
    return render(
        request,
        "commitments/my_promises.html",
        {
            "nav_active": "promises",
            "promises": list(my_promises(user)[:500]),
            "now": timezone.now(),
            "zone": _zone(user),
        },
    )


def _parse_day(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


@agent_required
def manager_view(request: HttpRequest) -> HttpResponse:
    user = agent_of(request)
    if not is_manager(user):
        raise PermissionDenied("The manager view is for managers.")
    zone = _zone(user)
    now = timezone.now()
    today = now.astimezone(zone).date()
    first = _parse_day(request.GET.get("start"), today - timedelta(days=29))
    last = _parse_day(request.GET.get("end"), today)
    if last < first:
        first, last = last, first
    report = manager_report(
        start=datetime.combine(first, time(0), tzinfo=zone),
        end=datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone),
        now=now,
        day_start=datetime.combine(today, time(0), tzinfo=zone),
    )
    return render(
        request,
        "commitments/manager.html",
        {
            "nav_active": "promises_manager",
            "report": report,
            "first": first,
            "last": last,
            "zone": zone,
            "now": now,
        },
    )


@agent_required
@require_POST
def promise_action(request: HttpRequest, commitment_id: int, action: str) -> HttpResponse:
    user = agent_of(request)
    commitment = access_commitment(user, commitment_id)
    try:
        if action == "keep":
            keep_commitment(commitment=commitment, actor=user)
        elif action == "cancel":
            cancel_commitment(
                commitment=commitment, actor=user, reason=request.POST.get("reason", "")
            )
        else:
            raise PermissionDenied("Unknown action.")
    except DomainError as error:
        response = render(
            request,
            "commitments/partials/ticket_promises.html",
            {
                **ticket_promises_context(commitment.ticket),
                "promise_error": error.message,
            },
            status=error.status,
        )
        return response
    if request.headers.get("HX-Request") == "true":
        return render(
            request,
            "commitments/partials/ticket_promises.html",
            ticket_promises_context(commitment.ticket),
        )
    return HttpResponseRedirect(request.POST.get("next") or "/desk/promises/")


@agent_required
@require_POST
def draft_promises(request: HttpRequest, ref: str) -> HttpResponse:
    """The promises a draft reply would make, shown beside the editor before sending."""
    ticket = access_ticket(agent_of(request), ref)
    found = detect_for_ticket(ticket=ticket, text=request.POST.get("body", "")[:200_000])
    return render(
        request,
        "commitments/partials/draft_promises.html",
        {
            "detected": found,
            "zone": ZoneInfo(hours_zone(ticket)),
        },
    )


@agent_required
def ticket_promises_partial(request: HttpRequest, ref: str) -> HttpResponse:
    ticket = access_ticket(agent_of(request), ref)
    return render(
        request, "commitments/partials/ticket_promises.html", ticket_promises_context(ticket)
    )


@agent_required
@require_http_methods(["GET", "POST"])
def notifications_view(request: HttpRequest) -> HttpResponse:
    user = agent_of(request)
    if request.method == "POST":
        mark_read(user=user)
        return HttpResponseRedirect("/desk/notifications/")
    items = list(
        Notification.objects.filter(recipient=user)
        .select_related("ticket")
        .order_by("-created_at", "-id")[:100]
    )
    return render(
        request,
        "notifications/list.html",
        {
            "nav_active": "notifications",
            "items": items,
        },
    )
