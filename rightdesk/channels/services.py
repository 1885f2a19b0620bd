"""E-mail services: store raw mail, place it on the right ticket, queue and send replies.

Transport (``smtpd``, ``imap``, ``smtp_out``) and parsing (``parsing``) live in
their own modules; this module holds the rules: exactly once, threading, the
"sender is not this ticket's customer" hold, loops, bounces, rate limits,
quarantine and the outbox state machine.
"""

from __future__ import annotations

import contextlib
import contextvars
import email
import logging
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, IntegrityError, OperationalError, transaction
from django.db.models import F, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from flufl.bounce import all_failures

from rightdesk.accounts.models import Team
from rightdesk.accounts.services import agent_name
from rightdesk.channels import smtp_out
from rightdesk.channels.choices import ChannelEvent, OutState, RawState, Source
from rightdesk.channels.models import Attachment, Mailbox, OutboundEmail, RawMessage
from rightdesk.channels.parsing import ParsedEmail, ParseError, message_ids, one_line, parse_email
from rightdesk.channels.turns import write_turn
from rightdesk.commerce.services.routing import route_contact_to_order_ticket
from rightdesk.core.errors import Conflict, DomainError, Invalid, NotFound
from rightdesk.customers.models import ContactKind, ContactPoint, Customer
from rightdesk.customers.services import create_customer, find_customer_by_contact
from rightdesk.notifications.models import NotificationKind
from rightdesk.tickets.choices import Channel, MessageKind
from rightdesk.tickets.models import Message, Ticket
from rightdesk.tickets.services import add_inbound_message, append_event, create_ticket

log = logging.getLogger(__name__)

#: Delivery attempts before a transient failure becomes permanent.
MAX_SEND_ATTEMPTS = 8
#: How long a "sending" row is locked; past this it is treated as interrupted.
SEND_LOCK = timedelta(minutes=10)

#: The raw message being placed right now (so promise hooks can ask about it).
_placing: contextvars.ContextVar[RawMessage | None] = contextvars.ContextVar(
    "rightdesk_placing_email", default=None
)


# ----------------------------------------------------------------------------- storage


def normalise_address(address: str) -> str:
    """Lower-case an envelope address and drop the angle brackets."""
    return one_line(address, 254).strip("<>").strip().lower()


def active_mailboxes() -> dict[str, Mailbox]:
    """Address → mailbox for every active mailbox (the gateway caches this)."""
    return {m.address: m for m in Mailbox.objects.filter(active=True).select_related("team")}


@dataclass(frozen=True)
class Incoming:
    """One message as the transport received it, before it is stored."""

    raw: bytes
    source: str
    mailbox_id: int | None
    envelope_from: str = ""
    envelope_to: tuple[str, ...] = ()


def _insert_raw(item: Incoming) -> tuple[int, bool]:
    from rightdesk.channels.parsing import dedupe_key

    key, message_id = dedupe_key(item.raw)
    try:
        with transaction.atomic():
            row = RawMessage.objects.create(
                raw=item.raw,
                size=len(item.raw),
                dedupe_key=key,
                message_id=message_id[:260],
                source=item.source,
                mailbox_id=item.mailbox_id,
                envelope_from=one_line(item.envelope_from, 500),
                envelope_to=[normalise_address(a) for a in item.envelope_to][:20],
            )
        return row.pk, True
    except IntegrityError:
        existing = RawMessage.objects.filter(dedupe_key=key).values_list("pk", flat=True).first()
        if existing is None:
            raise
        return existing, False


def store_raw_messages(*, items: Sequence[Incoming]) -> list[tuple[int, bool] | Exception]:
    """Durably store messages as received, in one commit; per item (row id, created) or its error.

    Group commit for the SMTP gateway: messages arriving on parallel
    connections share one transaction (one turn at the write lock, one sync)
    and each gets its 250 only after that commit returns. Each item has its
    own savepoint, so a duplicate or a bad row fails alone; if the commit
    itself fails, the items are stored one by one so each gets its own answer.
    """
    if len(items) > 1:
        try:
            with write_turn(), transaction.atomic():
                results = [_try_insert(item) for item in items]
            return results
        except Exception:
            log.warning(
                "group commit of %s messages failed; storing one by one", len(items), exc_info=True
            )
    results = []
    for item in items:
        try:
            with write_turn(), transaction.atomic():
                stored = _insert_raw(item)
        except Exception as exc:
            results.append(exc)
        else:
            results.append(stored)  # only once the commit has succeeded
    return results


