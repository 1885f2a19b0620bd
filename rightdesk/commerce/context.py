"""Context for the case file: the orders this ticket is about, their items, fees and refunds.

The console's ticket page includes ``commerce/partials/ticket_orders.html`` with
``{% include "commerce/partials/ticket_orders.html" with commerce=commerce %}``
after adding ``commerce=ticket_orders_context(ticket)`` to its context.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from rightdesk.commerce.models import OrderLine, Refund, TicketOrder
from rightdesk.commerce.money import quantize
from rightdesk.commerce.services.orders import order_totals
from rightdesk.tickets.models import Ticket


def ticket_orders_context(ticket: Ticket) -> dict[str, Any]:
    """Linked orders with lines (fees included), the lines the ticket is about, refunds."""
    links = (
        TicketOrder.objects.filter(ticket=ticket)
        .select_related("order", "order__source")
        .prefetch_related(
            "lines",
            Prefetch("order__lines", queryset=OrderLine.objects.order_by("position")),
            "order__payments",
            "order__shipments",
            "order__deliveries",
            Prefetch("order__refunds", queryset=Refund.objects.order_by("requested_at")),
        )
    )
    rows = []
    for link in links:
        order = link.order
        chosen = {line.pk for line in link.lines.all()}
        lines = []
        for line in order.lines.all():
            line.order = order
            lines.append(
                {
                    "line": line,
                    "about": line.pk in chosen,
                    "unit_price": quantize(line.unit_price, order.currency),
                }
            )
        refunds = [
            {
                "refund": refund,
                "amount": quantize(refund.amount, refund.currency),
                "paid_for_items": quantize(refund.paid_for_items, refund.currency),
                "withheld": quantize(refund.withheld, refund.currency),
            }
            for refund in order.refunds.all()
        ]
        rows.append(
            {"order": order, "lines": lines, "totals": order_totals(order), "refunds": refunds}
        )
    return {"rows": rows, "ticket": ticket}
