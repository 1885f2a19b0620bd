"""Ticket services: every change to a ticket goes through one of these verbs.

Each runs in one transaction and writes its timeline event in that same
transaction, so the timeline can never disagree with the ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rightdesk.accounts.models import Team
from rightdesk.accounts.services import agent_name, is_agent
from rightdesk.channels import hooks as channel_hooks
from rightdesk.commitments import hooks as promise_hooks
from rightdesk.core.errors import Conflict, Forbidden, Invalid, under
from rightdesk.core.html import html_to_text, sanitize_html, text_to_html
from rightdesk.customers.models import Customer
from rightdesk.customers.services import create_customer, customer_for_email
from rightdesk.tickets.choices import (
    ACTIVE_STATUSES,
    CallDirection,
    Channel,
    EventKind,
    MessageKind,
    Priority,
    Status,
    can_transition,
)
from rightdesk.tickets.models import Event, Handoff, Message, Ticket

MAX_BODY_CHARS = 200_000


def timeline_entry(
    *,
    ticket: Ticket,
    kind: str,
    actor: User | None,
    data: dict[str, Any] | None = None,
    message: Message | None = None,
    at: datetime | None = None,
) -> Event:
    """One entry of a ticket's timeline, not yet written (``append_event`` writes one)."""
    return Event(
        ticket=ticket,
        kind=kind,
        actor=actor,
        data=data or {},
        message=message,
        created_at=at or timezone.now(),
    )


def append_event(
    *,
    ticket: Ticket,
    kind: str,
    actor: User | None,
    data: dict[str, Any] | None = None,
    message: Message | None = None,
    at: datetime | None = None,
) -> Event:
    """Append one entry to a ticket's timeline (never updated or deleted afterwards)."""
    event = timeline_entry(ticket=ticket, kind=kind, actor=actor, data=data, message=message, at=at)
    event.save(force_insert=True)
    return event


def _queue_position(ticket: Ticket) -> None:
    """Recompute where the ticket sits in the queue from its state."""
    if ticket.status not in ACTIVE_STATUSES:
        ticket.queue_rank = 2
        ticket.queue_at = ticket.resolved_at or ticket.updated_at
    elif ticket.waiting_since is not None:
        ticket.queue_rank = 0
        ticket.queue_at = ticket.waiting_since
    else:
        ticket.queue_rank = 1
        ticket.queue_at = ticket.created_at


def _bodies(body_text: str, body_html: str) -> tuple[str, str]:
    """Text and sanitized HTML for a message; either may be given."""
    if len(body_text) > MAX_BODY_CHARS or len(body_html) > MAX_BODY_CHARS * 5:
        raise Invalid("The message is too long.", code="too_long", field="body")
    safe_html = sanitize_html(body_html) if body_html else ""
    text = body_text.strip() if body_text else html_to_text(safe_html)
    if not safe_html:
        safe_html = text_to_html(text)
    return text, safe_html


def _require_agent(actor: User | None) -> User:
    if actor is None or not is_agent(actor):
        raise Forbidden("Only agents can do this.")
    return actor


def _lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock for a read-modify-write."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _check_writable(ticket: Ticket) -> None:
    if ticket.merged_into_id is not None:
        raise Conflict(
            f"{ticket.reference} was merged; work on the surviving ticket.",
            code="ticket_merged",
        )


@dataclass(frozen=True)
class NewCustomer:
    """A customer named while opening a ticket (phone call, console, API, web form)."""

    name: str
    email: str = ""
    phone: str = ""
    #: Reuse whoever already owns ``email`` (API, web form) instead of refusing the
    #: taken address with a 409 (console, where the agent picks existing customers).
    reuse_by_email: bool = False


def _customer_of(customer: Customer | NewCustomer) -> Customer:
    """The customer a new ticket is for, created first when it is a ``NewCustomer``."""
    if not isinstance(customer, NewCustomer):
        return customer
    if customer.reuse_by_email and customer.email:
        return customer_for_email(email=customer.email, name=customer.name)
    return create_customer(
        name=customer.name,
        emails=[customer.email] if customer.email else [],
        phones=[customer.phone] if customer.phone else [],
    )


