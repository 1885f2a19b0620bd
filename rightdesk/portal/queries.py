"""What the portal shows a customer: read-only views of their own records.

Every function here takes the signed-in customer (or a ticket already loaded
through ``access_portal_ticket``) and shows only what the customer may read:
never internal notes, never what an agent wrote about a phone call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q

from rightdesk.accounts.services import agent_name
from rightdesk.commerce.models import Order, OrderLine, Refund
from rightdesk.commerce.money import quantize
from rightdesk.commerce.services.orders import order_totals
from rightdesk.commitments.choices import CommitmentStatus
from rightdesk.commitments.models import Commitment
from rightdesk.custody.models import CustodyItem
from rightdesk.custody.queue import QueueEntry, service_queue
from rightdesk.customers.models import Customer
from rightdesk.tickets.choices import ACTIVE_STATUSES, MessageKind, Status
from rightdesk.tickets.models import Message, Ticket

#: The newest requests shown on the list page.
MAX_TICKETS = 200
MAX_MERGE_HOPS = 10

#: Status labels in the customer's words.
STATUS_LABELS: dict[str, str] = {
    Status.NEW: "Received",
    Status.OPEN: "We are working on it",
    Status.WAITING_CUSTOMER: "Waiting for your reply",
    Status.WAITING_US: "We are working on it",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Closed",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def handled_by(ticket: Ticket) -> str:
    """Who owns the case, as the customer reads it (P14)."""
    active = ticket.status in ACTIVE_STATUSES
    if ticket.owner is not None:
        name = agent_name(ticket.owner)
        return f"{name} is handling this" if active else f"{name} handled this"
    if ticket.team is not None:
        verb = "is handling" if active else "handled"
        return f"Our {ticket.team.name} team {verb} this"
    return "Our team is handling this" if active else "Our team handled this"


@dataclass(frozen=True)
class TicketRow:
    ticket: Ticket
    status_label: str
    handled_by: str


def my_tickets(customer: Customer) -> list[TicketRow]:
    """The customer's requests, newest first; merged ones appear as their survivor."""
    tickets = (
        Ticket.objects.filter(customer=customer, merged_into__isnull=True)
        .select_related("owner", "owner__agent", "team")
        .order_by("-created_at", "-id")[:MAX_TICKETS]
    )
    return [TicketRow(t, status_label(t.status), handled_by(t)) for t in tickets]


def surviving_ticket(ticket: Ticket) -> Ticket:
    """The ticket a merged one now lives in (merges only join one customer's tickets)."""
    current = ticket
    for _ in range(MAX_MERGE_HOPS):
        if current.merged_into_id is None:
            break
        following = Ticket.objects.filter(
            pk=current.merged_into_id, customer_id=ticket.customer_id
        ).first()
        if following is None:
            break
        current = following
    return current


@dataclass(frozen=True)
class ConversationEntry:
    """One thing said on the case that the customer may read."""

    kind: str  # "mine", "reply", "acknowledgment" or "call"
    who: str
    at: datetime
    body_html: str = ""


def conversation(ticket: Ticket) -> list[ConversationEntry]:
    """Messages the customer may read, oldest first.

    Only the customer's own messages and the replies sent to them are shown in
    full; a phone call appears as who and when, never the agent's summary, and
    internal notes not at all. The kinds are listed, not excluded, so a new
    internal kind stays hidden by default.
    """
    messages = (
        Message.objects.filter(
            ticket=ticket, kind__in=[MessageKind.INBOUND, MessageKind.REPLY, MessageKind.CALL]
        )
        .select_related("author", "author__agent")
        .order_by("created_at", "id")
    )
    entries = []
    for message in messages:
        if message.kind == MessageKind.INBOUND:
            entries.append(ConversationEntry("mine", "You", message.created_at, message.body_html))
        elif message.kind == MessageKind.REPLY and message.author is None:
            entries.append(
                ConversationEntry(
                    "acknowledgment",
                    "Automatic acknowledgment",
                    message.created_at,
                    message.body_html,
                )
            )
        elif message.kind == MessageKind.REPLY:
            entries.append(
                ConversationEntry(
                    "reply", agent_name(message.author), message.created_at, message.body_html
                )
            )
        else:
            when = message.call_started_at or message.created_at
            entries.append(ConversationEntry("call", agent_name(message.author), when))
    return entries


