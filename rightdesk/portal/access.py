"""How a portal request finds out who is signed in and loads what they may see.

A customer sees only their own tickets, items and orders. Anything else, and
anything that does not exist, is the same NotFound, so references and ids
cannot be probed.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase

from rightdesk.commerce.models import Order
from rightdesk.core.errors import NotFound
from rightdesk.custody.models import CustodyItem
from rightdesk.customers.models import Customer
from rightdesk.tickets.models import Ticket

#: Session key of the signed-in customer; separate from the agents' login.
PORTAL_SESSION_KEY = "rightdesk_portal_customer"


def portal_customer(session: SessionBase) -> Customer | None:
    """The customer signed in to the portal in this session, if any."""
    customer_id = session.get(PORTAL_SESSION_KEY)
    if not isinstance(customer_id, int):
        return None
    return Customer.objects.filter(pk=customer_id).first()


def access_portal_ticket(customer: Customer, ref: str) -> Ticket:
    """One of the customer's own tickets by reference ('RD-1042'), or NotFound."""
    pk = Ticket.pk_from_reference(ref)
    ticket = (
        Ticket.objects.select_related("owner", "owner__agent", "team")
        .filter(pk=pk, customer=customer)
        .first()
        if pk
        else None
    )
    if ticket is None:
        raise NotFound("No such request.", field="ticket")
    return ticket


def access_portal_item(customer: Customer, item_id: int) -> CustodyItem:
    """One of the items we hold (or held) for the customer, or NotFound."""
    item = (
        CustodyItem.objects.select_related("ticket").filter(pk=item_id, customer=customer).first()
    )
    if item is None:
        raise NotFound("No such item.", field="item")
    return item


def access_portal_order(customer: Customer, order_id: int) -> Order:
    """One of the customer's orders, or NotFound."""
    order = Order.objects.filter(pk=order_id, customer=customer).first()
    if order is None:
        raise NotFound("No such order.", field="order")
    return order
