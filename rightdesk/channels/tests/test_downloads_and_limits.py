"""Attachments as agent-only downloads; bounces mark the address; runaway senders are stopped."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client

from rightdesk.channels.choices import ChannelEvent, OutState, RawState
from rightdesk.channels.models import OutboundEmail, RawMessage
from rightdesk.channels.tests.mail import build
from rightdesk.customers.models import ContactPoint
from rightdesk.tickets.services import send_reply

Deliver = Callable[[bytes], RawMessage]


def test_attachment_is_an_agent_only_download_that_never_renders(
    deliver: Deliver, agent: User, client: Client
) -> None:
    raw = deliver(build(attachments=[("page.html", "text/html", b"<script>alert(1)</script>")]))
    item = raw.attachments.get()
    url = f"/mail/attachments/{item.pk}/"
    assert client.get(url, secure=True).status_code == 404
    client.force_login(agent)
    response = client.get(url, secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b"<script>alert(1)</script>"
    original = client.get(f"/mail/messages/{raw.pk}/original.eml", secure=True)
    assert original["Content-Disposition"] == f'attachment; filename="message-{raw.pk}.eml"'
    assert original.content == bytes(raw.raw)


def test_bounce_marks_the_address_failing_and_shows_on_the_ticket(
    deliver: Deliver, agent: User
) -> None:
    first = deliver(build())
    assert first.ticket is not None
    reply = send_reply(ticket=first.ticket, actor=agent, body_text="Ready Friday.")
    outbound = OutboundEmail.objects.get(ticket_message=reply)
    dsn = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n"
        "To: help@shop.example\nSubject: Undelivered Mail Returned to Sender\n"
        "Message-ID: <dsn-1@mx.example.com>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n'
        "--R\nContent-Type: text/plain\n\nSorry.\n--R\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; maria@example.com\n"
        "Action: failed\nStatus: 5.1.1\n--R\nContent-Type: text/rfc822-headers\n\n"
        f"Message-ID: {outbound.message_id}\nSubject: {outbound.subject}\n--R--\n"
    ).encode()
    bounce = deliver(dsn)
    assert bounce.state == RawState.BOUNCE
    assert bounce.ticket_id == first.ticket.pk
    point = ContactPoint.objects.get(value="maria@example.com")
    assert point.failing_since is not None
    assert point.failing_reason.startswith("permanent delivery failure")
    outbound.refresh_from_db()
    assert outbound.state == OutState.FAILED
    event = first.ticket.events.get(kind=ChannelEvent.BOUNCED)
    assert event.data["addresses"] == ["maria@example.com"]
    assert event.data["permanent"] is True


def test_runaway_sender_is_quarantined_and_the_ticket_says_so(
    deliver: Deliver, settings: object
) -> None:
    settings.RIGHTDESK_MAIL_RATE_PER_HOUR = 3  # type: ignore[attr-defined]
    results = [deliver(build(subject=f"Loop {n}", body=f"Message {n}")) for n in range(5)]
    assert [r.state for r in results] == [
        "placed",
        "placed",
        "placed",
        "quarantined",
        "quarantined",
    ]
    assert results[3].reason_code == "rate_limited"
    ticket = results[2].ticket
    assert ticket is not None
    events = ticket.events.filter(kind=ChannelEvent.RATE_LIMITED)
    assert events.count() == 1
    assert events.get().data["sender"] == "maria@example.com"
