"""Search endpoints: /api/v1/search/tickets and /api/v1/search/customers."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from rightdesk.search.schemas import (
    CustomerHitOut,
    CustomerSearchPage,
    TicketHitOut,
    TicketSearchPage,
)
from rightdesk.search.services import MAX_LIMIT, search_customers, search_tickets

router = Router(tags=["search"])


@router.get("/tickets", response=TicketSearchPage, url_name="search_tickets")
def tickets(
    request: HttpRequest,
    q: str = "",
    status: str | None = None,
    owner: int | None = None,
    team: int | None = None,
    channel: str | None = None,
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
) -> TicketSearchPage:
    """Tickets matching every word of ``q`` in their subject or messages, best first."""
    hits = search_tickets(
        user=request.user,
        query=q,
        status=status,
        owner_id=owner,
        team_id=team,
        channel=channel,
        limit=limit,
    )
    return TicketSearchPage(items=[TicketHitOut.from_hit(hit) for hit in hits], next_cursor=None)


@router.get("/customers", response=CustomerSearchPage, url_name="search_customers")
def customers(
    request: HttpRequest,
    q: str = "",
    limit: int = Query(10, ge=1, le=MAX_LIMIT),
) -> CustomerSearchPage:
    """Customers whose name, preferred name, e-mail or phone match ``q``, best first."""
    found = search_customers(user=request.user, query=q, limit=limit)
    return CustomerSearchPage(items=[CustomerHitOut.from_customer(c) for c in found])