def _try_insert(item: Incoming) -> tuple[int, bool] | Exception:
    try:
        return _insert_raw(item)
    except DatabaseError as exc:
        return exc


def store_raw_message(
    *,
    raw: bytes,
    source: str,
    mailbox: Mailbox | None,
    envelope_from: str = "",
    envelope_to: list[str] | None = None,
) -> tuple[int, bool]:
    """Durably store one message as received; (row id, created). Duplicates are not stored again.

    This is the only write the SMTP gateway does before answering 250, so it
    stays one small INSERT in its own transaction.
    """
    item = Incoming(
        raw=raw,
        source=source,
        mailbox_id=mailbox.pk if mailbox is not None else None,
        envelope_from=envelope_from,
        envelope_to=tuple(envelope_to or ()),
    )
    with write_turn(), transaction.atomic():
        return _insert_raw(item)


# ----------------------------------------------------------------------------- placement


def own_message_id(domain: str | None = None) -> str:
    """A fresh Message-ID for mail we send; recognisable so our own mail never loops back in."""
    return f"<rd.{uuid.uuid4().hex}@{domain or settings.RIGHTDESK_MAIL_DOMAIN}>"


def is_own_message_id(message_id: str) -> bool:
    return message_id.startswith("<rd.") and message_id.endswith(
        f"@{settings.RIGHTDESK_MAIL_DOMAIN.lower()}>"
    )


def placing_automatic_mail() -> bool:
    """Is the message being placed right now machine-written? (No query: for hooks.)"""
    current = _placing.get()
    return current is not None and current.is_auto_generated


def opened_by_automatic_mail(*, ticket: Ticket) -> bool:
    """Was this ticket opened by machine-written mail (auto-reply, list, bounce)?

    The promises app asks this before sending an acknowledgment: it works
    inside ``create_ticket`` (while the e-mail is being placed) and afterwards.
    """
    current = _placing.get()
    if current is not None and (current.ticket_id is None or current.ticket_id == ticket.pk):
        return current.is_auto_generated
    return RawMessage.objects.filter(
        ticket=ticket, opened_ticket=True, is_auto_generated=True
    ).exists()


@contextlib.contextmanager
def _placing_message(raw: RawMessage) -> Iterator[None]:
    token = _placing.set(raw)
    try:
        yield
    finally:
        _placing.reset(token)


def _reference_in_subject(subject: str) -> int | None:
    prefix = re.escape(settings.RIGHTDESK_TICKET_PREFIX)
    match = re.search(rf"(?<![A-Za-z0-9]){prefix}-(\d{{1,12}})(?!\d)", subject, re.IGNORECASE)
    return (
        Ticket.pk_from_reference(f"{settings.RIGHTDESK_TICKET_PREFIX}-{match.group(1)}")
        if match
        else None
    )


def _surviving(ticket: Ticket | None) -> Ticket | None:
    """Follow merges to the ticket that is still worked on."""
    for _ in range(10):
        if ticket is None or ticket.merged_into_id is None:
            return ticket
        ticket = Ticket.objects.filter(pk=ticket.merged_into_id).first()
    return ticket


def find_thread(
    parsed: ParsedEmail, *, exclude_raw: int | None = None
) -> tuple[Ticket | None, str]:
    """The ticket this message answers and how we know ('header' / 'subject'), or (None, '')."""
    ids = parsed.thread_ids
    if ids:
        # One query: our own outgoing mail wins over an earlier inbound message.
        ours = (
            OutboundEmail.objects.filter(message_id__in=ids).order_by("pk").values("ticket_id")[:1]
        )
        theirs = (
            RawMessage.objects.filter(
                message_id__in=ids, ticket__isnull=False, state=RawState.PLACED
            )
            .exclude(pk=exclude_raw or 0)
            .order_by("pk")
            .values("ticket_id")[:1]
        )
        found = Ticket.objects.filter(pk=Coalesce(Subquery(ours), Subquery(theirs))).first()
        if found is not None:
            return _surviving(found), "header"
    pk = _reference_in_subject(parsed.subject)
    if pk:
        ticket = _surviving(Ticket.objects.filter(pk=pk).first())
        if ticket is not None:
            return ticket, "subject"
    return None, ""


