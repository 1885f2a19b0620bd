"""Refunds: what the customer paid for the items, fees included, back by the promised day.

The fee rule (P6): a refund of some items returns what was paid for those items
plus their share of every fee. A fee charged on one item goes with that item
(in proportion to the quantity refunded). A fee charged on the whole order
(processing, shipping, tax) is shared in proportion to the value of the items:
``fee x value of refunded items / value of all items``, rounded half-up to the
currency's minor unit; the refund that leaves no item unrefunded takes whatever
is left of each fee, so rounding never keeps a cent. Any part kept back needs a
reason, and the customer reads that reason in the refund notice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Case, Q, QuerySet, Sum, When
from django.utils import timezone

from rightdesk.accounts.services import agent_name, is_agent, is_manager
from rightdesk.commerce.choices import (
    REFUND_TRANSITIONS,
    EventKinds,
    FeeKind,
    PromiseState,
    RefundStatus,
)
from rightdesk.commerce.models import (
    Order,
    OrderLine,
    Refund,
    RefundLine,
    RefundPolicy,
    RefundWithholding,
)
from rightdesk.commerce.money import ZERO, format_money, parse_amount, quantize
from rightdesk.commitments.choices import CommitmentStatus
from rightdesk.commitments.choices import Kind as CommitmentKind
from rightdesk.commitments.services import cancel_commitment, create_commitment, keep_commitment
from rightdesk.core.errors import Conflict, Forbidden, Invalid
from rightdesk.sla.hours import BusinessHours
from rightdesk.sla.services import hours_for_team
from rightdesk.tickets.choices import Channel
from rightdesk.tickets.models import Ticket

MIN_REASON_CHARS = 5


@dataclass(frozen=True)
class RefundItem:
    """An item line to refund and how many (None = all not yet refunded)."""

    line_id: int
    quantity: int | None = None


@dataclass(frozen=True)
class Withholding:
    """A part of the refund kept back (a fee, a restocking charge) and why."""

    label: str
    amount: object
    reason: str


@dataclass(frozen=True)
class QuoteLine:
    order_line: OrderLine
    quantity: int
    amount: Decimal
    explanation: str


@dataclass(frozen=True)
class RefundQuote:
    """The itemised default refund: every part of what was paid for the items."""

    currency: str
    lines: list[QuoteLine]
    paid_for_items: Decimal
    withholdings: list[tuple[str, Decimal, str]]
    withheld: Decimal
    amount: Decimal


# ---------------------------------------------------------------- the SLA clock


def add_business_days(start: datetime, days: int, hours: BusinessHours) -> datetime:
    """The end of the ``days``-th business day after ``start``'s local date.

    A business day is one the team's calendar opens at all, so weekends,
    public holidays and custom closures do not count. Approved on Monday with
    2 days: due at the end of Wednesday (Thursday 00:00 local). Approved on
    Saturday: due at the end of Tuesday.
    """
    day = start.astimezone(hours.zone).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if hours.day_intervals(day):
            counted += 1
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=hours.zone)


def refund_policy() -> RefundPolicy:
    policy, _ = RefundPolicy.objects.get_or_create(pk=1)
    return policy


# ---------------------------------------------------------------- quoting


def _prior(order: Order) -> tuple[dict[int, int], dict[int, Decimal]]:
    """Quantities of items and amounts of fees already in live (not declined) refunds."""
    rows = (
        RefundLine.objects.filter(refund__order=order)
        .exclude(refund__status=RefundStatus.DECLINED)
        .values("order_line")
        .annotate(qty=Sum("quantity"), amount=Sum("amount"))
    )
    quantities: dict[int, int] = defaultdict(int)
    amounts: dict[int, Decimal] = defaultdict(Decimal)
    for row in rows:
        quantities[row["order_line"]] = int(row["qty"] or 0)
        amounts[row["order_line"]] = Decimal(row["amount"] or 0)
    return quantities, amounts


def _fee_label(fee: OrderLine) -> str:
    return fee.product or FeeKind(fee.fee_kind).label


def quote_refund(
    *, order: Order, items: Sequence[RefundItem], withholdings: Sequence[Withholding] = ()
) -> RefundQuote:
    """Work out the itemised refund for these items (nothing is saved)."""
    if not items:
        raise Invalid("Name the items to refund.", field="items")
    currency = order.currency
    all_lines = list(order.lines.all())
    for line in all_lines:
        line.order = order
    by_id = {line.pk: line for line in all_lines}
    item_lines = [line for line in all_lines if not line.is_fee]
    fee_lines = [line for line in all_lines if line.is_fee]
    prior_qty, prior_amount = _prior(order)

    wanted: dict[int, int] = {}
    for index, item in enumerate(items):
        named = by_id.get(item.line_id)
        if named is None or named.is_fee:
            raise Invalid("That is not an item of this order.", field=f"items.{index}.line_id")
        if named.pk in wanted:
            raise Invalid("An item is named twice.", field=f"items.{index}.line_id")
        left = named.quantity - prior_qty[named.pk]
        quantity = left if item.quantity is None else item.quantity
        if left <= 0:
            raise Conflict(
                f"{named.product} has already been refunded.",
                code="already_refunded",
                field=f"items.{index}.line_id",
            )
        if quantity < 1 or quantity > left:
            raise Invalid(
                f"Between 1 and {left} of {named.product} can be refunded.",
                field=f"items.{index}.quantity",
            )
        wanted[named.pk] = quantity

    quote_lines: list[QuoteLine] = []
    requested_value = ZERO
    for line in item_lines:
        if line.pk in wanted:
            amount = quantize(line.unit_price * wanted[line.pk], currency)
            requested_value += amount
            quote_lines.append(
                QuoteLine(
                    order_line=line,
                    quantity=wanted[line.pk],
                    amount=amount,
                    explanation=f"{wanted[line.pk]} x {line.product} at "
                    f"{format_money(line.unit_price, currency)}",
                )
            )
    total_value = sum((line.total for line in item_lines), ZERO)
    fully_refunded_after = all(
        prior_qty[line.pk] + wanted.get(line.pk, 0) >= line.quantity for line in item_lines
    )
    for fee in fee_lines:
        fee_left = fee.total - prior_amount[fee.pk]
        if fee_left <= 0:
            continue
        if fee.applies_to_id is not None:
            target = by_id[fee.applies_to_id]
            if target.pk not in wanted:
                continue
            if prior_qty[target.pk] + wanted[target.pk] >= target.quantity:
                share = fee_left
            else:
                share = quantize(fee.total * wanted[target.pk] / target.quantity, currency)
            explanation = f"{_fee_label(fee)} charged on {target.product}"
        else:
            if fully_refunded_after:
                share = fee_left
            elif total_value > 0:
                share = quantize(fee.total * requested_value / total_value, currency)
            else:
                share = ZERO
            explanation = (
                f"{_fee_label(fee)}: all of it"
                if share == fee.total
                else f"{_fee_label(fee)}: share for these items "
                f"({format_money(requested_value, currency)} of "
                f"{format_money(total_value, currency)} in items)"
            )
        share = min(share, fee_left)
        if share > 0:
            quote_lines.append(
                QuoteLine(order_line=fee, quantity=0, amount=share, explanation=explanation)
            )
    paid = sum((line.amount for line in quote_lines), ZERO)

    kept: list[tuple[str, Decimal, str]] = []
    for index, part in enumerate(withholdings):
        label = " ".join((part.label or "").split())
        reason = (part.reason or "").strip()
        value = parse_amount(part.amount, currency, field=f"withholdings.{index}.amount")
        if value <= 0:
            raise Invalid(
                "A withheld amount must be more than zero.", field=f"withholdings.{index}.amount"
            )
        if len(reason) < MIN_REASON_CHARS:
            raise Invalid(
                "Keeping back any part of a refund needs a reason the customer will read.",
                code="withholding_reason_required",
                field=f"withholdings.{index}.reason",
            )
        kept.append((label[:100] or "Withheld", value, reason[:2000]))
    withheld = sum((value for _, value, _ in kept), ZERO)
    if withheld > paid:
        raise Invalid(
            "More is withheld than the customer paid for these items.", field="withholdings"
        )
    return RefundQuote(
        currency=currency,
        lines=quote_lines,
        paid_for_items=paid,
        withholdings=kept,
        withheld=withheld,
        amount=paid - withheld,
    )


# ---------------------------------------------------------------- authorization


def can_decide_refund(user: User, refund: Refund) -> bool:
    """Who may approve, pay or decline a refund.

    Managers and admins may decide any refund. An agent may decide refunds of
    tickets that belong to one of their own teams; a refund whose ticket has no
    team is for managers only. Anyone else can see refunds and request them.
    """
    if not is_agent(user):
        return False
    if is_manager(user):
        return True
    team_id = refund.ticket.team_id if refund.ticket is not None else None
    return team_id is not None and user.teams.filter(pk=team_id).exists()


def _require_decider(actor: User | None, refund: Refund) -> User:
    if actor is None or not can_decide_refund(actor, refund):
        raise Forbidden(
            "Only a manager or a member of the ticket's team can decide this refund.",
            code="refund_forbidden",
        )
    return actor


def _lock(refund: Refund) -> Refund:
    return (
        Refund.objects.select_for_update(of=("self",))
        .select_related("order", "order__customer", "ticket", "ticket__team", "commitment")
        .get(pk=refund.pk)
    )


def _transition(refund: Refund, target: str) -> None:
    if target not in REFUND_TRANSITIONS[refund.status]:
        raise Conflict(
            f"A {refund.get_status_display().lower()} refund cannot become "
            f"{RefundStatus(target).label.lower()}.",
            code="invalid_transition",
            field="status",
        )
    refund.status = target


# ---------------------------------------------------------------- verbs


@transaction.atomic
def request_refund(
    *,
    order: Order,
    items: Sequence[RefundItem],
    actor: User | None,
    ticket: Ticket | None = None,
    withholdings: Sequence[Withholding] = (),
    amount: object | None = None,
) -> Refund:
    """Ask for money back for some items; the amount defaults to all they cost, fees included.

    ``amount`` may be given only to confirm the total: anything lower than what
    was paid must be explained by withholdings with reasons.
    """
    from rightdesk.commerce.services.routing import find_open_ticket_for_order, link_ticket_to_order
    from rightdesk.tickets.services import append_event, create_ticket

    if actor is None or not is_agent(actor):
        raise Forbidden("Only agents can request refunds.")
    order = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
    quote = quote_refund(order=order, items=items, withholdings=withholdings)
    if amount is not None:
        stated = parse_amount(amount, order.currency, field="amount")
        if stated > quote.paid_for_items:
            raise Invalid(
                f"The customer paid {format_money(quote.paid_for_items, order.currency)} "
                "for these items.",
                code="amount_exceeds_paid",
                field="amount",
            )
        if stated < quote.amount:
            raise Invalid(
                "Keeping back any part of a refund needs a withholding with a reason the "
                "customer will read.",
                code="withholding_reason_required",
                field="amount",
            )
        if stated != quote.amount:
            raise Invalid(
                "The amount does not match the items less what is withheld.", field="amount"
            )
    if ticket is None:
        ticket = find_open_ticket_for_order(order)
    if ticket is None:
        ticket = create_ticket(
            customer=order.customer,
            subject=f"Refund for order {order.external_ref}",
            channel=Channel.API,
            actor=actor,
            owner=actor,
        )
    if ticket.customer_id != order.customer_id:
        raise Invalid("The ticket is about another customer.", field="ticket")
    link_ticket_to_order(
        ticket=ticket,
        order=order,
        actor=actor,
        lines=[q.order_line for q in quote.lines if not q.order_line.is_fee],
    )
    refund = Refund.objects.create(
        order=order,
        ticket=ticket,
        currency=order.currency,
        paid_for_items=quote.paid_for_items,
        withheld=quote.withheld,
        amount=quote.amount,
        requested_by=actor,
    )
    RefundLine.objects.bulk_create(
        [
            RefundLine(
                refund=refund,
                order_line=q.order_line,
                quantity=q.quantity,
                amount=q.amount,
                explanation=q.explanation[:200],
            )
            for q in quote.lines
        ]
    )
    RefundWithholding.objects.bulk_create(
        [
            RefundWithholding(refund=refund, label=label, amount=value, reason=reason)
            for label, value, reason in quote.withholdings
        ]
    )
    append_event(
        ticket=ticket,
        kind=EventKinds.REFUND_REQUESTED,
        actor=actor,
        data={
            "refund": refund.pk,
            "order": order.external_ref,
            "currency": order.currency,
            "paid_for_items": str(quote.paid_for_items),
            "withheld": str(quote.withheld),
            "amount": str(quote.amount),
            "withholdings": [
                {"label": lbl, "amount": str(v), "reason": r} for lbl, v, r in quote.withholdings
            ],
        },
    )
    return refund


@transaction.atomic
def approve_refund(*, refund: Refund, actor: User | None, at: datetime | None = None) -> Refund:
    """Approve a refund; from now the refund promise runs (default 2 business days)."""

    refund = _lock(refund)
    agent = _require_decider(actor, refund)
    _transition(refund, RefundStatus.APPROVED)
    now = at or timezone.now()
    days = refund_policy().pay_within_business_days
    refund.approved_by = agent
    refund.approved_at = now
    refund.sla_business_days = days
    team = refund.ticket.team if refund.ticket is not None else None
    refund.due_at = add_business_days(now, days, hours_for_team(team))
    refund.promise_state = PromiseState.OPEN
    if refund.ticket is not None:
        refund.commitment = create_commitment(
            ticket=refund.ticket,
            actor=agent,
            kind=CommitmentKind.REFUND,
            due_at=refund.due_at,
            owner=agent,
            at=now,
            promised_text=f"Refund of {format_money(refund.amount, refund.currency)} for order "
            f"{refund.order.external_ref} paid within {days} business days of approval",
        )
    refund.save()
    _refund_event(
        refund,
        EventKinds.REFUND_APPROVED,
        agent,
        now,
        amount=str(refund.amount),
        currency=refund.currency,
        due_at=refund.due_at.isoformat(),
        business_days=days,
        promise=f"Refund paid within {days} business days",
    )
    return refund


def _refund_event(
    refund: Refund, kind: str, actor: User | None, at: datetime, **data: object
) -> None:
    """Put a step of the refund on its ticket's timeline (when it has a ticket)."""
    from rightdesk.tickets.services import append_event

    if refund.ticket is not None:
        append_event(
            ticket=refund.ticket, kind=kind, actor=actor, at=at, data={"refund": refund.pk, **data}
        )


