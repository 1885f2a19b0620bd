"""Seed 000 re-enacted: "she said she would call back" — three hours, no call.

Both versions run through the real services: first nobody calls, the promise
breaks at the right business time, the manager hears of it once and the
customer's next call is a chase; then the call is made in time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core import mail

from rightdesk.accounts.models import Team
from rightdesk.commitments.choices import CommitmentStatus, Kind, PromiseEvent, Source
from rightdesk.commitments.models import Chase, Commitment
from rightdesk.commitments.services import sweep_commitments
from rightdesk.customers.models import Customer
from rightdesk.notifications.models import Notification, NotificationKind
from rightdesk.tickets.choices import CallDirection, Channel
from rightdesk.tickets.models import Event, Ticket
from rightdesk.tickets.services import create_ticket, log_call

CHICAGO = ZoneInfo("America/Chicago")
# Monday 9 March 2026 (clocks went to CDT the day before).
MONDAY = datetime(2026, 3, 9, tzinfo=CHICAGO)


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    return MONDAY + timedelta(days=days, hours=hour, minutes=minute)


@pytest.fixture
def desk(team: Team, agent: User, manager: User) -> Team:
    agent.email = "dana@shop.example"
    agent.save()
    manager.email = "morgan@shop.example"
    manager.save()
    team.manager = manager
    team.save()
    return team


def _morning_call(clock, customer: Customer, team: Team, agent: User) -> Ticket:  # type: ignore[no-untyped-def]
    clock.set(at(9, 40))
    ticket = create_ticket(
        customer=customer,
        subject="Car towed in, needs diagnosis",
        channel=Channel.PHONE,
        team=team,
        owner=agent,
        actor=agent,
    )
    clock.set(at(10, 0))
    log_call(
        ticket=ticket,
        actor=agent,
        direction=CallDirection.INBOUND,
        summary="Maria asked whether the car arrived. Told her I would call back this afternoon "
        "with the diagnosis.",
    )
    return ticket


def _sweep(clock, moment: datetime, callbacks) -> dict[str, int]:  # type: ignore[no-untyped-def]
    clock.set(moment)
    with callbacks(execute=True):
        return sweep_commitments(now=moment)


@pytest.mark.usefixtures("immediate_tasks")
def test_nobody_calls_back_promise_breaks_manager_told_once_and_next_call_is_a_chase(
    clock,
    desk: Team,
    agent: User,
    manager: User,
    customer: Customer,
    django_capture_on_commit_callbacks,
) -> None:
    ticket = _morning_call(clock, customer, desk, agent)

    promise = Commitment.objects.get(ticket=ticket)
    assert promise.kind == Kind.CALL_BACK
    assert promise.source == Source.DETECTED
    assert promise.owner == agent
    assert promise.vague is False
    # "This afternoon" in Chicago means by 17:00 CDT, which is 22:00 UTC.
    assert promise.due_at == at(17, 0)
    assert promise.due_at.astimezone(ZoneInfo("UTC")).hour == 22

    assert _sweep(clock, at(16, 29), django_capture_on_commit_callbacks) == {
        "broken": 0,
        "reminded": 0,
    }
    assert _sweep(clock, at(16, 30), django_capture_on_commit_callbacks) == {
        "broken": 0,
        "reminded": 1,
    }
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["dana@shop.example"], f"[Rightdesk] {ticket.reference}: call back due 22:00 UTC")
    ]
    assert _sweep(clock, at(16, 59), django_capture_on_commit_callbacks) == {
        "broken": 0,
        "reminded": 0,
    }
    promise.refresh_from_db()
    assert promise.status == CommitmentStatus.OPEN

    assert _sweep(clock, at(17, 0), django_capture_on_commit_callbacks) == {
        "broken": 1,
        "reminded": 0,
    }
    assert _sweep(clock, at(17, 1), django_capture_on_commit_callbacks) == {
        "broken": 0,
        "reminded": 0,
    }
    assert _sweep(clock, at(18, 0), django_capture_on_commit_callbacks) == {
        "broken": 0,
        "reminded": 0,
    }

    promise.refresh_from_db()
    assert promise.status == CommitmentStatus.BROKEN
    assert promise.broken_at == at(17, 0)
    assert promise.escalated_at == at(17, 0)
    escalations = Notification.objects.filter(kind=NotificationKind.ESCALATION)
    assert [(n.recipient, n.title) for n in escalations] == [
        (manager, f"{ticket.reference}: a promise by Dana Price was broken")
    ]
    assert [m.to for m in mail.outbox] == [
        ["dana@shop.example"],
        ["morgan@shop.example"],
        ["dana@shop.example"],
    ]
    broken_events = Event.objects.filter(ticket=ticket, kind=PromiseEvent.BROKEN)
    assert [(e.created_at, e.data["escalated_to"]) for e in broken_events] == [
        (at(17, 0), ["Morgan Lee"])
    ]

    # Tuesday morning Maria calls again, only to ask what is going on.
    clock.set(at(9, 15, days=1))
    call = log_call(
        ticket=ticket,
        actor=agent,
        direction=CallDirection.INBOUND,
        summary="Maria called asking for an update on her car.",
    )
    chase = Chase.objects.get()
    assert chase.message == call
    assert chase.commitment == promise
    assert chase.agent == agent
    assert chase.team == desk
    assert Event.objects.filter(ticket=ticket, kind=PromiseEvent.CHASE).count() == 1
    # The manager was told once, not again on the chase.
    assert escalations.count() == 1


@pytest.mark.usefixtures("immediate_tasks")
def test_call_made_in_time_keeps_the_promise_without_escalation_or_chase(
    clock,
    desk: Team,
    agent: User,
    customer: Customer,
    django_capture_on_commit_callbacks,
) -> None:
    ticket = _morning_call(clock, customer, desk, agent)
    promise = Commitment.objects.get(ticket=ticket)

    clock.set(at(15, 0))
    callback = log_call(
        ticket=ticket,
        actor=agent,
        direction=CallDirection.OUTBOUND,
        summary="Called Maria: alternator replaced, car ready tomorrow.",
    )
    promise.refresh_from_db()
    assert promise.status == CommitmentStatus.KEPT
    assert promise.kept_by == callback
    assert promise.kept_at == at(15, 0)

    for moment in (at(16, 30), at(17, 0), at(18, 0), at(9, 0, days=1)):
        assert _sweep(clock, moment, django_capture_on_commit_callbacks) == {
            "broken": 0,
            "reminded": 0,
        }
    assert Notification.objects.count() == 0
    assert mail.outbox == []
    assert Chase.objects.count() == 0
    assert Event.objects.filter(ticket=ticket, kind=PromiseEvent.BROKEN).count() == 0
    assert Event.objects.filter(ticket=ticket, kind=PromiseEvent.KEPT).count() == 1