def _customer_for(parsed: ParsedEmail) -> Customer:
    customer = find_customer_by_contact(ContactKind.EMAIL, parsed.from_address)
    if customer is not None:
        return customer
    name = parsed.from_name or parsed.from_address.split("@", 1)[0]
    try:
        return create_customer(name=name, emails=[parsed.from_address])
    except Conflict:
        # Someone else created this customer a moment ago.
        found = find_customer_by_contact(ContactKind.EMAIL, parsed.from_address)
        if found is None:
            raise
        return found


def _bodies(parsed: ParsedEmail) -> tuple[str, str]:
    """The new text for the ticket; HTML only when the mail had no text part."""
    text = parsed.new_text.strip()
    if parsed.text.strip():
        return text or "(empty message)", ""
    if parsed.html.strip():
        return text or "(empty message)", parsed.html
    return text or "(empty message)", ""


def _over_rate_limit(raw: RawMessage, address: str, now: datetime) -> bool:
    limit = settings.RIGHTDESK_MAIL_RATE_PER_HOUR
    if limit <= 0:
        return False
    recent = (
        RawMessage.objects.filter(
            from_address=address,
            received_at__gte=now - timedelta(hours=1),
            state__in=[RawState.PLACED, RawState.HELD],
        )
        .exclude(pk=raw.pk)
        .count()
    )
    return recent >= limit


def _say_rate_limited(address: str, now: datetime) -> None:
    """Put one note per hour on the sender's latest ticket: their mail is being held back."""
    ticket_id = (
        RawMessage.objects.filter(from_address=address, ticket__isnull=False)
        .order_by("-id")
        .values_list("ticket_id", flat=True)
        .first()
    )
    if ticket_id is None:
        return
    ticket = Ticket.objects.get(pk=ticket_id)
    if ticket.events.filter(
        kind=ChannelEvent.RATE_LIMITED, created_at__gte=now - timedelta(hours=1)
    ).exists():
        return
    append_event(
        ticket=ticket,
        kind=ChannelEvent.RATE_LIMITED,
        actor=None,
        at=now,
        data={
            "sender": address,
            "limit_per_hour": settings.RIGHTDESK_MAIL_RATE_PER_HOUR,
            "note": "Further mail from this sender is quarantined for an admin to release.",
        },
    )


def _record_bounce(raw: RawMessage, now: datetime) -> bool:
    """A delivery status notification: mark the address failing and tell the ticket. True if one."""
    report = email.message_from_bytes(bytes(raw.raw))
    try:
        temporary, permanent = all_failures(report)
    except Exception:  # a detector choking on garbage is "not a bounce we understand"
        return False
    failed = sorted(
        {
            a.decode("utf-8", "replace").strip().lower()
            if isinstance(a, bytes)
            else str(a).strip().lower()
            for a in (*permanent, *temporary)
        }
    )
    if not failed:
        return False
    ours = [
        mid
        for mid in message_ids(bytes(raw.raw)[:2_000_000].decode("utf-8", "replace"), limit=50)
        if is_own_message_id(mid)
    ]
    outbound = OutboundEmail.objects.filter(message_id__in=ours).select_related("ticket").first()
    reason = one_line(
        ("permanent" if permanent else "temporary")
        + " delivery failure: "
        + (raw.subject or "bounce"),
        300,
    )
    if permanent:
        ContactPoint.objects.filter(kind=ContactKind.EMAIL, value__in=failed).update(
            failing_since=now, failing_reason=reason
        )
    if outbound is not None:
        if permanent:
            OutboundEmail.objects.filter(pk=outbound.pk).update(
                state=OutState.FAILED, last_error=reason[:500]
            )
        append_event(
            ticket=outbound.ticket,
            kind=ChannelEvent.BOUNCED,
            actor=None,
            at=now,
            message=outbound.ticket_message,
            data={"addresses": failed[:10], "permanent": bool(permanent), "reason": reason},
        )
        raw.ticket = outbound.ticket
    raw.state = RawState.BOUNCE
    raw.reason_code = "bounce"
    raw.reason = one_line(f"Bounce for {', '.join(failed[:5])}", 500)
    return True