def _break_promise(refund: Refund, now: datetime) -> None:
    refund.promise_state = PromiseState.BROKEN
    refund.promise_broken_at = now
    _refund_event(
        refund,
        EventKinds.REFUND_PROMISE_BROKEN,
        None,
        now,
        due_at=refund.due_at.isoformat() if refund.due_at else None,
    )


@transaction.atomic
def pay_refund(
    *, refund: Refund, actor: User | None, payment_reference: str = "", at: datetime | None = None
) -> Refund:
    """Record that the money went back; on time keeps the promise, late breaks it.

    The customer receives the itemised statement (an automatic, factual notice).
    """
    from rightdesk.commerce.services.notifications import notify_customer

    refund = _lock(refund)
    agent = _require_decider(actor, refund)
    _transition(refund, RefundStatus.PAID)
    now = at or timezone.now()
    refund.paid_by = agent
    refund.paid_at = now
    refund.payment_reference = payment_reference.strip()[:100]
    if refund.promise_state == PromiseState.OPEN:
        if refund.due_at is not None and now > refund.due_at:
            _break_promise(refund, now)
        else:
            refund.promise_state = PromiseState.KEPT
    refund.save()
    if refund.commitment is not None and refund.commitment.status == CommitmentStatus.OPEN:
        keep_commitment(commitment=refund.commitment, actor=agent, at=now)  # late = broken
    _refund_event(
        refund,
        EventKinds.REFUND_PAID,
        agent,
        now,
        amount=str(refund.amount),
        currency=refund.currency,
        promise=refund.promise_state,
        reference=refund.payment_reference,
    )
    notify_customer(
        customer=refund.order.customer,
        ticket=refund.ticket,
        topic="refund_paid",
        subject=f"Refund for order {refund.order.external_ref} paid",
        body=refund_statement(refund),
    )
    return refund


