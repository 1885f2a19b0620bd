"""Promise rules: explicit promises, keeping by the matching act, cancelling, chases."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from rightdesk.accounts.models import Team
from rightdesk.commitments.choices import CommitmentStatus, Kind, PromiseEvent, Source
from rightdesk.commitments.detection import chase_phrase
from rightdesk.commitments.models import Chase, Commitment
from rightdesk.commitments.services import (
    cancel_commitment,
    create_commitment,
    fulfil_by_act,
    keep_commitment,
    update_commitment,
)
from rightdesk.core.errors import Conflict, Invalid
from rightdesk.customers.models import Customer
from rightdesk.tickets.choices import CallDirection, Channel
from rightdesk.tickets.models import Event, Ticket
from rightdesk.tickets.services import add_inbound_message, create_ticket, log_call, send_reply

CHICAGO = ZoneInfo("America/Chicago")
TUESDAY_10 = datetime(2026, 3, 10, 10, 0, tzinfo=CHICAGO)


@pytest.fixture
def ticket(clock: Any, team: Team, agent: User, customer: Customer) -> Ticket:
    clock.set(TUESDAY_10)
    return create_ticket(
        customer=customer,
        subject="Access code",
        channel=Channel.PHONE,
        team=team,
        owner=agent,
        actor=agent,
    )


def test_explicit_promise_is_recorded_with_reminder_time_and_event(
    clock: Any, ticket: Ticket, agent: User
) -> None:
    due = TUESDAY_10 + timedelta(hours=3)
    promise = create_commitment(
        ticket=ticket,
        actor=agent,
        kind=Kind.DELIVER,
        due_at=due,
        promised_text="  Access code  by 1pm ",
    )
    assert (promise.owner, promise.source, promise.promised_text, promise.remind_at) == (
        agent,
        Source.EXPLICIT,
        "Access code by 1pm",
        due - timedelta(minutes=30),
    )
    event = Event.objects.get(ticket=ticket, kind=PromiseEvent.MADE)
    assert event.data["commitment"] == promise.pk
    assert event.actor == agent


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "bake_cake"}, "kind"),
        ({"due_at": TUESDAY_10 - timedelta(minutes=1)}, "due_at"),
        ({"promised_text": "   "}, "promised_text"),
    ],
)
def test_invalid_promises_are_refused_and_nothing_is_recorded(
    clock: Any, ticket: Ticket, agent: User, kwargs: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {
        "kind": Kind.CALL_BACK,
        "due_at": TUESDAY_10 + timedelta(hours=1),
        "promised_text": "Call back",
    }
    values.update(kwargs)
    with pytest.raises(Invalid) as error:
        create_commitment(ticket=ticket, actor=agent, **values)
    assert error.value.field == field
    assert Commitment.objects.count() == 0
    assert not Event.objects.filter(kind=PromiseEvent.MADE).exists()


def test_reply_keeps_reply_promise_but_not_call_back(
    clock: Any, ticket: Ticket, agent: User
) -> None:
    reply_promise = create_commitment(
        ticket=ticket,
        actor=agent,
        kind=Kind.REPLY,
        due_at=TUESDAY_10 + timedelta(hours=4),
        promised_text="r",
    )
    call_promise = create_commitment(
        ticket=ticket,
        actor=agent,
        kind=Kind.CALL_BACK,
        due_at=TUESDAY_10 + timedelta(hours=4),
        promised_text="c",
    )
    clock.set(TUESDAY_10 + timedelta(hours=1))
    reply = send_reply(ticket=ticket, actor=agent, body_text="Here is your code: 1234.")
    reply_promise.refresh_from_db()
    call_promise.refresh_from_db()
    assert (reply_promise.status, reply_promise.kept_by) == (CommitmentStatus.KEPT, reply)
    assert call_promise.status == CommitmentStatus.OPEN


def test_a_reply_that_promises_does_not_keep_its_own_promise(
    clock: Any, ticket: Ticket, agent: User
) -> None:
    send_reply(ticket=ticket, actor=agent, body_text="I'll get back to you by 3pm.", at=TUESDAY_10)
    promise = Commitment.objects.get()
    assert (promise.kind, promise.status, promise.due_at) == (
        Kind.REPLY,
        CommitmentStatus.OPEN,
        TUESDAY_10.replace(hour=15),
    )


def test_late_act_breaks_instead_of_keeping(clock: Any, ticket: Ticket, agent: User) -> None:
    promise = create_commitment(
        ticket=ticket,
        actor=agent,
        kind=Kind.CALL_BACK,
        due_at=TUESDAY_10 + timedelta(hours=1),
        promised_text="c",
    )
    clock.set(TUESDAY_10 + timedelta(hours=2))
    call = log_call(
        ticket=ticket,
        actor=agent,
        direction=CallDirection.OUTBOUND,
        summary="Called with the code.",
    )
    promise.refresh_from_db()
    assert (promise.status, promise.kept_by, promise.broken_at) == (
        CommitmentStatus.BROKEN,
        call,
        TUESDAY_10 + timedelta(hours=2),
    )


def test_refund_paid_keeps_refund_promise_through_fulfil_by_act(
    clock: Any, ticket: Ticket, agent: User
) -> None:
    promise = create_commitment(
        ticket=ticket,
        actor=agent,
        kind=Kind.REFUND,
        due_at=TUESDAY_10 + timedelta(days=2),
        promised_text="refund",
    )
    kept = fulfil_by_act(
        ticket=ticket, kinds=[Kind.REFUND], message=None, at=TUESDAY_10 + timedelta(days=1)
    )
    assert [c.pk for c in kept] == [promise.pk]
    promise.refresh_from_db()
    assert promise.status == CommitmentStatus.KEPT


def test_cancel_needs_reason_and_closed_promises_cannot_change(
    clock: Any, ticket: Ticket, agent: User
) -> None:
    promise = create_commitment(
        ticket=ticket,
        actor=agent,
        kind=Kind.ESTIMATE,
        due_at=TUESDAY_10 + timedelta(hours=5),
        promised_text="quote",
    )
    with pytest.raises(Invalid):
        cancel_commitment(commitment=promise, actor=agent, reason=" ")
    promise.refresh_from_db()
    assert promise.status == CommitmentStatus.OPEN
    cancel_commitment(commitment=promise, actor=agent, reason="Customer bought elsewhere")
    promise.refresh_from_db()
    assert (promise.status, promise.cancel_reason) == (
        CommitmentStatus.CANCELLED,
        "Customer bought elsewhere",
    )
    with pytest.raises(Conflict):
        keep_commitment(commitment=promise, actor=agent)
    with pytest.raises(Conflict):
        update_commitment(commitment=promise, actor=agent, kind=Kind.REPLY)
    promise.refresh_from_db()
    assert (promise.status, promise.kind) == (CommitmentStatus.CANCELLED, Kind.ESTIMATE)


def test_agent_corrects_a_detected_promise(clock: Any, ticket: Ticket, agent: User) -> None:
    send_reply(
        ticket=ticket, actor=agent, body_text="You'll have your code shortly.", at=TUESDAY_10
    )
    promise = Commitment.objects.get()
    assert promise.vague is True
    new_due = TUESDAY_10 + timedelta(hours=1)
    update_commitment(commitment=promise, actor=agent, due_at=new_due)
    promise.refresh_from_db()
    assert (promise.due_at, promise.vague, promise.remind_at) == (
        new_due,
        False,
        new_due - timedelta(minutes=30),
    )
    assert Event.objects.filter(kind=PromiseEvent.CHANGED).count() == 1


def test_chase_links_open_promise_and_overdue_chase_breaks_it(
    clock: Any, ticket: Ticket, agent: User
) -> None:
    promise = create_commitment(
        ticket=ticket,
        actor=agent,
        kind=Kind.DELIVER,
        due_at=TUESDAY_10 + timedelta(hours=2),
        promised_text="code",
    )
    clock.set(TUESDAY_10 + timedelta(hours=1))
    early = add_inbound_message(ticket=ticket, body_text="Any news?")
    promise.refresh_from_db()
    assert promise.status == CommitmentStatus.OPEN
    clock.set(TUESDAY_10 + timedelta(hours=3))
    late = add_inbound_message(ticket=ticket, body_text="Still waiting for my access code!")
    promise.refresh_from_db()
    assert promise.status == CommitmentStatus.BROKEN
    chases = {c.message_id: c for c in Chase.objects.all()}
    assert set(chases) == {early.pk, late.pk}
    assert chases[early.pk].commitment == promise
    assert chases[late.pk].commitment == promise
    broken = Event.objects.get(kind=PromiseEvent.BROKEN)
    assert broken.data["reason"] == "the customer chased after it was due"


def test_messages_with_new_information_are_not_chases(
    clock: Any, ticket: Ticket, agent: User
) -> None:
    add_inbound_message(ticket=ticket, body_text="The car is a blue 2015 Civic, plate KX12.")
    add_inbound_message(ticket=ticket, body_text="Thanks, that worked!")
    assert Chase.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "chase"),
    [
        ("Any news?", True),
        ("Hi, where is my order?", True),
        ("Still waiting for the refund.", True),
        ("I called earlier and nobody called back.", True),
        ("You said you would call me yesterday.", True),
        ("Maria called asking for an update on her car.", True),
        ("Please change my delivery address to 12 Elm St.", False),
        ("Thank you so much for the quick fix!", False),
        ("The screen flickers when I open the lid.", False),
    ],
)
def test_chase_phrases(text: str, chase: bool) -> None:
    assert (chase_phrase(text) is not None) is chase