#: Everything processing may change on a stored message: never rewrite the raw bytes.
_PROCESSING_FIELDS = [
    "state",
    "reason_code",
    "reason",
    "attempts",
    "processed_at",
    "from_address",
    "subject",
    "is_auto_generated",
    "auto_reason",
    "ticket",
    "ticket_message",
    "opened_ticket",
    "full_text",
    "quoted_text",
    "signature",
]


def _save(raw: RawMessage) -> None:
    raw.save(update_fields=_PROCESSING_FIELDS)


def _quarantine(raw_id: int, code: str, reason: str) -> None:
    RawMessage.objects.filter(pk=raw_id).update(
        state=RawState.QUARANTINED,
        reason_code=code[:40],
        reason=one_line(reason, 500),
        processed_at=timezone.now(),
        attempts=F("attempts") + 1,
    )


def _attach(raw: RawMessage, parsed: ParsedEmail, ticket: Ticket, now: datetime) -> None:
    dropped = []
    for item in parsed.attachments:
        Attachment.objects.create(
            raw_message=raw,
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
            data=item.data,
            inline=item.inline,
            content_id=item.content_id,
            dropped=item.too_large,
        )
        if item.too_large:
            dropped.append({"filename": item.filename, "size": item.size})
    if dropped:
        append_event(
            ticket=ticket,
            kind=ChannelEvent.ATTACHMENT_DROPPED,
            actor=None,
            at=now,
            message=raw.ticket_message,
            data={"attachments": dropped[:20], "limit": settings.RIGHTDESK_MAX_ATTACHMENT_BYTES},
        )


def _mailbox_team(raw: RawMessage) -> Team | None:
    """The team of the mailbox the message came to (read only when a ticket is opened)."""
    return raw.mailbox.team if raw.mailbox_id is not None and raw.mailbox else None


def _place(
    raw: RawMessage,
    parsed: ParsedEmail,
    *,
    force_ticket: Ticket | None = None,
    force_new: bool = False,
    actor: User | None = None,
) -> None:
    """Put the message on its ticket (or a new one), or hold it; mutates ``raw``."""
    now = timezone.now()
    customer = _customer_for(parsed)
    if force_ticket is not None:
        ticket: Ticket | None = force_ticket
        how = "confirmed"
    elif force_new:
        ticket, how = None, ""
    else:
        ticket, how = find_thread(parsed, exclude_raw=raw.pk)
        if ticket is not None and ticket.customer_id != customer.pk:
            raw.state = RawState.HELD
            raw.ticket = ticket
            raw.reason_code = "sender_not_customer"
            raw.reason = one_line(
                f"{parsed.from_address} wrote about {ticket.reference} (by {how}) but is not "
                "this ticket's customer; an agent must confirm.",
                500,
            )
            append_event(
                ticket=ticket,
                kind=ChannelEvent.HELD,
                actor=None,
                at=now,
                data={
                    "raw_id": raw.pk,
                    "sender": parsed.from_address,
                    "subject": parsed.subject,
                    "matched_by": how,
                },
            )
            _tell_owner(
                ticket,
                kind=NotificationKind.MAIL_HELD,
                key=f"mail-held:{raw.pk}",
                title=f"Mail from {parsed.from_address} about {ticket.reference} waits for you",
                body=raw.reason,
                anchor=f"held-{raw.pk}",
                at=now,
            )
            return
    body_text, body_html = _bodies(parsed)
    with _placing_message(raw):
        # One purchase, one ticket: mail naming one of the sender's orders joins
        # that order's open ticket instead of opening a second one.
        routed = (
            route_contact_to_order_ticket(
                customer=customer,
                subject=parsed.subject,
                body_text=body_text,
                body_html=body_html,
                channel=Channel.EMAIL,
                team=_mailbox_team(raw),
                at=now,
            )
            if ticket is None and not force_new
            else None
        )
        if routed is not None:
            ticket, message = routed.ticket, routed.message
            raw.opened_ticket = not routed.joined
        elif ticket is None:
            ticket = create_ticket(
                customer=customer,
                subject=parsed.subject or "(no subject)",
                body_text=body_text,
                body_html=body_html,
                channel=Channel.EMAIL,
                team=_mailbox_team(raw),
                at=now,
            )
            message = ticket.messages.get(kind=MessageKind.INBOUND)
            raw.opened_ticket = True
        else:
            message = add_inbound_message(
                ticket=ticket, body_text=body_text, body_html=body_html, at=now
            )
    raw.ticket = ticket
    raw.ticket_message = message
    raw.state = RawState.PLACED
    raw.reason_code = ""
    raw.reason = ""
    if actor is not None:
        append_event(
            ticket=ticket,
            kind=ChannelEvent.RELEASED,
            actor=actor,
            at=now,
            message=message,
            data={"raw_id": raw.pk, "sender": parsed.from_address},
        )
    _attach(raw, parsed, ticket, now)


