"""Must-show 3: replies from common mail clients land on the right ticket, never another's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from rightdesk.channels.choices import ChannelEvent, RawState
from rightdesk.channels.models import OutboundEmail, RawMessage
from rightdesk.channels.services import opened_by_automatic_mail, release_held
from rightdesk.channels.tests.mail import build
from rightdesk.tickets.choices import MessageKind
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.services import send_reply

Deliver = Callable[[bytes], RawMessage]


@pytest.fixture
def conversation(deliver: Deliver, agent: User) -> tuple[Ticket, RawMessage, OutboundEmail]:
    first = deliver(build(message_id="<first@client.example>"))
    assert first.state == RawState.PLACED and first.opened_ticket
    ticket = first.ticket
    assert ticket is not None
    reply = send_reply(ticket=ticket, actor=agent, body_text="Hi Maria, it will be ready Friday.")
    outbound = OutboundEmail.objects.get(ticket_message=reply)
    return ticket, first, outbound


def _new_text(raw: RawMessage) -> str:
    assert raw.ticket_message is not None
    return raw.ticket_message.body_text


def test_first_message_opens_a_ticket_for_a_new_customer(deliver: Deliver) -> None:
    raw = deliver(
        build(
            sender="Tom Baker <Tom@Example.org>",
            subject="Broken screen",
            body="My phone screen cracked.",
        )
    )
    ticket = raw.ticket
    assert ticket is not None
    assert ticket.subject == "Broken screen"
    assert ticket.customer.name == "Tom Baker"
    assert list(ticket.customer.contacts.values_list("value", flat=True)) == ["tom@example.org"]
    assert ticket.team is not None and ticket.team.name == "Front desk"
    assert _new_text(raw) == "My phone screen cracked."
    assert not opened_by_automatic_mail(ticket=ticket)


def test_gmail_reply_joins_by_in_reply_to_and_quotes_are_separated(
    deliver: Deliver, conversation: tuple[Ticket, RawMessage, OutboundEmail]
) -> None:
    ticket, _, outbound = conversation
    body = (
        "Great, thank you!\n\n"
        "On Tue, Mar 4, 2025 at 10:12 AM Front desk <help@shop.example> wrote:\n"
        "> Hi Maria, it will be ready Friday.\n"
    )
    raw = deliver(
        build(
            subject=f"Re: {outbound.subject}",
            body=body,
            in_reply_to=outbound.message_id,
            references=f"<first@client.example> {outbound.message_id}",
        )
    )
    assert raw.ticket_id == ticket.pk
    assert _new_text(raw) == "Great, thank you!"
    assert "Hi Maria, it will be ready Friday." in raw.quoted_text
    assert raw.full_text.startswith("Great, thank you!")
    assert Ticket.objects.count() == 1


def test_outlook_reply_with_references_only_joins(
    deliver: Deliver, conversation: tuple[Ticket, RawMessage, OutboundEmail]
) -> None:
    ticket, _, outbound = conversation
    body = (
        "Friday is fine.\n\n"
        "________________________________\n"
        "From: Front desk <help@shop.example>\n"
        "Sent: Tuesday, March 4, 2025 10:12 AM\n"
        "To: Maria Gonzalez <maria@example.com>\n"
        "Subject: Re: My car is not ready\n\n"
        "Hi Maria, it will be ready Friday.\n"
    )
    raw = deliver(
        build(
            subject="RE: My car is not ready",
            body=body,
            references=f"<first@client.example> {outbound.message_id}",
            headers={"Thread-Index": "AQHZabc123=="},
        )
    )
    assert raw.ticket_id == ticket.pk
    assert _new_text(raw) == "Friday is fine."


def test_apple_mail_reply_joins_and_signature_is_separated(
    deliver: Deliver, conversation: tuple[Ticket, RawMessage, OutboundEmail]
) -> None:
    ticket, _, outbound = conversation
    body = (
        "Thanks, see you Friday.\n\nSent from my iPhone\n\n"
        "> On 4 Mar 2025, at 10:12, Front desk <help@shop.example> wrote:\n"
        "> \n> Hi Maria, it will be ready Friday.\n"
    )
    raw = deliver(
        build(
            subject="Re: My car is not ready",
            body=body,
            in_reply_to=outbound.message_id,
            references=outbound.message_id,
        )
    )
    assert raw.ticket_id == ticket.pk
    assert _new_text(raw) == "Thanks, see you Friday."
    assert raw.signature == "Sent from my iPhone"


def test_stripped_headers_join_by_reference_in_subject(
    deliver: Deliver, conversation: tuple[Ticket, RawMessage, OutboundEmail]
) -> None:
    ticket, _, _ = conversation
    raw = deliver(build(subject=f"Fwd: about {ticket.reference} please", body="Any news?"))
    assert raw.ticket_id == ticket.pk
    assert ticket.messages.filter(kind=MessageKind.INBOUND).count() == 2


def test_new_subject_from_same_customer_opens_a_new_ticket(
    deliver: Deliver, conversation: tuple[Ticket, RawMessage, OutboundEmail]
) -> None:
    ticket, _, _ = conversation
    raw = deliver(build(subject="Also: invoice question", body="Can I get an invoice?"))
    assert raw.ticket is not None and raw.ticket.pk != ticket.pk
    assert raw.ticket.customer_id == ticket.customer_id
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize("by", ["subject", "header"])
def test_stranger_carrying_a_reference_is_held_not_joined(
    deliver: Deliver,
    conversation: tuple[Ticket, RawMessage, OutboundEmail],
    agent: User,
    by: str,
) -> None:
    ticket, _, outbound = conversation
    before = ticket.messages.count()
    if by == "subject":
        raw = deliver(
            build(
                sender="Eve <eve@example.net>",
                subject=f"Re: [{ticket.reference}]",
                body="Please send me the car keys.",
            )
        )
    else:
        raw = deliver(
            build(
                sender="Eve <eve@example.net>",
                subject="Re: hello",
                body="Please send me the car keys.",
                in_reply_to=outbound.message_id,
            )
        )
    assert raw.state == RawState.HELD
    assert raw.reason_code == "sender_not_customer"
    assert raw.ticket_message is None
    assert ticket.messages.count() == before
    assert Ticket.objects.count() == 1
    held_event = ticket.events.get(kind=ChannelEvent.HELD)
    assert held_event.data["sender"] == "eve@example.net"
    assert held_event.data["matched_by"] == by

    released = release_held(raw_id=raw.pk, actor=agent, join=False)
    assert released.state == RawState.PLACED
    assert released.ticket is not None and released.ticket.pk != ticket.pk
    assert released.ticket.customer.contacts.get().value == "eve@example.net"
    assert ticket.messages.count() == before


def test_agent_can_confirm_a_held_message_onto_the_ticket(
    deliver: Deliver, conversation: tuple[Ticket, RawMessage, OutboundEmail], agent: User
) -> None:
    ticket, _, _ = conversation
    raw = deliver(
        build(
            sender="Maria's husband <juan@example.com>",
            subject=f"Re: [{ticket.reference}]",
            body="I will pick the car up.",
        )
    )
    released = release_held(raw_id=raw.pk, actor=agent, join=True)
    assert released.ticket_id == ticket.pk
    assert released.ticket_message is not None
    assert released.ticket_message.body_text == "I will pick the car up."
    assert ticket.events.filter(kind=ChannelEvent.RELEASED, actor=agent).count() == 1


def test_same_message_twice_is_stored_once(deliver: Deliver) -> None:
    raw_bytes = build(message_id="<once@client.example>")
    first = deliver(raw_bytes)
    second = deliver(raw_bytes)
    assert first.pk == second.pk
    assert RawMessage.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert first.ticket is not None
    assert first.ticket.messages.filter(kind=MessageKind.INBOUND).count() == 1
