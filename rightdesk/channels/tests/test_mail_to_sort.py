"""The console's "Mail to sort" page: held, quarantined and undelivered mail, and the decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rightdesk.channels.choices import OutState, RawState
from rightdesk.channels.models import OutboundEmail, RawMessage
from rightdesk.channels.services import deliver_outbound
from rightdesk.channels.tests.mail import build
from rightdesk.channels.tests.sink import Sink
from rightdesk.desk.tests.conftest import HttpsClient
from rightdesk.notifications.models import Notification, NotificationKind
from rightdesk.tickets.choices import MessageKind
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.services import send_reply

Deliver = Callable[[bytes], RawMessage]
PAGE = "/desk/mail/"


@pytest.fixture
def ticket(deliver: Deliver, agent: User) -> Ticket:
    """Maria's ticket, answered (and so owned) by Dana."""
    first = deliver(build(message_id="<first@client.example>"))
    assert first.ticket is not None
    send_reply(ticket=first.ticket, actor=agent, body_text="Hi Maria, Friday.")
    first.ticket.refresh_from_db()
    assert first.ticket.owner_id == agent.pk
    return first.ticket


@pytest.fixture
def desk(agent: User) -> Client:
    client = HttpsClient()
    client.force_login(agent)
    return client


def _held(deliver: Deliver, ticket: Ticket, sender: str = "Juan <juan@example.com>") -> RawMessage:
    raw = deliver(
        build(sender=sender, subject=f"Re: [{ticket.reference}]", body="I will pick the car up.")
    )
    assert raw.state == RawState.HELD
    return raw


def test_held_mail_is_listed_with_why_and_the_owner_is_told(
    deliver: Deliver, ticket: Ticket, desk: Client, agent: User
) -> None:
    raw = _held(deliver, ticket)
    page = desk.get(PAGE).content.decode()
    assert "Held for your decision (1)" in page
    assert "juan@example.com" in page
    assert "is not this ticket&#x27;s customer" in page
    assert f"Add to {ticket.reference}" in page
    note = Notification.objects.get(recipient=agent, kind=NotificationKind.MAIL_HELD)
    assert ticket.reference in note.title and "juan@example.com" in note.title
    assert note.url == f"{PAGE}#held-{raw.pk}"
    # The case's timeline points to the page where the decision is made.
    case = desk.get(f"/desk/tickets/{ticket.reference}/").content.decode()
    assert 'href="/desk/mail/">decide in Mail to sort' in case


def test_adding_held_mail_puts_it_on_the_ticket_once(
    deliver: Deliver, ticket: Ticket, desk: Client
) -> None:
    raw = _held(deliver, ticket)
    response = desk.post(f"{PAGE}held/{raw.pk}/join/", follow=True)
    assert response.redirect_chain == [(PAGE, 303)]
    page = response.content.decode()
    assert "The message was added to the ticket it named." in page
    assert "Held for your decision (0)" in page
    inbound = ticket.messages.filter(kind=MessageKind.INBOUND).order_by("-id").first()
    assert inbound is not None and inbound.body_text == "I will pick the car up."
    # Deciding twice (a second tab, a double click) changes nothing and says why.
    again = desk.post(f"{PAGE}held/{raw.pk}/join/", follow=True).content.decode()
    assert "This message is not waiting for a decision." in again
    assert ticket.messages.filter(body_text="I will pick the car up.").count() == 1


def test_held_mail_can_become_a_ticket_of_its_own(
    deliver: Deliver, ticket: Ticket, desk: Client
) -> None:
    raw = _held(deliver, ticket)
    desk.post(f"{PAGE}held/{raw.pk}/separate/")
    raw.refresh_from_db()
    assert raw.state == RawState.PLACED
    assert raw.ticket is not None and raw.ticket.pk != ticket.pk
    assert raw.ticket.customer.contacts.get().value == "juan@example.com"
    assert not ticket.messages.filter(body_text="I will pick the car up.").exists()


def test_quarantined_mail_shows_its_reason_and_can_be_retried(
    deliver: Deliver, desk: Client, immediate_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    raw = deliver(build(sender="alice@example.org)<bob@example.org>", subject="Order 7"))
    assert raw.state == RawState.QUARANTINED
    page = desk.get(PAGE).content.decode()
    assert "Quarantined (1)" in page
    assert "ambiguous_sender" in page
    assert f'href="/mail/messages/{raw.pk}/original.eml"' in page
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(f"{PAGE}quarantined/{raw.pk}/retry/")
    raw.refresh_from_db()
    # Processed again by the worker: still ambiguous, so back in quarantine, tried twice.
    assert raw.state == RawState.QUARANTINED
    assert raw.attempts == 2


def test_an_undelivered_reply_is_listed_told_and_sent_again(
    sink: Sink, ticket: Ticket, desk: Client, agent: User
) -> None:
    sink.handler.answers = ["550 5.1.1 No such user"]
    OutboundEmail.objects.filter(automatic=True).update(state=OutState.SUPPRESSED)
    outbound = OutboundEmail.objects.get(automatic=False)
    assert deliver_outbound(outbound_id=outbound.pk) == OutState.FAILED
    note = Notification.objects.get(recipient=agent, kind=NotificationKind.MAIL_FAILED)
    assert "maria@example.com" in note.title and note.body == "550 5.1.1 No such user"
    page = desk.get(PAGE).content.decode()
    assert "Not delivered (1)" in page and "550 5.1.1 No such user" in page
    sink.handler.answers = []
    desk.post(f"{PAGE}failed/{outbound.pk}/resend/")
    outbound.refresh_from_db()
    assert outbound.state in (OutState.QUEUED, OutState.SENT)
    assert deliver_outbound(outbound_id=outbound.pk) == OutState.SENT
    assert len(sink.received) == 1
    assert "Not delivered (0)" in desk.get(PAGE).content.decode()


def test_the_page_costs_the_same_queries_with_more_mail(
    deliver: Deliver, ticket: Ticket, desk: Client
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert desk.get(PAGE).status_code == 200
        return len(queries)

    _held(deliver, ticket, "A <a@example.net>")
    deliver(build(sender="x@example.org)<y@example.org>"))
    few = count()
    for n in range(4):
        _held(deliver, ticket, f"B{n} <b{n}@example.net>")
        deliver(build(sender=f"x{n}@example.org)<y@example.org>"))
    assert count() == few
