"""Promise services: make, edit, keep, cancel, break, remind; acknowledge; record chases.

Every verb runs in one transaction and writes its timeline event in it. The
sweep handles due promises in small locked batches (``skip_locked``), so any
number of workers can run it at once and each promise is reminded once and
broken once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rightdesk.accounts.models import Role, Team
from rightdesk.accounts.services import agent_name, is_agent
from rightdesk.commitments.choices import (
    KEPT_BY_CALL,
    KEPT_BY_REPLY,
    CommitmentStatus,
    Kind,
    PromiseEvent,
    Source,
)
from rightdesk.commitments.detection import DetectedPromise, chase_phrase, detect_promises
from rightdesk.commitments.models import Acknowledgment, Chase, Commitment
from rightdesk.core.errors import Conflict, Invalid
from rightdesk.notifications.models import NotificationKind
from rightdesk.notifications.services import notify
from rightdesk.sla.hours import BusinessHours
from rightdesk.sla.services import first_response_due, hours_for_team, policy_for_ticket
from rightdesk.tickets.choices import CallDirection
from rightdesk.tickets.models import Message, Ticket
from rightdesk.tickets.services import append_event, record_automatic_reply

SWEEP_CHUNK = 200


def ticket_url(ticket: Ticket) -> str:
    return f"/desk/tickets/{ticket.reference}/"


def team_managers(team: Team | None) -> list[User]:
    """Who a broken promise escalates to: the team's manager, else its manager-role members."""
    if team is None:
        return []
    if team.manager_id is not None and team.manager is not None and team.manager.is_active:
        return [team.manager]
    return list(
        team.members.filter(is_active=True, agent__role__in=[Role.MANAGER, Role.ADMIN]).order_by(
            "pk"
        )
    )


def escalation_targets(commitment: Commitment) -> list[User]:
    """Who hears of a broken promise: the ticket team's manager; failing that the
    managers of the owner's teams; failing that every active manager, so that a
    broken promise never escalates to nobody."""
    managers = team_managers(commitment.team or commitment.ticket.team)
    if not managers and commitment.owner is not None:
        for team in commitment.owner.teams.order_by("pk"):
            managers += [m for m in team_managers(team) if m not in managers]
    if not managers:
        managers = list(
            User.objects.filter(
                is_active=True, agent__role__in=[Role.MANAGER, Role.ADMIN]
            ).order_by("pk")
        )
    return managers


def _format_due(moment: datetime, hours: BusinessHours) -> str:
    local = moment.astimezone(hours.zone)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M} {local.tzname()}"


def _event_data(commitment: Commitment, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "commitment": commitment.pk,
        "kind": commitment.kind,
        "due_at": commitment.due_at.isoformat(),
        "owner": agent_name(commitment.owner) if commitment.owner else None,
        "text": commitment.promised_text,
    }
    data.update(extra)
    return data


# -- making promises ------------------------------------------------------------
def _create(
    *,
    ticket: Ticket,
    kind: str,
    due_at: datetime,
    promised_text: str,
    owner: User | None,
    actor: User | None,
    source: str,
    vague: bool = False,
    source_message: Message | None = None,
    at: datetime,
) -> Commitment:
    policy = policy_for_ticket(ticket)
    commitment = Commitment.objects.create(
        ticket=ticket,
        customer_id=ticket.customer_id,
        kind=kind,
        promised_text=promised_text[:500],
        owner=owner,
        team=ticket.team,
        channel=ticket.channel,
        source=source,
        source_message=source_message,
        vague=vague,
        due_at=due_at,
        remind_at=due_at - timedelta(minutes=policy.reminder_lead_minutes),
        created_at=at,
        created_by=actor,
    )
    append_event(
        ticket=ticket,
        kind=PromiseEvent.MADE,
        actor=actor,
        at=at,
        message=source_message,
        data=_event_data(commitment, source=source, vague=vague),
    )
    return commitment


