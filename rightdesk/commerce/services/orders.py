"""Order services: record purchases (API, webhook), payments, shipments, deliveries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from rightdesk.commerce.choices import (
    ITEM_KINDS,
    DeliveryKind,
    EventKinds,
    FeeKind,
    LineKind,
    ShipmentStatus,
)
from rightdesk.commerce.models import (
    DigitalDelivery,
    Order,
    OrderLine,
    OrderSource,
    Payment,
    Shipment,
    TicketOrder,
)
from rightdesk.commerce.money import check_currency, parse_amount
from rightdesk.core.errors import Conflict, Invalid
from rightdesk.customers.models import ContactKind, Customer
from rightdesk.customers.services import (
    create_customer,
    find_customer_by_contact,
    normalise_email,
)

MAX_LINES = 500


@dataclass(frozen=True)
class LineInput:
    """One line as it arrives from outside, before validation."""

    product: str
    unit_price: object
    kind: str = LineKind.PHYSICAL
    quantity: int = 1
    fee_kind: str = ""
    sku: str = ""
    applies_to: int | None = None  # 1-based position of the item a fee belongs to


@dataclass(frozen=True)
class PaymentInput:
    amount: object
    method: str = ""
    reference: str = ""
    paid_at: datetime | None = None


@dataclass(frozen=True)
class CustomerInput:
    email: str = ""
    name: str = ""
    phone: str = ""


@dataclass
class OrderInput:
    """An order as the shop describes it (API body, webhook body or CSV rows)."""

    external_ref: str
    placed_at: datetime
    currency: str
    lines: list[LineInput]
    customer: CustomerInput = field(default_factory=CustomerInput)
    customer_id: int | None = None
    payments: list[PaymentInput] = field(default_factory=list)


def ref_key(reference: str) -> str:
    """The form an order reference is matched in: upper-case, without a leading '#'."""
    return reference.strip().lstrip("#").upper()


def get_or_create_source(*, slug: str, name: str = "", webhook_secret: str = "") -> OrderSource:
    """The order source with this slug (created on first use)."""
    slug = slug.strip().lower()
    if not slug:
        raise Invalid("An order needs a source.", field="source")
    source, _ = OrderSource.objects.get_or_create(
        slug=slug, defaults={"name": name or slug, "webhook_secret": webhook_secret}
    )
    return source


def validate_lines(lines: list[LineInput], currency: str) -> list[OrderLine]:
    """Check every line and return unsaved OrderLines (``applies_to`` kept as a position).

    Raises Invalid naming the field, e.g. ``lines.2.unit_price``.
    """
    if not lines:
        raise Invalid("An order needs at least one line.", field="lines")
    if len(lines) > MAX_LINES:
        raise Invalid(f"An order has at most {MAX_LINES} lines.", field="lines")
    result: list[OrderLine] = []
    for index, raw in enumerate(lines):
        where = f"lines.{index}"
        kind = (raw.kind or "").strip().lower()
        if kind not in LineKind.values:
            raise Invalid(f"Unknown line kind {raw.kind!r}.", field=f"{where}.kind")
        fee_kind = (raw.fee_kind or "").strip().lower()
        if kind == LineKind.FEE:
            if fee_kind not in FeeKind.values:
                raise Invalid(
                    f"A fee line needs a fee kind ({', '.join(FeeKind.values)}).",
                    field=f"{where}.fee_kind",
                )
        elif fee_kind:
            raise Invalid("Only fee lines have a fee kind.", field=f"{where}.fee_kind")
        product = " ".join((raw.product or "").split())
        if not product:
            raise Invalid("A line needs a product or fee name.", field=f"{where}.product")
        try:
            quantity = int(raw.quantity)
        except (TypeError, ValueError) as exc:
            raise Invalid(
                "The quantity must be a whole number.", field=f"{where}.quantity"
            ) from exc
        if quantity < 1 or quantity > 1_000_000:
            raise Invalid("The quantity must be at least 1.", field=f"{where}.quantity")
        price = parse_amount(raw.unit_price, currency, field=f"{where}.unit_price")
        applies = raw.applies_to
        if applies is not None:
            if kind != LineKind.FEE:
                raise Invalid("Only a fee applies to another line.", field=f"{where}.applies_to")
            if not 1 <= applies <= len(lines) or lines[applies - 1].kind not in ITEM_KINDS:
                raise Invalid(
                    "A fee applies to an item line of the same order.", field=f"{where}.applies_to"
                )
        line = OrderLine(
            position=index + 1,
            kind=kind,
            fee_kind=fee_kind,
            product=product[:200],
            sku=(raw.sku or "").strip()[:64],
            quantity=quantity,
            unit_price=price,
        )
        line._applies_position = applies  # type: ignore[attr-defined]  # resolved on save
        result.append(line)
    if not any(line.kind in ITEM_KINDS for line in result):
        raise Invalid("An order needs at least one item besides fees.", field="lines")
    return result


def resolve_customer(data: OrderInput) -> Customer:
    """The customer an order belongs to: by id, by e-mail, or a new customer."""
    if data.customer_id is not None:
        customer = Customer.objects.filter(pk=data.customer_id).first()
        if customer is None:
            raise Invalid(f"No customer {data.customer_id}.", field="customer_id")
        return customer
    email = data.customer.email.strip()
    if not email:
        raise Invalid("An order needs the customer's e-mail or id.", field="customer.email")
    try:
        email = normalise_email(email)
    except Invalid as exc:
        raise Invalid(exc.message, field="customer.email") from exc
    existing = find_customer_by_contact(ContactKind.EMAIL, email)
    if existing is not None:
        return existing
    name = data.customer.name.strip() or email.split("@")[0]
    phones = [data.customer.phone] if data.customer.phone.strip() else []
    try:
        return create_customer(name=name, emails=[email], phones=phones)
    except Invalid as exc:
        raise Invalid(exc.message, field=f"customer.{exc.field or 'name'}") from exc


def _validate_order(data: OrderInput) -> tuple[str, str, list[OrderLine], list[Payment]]:
    reference = (data.external_ref or "").strip()
    if not reference or len(reference) > 64:
        raise Invalid("An order needs a reference of at most 64 characters.", field="external_ref")
    currency = check_currency(data.currency)
    if timezone.is_naive(data.placed_at):
        raise Invalid("The order time needs a time zone.", field="placed_at")
    lines = validate_lines(data.lines, currency)
    payments = [
        Payment(
            amount=parse_amount(p.amount, currency, field=f"payments.{i}.amount"),
            method=p.method.strip()[:40],
            reference=p.reference.strip()[:100],
            paid_at=p.paid_at or data.placed_at,
        )
        for i, p in enumerate(data.payments)
    ]
    return reference, currency, lines, payments


def save_order_lines(order: Order, lines: list[OrderLine]) -> list[OrderLine]:
    """Insert validated lines of a new order, resolving fees' ``applies_to`` positions."""
    for line in lines:
        line.order = order
    items = [line for line in lines if getattr(line, "_applies_position", None) is None]
    fees = [line for line in lines if getattr(line, "_applies_position", None) is not None]
    created = OrderLine.objects.bulk_create(items)
    by_position = {line.position: line for line in created}
    for fee in fees:
        fee.applies_to = by_position[fee._applies_position]  # type: ignore[attr-defined]
    if fees:
        OrderLine.objects.bulk_create(fees)
    return sorted(created + fees, key=lambda line: line.position)


