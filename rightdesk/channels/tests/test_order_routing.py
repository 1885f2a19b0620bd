"""One purchase, one ticket: mail about the same order lands on that order's open ticket."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from rightdesk.channels.choices import RawState
from rightdesk.channels.models import RawMessage
from rightdesk.channels.tests.mail import build
from rightdesk.commerce.models import TicketOrder
from rightdesk.commerce.services.orders import (
    LineInput,
    OrderInput,
    get_or_create_source,
    record_order,
)
from rightdesk.customers.models import Customer
from rightdesk.tickets.models import Ticket

Deliver = Callable[[bytes], RawMessage]


def test_two_mails_about_one_order_share_one_ticket(deliver: Deliver, customer: Customer) -> None:
    order, _ = record_order(
        source=get_or_create_source(slug="shop"),
        data=OrderInput(
            external_ref="NW-20931",
            placed_at=timezone.now() - timedelta(days=2),
            currency="USD",
            customer_id=customer.pk,
            lines=[
                LineInput(product="Backup plan", unit_price=Decimal("150.00")),
                LineInput(product="Migration", unit_price=Decimal("75.00")),
            ],
        ),
    )
    first = deliver(
        build(subject="Order NW-20931: backup plan not working", body="The backup fails.")
    )
    second = deliver(
        build(
            subject="Migration question",
            body="About order NW-20931 again: when does the migration start?",
            message_id="<second@client.example>",
        )
    )
    assert first.state == second.state == RawState.PLACED
    assert first.ticket is not None and first.ticket == second.ticket
    assert first.opened_ticket and not second.opened_ticket
    assert Ticket.objects.filter(customer=customer).count() == 1
    assert TicketOrder.objects.filter(order=order, ticket=first.ticket).exists()
    # A mail that names no order of theirs still opens its own ticket.
    third = deliver(build(subject="Password reset", body="I cannot log in.", message_id="<t@x>"))
    assert third.ticket is not None and third.ticket != first.ticket


def test_seed001_mail_then_web_form_about_one_order_share_one_ticket(
    deliver: Deliver, customer: Customer
) -> None:
    """Seed 001: the customer asks about both items, by e-mail and then by the web form."""
    from django.test import Client

    from rightdesk.tickets.choices import Channel

    order, _ = record_order(
        source=get_or_create_source(slug="shop"),
        data=OrderInput(
            external_ref="A-1001",
            placed_at=timezone.now() - timedelta(days=2),
            currency="USD",
            customer_id=customer.pk,
            lines=[
                LineInput(product="Licence", unit_price=Decimal("60.00")),
                LineInput(product="Plugin pack", unit_price=Decimal("40.00")),
            ],
        ),
    )
    by_mail = deliver(
        build(subject="Order A-1001: licence will not activate", body="The key says invalid.")
    )
    page = Client().post(
        "/portal/contact/",
        {
            "name": "Maria Gonzalez",
            "email": "Maria@Example.com",
            "subject": "Plugin pack missing",
            "body": "My order #a-1001 also had a plugin pack that never arrived.",
        },
        secure=True,
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "We have your message" in text
    assert by_mail.ticket is not None and by_mail.ticket.reference not in text
    ticket = Ticket.objects.get(customer=customer)  # one ticket holds both contacts
    assert ticket == by_mail.ticket and ticket.channel == Channel.EMAIL
    assert list(ticket.messages.filter(kind="inbound").values_list("body_text", flat=True)) == [
        "The key says invalid.",
        "Subject: Plugin pack missing\n\n"
        "My order #a-1001 also had a plugin pack that never arrived.",
    ]
    assert TicketOrder.objects.filter(order=order, ticket=ticket).count() == 1


def test_web_form_opens_a_ticket_for_a_new_customer_and_refuses_bad_input(db: None) -> None:
    from django.test import Client

    from rightdesk.tickets.choices import Channel

    client = Client()
    bad = client.post(
        "/portal/contact/",
        {"name": "Ann", "email": "not-an-address", "subject": "Hi", "body": "Hello"},
        secure=True,
    )
    assert bad.status_code == 422 and "is not a valid e-mail address" in bad.content.decode()
    assert not Ticket.objects.exists()
    good = client.post(
        "/portal/contact/",
        {"name": "Ann Lee", "email": "ann@example.org", "subject": "Hours", "body": "Open Sunday?"},
        secure=True,
    )
    assert good.status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.customer.name, ticket.subject) == (
        Channel.WEB,
        "Ann Lee",
        "Hours",
    )
    # The one automatic reply: the acknowledgment to the address given.
    assert ticket.messages.filter(kind="reply", author__isnull=True).count() == 1
