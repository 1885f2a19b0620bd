"""Console pages of custody: where-is search, the phone-sized lot walk, the service queue."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from rightdesk.accounts.services import is_manager
from rightdesk.core.errors import DomainError
from rightdesk.custody.access import access_item
from rightdesk.custody.queue import service_queue
from rightdesk.custody.services import confirm_item, flagged_items, lot_walk, where_is
from rightdesk.desk.views import agent_of, agent_required, is_htmx


@require_GET
@agent_required
def where(request: HttpRequest) -> HttpResponse:
    """'Where is the customer's car?' — one box: name, plate, phone or e-mail."""
    query = request.GET.get("q", "").strip()
    items = where_is(query) if query else []
    return render(
        request, "custody/where.html", {"query": query, "items": items, "nav_active": "custody"}
    )


@require_GET
@agent_required
def walk(request: HttpRequest) -> HttpResponse:
    """The lot walk: everything that should be here, to confirm one by one from a phone."""
    user = agent_of(request)
    context = {
        "items": lot_walk(),
        "flagged": list(flagged_items()) if is_manager(user) else [],
        "nav_active": "custody",
    }
    return render(request, "custody/lot_walk.html", context)


@require_POST
@agent_required
def confirm(request: HttpRequest, item_id: int) -> HttpResponse:
    """Tick one item on the lot walk; htmx swaps the row, without JS the page reloads."""
    user = agent_of(request)
    error = ""
    item = access_item(user, item_id)  # unknown: a 404, from agent_required
    try:
        item = confirm_item(item=item, actor=user)
    except DomainError as exc:
        error = exc.message
        item = access_item(user, item_id)
        status = exc.status
    else:
        status = 200
    item.overdue = False  # type: ignore[attr-defined]  # just confirmed
    if is_htmx(request):
        return render(
            request, "custody/partials/walk_row.html", {"item": item, "error": error}, status=status
        )
    return walk(request) if status == 200 else HttpResponse(error, status=status)


@require_GET
@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    """The service queue in order, with each job's position and estimated start."""
    return render(
        request, "custody/queue.html", {"entries": service_queue(), "nav_active": "custody"}
    )