def _apply_parsed(raw: RawMessage, parsed: ParsedEmail) -> None:
    raw.from_address = parsed.from_address[:254]
    raw.subject = parsed.subject[:300]
    raw.is_auto_generated = bool(parsed.auto_reason) or is_own_message_id(parsed.message_id)
    raw.auto_reason = parsed.auto_reason[:100]
    raw.full_text = parsed.text or parsed.new_text
    raw.quoted_text = parsed.quoted_text
    raw.signature = parsed.signature


def create_from_email(*, raw_id: int) -> RawMessage:
    """Process one stored message: parse, then place, hold, record as a bounce or quarantine.

    Safe to run twice and concurrently: the row is locked and only a pending
    row is processed. Whatever goes wrong ends as a quarantine entry with a
    reason; only a busy database (worth retrying) is raised to the caller.
    """
    with write_turn():
        return _process(raw_id)


def _process(raw_id: int) -> RawMessage:
    try:
        with transaction.atomic():
            raw = RawMessage.objects.select_for_update().filter(pk=raw_id).first()
            if raw is None:
                raise NotFound(f"No stored message {raw_id}.")
            if raw.state != RawState.PENDING:
                return raw
            now = timezone.now()
            raw.attempts += 1
            raw.processed_at = now
            try:
                parsed = parse_email(
                    bytes(raw.raw), max_attachment_bytes=settings.RIGHTDESK_MAX_ATTACHMENT_BYTES
                )
            except ParseError as exc:
                raw.state, raw.reason_code, raw.reason = RawState.QUARANTINED, exc.code, exc.message
                _save(raw)
                return raw
            _apply_parsed(raw, parsed)
            if (parsed.is_report or parsed.auto_reason.startswith("sender ")) and _record_bounce(
                raw, now
            ):
                _save(raw)
                return raw
            if parsed.sender_problem:
                raw.state, raw.reason_code = RawState.QUARANTINED, parsed.sender_problem
                raw.reason = (
                    "The sender address is missing or ambiguous; it is never guessed, "
                    "so no customer's case is touched."
                )
            elif (
                is_own_message_id(parsed.message_id)
                or OutboundEmail.objects.filter(message_id=parsed.message_id or "-").exists()
            ):
                raw.state, raw.reason_code = RawState.QUARANTINED, "loop"
                raw.reason = "This is our own outgoing message coming back (mail loop)."
            elif _over_rate_limit(raw, parsed.from_address, now):
                raw.state, raw.reason_code = RawState.QUARANTINED, "rate_limited"
                raw.reason = (
                    f"{parsed.from_address} sent more than "
                    f"{settings.RIGHTDESK_MAIL_RATE_PER_HOUR} messages in an hour."
                )
                _say_rate_limited(parsed.from_address, now)
            else:
                _place(raw, parsed)
            _save(raw)
            return raw
    except OperationalError:
        raise
    except (DomainError, Exception) as exc:  # never let one message block the queue
        log.warning("quarantining message %s: %r", raw_id, exc)
        code = exc.code if isinstance(exc, DomainError) else "error"
        message = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        _quarantine(raw_id, code, message)
        return RawMessage.objects.get(pk=raw_id)