@transaction.atomic
def create_commitment(
    *,
    ticket: Ticket,
    actor: User,
    kind: str,
    due_at: datetime,
    promised_text: str,
    owner: User | None = None,
    at: datetime | None = None,
) -> Commitment:
    """Record a promise an agent made (on the phone, at the counter, in the console)."""
    now = at or timezone.now()
    if not is_agent(actor):
        raise Invalid("Only agents make promises on behalf of the desk.", field="actor")
    if kind not in Kind.values:
        raise Invalid(f"Unknown kind of promise {kind!r}.", field="kind")
    if due_at.tzinfo is None:
        raise Invalid("The due time needs a time zone.", field="due_at")
    if due_at <= now:
        raise Invalid("A promise is due in the future.", field="due_at")
    text = " ".join((promised_text or "").split())
    if not text:
        raise Invalid("Say what was promised.", field="promised_text")
    person = owner or actor
    if not is_agent(person) or not person.is_active:
        raise Invalid("A promise is owned by an active agent.", field="owner")
    return _create(
        ticket=ticket,
        kind=kind,
        due_at=due_at,
        promised_text=text,
        owner=person,
        actor=actor,
        source=Source.EXPLICIT,
        at=now,
    )


@transaction.atomic
def update_commitment(
    *,
    commitment: Commitment,
    actor: User,
    due_at: datetime | None = None,
    kind: str | None = None,
    promised_text: str | None = None,
    at: datetime | None = None,
) -> Commitment:
    """The agent corrects a promise (a detected time or kind that was read wrong)."""
    now = at or timezone.now()
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if commitment.status != CommitmentStatus.OPEN:
        raise Conflict("Only an open promise can be changed.", code="promise_closed")
    changes: dict[str, object] = {}
    if kind is not None and kind != commitment.kind:
        if kind not in Kind.values:
            raise Invalid(f"Unknown kind of promise {kind!r}.", field="kind")
        changes["kind"] = [commitment.kind, kind]
        commitment.kind = kind
    if due_at is not None and due_at != commitment.due_at:
        if due_at <= now:
            raise Invalid("A promise is due in the future.", field="due_at")
        changes["due_at"] = [commitment.due_at.isoformat(), due_at.isoformat()]
        lead = commitment.due_at - (commitment.remind_at or commitment.due_at)
        commitment.due_at = due_at
        commitment.remind_at = due_at - lead
        commitment.reminded_at = None
        commitment.vague = False
    if promised_text is not None and promised_text.strip() != commitment.promised_text:
        changes["text"] = promised_text.strip()[:500]
        commitment.promised_text = promised_text.strip()[:500]
    if changes:
        commitment.save()
        append_event(
            ticket=commitment.ticket,
            kind=PromiseEvent.CHANGED,
            actor=actor,
            at=now,
            data={"commitment": commitment.pk, "changes": changes},
        )
    return commitment


def detect_for_ticket(
    *, ticket: Ticket, text: str, at: datetime | None = None
) -> list[DetectedPromise]:
    """What promises a draft for this ticket would make (shown before sending)."""
    policy = policy_for_ticket(ticket)
    return detect_promises(
        text,
        sent_at=at or timezone.now(),
        hours=hours_for_team(ticket.team),
        vague_window=timedelta(minutes=policy.vague_promise_minutes),
    )


def _record_detected(message: Message, ticket: Ticket, at: datetime) -> list[Commitment]:
    found = detect_for_ticket(ticket=ticket, text=message.body_text, at=at)
    owner = (
        message.author if message.author is not None and is_agent(message.author) else ticket.owner
    )
    return [
        _create(
            ticket=ticket,
            kind=promise.kind,
            due_at=promise.due_at,
            promised_text=promise.sentence,
            owner=owner,
            actor=message.author,
            source=Source.DETECTED,
            vague=promise.vague,
            source_message=message,
            at=at,
        )
        for promise in found
    ]


