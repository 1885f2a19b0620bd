"""Custody services: check items in, move them, change their status, walk the lot, find them.

Every move and status change is written to the item's ticket timeline in the
same transaction, with who did it and when (P1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from rightdesk.accounts.services import agent_name, is_agent, is_manager
from rightdesk.commerce.models import Order
from rightdesk.commerce.services.notifications import notify_customer
from rightdesk.core.errors import Conflict, Forbidden, Invalid
from rightdesk.custody.choices import (
    ITEM_TRANSITIONS,
    ON_PREMISES,
    Arrival,
    EventKinds,
    ItemKind,
    ItemStatus,
    LocationKind,
)
from rightdesk.custody.models import Confirmation, CustodyItem, CustodySettings, Location
from rightdesk.customers.models import ContactKind, ContactPoint, Customer
from rightdesk.customers.services import normalise_phone
from rightdesk.tickets.choices import Channel
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.services import append_event, create_ticket

#: Status changes the customer is told about (facts they are waiting for).
NOTIFY_STATUSES = frozenset(
    {ItemStatus.DIAGNOSING, ItemStatus.WAITING_APPROVAL, ItemStatus.IN_WORK, ItemStatus.READY}
)


@dataclass(frozen=True)
class Identity:
    """What the item is, recorded once at check-in and never asked again."""

    make: str = ""
    model: str = ""
    colour: str = ""
    plate: str = ""
    vin: str = ""
    serial: str = ""
    description: str = ""


def plate_key(plate: str) -> str:
    """'il abc-123' → 'ILABC123': how plates are compared in searches."""
    return re.sub(r"[^A-Z0-9]", "", plate.upper())[:20]


def custody_settings() -> CustodySettings:
    row, _ = CustodySettings.objects.get_or_create(pk=1)
    return row


def _require_agent(actor: User | None) -> User:
    if actor is None or not is_agent(actor):
        raise Forbidden("Only agents can do this.")
    return actor


def _identity_data(item: CustodyItem) -> dict[str, str]:
    return {
        "title": item.title,
        "kind": item.kind,
        "make": item.make,
        "model": item.model,
        "colour": item.colour,
        "plate": item.plate,
        "vin": item.vin,
        "serial": item.serial,
    }


@transaction.atomic
def create_location(
    *, name: str, kind: str = LocationKind.LOT, sort_order: int = 0, actor: User | None
) -> Location:
    """Add a place on the premises (managers configure places)."""
    if actor is None or not is_manager(actor):
        raise Forbidden("Only managers configure locations.")
    name = " ".join((name or "").split())
    if not name:
        raise Invalid("A location needs a name.", field="name")
    if kind not in LocationKind.values:
        raise Invalid(f"Unknown location kind {kind!r}.", field="kind")
    if Location.objects.filter(name__iexact=name).exists():
        raise Conflict(
            f"There is already a location called {name}.", code="duplicate", field="name"
        )
    return Location.objects.create(name=name[:80], kind=kind, sort_order=sort_order)


@transaction.atomic
def check_in_item(
    *,
    customer: Customer,
    kind: str,
    arrival: str,
    identity: Identity,
    actor: User | None,
    ticket: Ticket | None = None,
    order: Order | None = None,
    location: Location | None = None,
    at: datetime | None = None,
) -> CustodyItem:
    """Take an item into our care: who, when, how it arrived, what it is, where it stands.

    Without a ticket one is opened for the customer, because every move of the
    item must appear on a case the customer and the desk can follow.
    """
    agent = _require_agent(actor)
    if kind not in ItemKind.values:
        raise Invalid(f"Unknown item kind {kind!r}.", field="kind")
    if arrival not in Arrival.values:
        raise Invalid(f"Unknown arrival {arrival!r}.", field="arrival")
    if kind == ItemKind.VEHICLE and not (identity.make and identity.model and identity.colour):
        raise Invalid(
            "A vehicle is checked in with its make, model and colour.",
            code="identity_required",
            field="make",
        )
    if kind != ItemKind.VEHICLE and not (identity.make or identity.serial or identity.description):
        raise Invalid(
            "Say what the item is (make, serial or description).",
            code="identity_required",
            field="description",
        )
    if ticket is not None and ticket.customer_id != customer.pk:
        raise Invalid("The ticket is about another customer.", field="ticket")
    if order is not None and order.customer_id != customer.pk:
        raise Invalid("The order belongs to another customer.", field="order")
    if location is not None and not location.is_active:
        raise Invalid("That location is no longer in use.", field="location")
    now = at or timezone.now()
    item = CustodyItem(
        customer=customer,
        kind=kind,
        arrival=arrival,
        order=order,
        location=location,
        make=identity.make.strip()[:60],
        model=identity.model.strip()[:60],
        colour=identity.colour.strip()[:40],
        plate=identity.plate.strip()[:20],
        plate_key=plate_key(identity.plate),
        vin=identity.vin.strip().upper()[:17],
        serial=identity.serial.strip()[:80],
        description=identity.description.strip(),
        checked_in_at=now,
        checked_in_by=agent,
        status=ItemStatus.CHECKED_IN,
        status_changed_at=now,
        last_confirmed_at=now,
        last_confirmed_by=agent,
    )
    if ticket is None:
        ticket = create_ticket(
            customer=customer,
            subject=f"{item.title}: {Arrival(arrival).label.lower()}",
            channel=Channel.WALK_IN,
            actor=agent,
            owner=agent,
            at=now,
        )
    item.ticket = ticket
    item.save()
    append_event(
        ticket=ticket,
        kind=EventKinds.CHECKED_IN,
        actor=agent,
        at=now,
        data={
            **_identity_data(item),
            "item": item.pk,
            "arrival": arrival,
            "arrival_label": Arrival(arrival).label,
            "location": location.name if location else None,
            "by": agent_name(agent),
        },
    )
    return item


@transaction.atomic
def move_item(*, item: CustodyItem, location: Location, actor: User | None) -> CustodyItem:
    """Put the item somewhere else; the timeline says from where to where, who and when."""
    agent = _require_agent(actor)
    item = (
        CustodyItem.objects.select_for_update(of=("self",))
        .select_related("location")
        .get(pk=item.pk)
    )
    if item.status == ItemStatus.RETURNED:
        raise Conflict("The item was returned to the customer.", code="returned")
    if not location.is_active:
        raise Invalid("That location is no longer in use.", field="location")
    if item.location_id == location.pk:
        return item
    previous = item.location.name if item.location else None
    now = timezone.now()
    item.location = location
    item.last_confirmed_at = now
    item.last_confirmed_by = agent
    item.flagged_at = None
    item.save(update_fields=["location", "last_confirmed_at", "last_confirmed_by", "flagged_at"])
    append_event(
        ticket=item.ticket,
        kind=EventKinds.MOVED,
        actor=agent,
        at=now,
        data={"item": item.pk, "title": item.title, "from": previous, "to": location.name},
    )
    return item


@transaction.atomic
def change_item_status(
    *, item: CustodyItem, status: str, actor: User | None, note: str = ""
) -> CustodyItem:
    """Move the item along its status flow; the customer is told facts they wait for."""
    agent = _require_agent(actor)
    if status not in ItemStatus.values:
        raise Invalid(f"Unknown item status {status!r}.", field="status")
    item = (
        CustodyItem.objects.select_for_update(of=("self",))
        .select_related("customer", "ticket")
        .get(pk=item.pk)
    )
    if status == item.status:
        return item
    if status not in ITEM_TRANSITIONS[item.status]:
        raise Conflict(
            f"An item cannot go from {item.get_status_display()} to {ItemStatus(status).label}.",
            code="invalid_transition",
            field="status",
        )
    now = timezone.now()
    previous = item.status
    item.status = status
    item.status_changed_at = now
    if status == ItemStatus.RETURNED:
        item.returned_at = now
        item.flagged_at = None
    elif previous == ItemStatus.RETURNED:
        item.returned_at = None
        item.last_confirmed_at = now
        item.last_confirmed_by = agent
    item.save()
    append_event(
        ticket=item.ticket,
        kind=EventKinds.STATUS,
        actor=agent,
        at=now,
        data={
            "item": item.pk,
            "title": item.title,
            "from": previous,
            "to": status,
            "note": note.strip()[:300],
        },
    )
    if status in NOTIFY_STATUSES:
        notify_customer(
            customer=item.customer,
            ticket=item.ticket,
            topic="item_status",
            subject=f"{item.title}: {ItemStatus(status).label}",
            body=f"Your {item.title} is now: {ItemStatus(status).label}.",
        )
    return item


@transaction.atomic
def confirm_item(
    *,
    item: CustodyItem,
    actor: User | None,
    location: Location | None = None,
    at: datetime | None = None,
) -> CustodyItem:
    """A lot walk tick: the item was seen. Seen somewhere else, it is moved there."""
    agent = _require_agent(actor)
    if location is not None and location.pk != item.location_id:
        item = move_item(item=item, location=location, actor=agent)
    item = CustodyItem.objects.select_for_update().get(pk=item.pk)
    if item.status == ItemStatus.RETURNED:
        raise Conflict("The item was returned to the customer.", code="returned")
    now = at or timezone.now()
    Confirmation.objects.create(
        item=item, confirmed_by=agent, confirmed_at=now, location=item.location
    )
    item.last_confirmed_at = now
    item.last_confirmed_by = agent
    item.flagged_at = None
    item.save(update_fields=["last_confirmed_at", "last_confirmed_by", "flagged_at"])
    return item


def on_premises() -> QuerySet[CustodyItem]:
    return CustodyItem.objects.filter(status__in=ON_PREMISES)


def lot_walk(*, now: datetime | None = None) -> list[CustodyItem]:
    """Everything that should be on the premises, by place, least recently seen first.

    Each item carries ``overdue`` (not confirmed within the configured hours).
    """
    cutoff = (now or timezone.now()) - timedelta(hours=custody_settings().confirm_within_hours)
    items = list(
        on_premises()
        .select_related("customer", "location", "ticket")
        .order_by("location__sort_order", "location__name", "last_confirmed_at", "id")
    )
    for item in items:
        item.overdue = item.last_confirmed_at is None or item.last_confirmed_at < cutoff  # type: ignore[attr-defined]
    return items


def flag_unconfirmed_items(*, now: datetime | None = None) -> int:
    """Flag items nobody confirmed within the configured hours (once until confirmed).

    The flag shows on the manager's lot page and on the item's ticket timeline.
    """
    moment = now or timezone.now()
    cutoff = moment - timedelta(hours=custody_settings().confirm_within_hours)
    ids = list(
        on_premises()
        .filter(flagged_at__isnull=True)
        .filter(Q(last_confirmed_at__lt=cutoff) | Q(last_confirmed_at__isnull=True))
        .values_list("pk", flat=True)[:1000]
    )
    flagged = 0
    for pk in ids:
        with transaction.atomic():
            item = (
                CustodyItem.objects.select_for_update(of=("self",))
                .select_related("location")
                .get(pk=pk)
            )
            if item.flagged_at is not None or item.status not in ON_PREMISES:
                continue
            if item.last_confirmed_at is not None and item.last_confirmed_at >= cutoff:
                continue
            item.flagged_at = moment
            item.save(update_fields=["flagged_at"])
            append_event(
                ticket=item.ticket,
                kind=EventKinds.UNCONFIRMED,
                actor=None,
                at=moment,
                data={
                    "item": item.pk,
                    "title": item.title,
                    "location": item.location.name if item.location else None,
                    "last_confirmed_at": item.last_confirmed_at.isoformat()
                    if item.last_confirmed_at
                    else None,
                },
            )
            flagged += 1
    return flagged


def flagged_items() -> QuerySet[CustodyItem]:
    """What the manager must chase: items flagged by the lot walk and not seen since."""
    return (
        on_premises()
        .filter(flagged_at__isnull=False)
        .select_related("customer", "location", "ticket")
        .order_by("flagged_at", "id")
    )


def where_is(query: str, *, limit: int = 20) -> list[CustodyItem]:
    """'Where is the customer's car?': one search by customer name, plate, phone or e-mail."""
    text = " ".join((query or "").split())
    if len(text) < 2:
        return []
    conditions = Q(customer__name__icontains=text) | Q(customer__preferred_name__icontains=text)
    key = plate_key(text)
    if len(key) >= 2:
        conditions |= Q(plate_key__contains=key) | Q(serial__iexact=text) | Q(vin__iexact=key)
    customer_ids: list[int] = []
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 7:
        try:
            phone = normalise_phone(text)
        except Invalid:
            phone = ""
        if phone:
            customer_ids += list(
                ContactPoint.objects.filter(kind=ContactKind.PHONE, value=phone).values_list(
                    "customer_id", flat=True
                )
            )
    if "@" in text:
        customer_ids += list(
            ContactPoint.objects.filter(kind=ContactKind.EMAIL, value=text.lower()).values_list(
                "customer_id", flat=True
            )
        )
    if customer_ids:
        conditions |= Q(customer_id__in=customer_ids)
    return list(
        CustodyItem.objects.filter(conditions)
        .select_related("customer", "location", "ticket", "checked_in_by", "checked_in_by__agent")
        .order_by(F("returned_at").asc(nulls_first=True), "-checked_in_at")[:limit]
    )
