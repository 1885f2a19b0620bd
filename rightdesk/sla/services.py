"""SLA services: which policy and calendar apply, the clocks of a ticket, breaches.

Clocks are derived from the ticket's own record (its messages and its status
timeline), so what the console shows, what the sweep records as a breach and
what the acknowledgment promised are one computation.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rightdesk.accounts.models import Team
from rightdesk.sla.choices import AT_RISK_FRACTION, ClockState, Metric, SlaEvent
from rightdesk.sla.hours import BusinessHours, due_with_pauses
from rightdesk.sla.models import Breach, BusinessCalendar, SlaPolicy, TicketSla
from rightdesk.tickets.choices import EventKind, MessageKind, Status
from rightdesk.tickets.models import Event, Message, Ticket
from rightdesk.tickets.queries import Record

#: How often a paused ticket is looked at again (its resume has no hook).
PAUSED_RECHECK = timedelta(minutes=15)

_settled: contextvars.ContextVar[dict[object, object] | None] = contextvars.ContextVar(
    "sla_settled_configuration", default=None
)


@contextmanager
def settled_configuration() -> Iterator[None]:
    """Read policies and calendars once for the whole block, not once per ticket.

    For work that handles many tickets in one transaction (a batch of new
    tickets, an import): the configuration cannot change under it.
    """
    if _settled.get() is not None:
        yield
        return
    token = _settled.set({})
    try:
        yield
    finally:
        _settled.reset(token)


# -- calendars ----------------------------------------------------------------
def hours_from_calendar(calendar: BusinessCalendar) -> BusinessHours:
    """Build the pure calendar object from its database rows."""
    weekly: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for span in calendar.spans.all():
        opens = span.opens.hour * 60 + span.opens.minute
        closes = span.closes.hour * 60 + span.closes.minute
        if span.closes == time(0, 0):
            closes = 24 * 60
        weekly[span.weekday].append((opens, closes))
    for day in weekly:
        day.sort()
    return BusinessHours(
        zone=calendar.time_zone,
        weekly=weekly if any(weekly) else BusinessHours(zone="UTC").weekly,
        closed_dates={closure.date for closure in calendar.closures.all()},
        country=calendar.holiday_country,
        subdivision=calendar.holiday_subdivision,
    )


def _calendar_for_team_id(team_id: int | None) -> BusinessCalendar | None:
    # One query for both candidates (plus the prefetch when there is one).
    rows = BusinessCalendar.objects.prefetch_related("spans", "closures")
    if team_id is None:
        return rows.filter(team__isnull=True).first()
    found = list(rows.filter(Q(team_id=team_id) | Q(team__isnull=True)))
    own = [calendar for calendar in found if calendar.team_id == team_id]
    return own[0] if own else (found[0] if found else None)


def calendar_for_team(team: Team | None) -> BusinessCalendar | None:
    """The team's calendar, else the default one, else None (office hours)."""
    return _calendar_for_team_id(team.pk if team is not None else None)


def hours_for_team(team: Team | None) -> BusinessHours:
    """When ``team`` works: its calendar, else the default, else Mon-Fri 9-17 in its zone."""
    calendar = calendar_for_team(team)
    if calendar is not None:
        return hours_from_calendar(calendar)
    return BusinessHours(zone=team.time_zone if team is not None else "UTC")


def hours_for_ticket(ticket: Ticket) -> BusinessHours:
    """``hours_for_team(ticket.team)`` without loading the team when a calendar decides."""
    memo = _settled.get()
    if memo is None:
        return _hours_for_ticket(ticket)
    key = ("hours", ticket.team_id)
    if key not in memo:
        memo[key] = _hours_for_ticket(ticket)
    hours = memo[key]
    assert isinstance(hours, BusinessHours)
    return hours


def _hours_for_ticket(ticket: Ticket) -> BusinessHours:
    if ticket.team_id is None or Ticket.team.is_cached(ticket):
        return hours_for_team(ticket.team)
    calendar = _calendar_for_team_id(ticket.team_id)
    if calendar is not None:
        return hours_from_calendar(calendar)
    zone = Team.objects.filter(pk=ticket.team_id).values_list("time_zone", flat=True).first()
    return BusinessHours(zone=zone or "UTC")


# -- policies -------------------------------------------------------------------
def _active_policies() -> list[SlaPolicy]:
    """Every active policy (a handful), read once per settled block."""
    memo = _settled.get()
    if memo is None:
        return list(SlaPolicy.objects.filter(active=True))
    if "policies" not in memo:
        memo["policies"] = list(SlaPolicy.objects.filter(active=True))
    policies = memo["policies"]
    assert isinstance(policies, list)
    return policies