# -- ending promises ------------------------------------------------------------------
@transaction.atomic
def keep_commitment(
    *,
    commitment: Commitment,
    actor: User | None,
    message: Message | None = None,
    at: datetime | None = None,
) -> Commitment:
    """Mark a promise kept (by hand, or by the act that fulfilled it)."""
    now = at or timezone.now()
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if commitment.status == CommitmentStatus.KEPT:
        return commitment
    if commitment.status != CommitmentStatus.OPEN:
        raise Conflict(
            f"This promise is already {commitment.get_status_display().lower()}.",
            code="promise_closed",
        )
    if now > commitment.due_at:
        _break(commitment, now, reason="fulfilled after it was due")
        commitment.kept_by = message
        commitment.kept_at = now
        commitment.save(update_fields=["kept_by", "kept_at"])
        return commitment
    commitment.status = CommitmentStatus.KEPT
    commitment.kept_at = now
    commitment.kept_by = message
    commitment.save(update_fields=["status", "kept_at", "kept_by"])
    append_event(
        ticket=commitment.ticket,
        kind=PromiseEvent.KEPT,
        actor=actor,
        at=now,
        message=message,
        data=_event_data(commitment),
    )
    return commitment


@transaction.atomic
def cancel_commitment(
    *, commitment: Commitment, actor: User, reason: str, at: datetime | None = None
) -> Commitment:
    """Withdraw a promise (not a promise after all, or replaced); the reason is kept."""
    now = at or timezone.now()
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid("Say why the promise is cancelled.", field="reason")
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if commitment.status != CommitmentStatus.OPEN:
        raise Conflict(
            f"This promise is already {commitment.get_status_display().lower()}.",
            code="promise_closed",
        )
    commitment.status = CommitmentStatus.CANCELLED
    commitment.cancelled_at = now
    commitment.cancel_reason = reason[:300]
    commitment.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    append_event(
        ticket=commitment.ticket,
        kind=PromiseEvent.CANCELLED,
        actor=actor,
        at=now,
        data=_event_data(commitment, reason=commitment.cancel_reason),
    )
    return commitment


def fulfil_by_act(
    *,
    ticket: Ticket,
    kinds: Iterable[str],
    message: Message | None,
    at: datetime,
    actor: User | None = None,
) -> list[Commitment]:
    """An act happened (a call, a reply, a refund paid): keep the promises it fulfils.

    Only promises made before the act count; one that was already overdue is
    broken (and its late fulfilment noted) instead of kept.
    """
    rows = Commitment.objects.filter(
        ticket=ticket, status=CommitmentStatus.OPEN, kind__in=list(kinds), created_at__lte=at
    )
    if message is not None:
        rows = rows.exclude(source_message=message)
    return [
        keep_commitment(commitment=row, actor=actor, message=message, at=at)
        for row in rows.order_by("due_at", "id")
    ]


def _break(commitment: Commitment, now: datetime, *, reason: str) -> None:
    """Mark an open promise broken, write it on the timeline and escalate it once."""
    ticket = commitment.ticket
    commitment.status = CommitmentStatus.BROKEN
    commitment.broken_at = now
    managers = escalation_targets(commitment)
    commitment.escalated_at = now if managers else None
    commitment.save(update_fields=["status", "broken_at", "escalated_at"])
    append_event(
        ticket=ticket,
        kind=PromiseEvent.BROKEN,
        actor=None,
        at=now,
        data=_event_data(commitment, reason=reason, escalated_to=[agent_name(m) for m in managers]),
    )
    due = commitment.due_at.strftime("%Y-%m-%d %H:%M UTC")
    who = agent_name(commitment.owner) if commitment.owner else "the team"
    for manager in managers:
        notify(
            recipient=manager,
            kind=NotificationKind.ESCALATION,
            key=f"escalation:{commitment.pk}:{manager.pk}",
            title=f"{ticket.reference}: a promise by {who} was broken",
            body=f'"{commitment.promised_text}" was due {due} ({reason}). '
            f"Customer: {ticket.customer.name}.",
            url=ticket_url(ticket),
            ticket=ticket,
            at=now,
        )
    if commitment.owner is not None and commitment.owner not in managers:
        notify(
            recipient=commitment.owner,
            kind=NotificationKind.BROKEN,
            key=f"broken:{commitment.pk}",
            title=f"{ticket.reference}: your promise was not kept",
            body=f'"{commitment.promised_text}" was due {due} ({reason}).',
            url=ticket_url(ticket),
            ticket=ticket,
            at=now,
        )


