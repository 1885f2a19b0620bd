"""The only way a request loads a ticket or a customer: fetch plus permission check."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from rightdesk.accounts.services import is_agent
from rightdesk.core.errors import NotFound
from rightdesk.customers.models import Customer
from rightdesk.tickets.models import Ticket


def access_ticket(user: User | AnonymousUser, ticket_ref: str | int) -> Ticket:
    """Load a ticket by reference ('RD-1042') or id for this user, or raise NotFound.

    Agents see every ticket of the desk. Anyone else gets NotFound, the same
    answer as for a ticket that does not exist, so ids cannot be probed.
    """
    if not isinstance(user, User) or not is_agent(user):
        raise NotFound("No such ticket.", field="ticket")
    if isinstance(ticket_ref, int):
        pk: int | None = ticket_ref
    else:
        pk = Ticket.pk_from_reference(ticket_ref)
    ticket = (
        Ticket.objects.select_related("customer", "owner", "owner__agent", "team")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if ticket is None:
        raise NotFound(f"No ticket {ticket_ref}.", field="ticket")
    return ticket


def access_customer(user: User | AnonymousUser, customer_id: int) -> Customer:
    """Load a customer for an agent, or raise NotFound."""
    if not isinstance(user, User) or not is_agent(user):
        raise NotFound("No such customer.", field="customer")
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(f"No customer {customer_id}.", field="customer")
    return customer


def access_customers(user: User | AnonymousUser, customer_ids: set[int]) -> dict[int, Customer]:
    """Several customers for an agent, by id (unknown ids are simply absent)."""
    if not isinstance(user, User) or not is_agent(user):
        raise NotFound("No such customer.", field="customer")
    return Customer.objects.in_bulk(customer_ids) if customer_ids else {}