def _matching(priority: int, channel: str) -> list[SlaPolicy]:
    return [
        policy
        for policy in _active_policies()
        if policy.priority in (None, priority) and policy.channel in ("", channel)
    ]


def policy_for(*, priority: int, channel: str, tier: str) -> SlaPolicy:
    """The most specific active policy for these facts (an unsaved default if none)."""
    return _most_specific(
        policy for policy in _matching(priority, channel) if policy.tier in ("", tier)
    )


def _most_specific(candidates: Iterable[SlaPolicy]) -> SlaPolicy:
    def specificity(policy: SlaPolicy) -> tuple[int, int]:
        return (
            (policy.priority is not None) + bool(policy.channel) + bool(policy.tier),
            -policy.pk,
        )

    best = max(candidates, key=specificity, default=None)
    return best if best is not None else SlaPolicy(name="Default")


def policy_for_ticket(ticket: Ticket) -> SlaPolicy:
    """``policy_for`` the ticket's facts; the customer is read only if a policy names a tier."""
    if Ticket.customer.is_cached(ticket):
        return policy_for(
            priority=ticket.priority, channel=ticket.channel, tier=ticket.customer.tier
        )
    candidates = _matching(ticket.priority, ticket.channel)
    if any(policy.tier for policy in candidates):
        tier = ticket.customer.tier
        candidates = [policy for policy in candidates if policy.tier in ("", tier)]
    return _most_specific(candidates)


# -- clocks ---------------------------------------------------------------------
@dataclass(frozen=True)
class Clock:
    """One SLA target on one ticket, as it stands at ``now``."""

    metric: str
    started_at: datetime
    due_at: datetime | None  # None while paused
    met_at: datetime | None
    state: str
    fraction_left: float | None

    @property
    def label(self) -> str:
        return Metric(self.metric).label

    @property
    def state_label(self) -> str:
        return ClockState(self.state).label


@dataclass(frozen=True)
class TicketFacts:
    """What the clocks are computed from, read once from the database."""

    created_at: datetime
    first_response_at: datetime | None
    waiting_since: datetime | None
    resolved_at: datetime | None
    pauses: tuple[tuple[datetime, datetime | None], ...]


def _answers(message: Message) -> bool:
    """A reply written by an agent, or a phone call: a person answered."""
    return message.kind == MessageKind.CALL or (
        message.kind == MessageKind.REPLY and message.author_id is not None
    )


def first_human_response(ticket: Ticket) -> datetime | None:
    """When a person first answered: a reply written by an agent or a phone call.

    Every logged call was a person talking with the customer, whoever dialled.
    The automatic acknowledgment (a reply without author) does not count.
    """
    message = (
        Message.objects.filter(ticket=ticket)
        .filter(Q(kind=MessageKind.REPLY, author__isnull=False) | Q(kind=MessageKind.CALL))
        .order_by("created_at", "id")
        .values_list("created_at", flat=True)
        .first()
    )
    return message


def pauses_for(ticket: Ticket) -> tuple[tuple[datetime, datetime | None], ...]:
    """Spans during which the ticket waited on the customer (clocks stopped)."""
    changes = Event.objects.filter(ticket=ticket, kind=EventKind.STATUS).order_by(
        "created_at", "id"
    )
    return _pauses(changes.values_list("created_at", "data"))


def _pauses(
    changes: Iterable[tuple[datetime, dict[str, object] | None]],
) -> tuple[tuple[datetime, datetime | None], ...]:
    """The waiting-on-customer spans of status changes given oldest first."""
    pauses: list[tuple[datetime, datetime | None]] = []
    started: datetime | None = None
    for created_at, data in changes:
        target = (data or {}).get("to")
        if target == Status.WAITING_CUSTOMER and started is None:
            started = created_at
        elif target != Status.WAITING_CUSTOMER and started is not None:
            pauses.append((started, created_at))
            started = None
    if started is not None:
        pauses.append((started, None))
    return tuple(pauses)


def facts_for(ticket: Ticket, record: Record | None = None) -> TicketFacts:
    """What the clocks start from; from ``record`` when the caller has read it all."""
    resolved = ticket.resolved_at if ticket.status in (Status.RESOLVED, Status.CLOSED) else None
    if record is None:
        first_response_at = first_human_response(ticket)
        pauses = pauses_for(ticket)
    else:
        answers = sorted((m.created_at, m.pk) for m in record.messages if _answers(m))
        first_response_at = answers[0][0] if answers else None
        changes = sorted(
            (e.created_at, e.pk, e.data) for e in record.events if e.kind == EventKind.STATUS
        )
        pauses = _pauses((created_at, data) for created_at, _, data in changes)
    return TicketFacts(
        created_at=ticket.created_at,
        first_response_at=first_response_at,
        waiting_since=ticket.waiting_since,
        resolved_at=resolved,
        pauses=pauses,
    )