@transaction.atomic
def retry_message(*, raw_id: int, actor: User | None) -> RawMessage:
    """Send a quarantined message through processing again (after a fix)."""
    updated = RawMessage.objects.filter(pk=raw_id, state=RawState.QUARANTINED).update(
        state=RawState.PENDING, reason_code="", reason=""
    )
    if not updated:
        raise Conflict("Only a quarantined message can be retried.", code="not_quarantined")
    transaction.on_commit(lambda: _enqueue_processing(raw_id))
    return RawMessage.objects.get(pk=raw_id)


@transaction.atomic
def release_held(*, raw_id: int, actor: User, join: bool) -> RawMessage:
    """An agent decides on a held message: join the ticket it named, or open a new one."""
    raw = RawMessage.objects.select_for_update().filter(pk=raw_id).first()
    if raw is None or raw.state != RawState.HELD:
        raise Conflict("This message is not waiting for a decision.", code="not_held")
    parsed = parse_email(
        bytes(raw.raw), max_attachment_bytes=settings.RIGHTDESK_MAX_ATTACHMENT_BYTES
    )
    target = _surviving(raw.ticket) if join else None
    if join and target is None:
        raise Invalid("The ticket it named no longer exists.", field="ticket")
    _place(raw, parsed, force_ticket=target, force_new=not join, actor=actor)
    _save(raw)
    return raw


def _enqueue_processing(raw_id: int) -> None:
    from rightdesk.channels import tasks

    try:
        tasks.process_message(raw_id)
    except Exception:  # the periodic sweep picks it up
        log.warning("could not enqueue processing of %s", raw_id, exc_info=True)


def pending_message_ids(limit: int = 500) -> list[int]:
    return list(
        RawMessage.objects.filter(state=RawState.PENDING)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )


# ----------------------------------------------------------------------------- outbound


def _customer_address(ticket: Ticket) -> str:
    """Where a reply goes: the address the customer last wrote from, else their primary one."""
    recent = (
        RawMessage.objects.filter(
            ticket=ticket, state=RawState.PLACED, ticket_message__isnull=False
        )
        .order_by("-id")
        .values_list("from_address", flat=True)[:5]
    )
    own = set(
        ContactPoint.objects.filter(
            customer_id=ticket.customer_id, kind=ContactKind.EMAIL
        ).values_list("value", flat=True)
    )
    for address in recent:
        if address in own:
            return address
    point = (
        ContactPoint.objects.filter(customer_id=ticket.customer_id, kind=ContactKind.EMAIL)
        .order_by("-is_primary", "id")
        .first()
    )
    return point.value if point else ""


def _thread_ids(ticket: Ticket) -> list[str]:
    inbound = (
        RawMessage.objects.filter(ticket=ticket, state=RawState.PLACED)
        .exclude(message_id="")
        .order_by("id")
        .values_list("id", "message_id")
    )
    outbound = (
        OutboundEmail.objects.filter(ticket=ticket)
        .exclude(state=OutState.SUPPRESSED)
        .order_by("id")
        .values_list("id", "message_id")
    )
    merged = sorted(
        [(i, m, 0) for i, m in inbound] + [(i, m, 1) for i, m in outbound],
        key=lambda x: (x[0], x[2]),
    )
    return [m for _, m, _ in merged]


def _last_inbound_id(ticket: Ticket) -> str:
    return (
        RawMessage.objects.filter(ticket=ticket, state=RawState.PLACED)
        .exclude(message_id="")
        .order_by("-id")
        .values_list("message_id", flat=True)
        .first()
        or ""
    )


def _sender_for(ticket: Ticket) -> tuple[str, str]:
    mailbox = None
    if ticket.team_id is not None:
        mailbox = Mailbox.objects.filter(team_id=ticket.team_id, active=True).order_by("id").first()
    if mailbox is None:
        mailbox = Mailbox.objects.filter(active=True).order_by("id").first()
    address = mailbox.address if mailbox else settings.DEFAULT_FROM_EMAIL
    name = ticket.team.name if ticket.team_id and ticket.team else "Rightdesk"
    return address, one_line(name, 200)


