"""Orders and refunds API (/api/v1/orders/, /api/v1/refunds/): parse, access, one service."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ValidationError

from rightdesk.commerce.access import (
    access_order,
    access_order_line,
    access_refund,
    access_shipment,
)
from rightdesk.commerce.models import DigitalDelivery, Order, Refund, Shipment, TicketOrder
from rightdesk.commerce.schemas import (
    DeclineIn,
    DeliveryCreate,
    DeliveryOut,
    OrderCreate,
    OrderOut,
    OrderPage,
    PayIn,
    RefundCreate,
    RefundOut,
    RefundPage,
    RefundQuoteIn,
    RefundQuoteOut,
    ShipmentCreate,
    ShipmentOut,
    ShipmentStatusIn,
    TicketLinkIn,
    WebhookAccepted,
    money,
)
from rightdesk.commerce.services.orders import (
    add_shipment,
    change_shipment_status,
    get_or_create_source,
    record_delivery,
    record_order,
)
from rightdesk.commerce.services.refunds import (
    RefundItem,
    Withholding,
    approve_refund,
    decline_refund,
    pay_refund,
    quote_refund,
    request_refund,
)
from rightdesk.commerce.services.routing import link_ticket_to_order
from rightdesk.commerce.services.webhooks import record_webhook_order, verify_webhook
from rightdesk.core.api import caller
from rightdesk.core.errors import Invalid
from rightdesk.core.pagination import PageParams, keyset_page
from rightdesk.tickets.access import access_ticket

router = Router(tags=["orders"])
refunds_router = Router(tags=["refunds"])


def _order(user: User, order_id: int) -> Order:
    order = access_order(user, order_id)
    return (
        Order.objects.select_related("source")
        .prefetch_related("lines", "payments", "shipments", "deliveries")
        .get(pk=order.pk)
    )


class OrderFilters(Schema):
    customer_id: int | None = None
    external_ref: str | None = None


@router.get("", response=OrderPage, summary="Orders, newest first")
def list_orders(request: HttpRequest, page: Query[PageParams], filters: Query[OrderFilters]) -> Any:
    caller(request)
    qs = Order.objects.all()
    if filters.customer_id is not None:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.external_ref:
        qs = qs.filter(ref_key=filters.external_ref.strip().lstrip("#").upper())
    result = keyset_page(qs, order=["-placed_at", "-id"], cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.post(
    "",
    response={200: OrderOut, 201: OrderOut},
    summary="Record an order (the same source and reference returns the existing one)",
)
def post_order(request: HttpRequest, payload: OrderCreate) -> Status[Order]:
    agent = caller(request)
    source = get_or_create_source(slug=payload.source)
    order, created = record_order(source=source, data=payload.to_input())
    return Status(201 if created else 200, _order(agent, order.pk))


@router.get("/{int:order_id}", response=OrderOut, summary="One order with lines and fees")
def get_order(request: HttpRequest, order_id: int) -> Order:
    return _order(caller(request), order_id)


@router.post("/{int:order_id}/shipments", response={201: ShipmentOut})
def post_shipment(request: HttpRequest, order_id: int, payload: ShipmentCreate) -> Status[Shipment]:
    agent = caller(request)
    order = access_order(agent, order_id)
    shipment = add_shipment(
        order=order,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        status=payload.status,
        actor=agent,
    )
    return Status(201, shipment)


@router.post(
    "/shipments/{int:shipment_id}/status",
    response=ShipmentOut,
    summary="Move a shipment on (the customer is told)",
)
def post_shipment_status(
    request: HttpRequest, shipment_id: int, payload: ShipmentStatusIn
) -> Shipment:
    agent = caller(request)
    shipment = access_shipment(agent, shipment_id)
    return change_shipment_status(shipment=shipment, status=payload.status, actor=agent)


@router.post("/{int:order_id}/deliveries", response={201: DeliveryOut})
def post_delivery(
    request: HttpRequest, order_id: int, payload: DeliveryCreate
) -> Status[DigitalDelivery]:
    agent = caller(request)
    order = access_order(agent, order_id)
    line = access_order_line(order, payload.line_id) if payload.line_id is not None else None
    delivery = record_delivery(
        order=order, kind=payload.kind, line=line, sent=payload.sent, detail=payload.detail
    )
    return Status(201, delivery)


class TicketLinkOut(Schema):
    ticket: str
    order_id: int
    line_ids: list[int]


@router.post(
    "/{int:order_id}/tickets",
    response={200: TicketLinkOut},
    summary="Say that a ticket is about this order (and some of its items)",
)
def post_ticket_link(request: HttpRequest, order_id: int, payload: TicketLinkIn) -> Any:
    agent = caller(request)
    order = access_order(agent, order_id)
    ticket = access_ticket(agent, payload.ticket)
    lines = [access_order_line(order, pk, "line_ids") for pk in payload.line_ids]
    link: TicketOrder = link_ticket_to_order(ticket=ticket, order=order, lines=lines, actor=agent)
    return {
        "ticket": ticket.reference,
        "order_id": order.pk,
        "line_ids": sorted(link.lines.values_list("pk", flat=True)),
    }


@router.post(
    "/webhook/{source}",
    auth=None,
    response={200: WebhookAccepted, 201: WebhookAccepted},
    summary="Signed order delivery from a shop (HMAC-SHA256, timestamp and nonce)",
)
def post_webhook(request: HttpRequest, source: str) -> Status[dict[str, Any]]:
    body = request.body
    origin = verify_webhook(
        source_slug=source,
        timestamp=request.headers.get("X-Rightdesk-Timestamp", ""),
        nonce=request.headers.get("X-Rightdesk-Nonce", ""),
        signature=request.headers.get("X-Rightdesk-Signature", ""),
        body=body,
    )
    try:
        payload = OrderCreate.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first.get("loc", ())) or None
        raise Invalid(str(first.get("msg", "Invalid body.")), field=field) from exc
    order, created = record_webhook_order(
        source=origin, nonce=request.headers["X-Rightdesk-Nonce"], data=payload.to_input()
    )
    return Status(201 if created else 200, {"order_id": order.pk, "created": created})


# ---------------------------------------------------------------- refunds


class RefundFilters(Schema):
    status: str | None = None
    promise_state: str | None = None
    order_id: int | None = None


def _refund(refund: Refund) -> Refund:
    return (
        Refund.objects.select_related("order", "ticket")
        .prefetch_related("lines", "withholdings")
        .get(pk=refund.pk)
    )


@refunds_router.get("", response=RefundPage, summary="Refunds, newest first")
def list_refunds(
    request: HttpRequest, page: Query[PageParams], filters: Query[RefundFilters]
) -> Any:
    caller(request)
    qs = Refund.objects.all()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.promise_state:
        qs = qs.filter(promise_state=filters.promise_state)
    if filters.order_id is not None:
        qs = qs.filter(order_id=filters.order_id)
    result = keyset_page(qs, order=["-requested_at", "-id"], cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@refunds_router.post(
    "/quote",
    response=RefundQuoteOut,
    summary="What a refund of these items would be (nothing is saved)",
)
def post_quote(request: HttpRequest, payload: RefundQuoteIn) -> Any:
    agent = caller(request)
    order = access_order(agent, payload.order_id)
    quote = quote_refund(
        order=order,
        items=[RefundItem(line_id=i.line_id, quantity=i.quantity) for i in payload.items],
        withholdings=[
            Withholding(label=w.label, amount=w.amount, reason=w.reason)
            for w in payload.withholdings
        ],
    )
    cur = quote.currency
    return {
        "currency": cur,
        "lines": [
            {
                "order_line_id": q.order_line.pk,
                "quantity": q.quantity,
                "amount": money(q.amount, cur),
                "explanation": q.explanation,
            }
            for q in quote.lines
        ],
        "paid_for_items": money(quote.paid_for_items, cur),
        "withheld": money(quote.withheld, cur),
        "amount": money(quote.amount, cur),
    }


@refunds_router.post(
    "",
    response={201: RefundOut},
    summary="Request a refund; the amount defaults to all paid, fees included",
)
def post_refund(request: HttpRequest, payload: RefundCreate) -> Status[Refund]:
    agent = caller(request)
    order = access_order(agent, payload.order_id)
    ticket = access_ticket(agent, payload.ticket) if payload.ticket else None
    refund = request_refund(
        order=order,
        ticket=ticket,
        actor=agent,
        amount=payload.amount,
        items=[RefundItem(line_id=i.line_id, quantity=i.quantity) for i in payload.items],
        withholdings=[
            Withholding(label=w.label, amount=w.amount, reason=w.reason)
            for w in payload.withholdings
        ],
    )
    return Status(201, _refund(refund))


@refunds_router.get("/{int:refund_id}", response=RefundOut)
def get_refund(request: HttpRequest, refund_id: int) -> Refund:
    return _refund(access_refund(caller(request), refund_id))


@refunds_router.post(
    "/{int:refund_id}/approve",
    response=RefundOut,
    summary="Approve (managers, or members of the ticket's team)",
)
def post_approve(request: HttpRequest, refund_id: int) -> Refund:
    agent = caller(request)
    refund = approve_refund(refund=access_refund(agent, refund_id), actor=agent)
    return _refund(refund)


@refunds_router.post(
    "/{int:refund_id}/pay",
    response=RefundOut,
    summary="Record the payment (managers, or members of the ticket's team)",
)
def post_pay(request: HttpRequest, refund_id: int, payload: PayIn) -> Refund:
    agent = caller(request)
    refund = pay_refund(
        refund=access_refund(agent, refund_id),
        actor=agent,
        payment_reference=payload.payment_reference,
    )
    return _refund(refund)


@refunds_router.post(
    "/{int:refund_id}/decline",
    response=RefundOut,
    summary="Decline with a reason the customer reads",
)
def post_decline(request: HttpRequest, refund_id: int, payload: DeclineIn) -> Refund:
    agent = caller(request)
    refund = decline_refund(
        refund=access_refund(agent, refund_id), actor=agent, reason=payload.reason
    )
    return _refund(refund)
