"""Ticket services: ownership, handoffs, status table, merge, timeline."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from rightdesk.core.errors import Conflict, Forbidden, Invalid
from rightdesk.customers.models import Customer
from rightdesk.customers.services import create_customer, record_fact
from rightdesk.tickets.choices import CallDirection, Channel, Status
from rightdesk.tickets.models import Event, Handoff, Message, Ticket
from rightdesk.tickets.services import (
    add_inbound_message,
    add_note,
    assign_ticket,
    change_status,
    create_ticket,
    log_call,
    mark_handoffs_seen,
    merge_tickets,
    send_reply,
)


def _kinds(ticket: Ticket) -> list[str]:
    return list(Event.objects.filter(ticket=ticket).values_list("kind", flat=True))


def _people(ticket: Ticket):  # type: ignore[no-untyped-def]
    """Messages written by the customer or an agent (not the automatic acknowledgment)."""
    return Message.objects.filter(ticket=ticket).exclude(kind="reply", author__isnull=True)


def _written_by_people(ticket: Ticket) -> list[str]:
    return list(_people(ticket).values_list("kind", flat=True))


def test_new_ticket_from_customer_waits_in_queue_and_has_a_reference(customer: Customer) -> None:
    ticket = create_ticket(
        customer=customer, subject="  Where is my car? ", body_text="I had it towed in yesterday."
    )
    assert ticket.subject == "Where is my car?"
    assert ticket.reference == f"RD-{ticket.pk + 1000}"
    assert Ticket.pk_from_reference(ticket.reference.lower()) == ticket.pk
    assert ticket.status == Status.NEW
    assert ticket.waiting_since is not None and ticket.queue_rank == 0
    # The customer's message, then the one automatic reply: the acknowledgment
    # with its promise. The customer is still waiting for a person.
    assert _kinds(ticket) == ["created", "message_received", "promise_made", "acknowledged"]
    ticket.refresh_from_db()
    assert ticket.waiting_since is not None and ticket.queue_rank == 0


def test_reply_takes_ownership_and_stops_the_wait(customer: Customer, agent: User) -> None:
    ticket = create_ticket(customer=customer, subject="Refund", body_text="Please refund me.")
    send_reply(ticket=ticket, actor=agent, body_text="Hi Maria, the refund is on its way.")
    ticket.refresh_from_db()
    assert ticket.owner == agent
    assert ticket.status == Status.OPEN
    assert ticket.waiting_since is None
    assert ticket.message_count == 3  # message, acknowledgment, reply
    assert _written_by_people(ticket) == ["inbound", "reply"]
    kinds = _kinds(ticket)
    assert kinds[kinds.index("reply_sent") :] == [
        "reply_sent",
        "owner_changed",
        "status_changed",
        "promise_kept",
    ]  # the reply keeps the acknowledgment's "we will reply by" promise


def test_reassign_without_note_is_refused_and_changes_nothing(
    customer: Customer, agent: User, other_agent: User
) -> None:
    ticket = create_ticket(customer=customer, subject="Brakes", owner=agent, actor=agent)
    before = _kinds(ticket)
    with pytest.raises(Conflict) as err:
        assign_ticket(ticket=ticket, actor=agent, owner=other_agent, note="   ")
    assert err.value.code == "handoff_note_required" and err.value.field == "note"
    ticket.refresh_from_db()
    assert ticket.owner == agent
    assert _kinds(ticket) == before
    assert not Handoff.objects.exists()


def test_handoff_note_is_kept_for_the_new_owner(
    customer: Customer, agent: User, other_agent: User
) -> None:
    ticket = create_ticket(customer=customer, subject="Brakes", owner=agent, actor=agent)
    assign_ticket(
        ticket=ticket,
        actor=agent,
        owner=other_agent,
        note="Customer wants a call before 5pm; quote is on file.",
    )
    ticket.refresh_from_db()
    assert ticket.owner == other_agent
    handoff = Handoff.objects.get()
    assert handoff.to_user == other_agent and handoff.seen_at is None
    assert mark_handoffs_seen(ticket=ticket, user=other_agent) == 1
    assert mark_handoffs_seen(ticket=ticket, user=other_agent) == 0
    event = Event.objects.filter(ticket=ticket, kind="owner_changed").last()
    assert event is not None and event.data["note"].startswith("Customer wants a call")


def test_status_table_refuses_impossible_moves(customer: Customer, agent: User) -> None:
    ticket = create_ticket(customer=customer, subject="X", owner=agent, actor=agent)
    change_status(ticket=ticket, actor=agent, status=Status.RESOLVED)
    with pytest.raises(Conflict):
        change_status(ticket=ticket, actor=agent, status=Status.WAITING_US)
    with pytest.raises(Invalid):
        change_status(ticket=ticket, actor=agent, status="bogus")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def test_customer_message_reopens_a_resolved_ticket(customer: Customer, agent: User) -> None:
    ticket = create_ticket(customer=customer, subject="X", owner=agent, actor=agent)
    change_status(ticket=ticket, actor=agent, status=Status.RESOLVED)
    add_inbound_message(ticket=ticket, body_text="It broke again.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.queue_rank == 0


def test_call_log_records_who_when_and_how_long(customer: Customer, agent: User) -> None:
    ticket = create_ticket(customer=customer, subject="Car", channel=Channel.PHONE, actor=agent)
    call = log_call(
        ticket=ticket,
        actor=agent,
        direction=CallDirection.OUTBOUND,
        summary="Told her the car is in bay 3.",
        duration_seconds=95,
    )
    assert call.call_party == "Maria Gonzalez" and call.call_duration_seconds == 95
    ticket.refresh_from_db()
    assert ticket.owner == agent
    event = Event.objects.get(ticket=ticket, kind="call_logged")
    assert event.actor == agent and event.data["duration_seconds"] == 95
    with pytest.raises(Invalid):
        log_call(ticket=ticket, actor=agent, direction="sideways", summary="x")


def test_html_from_outside_is_sanitized(customer: Customer) -> None:
    ticket = create_ticket(
        customer=customer,
        subject="Hi",
        body_html='<p onclick="steal()">Hello<script>alert(1)</script>'
        '<img src=x onerror="alert(2)"><a href="javascript:evil()">x</a></p>',
    )
    message = _people(ticket).get()
    for needle in ("script", "onclick", "onerror", "javascript:"):
        assert needle not in message.body_html
    assert message.body_text.startswith("Hello")


def test_merge_moves_everything_to_the_survivor(customer: Customer, agent: User) -> None:
    first = create_ticket(customer=customer, subject="Order 55 item A", body_text="A is broken")
    second = create_ticket(customer=customer, subject="Order 55 item B", body_text="B is late")
    add_note(ticket=second, actor=agent, body_text="Same order as the other ticket.")
    merge_tickets(source=second, target=first, actor=agent)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.merged_into == first and second.status == Status.CLOSED
    # Both inbound messages and the note moved, next to both acknowledgments.
    assert _written_by_people(first) == ["inbound", "inbound", "note"]
    assert Message.objects.filter(ticket=first).count() == 5
    assert first.message_count == 5
    assert "merged" in _kinds(first)
    with pytest.raises(Conflict):
        send_reply(ticket=second, actor=agent, body_text="hello")


def test_merge_refuses_other_customers(customer: Customer, agent: User) -> None:
    other = create_customer(name="Tom Baker", emails=["tom@example.com"])
    a = create_ticket(customer=customer, subject="A")
    b = create_ticket(customer=other, subject="B")
    with pytest.raises(Conflict):
        merge_tickets(source=b, target=a, actor=agent)
    assert _written_by_people(a) == []
    b.refresh_from_db()
    assert b.merged_into is None


def test_fact_recorded_once_and_corrections_keep_history(customer: Customer, agent: User) -> None:
    ticket = create_ticket(customer=customer, subject="Car", actor=agent)
    record_fact(customer=customer, label="Car colour", value="Red", actor=agent, ticket=ticket)
    record_fact(customer=customer, label="car colour", value="Dark red", actor=agent, ticket=ticket)
    assert customer.facts.count() == 1
    assert customer.facts.get().value == "Dark red"
    event = Event.objects.filter(ticket=ticket, kind="fact_recorded").last()
    assert event is not None and event.data["previous"] == "Red"


def test_only_agents_reply(customer: Customer) -> None:
    ticket = create_ticket(customer=customer, subject="X")
    with pytest.raises(Forbidden):
        send_reply(ticket=ticket, actor=None, body_text="hi")
    assert _written_by_people(ticket) == []
