"""The acknowledgment: one per new ticket, with the promised time in business hours,
and the only message that ever leaves without a person."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import IntegrityError, transaction

from rightdesk.accounts.models import Team
from rightdesk.commitments.choices import CommitmentStatus, Kind, Source
from rightdesk.commitments.models import Acknowledgment, Commitment
from rightdesk.commitments.services import acknowledge_ticket, sweep_commitments
from rightdesk.customers.models import Customer
from rightdesk.customers.services import create_customer
from rightdesk.sla.models import BusinessCalendar, OpeningSpan, SlaPolicy
from rightdesk.sla.services import sweep_sla
from rightdesk.tickets.choices import CallDirection, Channel, MessageKind, Status
from rightdesk.tickets.models import Message
from rightdesk.tickets.services import (
    add_inbound_message,
    add_note,
    assign_ticket,
    change_priority,
    change_status,
    create_ticket,
    log_call,
    merge_tickets,
    send_reply,
)

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def calendar(team: Team) -> BusinessCalendar:
    """Front desk: Monday-Friday 09:00-17:00 Chicago, US public holidays, 2 h first response."""
    cal = BusinessCalendar.objects.create(
        name="Front desk", team=team, time_zone="America/Chicago", holiday_country="US"
    )
    for weekday in range(5):
        OpeningSpan.objects.create(calendar=cal, weekday=weekday, opens=time(9), closes=time(17))
    SlaPolicy.objects.create(name="Standard", first_response_minutes=120)
    return cal


@pytest.mark.parametrize(
    ("opened", "promised", "words"),
    [
        # Within business hours: Monday 10:00 + 2 h.
        (datetime(2026, 3, 9, 10, 0), datetime(2026, 3, 9, 12, 0), "Monday 9 March at 12:00 CDT"),
        # Over a weekend: Friday 16:00 -> 1 h Friday, 1 h Monday.
        (datetime(2026, 3, 6, 16, 0), datetime(2026, 3, 9, 10, 0), "Monday 9 March at 10:00 CDT"),
        # Saturday night: the clock starts Monday 09:00.
        (datetime(2026, 3, 7, 22, 0), datetime(2026, 3, 9, 11, 0), "Monday 9 March at 11:00 CDT"),
        # Over Thanksgiving: Wednesday 16:00 -> Friday 10:00.
        (
            datetime(2026, 11, 25, 16, 0),
            datetime(2026, 11, 27, 10, 0),
            "Friday 27 November at 10:00 CST",
        ),
    ],
)
def test_new_ticket_gets_one_acknowledgment_with_promised_time(
    clock: Any,
    delivered: list[dict[str, Any]],
    calendar: BusinessCalendar,
    team: Team,
    customer: Customer,
    opened: datetime,
    promised: datetime,
    words: str,
) -> None:
    clock.set(opened.replace(tzinfo=CHICAGO))
    ticket = create_ticket(
        customer=customer,
        subject="Where is my laptop repair?",
        body_text="I dropped off my laptop last week.",
        team=team,
    )

    ack = Acknowledgment.objects.get(ticket=ticket)
    assert ack.promised_at == promised.replace(tzinfo=CHICAGO)
    assert ack.message.kind == MessageKind.REPLY
    assert ack.message.author is None
    assert ack.message.body_text == (
        "Hello Maria,\n\n"
        f"Thank you for contacting us. We have your request, reference {ticket.reference}. "
        "Our Front desk team is looking after it.\n\n"
        f"We will reply by {words}.\n\n"
        "This acknowledgment is automatic; every answer you receive about this request will be "
        "written by a person."
    )
    promise = Commitment.objects.get(ticket=ticket)
    assert (promise.kind, promise.source, promise.owner, promise.team, promise.due_at) == (
        Kind.REPLY,
        Source.ACKNOWLEDGMENT,
        None,
        team,
        promised.replace(tzinfo=CHICAGO),
    )
    assert delivered == [{"message": ack.message, "automatic": True}]
    # The ticket stays waiting on a person: the acknowledgment is not an answer.
    ticket.refresh_from_db()
    assert ticket.waiting_since == opened.replace(tzinfo=CHICAGO)
    assert ticket.sla.first_response_due == promised.replace(tzinfo=CHICAGO)


def test_named_owner_appears_and_agent_opened_tickets_get_none(
    delivered: list[dict[str, Any]], team: Team, agent: User, customer: Customer
) -> None:
    owned = create_ticket(
        customer=customer, subject="Refund", body_text="Please refund me.", team=team, owner=agent
    )
    assert "Dana Price is looking after it." in owned.acknowledgment.message.body_text
    by_phone = create_ticket(
        customer=customer,
        subject="Called about the car",
        channel=Channel.PHONE,
        team=team,
        actor=agent,
    )
    assert not Acknowledgment.objects.filter(ticket=by_phone).exists()
    assert len(delivered) == 1


def test_exactly_one_acknowledgment_per_ticket(
    delivered: list[dict[str, Any]], team: Team, customer: Customer
) -> None:
    ticket = create_ticket(customer=customer, subject="Help", body_text="Hello?", team=team)
    first = ticket.acknowledgment
    assert acknowledge_ticket(ticket=ticket) == first  # asked again: the same one
    with pytest.raises(IntegrityError), transaction.atomic():
        Acknowledgment.objects.create(
            ticket=ticket,
            message=first.message,
            commitment=first.commitment,
            promised_at=first.promised_at,
        )
    assert Acknowledgment.objects.filter(ticket=ticket).count() == 1
    assert Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).count() == 1
    assert len(delivered) == 1


def test_further_customer_messages_get_no_automatic_reply(
    delivered: list[dict[str, Any]], team: Team, customer: Customer
) -> None:
    ticket = create_ticket(customer=customer, subject="Access code", body_text="Hi", team=team)
    for text in ("Any news?", "Still waiting for my code.", "Here is my order number: 5512."):
        add_inbound_message(ticket=ticket, body_text=text)
    assert Message.objects.filter(ticket=ticket, from_customer=False).count() == 1
    assert [call["automatic"] for call in delivered] == [True]


@pytest.mark.usefixtures("immediate_tasks")
def test_every_outbound_path_sends_nothing_without_a_person_but_acknowledgments(
    clock: Any,
    delivered: list[dict[str, Any]],
    calendar: BusinessCalendar,
    team: Team,
    agent: User,
    other_agent: User,
    manager: User,
    customer: Customer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Drive every service that can make something leave the desk, then look at
    everything that left: replies without an author must all be acknowledgments,
    and mail to anyone but agents must not exist (agents' reminders are mail to staff)."""
    agent.email, manager.email = "dana@shop.example", "morgan@shop.example"
    agent.save()
    manager.save()
    team.manager = manager
    team.save()
    other = create_customer(name="Lee Chan", emails=["lee@example.com"])
    start = datetime(2026, 3, 9, 9, 0, tzinfo=CHICAGO)
    clock.set(start)
    with django_capture_on_commit_callbacks(execute=True):
        first = create_ticket(
            customer=customer,
            subject="Car",
            body_text="Is my car there?",
            team=team,
            channel=Channel.WEB,
        )
        second = create_ticket(
            customer=customer,
            subject="Car again",
            body_text="Same car.",
            team=team,
            channel=Channel.PORTAL,
        )
        third = create_ticket(
            customer=other, subject="Refund", body_text="Refund please", team=team
        )
        phone = create_ticket(
            customer=other, subject="Phone", channel=Channel.PHONE, actor=agent, team=team
        )
        add_inbound_message(ticket=first, body_text="Any update?")
        send_reply(ticket=first, actor=agent, body_text="I'll call you back by 11am.")
        add_note(ticket=first, actor=agent, body_text="Car is in bay 4.")
        log_call(
            ticket=phone,
            actor=agent,
            direction=CallDirection.INBOUND,
            summary="Lee asked about the refund; I will call back tomorrow.",
        )
        assign_ticket(ticket=third, actor=agent, owner=other_agent)
        change_priority(ticket=third, actor=agent, priority=3)
        change_status(ticket=third, actor=other_agent, status=Status.WAITING_CUSTOMER)
        merge_tickets(source=second, target=first, actor=agent)
        change_status(ticket=first, actor=agent, status=Status.RESOLVED)
        add_inbound_message(ticket=first, body_text="Thanks, but where is my invoice?")
    for hours in (1, 2, 3, 9, 30, 60):
        moment = start + timedelta(hours=hours)
        clock.set(moment)
        with django_capture_on_commit_callbacks(execute=True):
            sweep_commitments(now=moment)
            sweep_sla(now=moment)

    authorless = Message.objects.filter(from_customer=False, author__isnull=True)
    acknowledged = set(Acknowledgment.objects.values_list("message_id", flat=True))
    assert set(authorless.values_list("pk", flat=True)) == acknowledged
    assert len(acknowledged) == 3  # the three tickets customers opened
    automatic = [call["message"].pk for call in delivered if call["automatic"]]
    assert sorted(automatic) == sorted(acknowledged)
    assert all(call["message"].author is not None for call in delivered if not call["automatic"])
    # Mail sent by the desk itself went to staff only (reminders, escalations, breaches).
    assert mail.outbox, "the sweep should have told staff about broken promises and breaches"
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients <= {"dana@shop.example", "morgan@shop.example"}
    assert Commitment.objects.filter(status=CommitmentStatus.BROKEN).exists()


def test_acknowledgment_escapes_a_hostile_customer_name(
    delivered: list[dict[str, Any]], team: Team
) -> None:
    hostile = create_customer(name='<img src=x onerror="alert(1)"> Eve', emails=["eve@example.com"])
    ticket = create_ticket(customer=hostile, subject="Hi", body_text="Hello", team=team)
    html = ticket.acknowledgment.message.body_html
    assert "<img" not in html
    assert "&lt;img" in html


def test_inbound_messages_are_scored_for_sentiment(team: Team, customer: Customer) -> None:
    from rightdesk.quality.models import MessageSentiment

    ticket = create_ticket(
        customer=customer, subject="Awful", body_text="This is terrible, I am furious.", team=team
    )
    later = add_inbound_message(ticket=ticket, body_text="Thank you, that is wonderful!")
    first = Message.objects.get(ticket=ticket, kind=MessageKind.INBOUND, pk__lt=later.pk)
    assert MessageSentiment.objects.get(message=first).compound < -0.3
    assert MessageSentiment.objects.get(message=later).compound > 0.3
    # Our own messages (the acknowledgment) are not scored.
    assert MessageSentiment.objects.count() == 2
