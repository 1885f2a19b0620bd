"""Panels other apps contribute to the case file (promises, items held, orders).

Each app owns its partial and the function that builds its context; the case
page lists them here and shows a panel only when its app is installed, so the
console does not depend on any of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

from rightdesk.tickets.models import Ticket
from rightdesk.tickets.queries import Record


@dataclass(frozen=True)
class CasePanel:
    app: str
    place: str  # "aside" (next to the customer card) or "main" (above the actions)
    template: str
    context: str  # dotted path of ``fn(ticket) -> dict``
    key: str | None  # the partial reads the dict under this name; None: merged in
    #: Also pass ``record=`` (the messages and timeline the case page has read).
    record: bool = False


CASE_PANELS = (
    CasePanel(
        app="rightdesk.commitments",
        place="main",
        template="commitments/partials/ticket_promises.html",
        context="rightdesk.commitments.views.ticket_promises_context",
        key=None,
        record=True,
    ),
    CasePanel(
        app="rightdesk.custody",
        place="aside",
        template="custody/partials/ticket_items.html",
        context="rightdesk.custody.context.ticket_items_context",
        key="custody",
    ),
    CasePanel(
        app="rightdesk.commerce",
        place="aside",
        template="commerce/partials/ticket_orders.html",
        context="rightdesk.commerce.context.ticket_orders_context",
        key="commerce",
    ),
)


def render_case_panels(
    *, request: HttpRequest | None, ticket: Ticket, place: str, record: Record | None = None
) -> SafeString:
    """The HTML of every installed panel for this place, in the order listed above."""
    parts: list[str] = []
    for panel in CASE_PANELS:
        if panel.place != place or not apps.is_installed(panel.app):
            continue
        build = import_string(panel.context)
        data: dict[str, Any] = build(ticket, record=record) if panel.record else build(ticket)
        context: dict[str, Any] = {"ticket": ticket}
        context.update(data if panel.key is None else {panel.key: data})
        parts.append(render_to_string(panel.template, context, request=request))
    # Each part is a rendered (auto-escaped) template of ours.
    return mark_safe("".join(parts))