def _remind(commitment: Commitment, now: datetime) -> int:
    ticket = commitment.ticket
    if commitment.owner is not None:
        recipients = [commitment.owner]
    else:
        recipients = list(ticket.team.members.filter(is_active=True)) if ticket.team else []
    commitment.reminded_at = now
    commitment.save(update_fields=["reminded_at"])
    sent = 0
    for person in recipients:
        sent += (
            notify(
                recipient=person,
                kind=NotificationKind.REMINDER,
                key=f"reminder:{commitment.pk}:{person.pk}",
                title=f"{ticket.reference}: {commitment.get_kind_display().lower()} due "
                f"{commitment.due_at:%H:%M} UTC",
                body=f'You promised {ticket.customer.name}: "{commitment.promised_text}"',
                url=ticket_url(ticket),
                ticket=ticket,
                at=now,
            )
            is not None
        )
    return sent


# -- the sweep ----------------------------------------------------------------------
def _sweep_chunk(ids: list[int], now: datetime, *, breaking: bool) -> int:
    with transaction.atomic():
        rows = Commitment.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            pk__in=ids, status=CommitmentStatus.OPEN
        )
        if breaking:
            rows = rows.filter(due_at__lte=now)
        else:
            rows = rows.filter(remind_at__lte=now, reminded_at__isnull=True, due_at__gt=now)
        done = 0
        locked = list(
            rows.select_related("ticket", "ticket__customer", "ticket__team", "owner", "team")
        )
        for commitment in locked:
            if breaking:
                _break(commitment, now, reason="not kept by its due time")
                done += 1
            else:
                done += _remind(commitment, now)
        return done