def _clock(
    *,
    metric: str,
    hours: BusinessHours,
    start: datetime,
    target: timedelta,
    pauses: tuple[tuple[datetime, datetime | None], ...],
    met_at: datetime | None,
    now: datetime,
) -> Clock:
    due = due_with_pauses(hours, start, target, pauses)
    if met_at is not None:
        state = ClockState.BREACHED if due is not None and met_at > due else ClockState.MET
        return Clock(metric, start, due, met_at, state, None)
    if due is None:
        return Clock(metric, start, None, None, ClockState.PAUSED, None)
    if now > due:
        return Clock(metric, start, due, None, ClockState.BREACHED, 0.0)
    total = target.total_seconds()
    left = hours.elapsed(now, due).total_seconds()
    fraction = left / total if total else 0.0
    state = ClockState.AT_RISK if fraction < AT_RISK_FRACTION else ClockState.RUNNING
    return Clock(metric, start, due, None, state, round(fraction, 4))


def compute_clocks(
    *, facts: TicketFacts, policy: SlaPolicy, hours: BusinessHours, now: datetime
) -> list[Clock]:
    """The ticket's clocks: first response, next response (if waiting again), resolution."""
    clocks = [
        _clock(
            metric=Metric.FIRST_RESPONSE,
            hours=hours,
            start=facts.created_at,
            target=timedelta(minutes=policy.first_response_minutes),
            pauses=facts.pauses,
            met_at=facts.first_response_at,
            now=now,
        )
    ]
    if (
        facts.first_response_at is not None
        and facts.waiting_since is not None
        and facts.waiting_since > facts.first_response_at
        and facts.resolved_at is None
    ):
        clocks.append(
            _clock(
                metric=Metric.NEXT_RESPONSE,
                hours=hours,
                start=facts.waiting_since,
                target=timedelta(minutes=policy.next_response_minutes),
                pauses=facts.pauses,
                met_at=None,
                now=now,
            )
        )
    clocks.append(
        _clock(
            metric=Metric.RESOLUTION,
            hours=hours,
            start=facts.created_at,
            target=timedelta(minutes=policy.resolution_minutes),
            pauses=facts.pauses,
            met_at=facts.resolved_at,
            now=now,
        )
    )
    return clocks


def first_response_due(*, ticket: Ticket) -> datetime:
    """When the customer of a new ticket will hear from a person, at the latest."""
    policy = policy_for_ticket(ticket)
    hours = hours_for_ticket(ticket)
    return hours.add(ticket.created_at, timedelta(minutes=policy.first_response_minutes))


def refund_payment_due(*, ticket: Ticket, agreed_at: datetime) -> datetime:
    """When a refund agreed on this ticket must be paid: the policy's refund-payment
    target in the team's business time (for the commerce domain's refund promise)."""
    policy = policy_for_ticket(ticket)
    return hours_for_ticket(ticket).add(agreed_at, timedelta(minutes=policy.refund_payment_minutes))


def ticket_clocks(
    *, ticket: Ticket, now: datetime | None = None, record: Record | None = None
) -> list[Clock]:
    """The SLA status of a ticket right now (for the console and the API).

    ``record`` is the ticket's messages and timeline when the caller has them
    (the case page): the clocks then cost no query for them.
    """
    return compute_clocks(
        facts=facts_for(ticket, record),
        policy=policy_for_ticket(ticket),
        hours=hours_for_ticket(ticket),
        now=now or timezone.now(),
    )


# -- stored clocks and breaches -------------------------------------------------
def _store(row: TicketSla, clocks: Iterable[Clock], now: datetime) -> None:
    by_metric = {clock.metric: clock for clock in clocks}
    first = by_metric[Metric.FIRST_RESPONSE]
    row.first_response_due = first.due_at
    row.first_response_at = first.met_at
    following = by_metric.get(Metric.NEXT_RESPONSE)
    row.next_response_due = following.due_at if following else None
    row.resolution_due = by_metric[Metric.RESOLUTION].due_at
    watch: list[datetime] = []
    for clock in by_metric.values():
        if clock.met_at is not None:
            continue
        if clock.state == ClockState.PAUSED:
            watch.append(now + PAUSED_RECHECK)
        elif clock.due_at is not None and clock.state != ClockState.BREACHED:
            watch.append(clock.due_at)
    row.watch_at = min(watch) if watch else None
    row.updated_at = now