@transaction.atomic
def record_order(*, source: OrderSource, data: OrderInput) -> tuple[Order, bool]:
    """Record a purchase; the same source and reference again returns the existing order.

    Returns ``(order, created)``. A repeated delivery of an order never creates a
    second one (the unique constraint is the final word under concurrency); its
    lines are not rewritten, because refunds and tickets may point at them.
    """
    reference, currency, lines, payments = _validate_order(data)
    existing = Order.objects.filter(source=source, external_ref=reference).first()
    if existing is not None:
        if existing.currency != currency:
            raise Conflict(
                f"Order {reference} exists with currency {existing.currency}.",
                code="order_exists",
                field="currency",
            )
        return existing, False
    customer = resolve_customer(data)
    try:
        with transaction.atomic():
            order = Order.objects.create(
                source=source,
                external_ref=reference,
                ref_key=ref_key(reference),
                customer=customer,
                placed_at=data.placed_at,
                currency=currency,
            )
    except IntegrityError:
        return Order.objects.get(source=source, external_ref=reference), False
    save_order_lines(order, lines)
    for payment in payments:
        payment.order = order
    Payment.objects.bulk_create(payments)
    return order, True


@transaction.atomic
def add_payment(
    *,
    order: Order,
    amount: object,
    method: str = "",
    reference: str = "",
    paid_at: datetime | None = None,
) -> Payment:
    """Record money the customer paid for an order."""
    value = parse_amount(amount, order.currency, field="amount")
    if value == 0:
        raise Invalid("A payment needs an amount.", field="amount")
    return Payment.objects.create(
        order=order,
        amount=value,
        method=method.strip()[:40],
        reference=reference.strip()[:100],
        paid_at=paid_at or timezone.now(),
    )