@dataclass(frozen=True)
class TicketSpec:
    """One ticket to open: the arguments of ``create_ticket``.

    ``actor`` is the agent who opened it (e.g. from a phone call); None means the
    customer opened it themselves (e-mail, web form, portal). ``at`` back-dates it.
    """

    customer: Customer | NewCustomer
    subject: str
    body_text: str = ""
    body_html: str = ""
    channel: str = Channel.EMAIL
    priority: int = Priority.NORMAL
    team: Team | None = None
    owner: User | None = None
    actor: User | None = None
    at: datetime | None = None


@dataclass
class _Opening:
    """A ticket being opened: the unsaved row, its first message and who opened it."""

    ticket: Ticket
    actor: User | None
    text: str
    html: str
    message: Message | None = None


def _prepare(spec: TicketSpec, now: datetime) -> _Opening:
    """Check one spec and build its unsaved ticket (a ``NewCustomer`` is created here)."""
    subject = " ".join((spec.subject or "").split())
    if not subject:
        raise Invalid("A ticket needs a subject.", field="subject")
    if spec.channel not in Channel.values:
        raise Invalid(f"Unknown channel {spec.channel!r}.", field="channel")
    if spec.priority not in Priority.values:
        raise Invalid(f"Unknown priority {spec.priority!r}.", field="priority")
    owner = spec.owner
    if owner is not None and not is_agent(owner):
        raise Invalid("The owner must be an agent.", field="owner")
    has_body = bool(spec.body_text or spec.body_html)
    text, safe_html = _bodies(spec.body_text, spec.body_html) if has_body else ("", "")
    customer = _customer_of(spec.customer)
    at = spec.at or now
    ticket = Ticket(
        subject=subject[:300],
        channel=spec.channel,
        priority=spec.priority,
        customer=customer,
        team=spec.team,
        owner=owner,
        created_at=at,
        updated_at=at,
        triaged_at=at if owner is not None else None,
        waiting_since=at if text else None,
        last_customer_contact_at=at if text else None,
        message_count=1 if text else 0,
        status=Status.OPEN if owner is not None else Status.NEW,
    )
    _queue_position(ticket)
    return _Opening(ticket=ticket, actor=spec.actor, text=text, html=safe_html)


def _open(specs: Sequence[TicketSpec], *, positions: bool = False) -> list[Ticket]:
    """Open tickets inside the caller's transaction, with a few statements for all.

    Every spec is checked and built first, so the first bad one stops them all.
    Then the tickets, their first messages and their timeline entries are each
    written with one bulk INSERT, and the promises domain starts their clocks
    and acknowledges what customers opened. With ``positions`` an error names
    the spec's position (``tickets[3].subject``).
    """
    now = timezone.now()
    openings: list[_Opening] = []
    for index, spec in enumerate(specs):
        with under(f"tickets[{index}]") if positions else nullcontext():
            openings.append(_prepare(spec, now))
    Ticket.objects.bulk_create([o.ticket for o in openings])
    for opening in openings:
        if opening.text:
            ticket = opening.ticket
            opening.message = Message(
                ticket=ticket,
                kind=MessageKind.INBOUND,
                from_customer=True,
                author=None,
                body_text=opening.text,
                body_html=opening.html,
                created_at=ticket.created_at,
            )
    Message.objects.bulk_create([o.message for o in openings if o.message is not None])
    events: list[Event] = []
    for opening in openings:
        ticket = opening.ticket
        created = {
            "subject": ticket.subject,
            "channel": ticket.channel,
            "owner": agent_name(ticket.owner) if ticket.owner else None,
        }
        events.append(
            timeline_entry(
                ticket=ticket,
                kind=EventKind.CREATED,
                actor=opening.actor,
                data=created,
                at=ticket.created_at,
            )
        )
        if opening.message is not None:
            events.append(
                timeline_entry(
                    ticket=ticket,
                    kind=EventKind.MESSAGE,
                    actor=None,
                    message=opening.message,
                    at=ticket.created_at,
                )
            )
    Event.objects.bulk_create(events)
    promise_hooks.on_tickets_opened(
        [
            promise_hooks.Opened(
                ticket=o.ticket, by_customer=o.actor is None, first_message=o.message
            )
            for o in openings
        ]
    )
    return [o.ticket for o in openings]


