"""Context for the case file: the items we hold for this ticket's customer.

The console's ticket page includes ``custody/partials/ticket_items.html`` with
``{% include "custody/partials/ticket_items.html" with custody=custody %}``
after adding ``custody=ticket_items_context(ticket)`` to its context.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F

from rightdesk.custody.models import CustodyItem
from rightdesk.custody.queue import queue_entry_for
from rightdesk.tickets.models import Ticket


def ticket_items_context(ticket: Ticket) -> dict[str, Any]:
    """Items of the ticket's customer (this ticket's first), with identity, place and queue."""
    items = list(
        CustodyItem.objects.filter(customer_id=ticket.customer_id)
        .select_related("location", "checked_in_by", "checked_in_by__agent")
        .order_by(F("returned_at").asc(nulls_first=True), "-checked_in_at")[:20]
    )
    items.sort(key=lambda item: (item.ticket_id != ticket.pk, item.returned_at is not None))
    rows = [{"item": item, "queue": queue_entry_for(item)} for item in items]
    return {"rows": rows, "ticket": ticket}
