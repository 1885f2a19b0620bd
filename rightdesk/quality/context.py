"""Gather what the reply check needs to know about a ticket from the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.utils import timezone

from rightdesk.accounts.services import agent_name
from rightdesk.customers.models import ContactKind, Customer
from rightdesk.quality.engine import CheckContext, Field
from rightdesk.tickets.choices import MessageKind
from rightdesk.tickets.models import Message, Ticket

#: How many recent replies to other customers a draft is compared with.
RECENT_REPLIES = 150
RECENT_DAYS = 30
#: How many of the customer's messages before the last one the off-issue check sees.
EARLIER_MESSAGES = 3
#: How many other customers' names (from the agent's recent tickets) are known.
OTHER_CUSTOMERS = 60

_ITEM_FIELDS = (
    ("make", "Make"),
    ("model", "Model"),
    ("colour", "Colour"),
    ("plate", "Plate"),
    ("vin", "VIN"),
    ("serial", "Serial number"),
)


def _orders(customer: Customer) -> list[str]:
    if not apps.is_installed("rightdesk.commerce"):
        return []
    order_model: Any = apps.get_model("commerce", "Order")
    return list(
        order_model.objects.filter(customer=customer).values_list("external_ref", flat=True)[:20]
    )


def _order_lines(customer: Customer) -> list[str]:
    """Product names on the customer's recent orders (not fees), to tell their things apart."""
    if not apps.is_installed("rightdesk.commerce"):
        return []
    line_model: Any = apps.get_model("commerce", "OrderLine")
    names = (
        line_model.objects.filter(order__customer=customer)
        .exclude(kind="fee")
        .order_by("-order_id", "id")
        .values_list("product", flat=True)[:30]
    )
    return list(dict.fromkeys(names))


def _items(ticket: Ticket) -> list[Field]:
    if not apps.is_installed("rightdesk.custody"):
        return []
    item_model: Any = apps.get_model("custody", "CustodyItem")
    found: list[Field] = []
    rows = item_model.objects.filter(customer_id=ticket.customer_id).values(
        *(name for name, _ in _ITEM_FIELDS)
    )[:10]
    for row in rows:
        for name, label in _ITEM_FIELDS:
            if row.get(name):
                found.append(Field(label=label, value=str(row[name]), kind="item"))
    return found


def build_context(*, ticket: Ticket, author: User | None) -> CheckContext:
    """A CheckContext for a draft on this ticket written by ``author``."""
    customer = ticket.customer
    facts = [Field(label=f.label, value=f.value, kind="fact") for f in customer.facts.all()]
    contacts = [
        Field(
            label="E-mail" if c.kind == ContactKind.EMAIL else "Phone",
            value=c.value,
            kind="email" if c.kind == ContactKind.EMAIL else "phone",
        )
        for c in customer.contacts.all()
    ]
    latest = list(
        Message.objects.filter(ticket=ticket, from_customer=True)
        .order_by("-created_at", "-id")
        .values_list("body_text", flat=True)[: EARLIER_MESSAGES + 1]
    )
    last = latest[0] if latest else ""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    recent = list(
        Message.objects.filter(kind=MessageKind.REPLY, created_at__gte=since)
        .exclude(ticket__customer=customer)
        .order_by("-created_at")
        .values_list("body_text", flat=True)[:RECENT_REPLIES]
    )
    others: list[str] = []
    if author is not None:
        names = (
            Ticket.objects.filter(owner=author)
            .exclude(customer=customer)
            .order_by("-updated_at")
            .values_list("customer__name", "customer__preferred_name")[:OTHER_CUSTOMERS]
        )
        own = {p.lower() for p in customer.name.split()} | {customer.preferred_name.lower()}
        for name, preferred in names:
            for candidate in (name.split()[0] if name else "", preferred):
                if candidate and candidate.lower() not in own:
                    others.append(candidate)
    return CheckContext(
        customer_name=customer.name,
        preferred_name=customer.preferred_name,
        agent_name=agent_name(author) if author is not None else "",
        facts=facts,
        contacts=contacts,
        orders=_orders(customer),
        items=_items(ticket),
        order_lines=_order_lines(customer),
        last_customer_message=last,
        earlier_customer_messages=latest[1:][::-1],
        subject=ticket.subject,
        other_names=sorted(set(others)),
        recent_replies=recent,
    )
