"""What the search endpoints return: never whole models, only what a result list shows."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema

from rightdesk.accounts.services import agent_name
from rightdesk.customers.models import ContactKind, Customer
from rightdesk.search.services import TicketHit


class TicketHitOut(Schema):
    id: int
    reference: str
    subject: str
    status: str
    priority: int
    channel: str
    customer_id: int
    customer_name: str
    owner_id: int | None
    owner_name: str | None
    team_id: int | None
    updated_at: datetime
    rank: float
    snippet: str

    @classmethod
    def from_hit(cls, hit: TicketHit) -> TicketHitOut:
        ticket = hit.ticket
        return cls(
            id=ticket.pk,
            reference=ticket.reference,
            subject=ticket.subject,
            status=ticket.status,
            priority=ticket.priority,
            channel=ticket.channel,
            customer_id=ticket.customer_id,
            customer_name=ticket.customer.name,
            owner_id=ticket.owner_id,
            owner_name=agent_name(ticket.owner) if ticket.owner is not None else None,
            team_id=ticket.team_id,
            updated_at=ticket.updated_at,
            rank=hit.rank,
            snippet=hit.snippet,
        )


class TicketSearchPage(Schema):
    items: list[TicketHitOut]
    next_cursor: str | None = None


class CustomerHitOut(Schema):
    id: int
    name: str
    preferred_name: str
    emails: list[str]
    phones: list[str]

    @classmethod
    def from_customer(cls, customer: Customer) -> CustomerHitOut:
        contacts = list(customer.contacts.all())  # prefetched by the search
        return cls(
            id=customer.pk,
            name=customer.name,
            preferred_name=customer.preferred_name,
            emails=[c.value for c in contacts if c.kind == ContactKind.EMAIL],
            phones=[c.value for c in contacts if c.kind == ContactKind.PHONE],
        )


class CustomerSearchPage(Schema):
    items: list[CustomerHitOut]
    next_cursor: str | None = None