@dataclass(frozen=True)
class PromiseRow:
    what: str
    due_at: datetime
    owner: str
    overdue: bool
    words: str = ""


def open_promises(ticket: Ticket) -> list[PromiseRow]:
    """Promises still owed to the customer on this case, earliest first.

    The words of a promise are shown only when they come from the acknowledgment
    or a reply the customer already received; a promise noted from a call or by
    an agent shows just what, by when and who.
    """
    commitments = (
        Commitment.objects.filter(ticket=ticket)
        .filter(Q(status=CommitmentStatus.OPEN) | Q(status=CommitmentStatus.BROKEN))
        .select_related("owner", "owner__agent", "team", "source_message")
        .order_by("due_at", "id")
    )
    rows = []
    for c in commitments:
        source = c.source_message
        shown = source is not None and source.kind == MessageKind.REPLY
        owner = agent_name(c.owner) if c.owner else (c.team.name if c.team else "Our team")
        rows.append(
            PromiseRow(
                what=c.get_kind_display(),
                due_at=c.due_at,
                owner=owner,
                overdue=c.status == CommitmentStatus.BROKEN,
                words=c.promised_text if shown else "",
            )
        )
    return rows


@dataclass(frozen=True)
class ItemRow:
    item: CustodyItem
    queue: QueueEntry | None


def my_items(customer: Customer) -> list[ItemRow]:
    """Items we hold or held for the customer, those still with us first, with queue places."""
    items = (
        CustodyItem.objects.filter(customer=customer)
        .select_related("ticket")
        .order_by("returned_at", "-checked_in_at", "-id")
    )
    rows = list(items)
    if not rows:
        return []
    places = {entry.job.item_id: entry for entry in service_queue()}
    rows.sort(key=lambda item: item.returned_at is not None)
    return [ItemRow(item, places.get(item.pk)) for item in rows]


def item_detail(item: CustodyItem) -> ItemRow:
    places = {entry.job.item_id: entry for entry in service_queue()}
    return ItemRow(item, places.get(item.pk))


@dataclass
class OrderView:
    order: Order
    totals: dict[str, Decimal]
    lines: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)


def _order_queryset() -> Any:
    return Order.objects.select_related("source").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("position")),
        "payments",
        "shipments",
        Prefetch(
            "refunds",
            queryset=Refund.objects.order_by("requested_at", "id").prefetch_related(
                Prefetch("lines", queryset=_refund_lines()), "withholdings"
            ),
        ),
    )


def _refund_lines() -> Any:
    from rightdesk.commerce.models import RefundLine

    return RefundLine.objects.select_related("order_line").order_by("id")


def _order_view(order: Order) -> OrderView:
    currency = order.currency
    view = OrderView(order=order, totals=order_totals(order))
    for line in order.lines.all():
        line.order = order
        view.lines.append(
            {"line": line, "unit_price": quantize(line.unit_price, currency), "total": line.total}
        )
    for refund in order.refunds.all():
        view.refunds.append(
            {
                "refund": refund,
                "amount": quantize(refund.amount, refund.currency),
                "paid_for_items": quantize(refund.paid_for_items, refund.currency),
                "withheld": quantize(refund.withheld, refund.currency),
                "lines": [
                    {"line": rl, "amount": quantize(rl.amount, refund.currency)}
                    for rl in refund.lines.all()
                ],
                "withholdings": [
                    {"w": w, "amount": quantize(w.amount, refund.currency)}
                    for w in refund.withholdings.all()
                ],
            }
        )
    return view


def my_orders(customer: Customer) -> list[OrderView]:
    """The customer's orders, newest first, with every line, fee and refund."""
    orders = _order_queryset().filter(customer=customer).order_by("-placed_at", "-id")
    return [_order_view(order) for order in orders]


def order_detail(order: Order) -> OrderView:
    return _order_view(_order_queryset().get(pk=order.pk))
