"""SLA API: a ticket's clocks and the business-hours calendars."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from rightdesk.accounts.models import Team
from rightdesk.core.api import caller
from rightdesk.core.errors import Invalid, NotFound
from rightdesk.sla.models import BusinessCalendar
from rightdesk.sla.services import hours_for_team, hours_from_calendar, ticket_clocks
from rightdesk.tickets.access import access_ticket

router = Router(tags=["sla"])


class ClockOut(Schema):
    metric: str
    label: str
    started_at: datetime
    due_at: datetime | None
    met_at: datetime | None
    state: str
    fraction_left: float | None


class TicketSlaOut(Schema):
    ticket: str
    clocks: list[ClockOut]


class CalendarOut(Schema):
    id: int
    name: str
    team_id: int | None
    time_zone: str
    holiday_country: str
    holiday_subdivision: str


class WindowOut(Schema):
    opens: datetime
    closes: datetime


class WindowsOut(Schema):
    time_zone: str
    windows: list[WindowOut]


class WindowQuery(Schema):
    start: date | None = None
    days: int = 7


@router.get("/tickets/{ref}", response=TicketSlaOut, summary="SLA clocks of a ticket")
def ticket_sla(request: HttpRequest, ref: str) -> Any:
    ticket = access_ticket(caller(request), ref)
    return {"ticket": ticket.reference, "clocks": ticket_clocks(ticket=ticket)}


@router.get("/calendars", response=list[CalendarOut], summary="Business-hours calendars")
def calendars(request: HttpRequest) -> Any:
    caller(request)
    return list(BusinessCalendar.objects.order_by("name", "id"))


def _windows(hours: Any, query: WindowQuery) -> dict[str, Any]:
    if not 1 <= query.days <= 92:
        raise Invalid("days is between 1 and 92.", field="days")
    first = query.start or datetime.now(hours.zone).date()
    return {
        "time_zone": str(hours.zone),
        "windows": [{"opens": o, "closes": c} for o, c in hours.windows(first, query.days)],
    }


@router.get(
    "/calendars/{calendar_id}/windows", response=WindowsOut, summary="Opening windows of a calendar"
)
def calendar_windows(request: HttpRequest, calendar_id: int, query: Query[WindowQuery]) -> Any:
    caller(request)
    calendar = (
        BusinessCalendar.objects.prefetch_related("spans", "closures")
        .filter(pk=calendar_id)
        .first()
    )
    if calendar is None:
        raise NotFound(f"No calendar {calendar_id}.", field="calendar")
    return _windows(hours_from_calendar(calendar), query)


@router.get(
    "/teams/{team_id}/windows",
    response=WindowsOut,
    summary="When a team is open (its calendar, or the default)",
)
def team_windows(request: HttpRequest, team_id: int, query: Query[WindowQuery]) -> Any:
    caller(request)
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise NotFound(f"No team {team_id}.", field="team")
    return _windows(hours_for_team(team), query)
