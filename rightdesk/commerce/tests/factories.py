"""Builders for commerce tests: orders are made through the real services."""

from __future__ import annotations

from datetime import UTC, datetime

from rightdesk.commerce.models import Order, OrderSource
from rightdesk.commerce.services.orders import (
    CustomerInput,
    LineInput,
    OrderInput,
    PaymentInput,
    get_or_create_source,
    record_order,
)
from rightdesk.customers.models import Customer

PLACED = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)


def shop(secret: str = "") -> OrderSource:
    return get_or_create_source(slug="shop", name="Web shop", webhook_secret=secret)


def seed001_order(customer: Customer, ref: str = "A-1001") -> Order:
    """Two software items and a card processing fee, paid in full (seed 001)."""
    order, _ = record_order(
        source=shop(),
        data=OrderInput(
            external_ref=ref,
            placed_at=PLACED,
            currency="USD",
            customer_id=customer.pk,
            lines=[
                LineInput(product="Photo editor licence", kind="digital", unit_price="60.00"),
                LineInput(product="Plugin pack", kind="digital", unit_price="40.00"),
                LineInput(
                    product="Card processing fee",
                    kind="fee",
                    fee_kind="processing",
                    unit_price="3.00",
                ),
            ],
            payments=[PaymentInput(amount="103.00", method="card", reference="ch_1")],
            customer=CustomerInput(),
        ),
    )
    return order