def _open_ticket_links(order: Order) -> list[TicketOrder]:
    return list(TicketOrder.objects.filter(order=order).select_related("ticket"))


@transaction.atomic
def add_shipment(
    *,
    order: Order,
    carrier: str,
    tracking_number: str = "",
    status: str = ShipmentStatus.PENDING,
    actor: User | None = None,
) -> Shipment:
    """Record a parcel for the order."""
    carrier = carrier.strip()
    if not carrier:
        raise Invalid("A shipment needs a carrier.", field="carrier")
    if status not in ShipmentStatus.values:
        raise Invalid(f"Unknown shipment status {status!r}.", field="status")
    return Shipment.objects.create(
        order=order,
        carrier=carrier[:60],
        tracking_number=tracking_number.strip()[:100],
        status=status,
    )


@transaction.atomic
def change_shipment_status(*, shipment: Shipment, status: str, actor: User | None) -> Shipment:
    """Move a shipment on; every linked ticket's timeline shows it and the customer is told."""
    from rightdesk.commerce.services.notifications import notify_customer
    from rightdesk.tickets.services import append_event

    if status not in ShipmentStatus.values:
        raise Invalid(f"Unknown shipment status {status!r}.", field="status")
    shipment = (
        Shipment.objects.select_for_update()
        .select_related("order", "order__customer")
        .get(pk=shipment.pk)
    )
    if shipment.status == status:
        return shipment
    previous = shipment.status
    shipment.status = status
    shipment.updated_at = timezone.now()
    shipment.save(update_fields=["status", "updated_at"])
    order = shipment.order
    links = _open_ticket_links(order)
    for link in links:
        append_event(
            ticket=link.ticket,
            kind=EventKinds.SHIPMENT_STATUS,
            actor=actor,
            data={
                "order": order.external_ref,
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "from": previous,
                "to": status,
            },
        )
    label = ShipmentStatus(status).label
    tracking = f" (tracking number {shipment.tracking_number})" if shipment.tracking_number else ""
    notify_customer(
        customer=order.customer,
        ticket=links[0].ticket if links else None,
        topic="shipment_status",
        subject=f"Order {order.external_ref}: {label}",
        body=f"Your parcel for order {order.external_ref} with {shipment.carrier}{tracking} "
        f"is now: {label}.",
    )
    return shipment


@transaction.atomic
def record_delivery(
    *, order: Order, kind: str, line: OrderLine | None = None, sent: bool = True, detail: str = ""
) -> DigitalDelivery:
    """Record that an access code or download was (or was not yet) sent."""
    if kind not in DeliveryKind.values:
        raise Invalid(f"Unknown delivery kind {kind!r}.", field="kind")
    if line is not None and line.order_id != order.pk:
        raise Invalid("That line belongs to another order.", field="line_id")
    return DigitalDelivery.objects.create(
        order=order,
        line=line,
        kind=kind,
        sent_at=timezone.now() if sent else None,
        detail=detail.strip()[:200],
    )


def order_totals(order: Order) -> dict[str, Decimal]:
    """Items, fees, total charged and total paid, in the order's currency."""
    items = fees = Decimal(0)
    for line in order.lines.all():
        line.order = order
        if line.is_fee:
            fees += line.total
        else:
            items += line.total
    paid = sum((p.amount for p in order.payments.all()), Decimal(0))
    return {"items": items, "fees": fees, "total": items + fees, "paid": paid}