@transaction.atomic
def open_from_spec(spec: TicketSpec) -> Ticket:
    """Open one ticket (see ``create_ticket``), in its own transaction or savepoint."""
    return _open([spec])[0]


def create_ticket(
    *,
    customer: Customer | NewCustomer,
    subject: str,
    body_text: str = "",
    body_html: str = "",
    channel: str = Channel.EMAIL,
    priority: int = Priority.NORMAL,
    team: Team | None = None,
    owner: User | None = None,
    actor: User | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Open a ticket for a customer, with their first message when there is one.

    A ``NewCustomer`` is created first, in the same transaction: all or nothing.
    ``actor`` is the agent who opened it (e.g. from a phone call); None means the
    customer opened it themselves (e-mail, web form, portal).
    """
    return open_from_spec(
        TicketSpec(
            customer=customer,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            channel=channel,
            priority=priority,
            team=team,
            owner=owner,
            actor=actor,
            at=at,
        )
    )


#: The same service, by the name callers use when the customer may be new.
open_ticket = create_ticket


#: The most tickets one batch may open.
MAX_BATCH = 100


@transaction.atomic
def open_tickets(specs: Sequence[TicketSpec]) -> list[Ticket]:
    """Open several tickets in one transaction: all of them, or none.

    An integration or an import sends its tickets in batches: one commit and a
    few INSERTs for the batch instead of a transaction of several per ticket.
    The first ticket that cannot be opened stops the batch and names its
    position (``tickets[3].subject``); nothing is kept.
    """
    from rightdesk.sla.services import settled_configuration

    if not specs:
        raise Invalid("Send at least one ticket.", field="tickets")
    if len(specs) > MAX_BATCH:
        raise Invalid(
            f"At most {MAX_BATCH} tickets per batch; this one has {len(specs)}.",
            code="too_many",
            field="tickets",
        )
    with settled_configuration():
        return _open(specs, positions=True)


@transaction.atomic
def add_inbound_message(
    *, ticket: Ticket, body_text: str = "", body_html: str = "", at: datetime | None = None
) -> Message:
    """Record what the customer wrote; a resolved or waiting ticket comes back to us."""
    ticket = _lock(ticket)
    _check_writable(ticket)
    text, safe_html = _bodies(body_text, body_html)
    if not text:
        raise Invalid("The message is empty.", field="body")
    now = at or timezone.now()
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.INBOUND,
        from_customer=True,
        body_text=text,
        body_html=safe_html,
        created_at=now,
    )
    append_event(ticket=ticket, kind=EventKind.MESSAGE, actor=None, message=message, at=now)
    if ticket.status in (Status.WAITING_CUSTOMER, Status.RESOLVED, Status.CLOSED):
        _set_status(ticket, Status.OPEN, actor=None, reason="customer wrote", at=now)
    if ticket.waiting_since is None:
        ticket.waiting_since = now
    ticket.last_customer_contact_at = now
    ticket.updated_at = now
    # The row is locked (select_for_update / SQLite's immediate transaction),
    # so the count read under the lock is current.
    ticket.message_count += 1
    _queue_position(ticket)
    ticket.save()
    promise_hooks.on_customer_contact(message=message)
    return message


def _take_if_unowned(ticket: Ticket, actor: User, at: datetime) -> None:
    """An agent who answers an unowned ticket becomes its named owner."""
    if ticket.owner_id is None:
        ticket.owner = actor
        ticket.triaged_at = ticket.triaged_at or at
        append_event(
            ticket=ticket,
            kind=EventKind.OWNER,
            actor=actor,
            at=at,
            data={
                "from": None,
                "to": agent_name(actor),
                "to_id": actor.pk,
                "note": "Took ownership by answering.",
            },
        )


@transaction.atomic
def send_reply(
    *,
    ticket: Ticket,
    actor: User | None,
    body_text: str = "",
    body_html: str = "",
    status: str | None = None,
    at: datetime | None = None,
) -> Message:
    """Record a reply written by an agent to the customer.

    Delivery (e-mail outbox) is attached by the channels app; this records the
    reply, stops the customer's waiting clock and takes ownership if nobody had it.
    """
    agent = _require_agent(actor)
    ticket = _lock(ticket)
    _check_writable(ticket)
    text, safe_html = _bodies(body_text, body_html)
    if not text:
        raise Invalid("The reply is empty.", field="body")
    now = at or timezone.now()
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.REPLY,
        author=agent,
        body_text=text,
        body_html=safe_html,
        created_at=now,
    )
    append_event(ticket=ticket, kind=EventKind.REPLY, actor=agent, message=message, at=now)
    _take_if_unowned(ticket, agent, now)
    target = status or (Status.OPEN if ticket.status == Status.NEW else None)
    if target and target != ticket.status:
        _set_status(ticket, target, actor=agent, at=now)
    ticket.waiting_since = None
    ticket.updated_at = now
    # The row is locked (select_for_update / SQLite's immediate transaction),
    # so the count read under the lock is current.
    ticket.message_count += 1
    _queue_position(ticket)
    ticket.save()
    promise_hooks.on_reply_sent(message=message)
    channel_hooks.on_reply_recorded(message=message)
    return message


@transaction.atomic
def record_automatic_reply(
    *, ticket: Ticket, body_text: str, at: datetime | None = None
) -> Message:
    """Record the one automatic reply (the acknowledgment) and hand it to delivery.

    It has no author, keeps the customer waiting for a person (a machine's
    words answer nothing) and goes out marked ``Auto-Submitted``.
    """
    text, safe_html = _bodies(body_text, "")
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.REPLY,
        author=None,
        from_customer=False,
        body_text=text,
        body_html=safe_html,
        created_at=at or timezone.now(),
    )
    Ticket.objects.filter(pk=ticket.pk).update(message_count=F("message_count") + 1)
    ticket.message_count += 1  # the caller's copy (e.g. a ticket just opened) counts it too
    channel_hooks.on_reply_recorded(message=message, automatic=True)
    return message


@transaction.atomic
def add_note(*, ticket: Ticket, actor: User | None, body_text: str) -> Message:
    """An internal note: seen by agents only, never by the customer."""
    agent = _require_agent(actor)
    ticket = _lock(ticket)
    _check_writable(ticket)
    text, safe_html = _bodies(body_text, "")
    if not text:
        raise Invalid("The note is empty.", field="body")
    now = timezone.now()
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.NOTE,
        author=agent,
        body_text=text,
        body_html=safe_html,
        created_at=now,
    )
    append_event(ticket=ticket, kind=EventKind.NOTE, actor=agent, message=message, at=now)
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now, message_count=F("message_count") + 1)
    return message


@transaction.atomic
def log_call(
    *,
    ticket: Ticket,
    actor: User | None,
    direction: str,
    summary: str,
    party: str = "",
    started_at: datetime | None = None,
    duration_seconds: int | None = None,
) -> Message:
    """Log a phone call (who, when, how long, what was said) on the ticket.

    An outbound call answers the customer, so it stops their waiting clock; an
    inbound call is the customer contacting us.
    """
    agent = _require_agent(actor)
    if direction not in CallDirection.values:
        raise Invalid(f"Unknown call direction {direction!r}.", field="direction")
    if duration_seconds is not None and (duration_seconds < 0 or duration_seconds > 86_400):
        raise Invalid("A call lasts between 0 seconds and a day.", field="duration_seconds")
    summary = (summary or "").strip()
    if not summary:
        raise Invalid("Say what the call was about.", field="summary")
    ticket = _lock(ticket)
    _check_writable(ticket)
    now = timezone.now()
    started = started_at or now
    if started > now + timedelta(minutes=5):
        raise Invalid("A call cannot start in the future.", field="started_at")
    text, safe_html = _bodies(summary, "")
    party = party.strip()[:200] or ticket.customer.name
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.CALL,
        author=agent,
        from_customer=direction == CallDirection.INBOUND,
        body_text=text,
        body_html=safe_html,
        created_at=now,
        call_direction=direction,
        call_party=party,
        call_started_at=started,
        call_duration_seconds=duration_seconds,
    )
    append_event(
        ticket=ticket,
        kind=EventKind.CALL,
        actor=agent,
        message=message,
        at=now,
        data={"direction": direction, "party": party, "duration_seconds": duration_seconds},
    )
    if direction == CallDirection.OUTBOUND:
        _take_if_unowned(ticket, agent, now)
        ticket.waiting_since = None
    else:
        ticket.last_customer_contact_at = started
        if ticket.status in (Status.RESOLVED, Status.CLOSED, Status.WAITING_CUSTOMER):
            _set_status(ticket, Status.OPEN, actor=agent, reason="customer called", at=now)
    ticket.updated_at = now
    # The row is locked (select_for_update / SQLite's immediate transaction),
    # so the count read under the lock is current.
    ticket.message_count += 1
    _queue_position(ticket)
    ticket.save()
    promise_hooks.on_call_logged(message=message)
    if direction == CallDirection.INBOUND:
        promise_hooks.on_customer_contact(message=message)
    return message


def _set_status(
    ticket: Ticket, target: str, *, actor: User | None, reason: str = "", at: datetime | None = None
) -> None:
    """Apply one transition from the table, with its event (caller saves the ticket)."""
    if target not in Status.values:
        raise Invalid(f"Unknown status {target!r}.", field="status")
    if not can_transition(ticket.status, target):
        raise Conflict(
            f"A ticket cannot go from {ticket.get_status_display()} to {Status(target).label}.",
            code="invalid_transition",
            field="status",
        )
    now = at or timezone.now()
    previous = ticket.status
    ticket.status = target
    if target in (Status.RESOLVED, Status.CLOSED):
        ticket.resolved_at = ticket.resolved_at or now
        ticket.waiting_since = None
    else:
        ticket.resolved_at = None
    if target == Status.WAITING_CUSTOMER:
        ticket.waiting_since = None
    append_event(
        ticket=ticket,
        kind=EventKind.STATUS,
        actor=actor,
        at=now,
        data={"from": previous, "to": target, "reason": reason},
    )


@transaction.atomic
def change_status(*, ticket: Ticket, actor: User | None, status: str, reason: str = "") -> Ticket:
    """Move a ticket to another status, as the transition table allows."""
    agent = _require_agent(actor)
    ticket = _lock(ticket)
    _check_writable(ticket)
    if status == ticket.status:
        return ticket
    _set_status(ticket, status, actor=agent, reason=reason.strip()[:300])
    if status in ACTIVE_STATUSES and ticket.owner_id is None and status != Status.NEW:
        _take_if_unowned(ticket, agent, timezone.now())
    ticket.updated_at = timezone.now()
    _queue_position(ticket)
    ticket.save()
    return ticket


@transaction.atomic
def change_priority(*, ticket: Ticket, actor: User | None, priority: int) -> Ticket:
    agent = _require_agent(actor)
    if priority not in Priority.values:
        raise Invalid(f"Unknown priority {priority!r}.", field="priority")
    ticket = _lock(ticket)
    _check_writable(ticket)
    if ticket.priority == priority:
        return ticket
    append_event(
        ticket=ticket,
        kind=EventKind.PRIORITY,
        actor=agent,
        data={"from": ticket.priority, "to": priority},
    )
    ticket.priority = priority
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=["priority", "updated_at"])
    return ticket


@transaction.atomic
def assign_ticket(
    *,
    ticket: Ticket,
    actor: User | None,
    owner: User,
    note: str = "",
    team: Team | None = None,
) -> Ticket:
    """Give the ticket one named owner. Taking it from someone needs a handoff note.

    The note is what the new owner reads first; without it the customer's
    history would fall into a "home office" black hole (P14).
    """
    agent = _require_agent(actor)
    if not is_agent(owner) or not owner.is_active:
        raise Invalid("The new owner must be an active agent.", field="owner")
    ticket = _lock(ticket)
    _check_writable(ticket)
    note = (note or "").strip()
    if ticket.owner_id == owner.pk and (team is None or team.pk == ticket.team_id):
        return ticket
    previous = ticket.owner
    if previous is not None and previous.pk != owner.pk and not note:
        raise Conflict(
            f"{agent_name(previous)} owns {ticket.reference}; a handoff note is required to "
            "pass it on.",
            code="handoff_note_required",
            field="note",
        )
    now = timezone.now()
    if previous is None or previous.pk != owner.pk:
        if note or previous is not None:
            Handoff.objects.create(
                ticket=ticket,
                from_user=previous,
                to_user=owner,
                by_user=agent,
                note=note,
                created_at=now,
            )
        append_event(
            ticket=ticket,
            kind=EventKind.OWNER,
            actor=agent,
            at=now,
            data={
                "from": agent_name(previous) if previous else None,
                "from_id": previous.pk if previous else None,
                "to": agent_name(owner),
                "to_id": owner.pk,
                "note": note,
            },
        )
    if team is not None and team.pk != ticket.team_id:
        append_event(
            ticket=ticket,
            kind=EventKind.TEAM,
            actor=agent,
            at=now,
            data={"from": ticket.team.name if ticket.team else None, "to": team.name},
        )
        ticket.team = team
    ticket.owner = owner
    ticket.triaged_at = ticket.triaged_at or now
    if ticket.status == Status.NEW:
        _set_status(ticket, Status.OPEN, actor=agent, reason="assigned", at=now)
    ticket.updated_at = now
    _queue_position(ticket)
    ticket.save()
    return ticket


@transaction.atomic
def mark_handoffs_seen(
    *, ticket: Ticket, user: User, handoff_ids: Sequence[int] | None = None
) -> int:
    """The new owner has read the handoff notes waiting for them on this ticket.

    ``handoff_ids`` are the notes they were shown (a note that arrived since stays
    unread); None means all of them. Marking twice, even at once, marks once.
    """
    pending = Handoff.objects.filter(ticket=ticket, to_user=user, seen_at__isnull=True)
    if handoff_ids is not None:
        pending = pending.filter(pk__in=list(handoff_ids))
    now = timezone.now()
    # One UPDATE: of two requests at once, the second finds nothing left to mark.
    marked = pending.update(seen_at=now)
    if marked:
        append_event(
            ticket=ticket, kind=EventKind.HANDOFF_SEEN, actor=user, at=now, data={"count": marked}
        )
    return marked


@transaction.atomic
def merge_tickets(*, source: Ticket, target: Ticket, actor: User | None) -> Ticket:
    """Fold ``source`` into ``target``: messages and events move, source points to target."""
    agent = _require_agent(actor)
    if source.pk == target.pk:
        raise Invalid("A ticket cannot be merged into itself.", field="target")
    first, second = sorted([source.pk, target.pk])
    locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[first, second])}
    source, target = locked[source.pk], locked[target.pk]
    if source.customer_id != target.customer_id:
        raise Conflict(
            "Only tickets of the same customer can be merged.",
            code="different_customer",
            field="target",
        )
    _check_writable(source)
    _check_writable(target)
    now = timezone.now()
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    Event.objects.filter(ticket=source).update(ticket=target)
    Handoff.objects.filter(ticket=source).update(ticket=target)
    append_event(
        ticket=target,
        kind=EventKind.MERGED,
        actor=agent,
        at=now,
        data={"source": source.reference, "source_subject": source.subject, "messages": moved},
    )
    append_event(
        ticket=source,
        kind=EventKind.MERGED_INTO,
        actor=agent,
        at=now,
        data={"target": target.reference},
    )
    if source.waiting_since and (
        target.waiting_since is None or source.waiting_since < target.waiting_since
    ):
        target.waiting_since = source.waiting_since
        if target.status in (Status.RESOLVED, Status.CLOSED, Status.WAITING_CUSTOMER):
            _set_status(target, Status.OPEN, actor=agent, reason="merged", at=now)
    target.message_count = F("message_count") + moved
    target.updated_at = now
    _queue_position(target)
    target.save()
    target.refresh_from_db(fields=["message_count"])
    source.merged_into = target
    source.message_count = 0
    if source.status != Status.CLOSED:
        source.status = Status.CLOSED
        source.resolved_at = now
    source.waiting_since = None
    source.updated_at = now
    _queue_position(source)
    source.save()
    return target
