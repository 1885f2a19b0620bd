"""One purchase, one ticket (P7): link tickets to orders and route new contacts.

The e-mail and web form paths call :func:`route_contact_to_order_ticket` before
opening a ticket: when the contact is about an order of this customer that
already has an open ticket, the message joins that ticket instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from rightdesk.accounts.models import Team
from rightdesk.commerce.choices import EventKinds
from rightdesk.commerce.models import Order, OrderLine, TicketOrder
from rightdesk.commerce.services.orders import ref_key
from rightdesk.core.errors import Conflict, Invalid
from rightdesk.core.html import html_to_text, sanitize_html
from rightdesk.customers.models import Customer
from rightdesk.tickets.choices import ACTIVE_STATUSES, Channel
from rightdesk.tickets.models import Message, Ticket

#: Candidate order references in free text: "#A-1001", "order 55012", "SO-2024-77".
_REF_TOKEN = re.compile(r"#?([A-Za-z0-9][A-Za-z0-9_\-/.]{2,63})")
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class RoutedContact:
    """Where a contact about an order went."""

    ticket: Ticket
    message: Message | None
    order: Order
    joined: bool  # True: added to the order's open ticket; False: a new ticket was opened


def _is_open(ticket: Ticket) -> bool:
    return ticket.merged_into_id is None and ticket.status in ACTIVE_STATUSES


def _surviving(ticket: Ticket) -> Ticket:
    """Follow merges to the ticket that carries on the conversation."""
    seen = 0
    while ticket.merged_into_id is not None and seen < 20:
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
        seen += 1
    return ticket


def find_open_ticket_for_order(order: Order) -> Ticket | None:
    """The open ticket that already covers this order (following merges), or None."""
    links = TicketOrder.objects.filter(order=order).select_related("ticket").order_by("linked_at")
    for link in links:
        ticket = _surviving(link.ticket)
        if _is_open(ticket):
            return ticket
    return None


def find_order_in_text(customer: Customer, *texts: str) -> Order | None:
    """An order of this customer whose reference appears in the text (subject first).

    Only the customer's own orders match, so nobody can attach a message to
    somebody else's purchase by quoting its number.
    """
    candidates: list[str] = []
    for text in texts:
        for match in _REF_TOKEN.finditer(text or ""):
            token = ref_key(match.group(1)).rstrip(".")
            if token and token not in candidates:
                candidates.append(token)
            if len(candidates) >= MAX_CANDIDATES:
                break
    if not candidates:
        return None
    orders = {o.ref_key: o for o in Order.objects.filter(customer=customer, ref_key__in=candidates)}
    for token in candidates:
        if token in orders:
            return orders[token]
    return None


def _check_lines(order: Order, lines: Iterable[OrderLine]) -> list[OrderLine]:
    chosen = list(lines)
    for line in chosen:
        if line.order_id != order.pk:
            raise Invalid("That item belongs to another order.", field="line_ids")
    return chosen


@transaction.atomic
def link_ticket_to_order(
    *,
    ticket: Ticket,
    order: Order,
    lines: Iterable[OrderLine] = (),
    actor: User | None,
) -> TicketOrder:
    """Say that a ticket is about an order (and some of its items).

    An order has at most one open ticket: linking a second one is refused with
    the ticket to use instead (merge the two if both already exist).
    """
    from rightdesk.tickets.services import append_event

    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.customer_id != ticket.customer_id:
        raise Invalid(
            "The order belongs to another customer.", code="other_customer", field="order"
        )
    chosen = _check_lines(order, lines)
    current = find_open_ticket_for_order(order)
    if current is not None and current.pk != ticket.pk:
        raise Conflict(
            f"Order {order.external_ref} is already handled on {current.reference}; "
            "add to that ticket or merge the two.",
            code="order_has_open_ticket",
            field="order",
        )
    link, created = TicketOrder.objects.get_or_create(
        ticket=ticket, order=order, defaults={"linked_by": actor, "linked_at": timezone.now()}
    )
    before = set(link.lines.values_list("pk", flat=True))
    if chosen:
        link.lines.add(*chosen)
    added = [line for line in chosen if line.pk not in before]
    if created or added:
        append_event(
            ticket=ticket,
            kind=EventKinds.ORDER_LINKED,
            actor=actor,
            data={
                "order": order.external_ref,
                "order_id": order.pk,
                "items": [f"{line.quantity} x {line.product}" for line in added],
            },
        )
    return link


@transaction.atomic
def route_contact_to_order_ticket(
    *,
    customer: Customer,
    subject: str,
    body_text: str = "",
    body_html: str = "",
    channel: str = Channel.EMAIL,
    order: Order | None = None,
    team: Team | None = None,
    at: datetime | None = None,
) -> RoutedContact | None:
    """Put a customer's contact about a purchase on that purchase's one ticket.

    The order is the one given, or one of the customer's orders whose reference
    appears in the subject or text. Returns None when the contact is not about
    any order of theirs, so the caller opens its ticket as usual. Otherwise the
    message joins the order's open ticket, or a new ticket is opened and linked.
    """
    from rightdesk.tickets.services import add_inbound_message, create_ticket

    if order is not None and order.customer_id != customer.pk:
        order = None
    if order is None:
        order = find_order_in_text(customer, subject, body_text or body_html)
    if order is None:
        return None
    order = Order.objects.select_for_update().get(pk=order.pk)
    ticket = find_open_ticket_for_order(order)
    if ticket is not None:
        subject = " ".join((subject or "").split())
        if subject and subject != ticket.subject:
            # Keep what the customer called it: the subject is part of what they said.
            text = body_text or html_to_text(sanitize_html(body_html))
            message = add_inbound_message(
                ticket=ticket, body_text=f"Subject: {subject}\n\n{text}".strip(), at=at
            )
        else:
            message = add_inbound_message(
                ticket=ticket, body_text=body_text, body_html=body_html, at=at
            )
        return RoutedContact(ticket=ticket, message=message, order=order, joined=True)
    ticket = create_ticket(
        customer=customer,
        subject=subject or f"Order {order.external_ref}",
        body_text=body_text,
        body_html=body_html,
        channel=channel,
        team=team,
        at=at,
    )
    link_ticket_to_order(ticket=ticket, order=order, actor=None)
    first = ticket.messages.filter(from_customer=True).order_by("id").first()
    return RoutedContact(ticket=ticket, message=first, order=order, joined=False)