def sweep_commitments(*, now: datetime | None = None, limit: int = 5000) -> dict[str, int]:
    """Remind owners of promises coming due and break the ones whose time passed.

    Safe to run concurrently: each chunk is locked with ``skip_locked`` and every
    row is re-checked under the lock; notification keys are unique.
    """
    moment = now or timezone.now()
    due = list(
        Commitment.objects.filter(status=CommitmentStatus.OPEN, due_at__lte=moment)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    broken = sum(
        _sweep_chunk(due[i : i + SWEEP_CHUNK], moment, breaking=True)
        for i in range(0, len(due), SWEEP_CHUNK)
    )
    coming = list(
        Commitment.objects.filter(
            status=CommitmentStatus.OPEN,
            remind_at__lte=moment,
            reminded_at__isnull=True,
            due_at__gt=moment,
        )
        .order_by("remind_at")
        .values_list("pk", flat=True)[:limit]
    )
    reminded = sum(
        _sweep_chunk(coming[i : i + SWEEP_CHUNK], moment, breaking=False)
        for i in range(0, len(coming), SWEEP_CHUNK)
    )
    return {"broken": broken, "reminded": reminded}


# -- the acknowledgment ----------------------------------------------------------------
def acknowledgment_text(*, ticket: Ticket, promised_at: datetime, hours: BusinessHours) -> str:
    """What the customer reads: reference, who has it, and when a person will reply."""
    if ticket.owner is not None:
        who = f"{agent_name(ticket.owner)} is looking after it."
    elif ticket.team is not None:
        who = f"Our {ticket.team.name} team is looking after it."
    else:
        who = "Our team is looking after it."
    return (
        f"Hello {ticket.customer.greeting_name},\n\n"
        f"Thank you for contacting us. We have your request, reference {ticket.reference}. "
        f"{who}\n\n"
        f"We will reply by {_format_due(promised_at, hours)}.\n\n"
        "This acknowledgment is automatic; every answer you receive about this request will "
        "be written by a person."
    )


@transaction.atomic
def acknowledge_ticket(*, ticket: Ticket, promised_at: datetime | None = None) -> Acknowledgment:
    """Send a new ticket its one automatic reply and record the promise it makes.

    The promised time is the SLA's first-response due time in business hours:
    what the customer is told is what is measured. ``promised_at`` is that due
    time when the caller has just computed it (the ticket's SLA start).
    """
    existing = Acknowledgment.objects.filter(ticket=ticket).first()
    if existing is not None:
        return existing
    at = ticket.created_at
    hours = hours_for_team(ticket.team)
    if promised_at is None:
        promised_at = first_response_due(ticket=ticket)
    text = acknowledgment_text(ticket=ticket, promised_at=promised_at, hours=hours)
    # The customer's name comes from outside (e.g. a mail display name): the
    # ticket service escapes the text into HTML.
    message = record_automatic_reply(ticket=ticket, body_text=text, at=at)
    commitment = _create(
        ticket=ticket,
        kind=Kind.REPLY,
        due_at=promised_at,
        promised_text=f"We will reply by {_format_due(promised_at, hours)}.",
        owner=ticket.owner,
        actor=None,
        source=Source.ACKNOWLEDGMENT,
        source_message=message,
        at=at,
    )
    acknowledgment = Acknowledgment.objects.create(
        ticket=ticket,
        message=message,
        commitment=commitment,
        promised_at=promised_at,
        created_at=at,
    )
    append_event(
        ticket=ticket,
        kind=PromiseEvent.ACKNOWLEDGED,
        actor=None,
        at=at,
        message=message,
        data={"promised_at": promised_at.isoformat(), "automatic": True},
    )
    return acknowledgment


# -- chases ------------------------------------------------------------------------------
def record_chase(*, message: Message) -> Chase | None:
    """If the customer's contact only asks for an update, count it as a chase.

    It is linked to the promise it chases (the earliest open one made before it,
    else the latest broken one); a chase while a promise is overdue confirms
    that promise broken.
    """
    phrase = chase_phrase(message.body_text)
    if phrase is None:
        return None
    ticket = Ticket.objects.select_related("customer", "team", "owner").get(pk=message.ticket_id)
    now = message.created_at
    earlier = Commitment.objects.filter(ticket=ticket, created_at__lt=now).exclude(
        source_message=message
    )
    open_rows = list(
        earlier.select_for_update().filter(status=CommitmentStatus.OPEN).order_by("due_at", "id")
    )
    for overdue in [row for row in open_rows if row.due_at <= now]:
        _break(overdue, now, reason="the customer chased after it was due")
    target = (
        open_rows[0]
        if open_rows
        else (earlier.filter(status=CommitmentStatus.BROKEN).order_by("-due_at", "-id").first())
    )
    chase = Chase.objects.create(
        message=message,
        ticket=ticket,
        commitment=target,
        agent=ticket.owner,
        team=ticket.team,
        phrase=phrase[:100],
        created_at=now,
    )
    append_event(
        ticket=ticket,
        kind=PromiseEvent.CHASE,
        actor=None,
        at=now,
        message=message,
        data={
            "phrase": chase.phrase,
            "commitment": target.pk if target else None,
            "agent": agent_name(ticket.owner) if ticket.owner else None,
        },
    )
    return chase


# -- reactions to ticket activity (called from the hooks) ----------------------------
def promises_after_reply(*, message: Message) -> list[Commitment]:
    """A person replied: keep reply promises, then record the promises this reply makes."""
    ticket = message.ticket
    fulfil_by_act(
        ticket=ticket,
        kinds=KEPT_BY_REPLY,
        message=message,
        at=message.created_at,
        actor=message.author,
    )
    return _record_detected(message, ticket, message.created_at)


def promises_after_call(*, message: Message) -> list[Commitment]:
    """A call was logged: a call we made keeps call-back and reply promises; what
    the summary says we promised is recorded either way."""
    ticket = message.ticket
    if message.call_direction == CallDirection.OUTBOUND:
        fulfil_by_act(
            ticket=ticket,
            kinds=KEPT_BY_CALL,
            message=message,
            at=message.created_at,
            actor=message.author,
        )
    return _record_detected(message, ticket, message.created_at)


def open_promises_for(ticket: Ticket) -> list[Commitment]:
    return list(
        Commitment.objects.filter(ticket=ticket)
        .filter(Q(status=CommitmentStatus.OPEN) | Q(status=CommitmentStatus.BROKEN))
        .select_related("owner", "owner__agent")
        .order_by("status", "due_at")
    )