@transaction.atomic
def refresh_ticket_sla(*, ticket: Ticket, now: datetime | None = None) -> TicketSla:
    """Recompute and store the ticket's due times (after a reply, a new message...).

    A target that was missed (even if met late since) is recorded as a breach now.
    """
    moment = now or timezone.now()
    row, _ = TicketSla.objects.select_for_update().get_or_create(ticket=ticket)
    _evaluate(row, ticket, moment)
    return row


def start_ticket_slas(tickets: Sequence[Ticket]) -> list[TicketSla]:
    """Start the clocks of tickets just created, written in bulk; rows in the same order.

    A brand-new ticket has no replies, pauses or resolution yet, so its facts
    come from the row itself instead of three more queries. The clocks start at
    the ticket's own time, when none can be past due yet: a back-dated ticket
    already past a target gets a past watch time, and the next sweep records
    the breach.
    """
    rows: list[TicketSla] = []
    for ticket in tickets:
        now = ticket.created_at
        policy = policy_for_ticket(ticket)
        facts = TicketFacts(
            created_at=ticket.created_at,
            first_response_at=None,
            waiting_since=ticket.waiting_since,
            resolved_at=None,
            pauses=(),
        )
        clocks = compute_clocks(facts=facts, policy=policy, hours=hours_for_ticket(ticket), now=now)
        row = TicketSla(ticket=ticket, policy=policy if policy.pk else None)
        _store(row, clocks, now)
        rows.append(row)
    return TicketSla.objects.bulk_create(rows)


def _evaluate(row: TicketSla, ticket: Ticket, now: datetime) -> int:
    """Compute the clocks, record new breaches, store due times; returns new breaches."""
    policy = policy_for_ticket(ticket)
    clocks = compute_clocks(
        facts=facts_for(ticket), policy=policy, hours=hours_for_ticket(ticket), now=now
    )
    new = 0
    for clock in clocks:
        if clock.state == ClockState.BREACHED and clock.due_at is not None:
            new += _record_breach(ticket, clock, now) is not None
    row.policy = policy if policy.pk else None
    _store(row, clocks, now)
    row.save()
    return new


def _record_breach(ticket: Ticket, clock: Clock, now: datetime) -> Breach | None:
    from rightdesk.notifications.models import NotificationKind
    from rightdesk.notifications.services import notify
    from rightdesk.tickets.services import append_event

    assert clock.due_at is not None
    breach, created = Breach.objects.get_or_create(
        ticket=ticket,
        metric=clock.metric,
        due_at=clock.due_at,
        defaults={"breached_at": now, "owner": ticket.owner, "team": ticket.team},
    )
    if not created:
        return None
    append_event(
        ticket=ticket,
        kind=SlaEvent.BREACHED,
        actor=None,
        at=now,
        data={"metric": clock.metric, "label": clock.label, "due_at": clock.due_at.isoformat()},
    )
    title = f"{ticket.reference}: {clock.label} target missed"
    for recipient in _breach_recipients(ticket):
        notify(
            recipient=recipient,
            kind=NotificationKind.BREACH,
            key=f"breach:{breach.pk}:{recipient.pk}",
            title=title,
            body=f"The {clock.label.lower()} target on {ticket.reference} ({ticket.subject}) "
            f"was due {clock.due_at:%Y-%m-%d %H:%M} UTC.",
            url=f"/desk/tickets/{ticket.reference}/",
            ticket=ticket,
            at=now,
        )
    return breach


def _breach_recipients(ticket: Ticket) -> list[User]:
    from rightdesk.commitments.services import team_managers

    people = [ticket.owner] if ticket.owner is not None else []
    for manager in team_managers(ticket.team):
        if manager not in people:
            people.append(manager)
    return people


def check_ticket_sla(*, ticket_id: int, now: datetime) -> int:
    """Record the breaches of one ticket due by ``now``; returns how many were new."""
    with transaction.atomic():
        row = (
            TicketSla.objects.select_for_update(skip_locked=True)
            .filter(ticket_id=ticket_id, watch_at__lte=now)
            .first()
        )
        if row is None:  # another worker has it, or it no longer needs a look
            return 0
        ticket = Ticket.objects.select_related("customer", "team", "owner").get(pk=ticket_id)
        return _evaluate(row, ticket, now)


def sweep_sla(*, now: datetime | None = None, batch: int = 500) -> int:
    """Look at every ticket whose watch time has passed; returns new breaches."""
    moment = now or timezone.now()
    ids = list(
        TicketSla.objects.filter(watch_at__lte=moment)
        .order_by("watch_at")
        .values_list("ticket_id", flat=True)[:batch]
    )
    return sum(check_ticket_sla(ticket_id=ticket_id, now=moment) for ticket_id in ids)
