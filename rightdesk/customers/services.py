"""Customer services: create customers, add contact points, record facts."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from rightdesk.core.errors import Conflict, Invalid, NotFound
from rightdesk.customers.models import ContactKind, ContactPoint, Customer, Fact, Tier


def normalise_email(raw: str) -> str:
    """Lower-case and validate an e-mail address; refuse anything ambiguous."""
    value = (raw or "").strip().lower()
    try:
        validate_email(value)
    except ValidationError as exc:
        raise Invalid(f"{raw!r} is not a valid e-mail address.", field="email") from exc
    return value


def normalise_phone(raw: str, region: str | None = None) -> str:
    """Return the E.164 form of a phone number, using the default region for local numbers."""
    try:
        parsed = phonenumbers.parse(raw, region or settings.RIGHTDESK_DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise Invalid(f"{raw!r} is not a phone number.", field="phone") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise Invalid(f"{raw!r} is not a possible phone number.", field="phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_contact(kind: str, raw: str) -> str:
    if kind == ContactKind.EMAIL:
        return normalise_email(raw)
    if kind == ContactKind.PHONE:
        return normalise_phone(raw)
    raise Invalid(f"Unknown contact kind {kind!r}.", field="kind")


def fact_key(label: str) -> str:
    """'Car colour' → 'car_colour': the stable key a fact is stored under."""
    key = re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")
    if not key:
        raise Invalid("A fact needs a name.", field="key")
    return key[:60]


@transaction.atomic
def create_customer(
    *,
    name: str,
    preferred_name: str = "",
    emails: list[str] | None = None,
    phones: list[str] | None = None,
    tier: str = Tier.STANDARD,
    account_owner: User | None = None,
) -> Customer:
    """Create a customer with their contact points; contact points must be unused."""
    name = (name or "").strip()
    if not name:
        raise Invalid("A customer needs a name.", field="name")
    if tier not in Tier.values:
        raise Invalid(f"Unknown tier {tier!r}.", field="tier")
    customer = Customer.objects.create(
        name=name[:200],
        preferred_name=preferred_name.strip()[:100],
        tier=tier,
        account_owner=account_owner,
    )
    for i, email in enumerate(emails or []):
        add_contact_point(customer=customer, kind=ContactKind.EMAIL, value=email, is_primary=i == 0)
    for i, phone in enumerate(phones or []):
        add_contact_point(customer=customer, kind=ContactKind.PHONE, value=phone, is_primary=i == 0)
    return customer


def add_contact_point(
    *, customer: Customer, kind: str, value: str, label: str = "", is_primary: bool = False
) -> ContactPoint:
    """Attach an e-mail or phone to a customer; one address belongs to one customer only."""
    normalised = normalise_contact(kind, value)
    existing = ContactPoint.objects.filter(kind=kind, value=normalised).first()
    if existing is not None:
        if existing.customer_id == customer.pk:
            return existing
        raise Conflict(
            f"{normalised} already belongs to another customer.",
            code="contact_taken",
            field="value",
        )
    try:
        with transaction.atomic():
            return ContactPoint.objects.create(
                customer=customer,
                kind=kind,
                value=normalised,
                label=label[:40],
                is_primary=is_primary,
            )
    except IntegrityError as exc:
        raise Conflict(
            f"{normalised} already belongs to another customer.",
            code="contact_taken",
            field="value",
        ) from exc


def find_customer_by_contact(kind: str, raw: str) -> Customer | None:
    """The customer owning this e-mail/phone, or None (invalid input is simply 'not found')."""
    try:
        normalised = normalise_contact(kind, raw)
    except Invalid:
        return None
    point = (
        ContactPoint.objects.select_related("customer").filter(kind=kind, value=normalised).first()
    )
    return point.customer if point else None


@transaction.atomic
def record_fact(
    *,
    customer: Customer,
    label: str,
    value: str,
    actor: User | None,
    source_message: Any = None,
    source_note: str = "",
    ticket: Any = None,
) -> Fact:
    """Record (or correct) a known fact; the change goes on the ticket's timeline.

    A fact is kept once per customer and key: recording it again with another
    value corrects it and the timeline shows the old and new value.
    """
    from rightdesk.tickets.services import append_event  # tickets depend on customers

    value = (value or "").strip()
    if not value:
        raise Invalid("A fact needs a value.", field="value")
    key = fact_key(label)
    fact = Fact.objects.select_for_update().filter(customer=customer, key=key).first()
    previous = fact.value if fact else None
    if fact is None:
        fact = Fact(customer=customer, key=key)
    fact.label = label.strip()[:80]
    fact.value = value[:500]
    fact.source_message = source_message
    fact.source_note = source_note[:200]
    fact.recorded_by = actor
    fact.recorded_at = timezone.now()
    fact.save()
    if ticket is not None:
        append_event(
            ticket=ticket,
            kind="fact_recorded",
            actor=actor,
            data={"key": key, "label": fact.label, "value": fact.value, "previous": previous},
        )
    Customer.objects.filter(pk=customer.pk).update(updated_at=timezone.now())
    return fact


@transaction.atomic
def update_customer(
    *,
    customer: Customer,
    name: str | None = None,
    preferred_name: str | None = None,
    tier: str | None = None,
) -> Customer:
    """Correct a customer's name, preferred name or tier; None leaves a value as it is."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if name is not None:
        name = name.strip()
        if not name:
            raise Invalid("A customer needs a name.", field="name")
        customer.name = name[:200]
    if preferred_name is not None:
        customer.preferred_name = preferred_name.strip()[:100]
    if tier is not None:
        if tier not in Tier.values:
            raise Invalid(f"Unknown tier {tier!r}.", field="tier")
        customer.tier = tier
    customer.updated_at = timezone.now()
    customer.save(update_fields=["name", "preferred_name", "tier", "updated_at"])
    return customer


@transaction.atomic
def remove_contact_point(*, customer: Customer, contact_id: int) -> None:
    """Detach an e-mail or phone from a customer (e.g. a number they gave up)."""
    deleted, _ = ContactPoint.objects.filter(pk=contact_id, customer=customer).delete()
    if not deleted:
        raise NotFound(f"No contact point {contact_id} on this customer.", field="contact_id")
    Customer.objects.filter(pk=customer.pk).update(updated_at=timezone.now())


@transaction.atomic
def customer_for_email(*, email: str, name: str = "") -> Customer:
    """The customer who owns this e-mail address, created (named ``name``) if nobody does."""
    existing = find_customer_by_contact(ContactKind.EMAIL, normalise_email(email))
    if existing is not None:
        return existing
    return create_customer(name=name.strip() or email.split("@")[0], emails=[email])
