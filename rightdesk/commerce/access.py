"""The only way a request loads an order or a refund: fetch plus permission check."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from rightdesk.accounts.services import is_agent
from rightdesk.commerce.models import Order, OrderLine, Refund, Shipment
from rightdesk.core.errors import NotFound


def _agent_or_404(user: User | AnonymousUser, what: str) -> User:
    if not isinstance(user, User) or not is_agent(user):
        raise NotFound(f"No such {what}.", field=what)
    return user


def access_order(user: User | AnonymousUser, order_id: int) -> Order:
    """An order for an agent (agents see every order of the desk), or NotFound."""
    _agent_or_404(user, "order")
    order = Order.objects.select_related("source", "customer").filter(pk=order_id).first()
    if order is None:
        raise NotFound(f"No order {order_id}.", field="order")
    return order


def access_order_line(order: Order, line_id: int, field: str = "line_id") -> OrderLine:
    line = OrderLine.objects.filter(order=order, pk=line_id).first()
    if line is None:
        raise NotFound(f"Order {order.external_ref} has no line {line_id}.", field=field)
    return line


def access_shipment(user: User | AnonymousUser, shipment_id: int) -> Shipment:
    _agent_or_404(user, "shipment")
    shipment = Shipment.objects.select_related("order").filter(pk=shipment_id).first()
    if shipment is None:
        raise NotFound(f"No shipment {shipment_id}.", field="shipment")
    return shipment


def access_refund(user: User | AnonymousUser, refund_id: int) -> Refund:
    """A refund for an agent (anyone may read it; deciding it is checked by the service)."""
    _agent_or_404(user, "refund")
    refund = (
        Refund.objects.select_related("order", "ticket", "ticket__team")
        .filter(pk=refund_id)
        .first()
    )
    if refund is None:
        raise NotFound(f"No refund {refund_id}.", field="refund")
    return refund
