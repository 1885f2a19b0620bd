"""Customers API: the people we serve, how to reach them, and what they already told us."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from rightdesk.accounts.services import is_agent
from rightdesk.core.api import caller
from rightdesk.core.errors import Invalid, NotFound
from rightdesk.core.pagination import PageParams, keyset_page
from rightdesk.customers.models import ContactKind, ContactPoint, Customer, Fact
from rightdesk.customers.schemas import (
    ContactPointCreate,
    ContactPointOut,
    CustomerCreate,
    CustomerOut,
    CustomerPage,
    CustomerUpdate,
    FactCreate,
    FactOut,
    FactPage,
)
from rightdesk.customers.services import (
    add_contact_point,
    create_customer,
    normalise_contact,
    record_fact,
    remove_contact_point,
    update_customer,
)
from rightdesk.tickets.access import access_customer, access_ticket
from rightdesk.tickets.models import Message, Ticket

router = Router(tags=["customers"])


def _customers() -> QuerySet[Customer]:
    return Customer.objects.select_related(
        "account_owner", "account_owner__agent"
    ).prefetch_related("contacts")


def _load(request: HttpRequest, customer_id: int) -> Customer:
    """The customer for this agent, with what ``CustomerOut`` shows loaded in bulk."""
    access_customer(caller(request), customer_id)
    return _customers().get(pk=customer_id)


class CustomerFilters(Schema):
    email: str | None = None
    phone: str | None = None


@router.get("", response=CustomerPage, summary="Customers, newest first")
def list_customers(
    request: HttpRequest, page: Query[PageParams], filters: Query[CustomerFilters]
) -> Any:
    qs = _customers()
    if filters.email:
        qs = qs.filter(
            contacts__kind=ContactKind.EMAIL,
            contacts__value=normalise_contact(ContactKind.EMAIL, filters.email),
        )
    if filters.phone:
        qs = qs.filter(
            contacts__kind=ContactKind.PHONE,
            contacts__value=normalise_contact(ContactKind.PHONE, filters.phone),
        )
    return keyset_page(qs, order=["-id"], cursor=page.cursor, limit=page.limit)


@router.post("", response={201: CustomerOut}, summary="Create a customer")
def post_customer(request: HttpRequest, payload: CustomerCreate) -> Status[Customer]:
    owner = None
    if payload.account_owner_id is not None:
        owner = User.objects.select_related("agent").filter(pk=payload.account_owner_id).first()
        if owner is None or not is_agent(owner):
            raise Invalid("No such agent.", code="unknown_agent", field="account_owner_id")
    customer = create_customer(
        name=payload.name,
        preferred_name=payload.preferred_name,
        tier=payload.tier,
        emails=payload.emails,
        phones=payload.phones,
        account_owner=owner,
    )
    return Status(201, _load(request, customer.pk))


@router.get("/{customer_id}", response=CustomerOut, summary="One customer")
def get_customer(request: HttpRequest, customer_id: int) -> Customer:
    return _load(request, customer_id)


@router.patch("/{customer_id}", response=CustomerOut, summary="Change name, preferred name, tier")
def patch_customer(request: HttpRequest, customer_id: int, payload: CustomerUpdate) -> Customer:
    customer = access_customer(caller(request), customer_id)
    changes = payload.model_dump(exclude_unset=True)
    for field in ("name", "tier"):
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be null.", field=field)
    update_customer(customer=customer, **changes)
    return _load(request, customer_id)


@router.post(
    "/{customer_id}/contacts", response={201: ContactPointOut}, summary="Add an e-mail or phone"
)
def post_contact(
    request: HttpRequest, customer_id: int, payload: ContactPointCreate
) -> Status[ContactPoint]:
    customer = access_customer(caller(request), customer_id)
    point = add_contact_point(
        customer=customer,
        kind=payload.kind,
        value=payload.value,
        label=payload.label,
        is_primary=payload.is_primary,
    )
    return Status(201, point)


@router.delete(
    "/{customer_id}/contacts/{contact_id}", response={204: None}, summary="Remove a contact point"
)
def delete_contact(request: HttpRequest, customer_id: int, contact_id: int) -> Status[None]:
    customer = access_customer(caller(request), customer_id)
    remove_contact_point(customer=customer, contact_id=contact_id)
    return Status(204, None)


@router.get("/{customer_id}/facts", response=FactPage, summary="What we know about the customer")
def list_facts(request: HttpRequest, customer_id: int, page: Query[PageParams]) -> Any:
    customer = access_customer(caller(request), customer_id)
    qs = Fact.objects.filter(customer=customer).select_related("recorded_by", "recorded_by__agent")
    return keyset_page(qs, order=["label", "id"], cursor=page.cursor, limit=page.limit)


@router.post("/{customer_id}/facts", response={201: FactOut}, summary="Record or correct a fact")
def post_fact(request: HttpRequest, customer_id: int, payload: FactCreate) -> Status[Fact]:
    agent = caller(request)
    customer = access_customer(agent, customer_id)
    ticket = _own_ticket(agent, customer, payload.ticket)
    source = None
    if payload.source_message_id is not None:
        source = Message.objects.filter(
            pk=payload.source_message_id, ticket__customer=customer
        ).first()
        if source is None:
            raise Invalid(
                "No such message on this customer's tickets.",
                code="unknown_message",
                field="source_message_id",
            )
    fact = record_fact(
        customer=customer,
        label=payload.label,
        value=payload.value,
        actor=agent,
        source_message=source,
        source_note=payload.source_note,
        ticket=ticket,
    )
    return Status(201, fact)


def _own_ticket(agent: User, customer: Customer, reference: str | None) -> Ticket | None:
    """The customer's ticket named in the body, or a 422 on ``ticket``."""
    if reference is None:
        return None
    try:
        ticket: Ticket | None = access_ticket(agent, reference)
    except NotFound:
        ticket = None
    if ticket is None or ticket.customer_id != customer.pk:
        raise Invalid(
            f"{reference} is not a ticket of this customer.", code="unknown_ticket", field="ticket"
        )
    return ticket
