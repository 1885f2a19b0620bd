"""Outbox: replies reach a real SMTP sink once, with threading headers; failures are visible."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from rightdesk.channels import hooks
from rightdesk.channels.choices import ChannelEvent, OutState, RawState
from rightdesk.channels.models import OutboundEmail, RawMessage
from rightdesk.channels.services import deliver_outbound, sweep_outbox
from rightdesk.channels.tests.mail import build
from rightdesk.channels.tests.sink import Sink, free_port
from rightdesk.customers.models import Customer
from rightdesk.tickets.choices import MessageKind
from rightdesk.tickets.models import Message, Ticket
from rightdesk.tickets.services import send_reply

Deliver = Callable[[bytes], RawMessage]


@pytest.fixture
def ticket(deliver: Deliver) -> Ticket:
    raw = deliver(build(message_id="<first@client.example>"))
    assert raw.ticket is not None
    # The acknowledgment (promises app) has its own tests; these are about one reply.
    OutboundEmail.objects.filter(automatic=True).update(state=OutState.SUPPRESSED)
    return raw.ticket


def _automatic_reply(ticket: Ticket, text: str = "We got your message.") -> OutboundEmail:
    message = Message.objects.create(ticket=ticket, kind=MessageKind.REPLY, body_text=text)
    hooks.on_reply_recorded(message=message, automatic=True)
    return OutboundEmail.objects.get(ticket_message=message)


def test_reply_is_sent_once_with_threading_headers(sink: Sink, ticket: Ticket, agent: User) -> None:
    reply = send_reply(ticket=ticket, actor=agent, body_text="Ready on Friday.")
    outbound = OutboundEmail.objects.get(ticket_message=reply)
    assert outbound.state == OutState.QUEUED

    assert deliver_outbound(outbound_id=outbound.pk) == OutState.SENT
    assert deliver_outbound(outbound_id=outbound.pk) == OutState.SENT
    sweep_outbox()
    assert len(sink.received) == 1
    got = sink.received[0]
    assert got.rcpt_tos == ["maria@example.com"]
    msg = got.message
    assert msg["Message-ID"] == outbound.message_id
    assert msg["In-Reply-To"] == "<first@client.example>"
    assert msg["References"] == "<first@client.example>"
    assert msg["Reply-To"] == "Front desk <help@shop.example>"
    assert msg["From"] == "Front desk <help@shop.example>"
    assert msg["Subject"] == f"Re: My car is not ready [{ticket.reference}]"
    assert msg["Auto-Submitted"] is None
    assert msg.get_body(("plain",)).get_content().strip() == "Ready on Friday."  # type: ignore[union-attr]
    outbound.refresh_from_db()
    assert outbound.sent_at is not None and outbound.attempts == 1


def test_acknowledgment_is_marked_auto_replied(sink: Sink, ticket: Ticket) -> None:
    outbound = _automatic_reply(ticket)
    assert deliver_outbound(outbound_id=outbound.pk) == OutState.SENT
    assert sink.received[0].message["Auto-Submitted"] == "auto-replied"


def test_acknowledgment_to_automatic_mail_is_never_sent(sink: Sink, deliver: Deliver) -> None:
    raw = deliver(
        build(
            sender="Out Of Office <maria@example.com>",
            subject="Away",
            body="I am away until Monday.",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )
    assert raw.is_auto_generated and raw.auto_reason == "Auto-Submitted: auto-replied"
    assert raw.ticket is not None
    _automatic_reply(raw.ticket)
    automatic = OutboundEmail.objects.filter(ticket=raw.ticket, automatic=True)
    assert automatic.count() >= 1
    for outbound in automatic:
        assert outbound.state == OutState.SUPPRESSED
        assert outbound.last_error == "the ticket was opened by automatic mail"
        assert deliver_outbound(outbound_id=outbound.pk) == OutState.SUPPRESSED
    sweep_outbox()
    assert sink.received == []
    assert raw.ticket.events.filter(kind=ChannelEvent.SUPPRESSED).count() == automatic.count()


def test_encoded_crlf_in_subject_and_name_never_becomes_a_header(
    sink: Sink, deliver: Deliver
) -> None:
    hostile = build(sender="NAME <mallory@example.org>", subject="SUBJECT")
    hostile = hostile.replace(b"NAME", b"=?utf-8?q?Mallory=0D=0ABcc:_victim@example.com?=")
    hostile = hostile.replace(b"SUBJECT", b"=?utf-8?q?hi=0ABcc:_x@example.com?=")
    raw = deliver(hostile)
    assert raw.state == RawState.PLACED
    ticket = raw.ticket
    assert ticket is not None
    assert ticket.subject == "hi Bcc: x@example.com"
    assert ticket.customer.name == "Mallory Bcc: victim@example.com"
    OutboundEmail.objects.filter(automatic=True).update(state=OutState.SUPPRESSED)
    outbound = _automatic_reply(ticket)
    assert deliver_outbound(outbound_id=outbound.pk) == OutState.SENT
    got = sink.received[0]
    assert got.rcpt_tos == ["mallory@example.org"]
    msg = got.message
    assert sorted(k.lower() for k in msg) == sorted(
        [
            "from",
            "to",
            "reply-to",
            "subject",
            "message-id",
            "in-reply-to",
            "references",
            "date",
            "auto-submitted",
            "x-auto-response-suppress",
            "content-type",
            "content-transfer-encoding",
            "mime-version",
        ]
    )
    assert msg["Bcc"] is None
    assert msg["Subject"] == f"Re: hi Bcc: x@example.com [{ticket.reference}]"


def test_ambiguous_sender_never_reaches_another_customers_tickets(
    deliver: Deliver, customer: Customer
) -> None:
    bob = Customer.objects.create(name="Bob")
    bob.contacts.create(kind="email", value="bob@example.org")
    raw = deliver(
        build(sender="alice@example.org)<bob@example.org>", subject="Give me Bob's order")
    )
    assert raw.state == RawState.QUARANTINED
    assert raw.reason_code == "ambiguous_sender"
    assert raw.ticket is None
    assert Ticket.objects.count() == 0
    assert not Customer.objects.filter(contacts__value="alice@example.org").exists()


def test_transient_failure_retries_with_backoff_then_sends_once(
    sink: Sink, ticket: Ticket, agent: User
) -> None:
    reply = send_reply(ticket=ticket, actor=agent, body_text="Ready on Friday.")
    outbound = OutboundEmail.objects.get(ticket_message=reply)
    sink.handler.answers = ["451 4.3.0 Try later"]
    now = timezone.now()
    assert deliver_outbound(outbound_id=outbound.pk, now=now) == OutState.QUEUED
    outbound.refresh_from_db()
    assert outbound.attempts == 1
    assert outbound.next_attempt_at == now + timedelta(seconds=60)
    assert outbound.last_error == "451 4.3.0 Try later"
    assert deliver_outbound(outbound_id=outbound.pk, now=now + timedelta(seconds=30)) == "queued"
    assert sink.received == []
    assert sweep_outbox(now=now + timedelta(seconds=61)) == 1
    assert len(sink.received) == 1
    outbound.refresh_from_db()
    assert outbound.state == OutState.SENT and outbound.attempts == 2


def test_connection_refused_is_transient(settings: object, ticket: Ticket, agent: User) -> None:
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # type: ignore[attr-defined]
    reply = send_reply(ticket=ticket, actor=agent, body_text="Ready on Friday.")
    outbound = OutboundEmail.objects.get(ticket_message=reply)
    assert deliver_outbound(outbound_id=outbound.pk) == OutState.QUEUED
    outbound.refresh_from_db()
    assert outbound.last_error.startswith("ConnectionRefusedError")


def test_permanent_failure_shows_on_the_ticket_and_is_not_retried(
    sink: Sink, ticket: Ticket, agent: User
) -> None:
    reply = send_reply(ticket=ticket, actor=agent, body_text="Ready on Friday.")
    outbound = OutboundEmail.objects.get(ticket_message=reply)
    sink.handler.answers = ["550 5.1.1 No such user"]
    assert deliver_outbound(outbound_id=outbound.pk) == OutState.FAILED
    assert sweep_outbox(now=timezone.now() + timedelta(days=1)) == 0
    assert deliver_outbound(outbound_id=outbound.pk) == OutState.FAILED
    assert sink.received == []
    event = ticket.events.get(kind=ChannelEvent.SEND_FAILED)
    assert event.data["error"] == "550 5.1.1 No such user"
    assert event.data["owner_id"] == agent.pk
    assert event.data["to"] == "maria@example.com"


def test_transient_failures_give_up_after_the_last_attempt(
    sink: Sink, ticket: Ticket, agent: User
) -> None:
    reply = send_reply(ticket=ticket, actor=agent, body_text="Ready on Friday.")
    outbound = OutboundEmail.objects.get(ticket_message=reply)
    sink.handler.answers = ["421 4.7.0 Busy"] * 8
    when = timezone.now()
    for _ in range(8):
        when += timedelta(hours=7)
        deliver_outbound(outbound_id=outbound.pk, now=when)
    outbound.refresh_from_db()
    assert outbound.state == OutState.FAILED
    assert outbound.attempts == 8
    assert outbound.last_error.startswith("gave up after 8 attempts")
    assert sink.received == []


def test_interrupted_send_is_reported_not_repeated(sink: Sink, ticket: Ticket, agent: User) -> None:
    reply = send_reply(ticket=ticket, actor=agent, body_text="Ready on Friday.")
    outbound = OutboundEmail.objects.get(ticket_message=reply)
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        state=OutState.SENDING, locked_until=timezone.now() - timedelta(minutes=1), attempts=1
    )
    sweep_outbox()
    outbound.refresh_from_db()
    assert outbound.state == OutState.FAILED
    assert "may or may not have been sent" in outbound.last_error
    assert sink.received == []
    assert ticket.events.filter(kind=ChannelEvent.SEND_FAILED).count() == 1


def test_without_a_mail_server_replies_are_written_to_the_mail_out_folder(
    settings: object, ticket: Ticket, agent: User, tmp_path: object
) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path)) / "mail-out"
    settings.EMAIL_HOST = ""  # type: ignore[attr-defined]
    settings.EMAIL_FILE_PATH = folder  # type: ignore[attr-defined]
    reply = send_reply(ticket=ticket, actor=agent, body_text="Ready on Friday.")
    outbound = OutboundEmail.objects.get(ticket_message=reply)
    assert deliver_outbound(outbound_id=outbound.pk) == OutState.SENT
    files = list(folder.glob("*.eml"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "X-Envelope-To: maria@example.com" in text
    assert f"Message-ID: {outbound.message_id}" in text
    assert "Ready on Friday." in text
