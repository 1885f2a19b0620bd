"""Read-only figures for the promises pages: my promises, the manager view."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from rightdesk.accounts.models import Team
from rightdesk.accounts.services import agent_name
from rightdesk.commitments.choices import CommitmentStatus
from rightdesk.commitments.models import Chase, Commitment
from rightdesk.sla.hours import BusinessHours
from rightdesk.sla.models import Breach, TicketSla
from rightdesk.sla.services import hours_for_team
from rightdesk.tickets.models import Ticket


def my_promises(user: User) -> QuerySet[Commitment]:
    """The agent's open promises, soonest due first (overdue ones at the top)."""
    return (
        Commitment.objects.filter(owner=user, status=CommitmentStatus.OPEN)
        .select_related("ticket", "ticket__customer")
        .order_by("due_at", "id")
    )


def ticket_promises(ticket: Ticket) -> list[Commitment]:
    """Every promise on a ticket, open ones first, for the case page."""
    rows = Commitment.objects.filter(ticket=ticket).select_related("owner", "owner__agent")
    order: dict[str, int] = {CommitmentStatus.OPEN: 0, CommitmentStatus.BROKEN: 1}
    return sorted(rows, key=lambda c: (order.get(c.status, 2), c.due_at, c.pk))


@dataclass
class Row:
    """One agent's or team's figures over the period."""

    name: str
    kept: int = 0
    broken: int = 0
    chases: int = 0
    first_responses: list[float] = field(default_factory=list)

    @property
    def kept_rate(self) -> float | None:
        total = self.kept + self.broken
        return round(self.kept / total, 3) if total else None

    @property
    def median_first_response_minutes(self) -> float | None:
        if not self.first_responses:
            return None
        return round(statistics.median(self.first_responses), 1)


@dataclass
class ManagerReport:
    start: datetime
    end: datetime
    due_today: list[Commitment]
    overdue: list[Commitment]
    broken: list[Commitment]
    breaches: list[Breach]
    chases: list[Chase]
    resolved_tickets: int
    chases_on_resolved: int
    agents: list[Row]
    teams: list[Row]

    @property
    def chases_per_resolved_ticket(self) -> float | None:
        if not self.resolved_tickets:
            return None
        return round(self.chases_on_resolved / self.resolved_tickets, 2)


def manager_report(
    *, start: datetime, end: datetime, now: datetime, day_start: datetime
) -> ManagerReport:
    """Promises due today/overdue/broken, breaches, chases, and per agent and team:
    kept-promise rate and median first response (business minutes) over the period."""
    base = Commitment.objects.select_related("ticket", "ticket__customer", "owner", "owner__agent")
    due_today = list(
        base.filter(
            status=CommitmentStatus.OPEN, due_at__gte=now, due_at__lt=day_start + timedelta(days=1)
        ).order_by("due_at")[:200]
    )
    overdue = list(
        base.filter(status=CommitmentStatus.OPEN, due_at__lt=now).order_by("due_at")[:200]
    )
    broken = list(
        base.filter(
            status=CommitmentStatus.BROKEN, broken_at__gte=start, broken_at__lt=end
        ).order_by("-broken_at")[:200]
    )
    breaches = list(
        Breach.objects.filter(breached_at__gte=start, breached_at__lt=end).select_related(
            "ticket", "owner", "owner__agent"
        )[:200]
    )
    chases = list(
        Chase.objects.filter(created_at__gte=start, created_at__lt=end).select_related(
            "ticket", "agent", "agent__agent"
        )[:200]
    )
    resolved = Ticket.objects.filter(
        resolved_at__gte=start, resolved_at__lt=end, merged_into__isnull=True
    )
    resolved_count = resolved.count()
    chases_on_resolved = Chase.objects.filter(ticket__in=resolved).count()

    agents: dict[int, Row] = {}
    teams: dict[int, Row] = {}
    names = {
        u.pk: agent_name(u)
        for u in User.objects.filter(agent__isnull=False).select_related("agent")
    }
    team_names = dict(Team.objects.values_list("pk", "name"))

    def agent_row(pk: int) -> Row:
        return agents.setdefault(pk, Row(names.get(pk, f"#{pk}")))

    def team_row(pk: int) -> Row:
        return teams.setdefault(pk, Row(team_names.get(pk, f"#{pk}")))

    outcomes = (
        Commitment.objects.filter(
            due_at__gte=start,
            due_at__lt=end,
            status__in=[CommitmentStatus.KEPT, CommitmentStatus.BROKEN],
        )
        .values("owner_id", "team_id")
        .annotate(
            kept=Count("pk", filter=Q(status=CommitmentStatus.KEPT)),
            broken=Count("pk", filter=Q(status=CommitmentStatus.BROKEN)),
        )
    )
    for item in outcomes:
        for row in ([agent_row(item["owner_id"])] if item["owner_id"] else []) + (
            [team_row(item["team_id"])] if item["team_id"] else []
        ):
            row.kept += item["kept"]
            row.broken += item["broken"]
    for item in (
        Chase.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("agent_id", "team_id")
        .annotate(n=Count("pk"))
    ):
        if item["agent_id"]:
            agent_row(item["agent_id"]).chases += item["n"]
        if item["team_id"]:
            team_row(item["team_id"]).chases += item["n"]

    calendars: dict[int | None, BusinessHours] = {}
    responded = TicketSla.objects.filter(
        ticket__created_at__gte=start, ticket__created_at__lt=end, first_response_at__isnull=False
    ).values_list("ticket__created_at", "first_response_at", "ticket__owner_id", "ticket__team_id")
    teams_by_pk = {t.pk: t for t in Team.objects.all()}
    for created, answered, owner_id, team_id in responded:
        if answered is None:
            continue
        if team_id not in calendars:
            calendars[team_id] = hours_for_team(teams_by_pk.get(team_id) if team_id else None)
        minutes = calendars[team_id].elapsed(created, answered).total_seconds() / 60
        if owner_id:
            agent_row(owner_id).first_responses.append(minutes)
        if team_id:
            team_row(team_id).first_responses.append(minutes)

    return ManagerReport(
        start=start,
        end=end,
        due_today=due_today,
        overdue=overdue,
        broken=broken,
        breaches=breaches,
        chases=chases,
        resolved_tickets=resolved_count,
        chases_on_resolved=chases_on_resolved,
        agents=sorted(agents.values(), key=lambda r: r.name),
        teams=sorted(teams.values(), key=lambda r: r.name),
    )