@transaction.atomic
def decline_refund(*, refund: Refund, actor: User | None, reason: str) -> Refund:
    """Decline a refund; the customer is told why."""
    from rightdesk.commerce.services.notifications import notify_customer

    refund = _lock(refund)
    agent = _require_decider(actor, refund)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_CHARS:
        raise Invalid(
            "Declining a refund needs a reason the customer will read.",
            code="reason_required",
            field="reason",
        )
    _transition(refund, RefundStatus.DECLINED)
    now = timezone.now()
    refund.declined_by = agent
    refund.declined_at = now
    refund.decline_reason = reason[:2000]
    if refund.promise_state == PromiseState.OPEN:
        refund.promise_state = PromiseState.NONE
    refund.save()
    if refund.commitment is not None and refund.commitment.status == CommitmentStatus.OPEN:
        cancel_commitment(
            commitment=refund.commitment,
            actor=agent,
            at=now,
            reason=f"Refund declined: {refund.decline_reason}",
        )
    _refund_event(refund, EventKinds.REFUND_DECLINED, agent, now, reason=refund.decline_reason)
    notify_customer(
        customer=refund.order.customer,
        ticket=refund.ticket,
        topic="refund_declined",
        subject=f"Refund for order {refund.order.external_ref} declined",
        body=f"We declined the refund of {format_money(refund.amount, refund.currency)} for "
        f"order {refund.order.external_ref}.\nReason: {refund.decline_reason}\n"
        f"Declined by {agent_name(agent)}.",
    )
    return refund