def queue_reply(*, message: Message, automatic: bool) -> OutboundEmail | None:
    """Put a recorded reply in the outbox (same transaction); it is sent after commit.

    An automatic reply (the acknowledgment) to machine-written mail, or to an
    address that is bouncing, is recorded as suppressed instead: no loops.
    """
    ticket = message.ticket
    to_address = _customer_address(ticket)
    if not to_address:
        return None
    from_address, from_name = _sender_for(ticket)
    ids = _thread_ids(ticket)
    suppressed = ""
    if automatic:
        if opened_by_automatic_mail(ticket=ticket):
            suppressed = "the ticket was opened by automatic mail"
        elif ContactPoint.objects.filter(
            kind=ContactKind.EMAIL, value=to_address, failing_since__isnull=False
        ).exists():
            suppressed = "the customer's address is bouncing"
    outbound = OutboundEmail.objects.create(
        ticket_message=message,
        ticket=ticket,
        to_address=to_address,
        to_name=one_line(ticket.customer.name, 200),
        from_address=from_address,
        from_name=from_name,
        subject=one_line(f"Re: {ticket.subject} [{ticket.reference}]", 400),
        message_id=own_message_id(),
        in_reply_to=_last_inbound_id(ticket),
        references=" ".join(ids[-20:]),
        automatic=automatic,
        state=OutState.SUPPRESSED if suppressed else OutState.QUEUED,
        last_error=suppressed,
    )
    if suppressed:
        append_event(
            ticket=ticket,
            kind=ChannelEvent.SUPPRESSED,
            actor=None,
            message=message,
            data={"reason": suppressed},
        )
        return outbound
    outbound_id = outbound.pk
    transaction.on_commit(lambda: _enqueue_sending(outbound_id))
    return outbound


def _enqueue_sending(outbound_id: int) -> None:
    from rightdesk.channels import tasks

    try:
        tasks.send_outbound(outbound_id)
    except Exception:  # the periodic sweep sends it
        log.warning("could not enqueue sending of %s", outbound_id, exc_info=True)


def build_email(outbound: OutboundEmail) -> EmailMessage:
    """The MIME message for an outbox row. Every header value is single-line by construction."""
    msg = EmailMessage()
    msg["From"] = smtp_out.format_address(outbound.from_name, outbound.from_address)
    msg["To"] = smtp_out.format_address(outbound.to_name, outbound.to_address)
    msg["Reply-To"] = smtp_out.format_address(outbound.from_name, outbound.from_address)
    msg["Subject"] = one_line(outbound.subject, 400)
    msg["Message-ID"] = outbound.message_id
    msg["Date"] = email.utils.format_datetime(timezone.now())
    if outbound.in_reply_to:
        msg["In-Reply-To"] = outbound.in_reply_to
    if outbound.references:
        msg["References"] = " ".join(message_ids(outbound.references, limit=20))
    if outbound.automatic:
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
    message = outbound.ticket_message
    msg.set_content(message.body_text or " ")
    if message.body_html:
        msg.add_alternative(message.body_html, subtype="html")
    return msg


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 6 * 3600))


def _tell_owner(
    ticket: Ticket, *, kind: str, key: str, title: str, body: str, anchor: str, at: datetime
) -> None:
    """Put what only a person can decide under the ticket owner's bell (and in their mail).

    An unowned ticket has nobody to tell; the mail page lists it all the same.
    """
    from rightdesk.notifications.services import notify

    if ticket.owner is None:
        return
    notify(
        recipient=ticket.owner,
        kind=kind,
        key=key,
        title=title,
        body=body,
        url=f"{reverse('mail:attention')}#{anchor}",
        ticket=ticket,
        at=at,
    )


def _fail(outbound: OutboundEmail, error: str, now: datetime) -> None:
    outbound.state = OutState.FAILED
    outbound.last_error = one_line(error, 500)
    outbound.locked_until = None
    outbound.save(update_fields=["state", "last_error", "locked_until"])
    ticket = outbound.ticket
    append_event(
        ticket=ticket,
        kind=ChannelEvent.SEND_FAILED,
        actor=None,
        at=now,
        message=outbound.ticket_message,
        data={
            "to": outbound.to_address,
            "error": outbound.last_error,
            "owner": agent_name(ticket.owner) if ticket.owner else None,
            "owner_id": ticket.owner_id,
        },
    )
    _tell_owner(
        ticket,
        kind=NotificationKind.MAIL_FAILED,
        key=f"mail-failed:{outbound.pk}:{now.isoformat()}",
        title=f"A reply on {ticket.reference} did not reach {outbound.to_address}",
        body=outbound.last_error,
        anchor=f"failed-{outbound.pk}",
        at=now,
    )


