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