def sweep_overdue_refunds(*, now: datetime | None = None) -> int:
    """Mark approved, unpaid refunds past their due time as broken promises (idempotent)."""
    moment = now or timezone.now()
    ids = list(
        Refund.objects.filter(
            status=RefundStatus.APPROVED, promise_state=PromiseState.OPEN, due_at__lt=moment
        ).values_list("pk", flat=True)[:500]
    )
    broken = 0
    for pk in ids:
        with transaction.atomic():
            refund = (
                Refund.objects.select_for_update(of=("self",)).select_related("ticket").get(pk=pk)
            )
            if refund.promise_state != PromiseState.OPEN or refund.status != RefundStatus.APPROVED:
                continue
            _break_promise(refund, moment)
            refund.save(update_fields=["promise_state", "promise_broken_at"])
            broken += 1
    return broken


# ---------------------------------------------------------------- reading


def refund_statement(refund: Refund) -> str:
    """The itemised statement the customer reads: every part paid, every part kept and why."""
    cur = refund.currency
    lines = [f"Refund for order {refund.order.external_ref}", ""]
    lines.append("What you paid for the refunded items:")
    for line in refund.lines.select_related("order_line").all():
        lines.append(f"  {line.explanation}: {format_money(line.amount, cur)}")
    lines.append(f"Total paid for these items: {format_money(refund.paid_for_items, cur)}")
    withholdings = list(refund.withholdings.all())
    if withholdings:
        lines.append("")
        lines.append("Kept back:")
        for part in withholdings:
            lines.append(f"  {part.label}: {format_money(part.amount, cur)}")
            lines.append(f"    Why: {part.reason}")
    lines.append("")
    if refund.status == RefundStatus.PAID and refund.paid_at is not None:
        ref = f" (reference {refund.payment_reference})" if refund.payment_reference else ""
        lines.append(
            f"Refunded to you: {format_money(refund.amount, cur)} on "
            f"{refund.paid_at:%Y-%m-%d}{ref}."
        )
    else:
        lines.append(f"To be refunded: {format_money(refund.amount, cur)}.")
    return "\n".join(lines)


def refunds_for_managers(*, now: datetime | None = None) -> QuerySet[Refund]:
    """Refunds a manager must look at: broken promises first, then approved ones by due time."""
    return (
        Refund.objects.filter(
            Q(promise_state=PromiseState.BROKEN)
            | Q(status__in=[RefundStatus.REQUESTED, RefundStatus.APPROVED])
        )
        .select_related("order", "order__customer", "ticket", "approved_by", "approved_by__agent")
        .annotate(broken_first=Case(When(promise_state=PromiseState.BROKEN, then=0), default=1))
        .order_by("broken_first", "due_at", "requested_at")
    )