def deliver_outbound(*, outbound_id: int, now: datetime | None = None) -> str:
    """Send one outbox row if it is due; returns its state afterwards. Never sends twice.

    The row moves queued → sending under a row lock before any network I/O, so
    a second worker (or a second run of the job) finds it taken and leaves it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        outbound = (
            OutboundEmail.objects.select_for_update(of=("self",))
            .select_related("ticket_message", "ticket", "ticket__owner")
            .filter(pk=outbound_id)
            .first()
        )
        if outbound is None:
            raise NotFound(f"No outgoing e-mail {outbound_id}.")
        if outbound.state != OutState.QUEUED or outbound.next_attempt_at > now:
            return outbound.state
        outbound.state = OutState.SENDING
        outbound.attempts += 1
        outbound.locked_until = now + SEND_LOCK
        outbound.save(update_fields=["state", "attempts", "locked_until"])
    try:
        msg = build_email(outbound)
        smtp_out.send(msg, sender=outbound.from_address, recipients=[outbound.to_address])
    except smtp_out.TransientSendError as exc:
        with transaction.atomic():
            if outbound.attempts >= MAX_SEND_ATTEMPTS:
                _fail(outbound, f"gave up after {outbound.attempts} attempts: {exc}", now)
            else:
                outbound.state = OutState.QUEUED
                outbound.next_attempt_at = now + _backoff(outbound.attempts)
                outbound.last_error = one_line(str(exc), 500)
                outbound.locked_until = None
                outbound.save(
                    update_fields=["state", "next_attempt_at", "last_error", "locked_until"]
                )
        return outbound.state
    except (smtp_out.PermanentSendError, ValueError, TypeError) as exc:
        with transaction.atomic():
            _fail(outbound, str(exc), now)
        return outbound.state
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        state=OutState.SENT, sent_at=timezone.now(), locked_until=None, last_error=""
    )
    return OutState.SENT


def sweep_outbox(*, now: datetime | None = None) -> int:
    """Send what is due; an interrupted send is reported, never repeated blindly."""
    now = now or timezone.now()
    stale = OutboundEmail.objects.filter(state=OutState.SENDING, locked_until__lt=now)
    for outbound in stale.select_related("ticket_message", "ticket", "ticket__owner"):
        with transaction.atomic():
            if OutboundEmail.objects.filter(pk=outbound.pk, state=OutState.SENDING).exists():
                _fail(
                    outbound,
                    "Delivery was interrupted; it may or may not have been sent. "
                    "Check with the customer and resend if needed.",
                    now,
                )
    due = list(
        OutboundEmail.objects.filter(state=OutState.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:200]
    )
    for outbound_id in due:
        deliver_outbound(outbound_id=outbound_id, now=now)
    return len(due)


@transaction.atomic
def resend_outbound(*, outbound_id: int, actor: User) -> OutboundEmail:
    """An agent asks for a failed e-mail to be tried again (after fixing the address)."""
    updated = OutboundEmail.objects.filter(pk=outbound_id, state=OutState.FAILED).update(
        state=OutState.QUEUED, next_attempt_at=timezone.now(), attempts=0, last_error=""
    )
    if not updated:
        raise Conflict("Only a failed e-mail can be sent again.", code="not_failed")
    transaction.on_commit(lambda: _enqueue_sending(outbound_id))
    return OutboundEmail.objects.get(pk=outbound_id)


__all__ = [
    "Source",
    "active_mailboxes",
    "create_from_email",
    "deliver_outbound",
    "opened_by_automatic_mail",
    "queue_reply",
    "release_held",
    "resend_outbound",
    "retry_message",
    "store_raw_message",
    "sweep_outbox",
]
