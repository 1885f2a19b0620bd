"""API shapes of orders and refunds. Amounts travel as strings ("103.00"), never floats."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from rightdesk.commerce.models import Order, OrderLine, Refund
from rightdesk.commerce.money import quantize
from rightdesk.commerce.services.orders import (
    CustomerInput,
    LineInput,
    OrderInput,
    PaymentInput,
    order_totals,
)
from rightdesk.commerce.services.refunds import refund_statement


def money(amount: Decimal, currency: str) -> str:
    return str(quantize(Decimal(amount), currency))


class CustomerIn(Schema):
    email: str = Field(..., max_length=254)
    name: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)


class LineIn(Schema):
    product: str = Field(..., max_length=200)
    kind: str = "physical"
    fee_kind: str = ""
    sku: str = Field("", max_length=64)
    quantity: int = 1
    unit_price: Decimal
    applies_to: int | None = Field(None, description="1-based position of the item a fee is on.")


class PaymentIn(Schema):
    amount: Decimal
    method: str = Field("", max_length=40)
    reference: str = Field("", max_length=100)
    paid_at: datetime | None = None


class OrderCreate(Schema):
    source: str = Field("api", max_length=50)
    external_ref: str = Field(..., max_length=64)
    placed_at: datetime
    currency: str = Field(..., max_length=3)
    customer_id: int | None = None
    customer: CustomerIn | None = None
    lines: list[LineIn]
    payments: list[PaymentIn] = []

    def to_input(self) -> OrderInput:
        return OrderInput(
            external_ref=self.external_ref,
            placed_at=self.placed_at,
            currency=self.currency,
            customer_id=self.customer_id,
            customer=CustomerInput(**self.customer.dict()) if self.customer else CustomerInput(),
            lines=[LineInput(**line.dict()) for line in self.lines],
            payments=[PaymentInput(**p.dict()) for p in self.payments],
        )


class LineOut(Schema):
    id: int
    position: int
    kind: str
    fee_kind: str
    product: str
    sku: str
    quantity: int
    unit_price: str
    total: str
    applies_to_id: int | None

    @staticmethod
    def resolve_unit_price(obj: OrderLine) -> str:
        return money(obj.unit_price, obj.order.currency)

    @staticmethod
    def resolve_total(obj: OrderLine) -> str:
        return money(obj.total, obj.order.currency)


class PaymentOut(Schema):
    id: int
    amount: Decimal
    method: str
    reference: str
    paid_at: datetime


class ShipmentOut(Schema):
    id: int
    carrier: str
    tracking_number: str
    status: str
    updated_at: datetime


class DeliveryOut(Schema):
    id: int
    kind: str
    line_id: int | None
    sent_at: datetime | None
    detail: str


class OrderOut(Schema):
    id: int
    source: str
    external_ref: str
    customer_id: int
    placed_at: datetime
    currency: str
    lines: list[LineOut]
    payments: list[PaymentOut]
    shipments: list[ShipmentOut]
    deliveries: list[DeliveryOut]
    totals: dict[str, str]

    @staticmethod
    def resolve_source(obj: Order) -> str:
        return obj.source.slug

    @staticmethod
    def resolve_lines(obj: Order) -> list[OrderLine]:
        lines = list(obj.lines.all())
        for line in lines:
            line.order = obj
        return lines

    @staticmethod
    def resolve_payments(obj: Order) -> Any:
        return list(obj.payments.all())

    @staticmethod
    def resolve_shipments(obj: Order) -> Any:
        return list(obj.shipments.all())

    @staticmethod
    def resolve_deliveries(obj: Order) -> Any:
        return list(obj.deliveries.all())

    @staticmethod
    def resolve_totals(obj: Order) -> dict[str, str]:
        return {k: money(v, obj.currency) for k, v in order_totals(obj).items()}


class OrderSummaryOut(Schema):
    id: int
    external_ref: str
    customer_id: int
    placed_at: datetime
    currency: str


class OrderPage(Schema):
    items: list[OrderSummaryOut]
    next_cursor: str | None


class ShipmentCreate(Schema):
    carrier: str = Field(..., max_length=60)
    tracking_number: str = Field("", max_length=100)
    status: str = "pending"


class ShipmentStatusIn(Schema):
    status: str


class DeliveryCreate(Schema):
    kind: str
    line_id: int | None = None
    sent: bool = True
    detail: str = Field("", max_length=200)


class TicketLinkIn(Schema):
    ticket: str = Field(..., description="Ticket reference, e.g. RD-1042.")
    line_ids: list[int] = []


class RefundItemIn(Schema):
    line_id: int
    quantity: int | None = None


class WithholdingIn(Schema):
    label: str = Field(..., max_length=100)
    amount: Decimal
    reason: str = ""


class RefundCreate(Schema):
    order_id: int
    ticket: str | None = None
    items: list[RefundItemIn]
    withholdings: list[WithholdingIn] = []
    amount: Decimal | None = None


class RefundLineOut(Schema):
    order_line_id: int
    quantity: int
    amount: Decimal
    explanation: str


class WithholdingOut(Schema):
    label: str
    amount: Decimal
    reason: str


class RefundOut(Schema):
    id: int
    order_id: int
    order_ref: str
    ticket: str | None
    status: str
    currency: str
    paid_for_items: str
    withheld: str
    amount: str
    lines: list[RefundLineOut]
    withholdings: list[WithholdingOut]
    approved_at: datetime | None
    due_at: datetime | None
    paid_at: datetime | None
    promise_state: str
    decline_reason: str
    statement: str

    @staticmethod
    def resolve_order_ref(obj: Refund) -> str:
        return obj.order.external_ref

    @staticmethod
    def resolve_ticket(obj: Refund) -> str | None:
        return obj.ticket.reference if obj.ticket else None

    @staticmethod
    def resolve_paid_for_items(obj: Refund) -> str:
        return money(obj.paid_for_items, obj.currency)

    @staticmethod
    def resolve_withheld(obj: Refund) -> str:
        return money(obj.withheld, obj.currency)

    @staticmethod
    def resolve_amount(obj: Refund) -> str:
        return money(obj.amount, obj.currency)

    @staticmethod
    def resolve_lines(obj: Refund) -> Any:
        return list(obj.lines.all())

    @staticmethod
    def resolve_withholdings(obj: Refund) -> Any:
        return list(obj.withholdings.all())

    @staticmethod
    def resolve_statement(obj: Refund) -> str:
        return refund_statement(obj)


class RefundSummaryOut(Schema):
    id: int
    order_id: int
    status: str
    currency: str
    amount: str
    due_at: datetime | None
    promise_state: str

    @staticmethod
    def resolve_amount(obj: Refund) -> str:
        return money(obj.amount, obj.currency)


class RefundPage(Schema):
    items: list[RefundSummaryOut]
    next_cursor: str | None


class RefundQuoteIn(Schema):
    order_id: int
    items: list[RefundItemIn]
    withholdings: list[WithholdingIn] = []


class QuoteLineOut(Schema):
    order_line_id: int
    quantity: int
    amount: str
    explanation: str


class RefundQuoteOut(Schema):
    currency: str
    lines: list[QuoteLineOut]
    paid_for_items: str
    withheld: str
    amount: str


class PayIn(Schema):
    payment_reference: str = Field("", max_length=100)


class DeclineIn(Schema):
    reason: str = ""


class WebhookAccepted(Schema):
    order_id: int
    created: bool
