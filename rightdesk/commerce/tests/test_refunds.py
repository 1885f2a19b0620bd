"""Refunds: the full default amount with fees, reasons for withholding, the SLA promise."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from rightdesk.accounts.models import Team
from rightdesk.commerce.choices import PromiseState, RefundStatus
from rightdesk.commerce.models import Refund, StatusNotification
from rightdesk.commerce.services.orders import LineInput, OrderInput, record_order
from rightdesk.commerce.services.refunds import (
    RefundItem,
    Withholding,
    add_business_days,
    approve_refund,
    decline_refund,
    pay_refund,
    quote_refund,
    request_refund,
    sweep_overdue_refunds,
)
from rightdesk.commerce.tests.factories import PLACED, seed001_order, shop
from rightdesk.core.errors import Conflict, Forbidden, Invalid
from rightdesk.customers.models import Customer
from rightdesk.sla.hours import BusinessHours

CHICAGO = ZoneInfo("America/Chicago")


def test_business_days_skip_the_weekend() -> None:
    hours = BusinessHours(zone=CHICAGO)
    monday = datetime(2025, 3, 3, 10, 0, tzinfo=CHICAGO)
    assert add_business_days(monday, 2, hours) == datetime(2025, 3, 6, 0, 0, tzinfo=CHICAGO)
    friday = datetime(2025, 3, 7, 16, 0, tzinfo=CHICAGO)
    assert add_business_days(friday, 2, hours) == datetime(2025, 3, 12, 0, 0, tzinfo=CHICAGO)
    saturday = datetime(2025, 3, 8, 9, 0, tzinfo=CHICAGO)
    assert add_business_days(saturday, 2, hours) == datetime(2025, 3, 12, 0, 0, tzinfo=CHICAGO)


def test_business_days_skip_public_holidays_and_closures() -> None:
    # Approved the Wednesday before Thanksgiving 2025 (27 Nov): Thursday is a US
    # holiday, the shop closes on Friday 28 too, so day 1 is Monday, day 2 Tuesday.
    hours = BusinessHours(zone=CHICAGO, country="US", closed_dates=[date(2025, 11, 28)])
    wednesday = datetime(2025, 11, 26, 15, 0, tzinfo=CHICAGO)
    assert add_business_days(wednesday, 2, hours) == datetime(2025, 12, 3, 0, 0, tzinfo=CHICAGO)


def test_one_item_takes_its_proportional_share_of_the_order_fee(customer: Customer) -> None:
    order = seed001_order(customer)
    _licence, plugin = order.lines.order_by("position")[:2]
    quote = quote_refund(order=order, items=[RefundItem(line_id=plugin.pk)])
    assert [(q.order_line.product, q.amount) for q in quote.lines] == [
        ("Plugin pack", Decimal("40.00")),
        ("Card processing fee", Decimal("1.20")),
    ]
    assert quote.lines[1].explanation == (
        "Card processing fee: share for these items (USD 40.00 of USD 100.00 in items)"
    )
    assert quote.amount == Decimal("41.20")


def test_rounding_never_keeps_a_cent_of_the_fee(customer: Customer, agent: User) -> None:
    order, _ = record_order(
        source=shop(),
        data=OrderInput(
            external_ref="R-3",
            placed_at=PLACED,
            currency="EUR",
            customer_id=customer.pk,
            lines=[LineInput(product=f"Book {n}", unit_price="10.00") for n in (1, 2, 3)]
            + [LineInput(product="Shipping", kind="fee", fee_kind="shipping", unit_price="1.00")],
        ),
    )
    books = list(order.lines.filter(kind="physical").order_by("position"))
    amounts = [
        request_refund(order=order, items=[RefundItem(line_id=b.pk)], actor=agent).amount
        for b in books
    ]
    assert amounts == [Decimal("10.33"), Decimal("10.33"), Decimal("10.34")]
    assert sum(amounts) == Decimal("31.00")


def test_an_item_cannot_be_refunded_twice(customer: Customer, agent: User) -> None:
    order = seed001_order(customer)
    plugin = order.lines.get(product="Plugin pack")
    request_refund(order=order, items=[RefundItem(line_id=plugin.pk)], actor=agent)
    with pytest.raises(Conflict) as err:
        request_refund(order=order, items=[RefundItem(line_id=plugin.pk)], actor=agent)
    assert err.value.code == "already_refunded"
    assert Refund.objects.count() == 1


def test_withholding_with_a_reason_is_shown_in_the_paid_notice(
    customer: Customer,
    agent: User,
    manager: User,
    django_capture_on_commit_callbacks: object,
    mailoutbox: list[object],
) -> None:
    order = seed001_order(customer)
    items = [RefundItem(line_id=line.pk) for line in order.lines.exclude(kind="fee")]
    refund = request_refund(
        order=order,
        items=items,
        actor=agent,
        withholdings=[
            Withholding(
                label="Card processing fee",
                amount="3.00",
                reason="The card company does not return this fee to us.",
            )
        ],
    )
    assert (refund.paid_for_items, refund.withheld, refund.amount) == (
        Decimal("103.00"),
        Decimal("3.00"),
        Decimal("100.00"),
    )
    approve_refund(refund=refund, actor=manager)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        pay_refund(refund=refund, actor=manager, payment_reference="re_77")
    note = StatusNotification.objects.get(topic="refund_paid")
    assert note.status == "sent"
    assert "Kept back:\n  Card processing fee: USD 3.00\n" in note.body
    assert "Why: The card company does not return this fee to us." in note.body
    assert "Refunded to you: USD 100.00" in note.body
    assert "automatic status update" in note.body
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["maria@example.com"]  # type: ignore[attr-defined]


def test_status_updates_respect_the_customer_preference(
    customer: Customer,
    agent: User,
    manager: User,
    django_capture_on_commit_callbacks: object,
    mailoutbox: list[object],
) -> None:
    from rightdesk.commerce.services.notifications import set_status_update_preference

    set_status_update_preference(customer=customer, by_email=False)
    order = seed001_order(customer)
    refund = request_refund(
        order=order, actor=agent, items=[RefundItem(line_id=order.lines.first().pk)]
    )  # type: ignore[union-attr]
    approve_refund(refund=refund, actor=manager)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        pay_refund(refund=refund, actor=manager)
    note = StatusNotification.objects.get()
    assert note.status == "skipped"
    assert note.skip_reason == "The customer chose not to receive status updates by e-mail."
    assert mailoutbox == []


def test_agent_of_another_team_cannot_approve(
    customer: Customer, agent: User, manager: User, team: Team
) -> None:
    from rightdesk.accounts.services import create_agent, create_team
    from rightdesk.tickets.services import assign_ticket

    order = seed001_order(customer)
    refund = request_refund(
        order=order, actor=agent, items=[RefundItem(line_id=order.lines.first().pk)]
    )  # type: ignore[union-attr]
    assign_ticket(ticket=refund.ticket, actor=agent, owner=agent, team=team)  # type: ignore[arg-type]
    workshop = create_team(name="Workshop")
    outsider = create_agent(username="olga", display_name="Olga", teams=[workshop])
    with pytest.raises(Forbidden):
        approve_refund(refund=refund, actor=outsider)
    refund.refresh_from_db()
    assert (refund.status, refund.approved_at, refund.due_at) == ("requested", None, None)
    approve_refund(refund=refund, actor=agent)  # a member of the ticket's team may
    refund.refresh_from_db()
    assert refund.status == RefundStatus.APPROVED


def test_declining_needs_a_reason_and_tells_the_customer(
    customer: Customer, agent: User, manager: User
) -> None:
    order = seed001_order(customer)
    refund = request_refund(
        order=order, actor=agent, items=[RefundItem(line_id=order.lines.first().pk)]
    )  # type: ignore[union-attr]
    with pytest.raises(Invalid) as err:
        decline_refund(refund=refund, actor=manager, reason=" ")
    assert err.value.code == "reason_required"
    assert Refund.objects.get().status == "requested"
    decline_refund(refund=refund, actor=manager, reason="The licence was used for 11 months.")
    note = StatusNotification.objects.get()
    assert note.topic == "refund_declined"
    assert "Reason: The licence was used for 11 months." in note.body
    # Declined items can be asked for again.
    again = request_refund(
        order=order, actor=agent, items=[RefundItem(line_id=order.lines.first().pk)]
    )  # type: ignore[union-attr]
    assert again.amount == Decimal("61.80")


def test_the_sweep_breaks_an_unpaid_overdue_promise_once(
    customer: Customer, agent: User, manager: User
) -> None:
    order = seed001_order(customer)
    refund = request_refund(
        order=order, actor=agent, items=[RefundItem(line_id=order.lines.first().pk)]
    )  # type: ignore[union-attr]
    approve_refund(refund=refund, actor=manager, at=datetime(2025, 3, 3, 15, 0, tzinfo=UTC))
    assert sweep_overdue_refunds(now=datetime(2025, 3, 5, 23, 0, tzinfo=UTC)) == 0
    assert sweep_overdue_refunds(now=datetime(2025, 3, 6, 7, 0, tzinfo=UTC)) == 1
    assert sweep_overdue_refunds(now=datetime(2025, 3, 6, 8, 0, tzinfo=UTC)) == 0
    refund.refresh_from_db()
    assert refund.promise_state == PromiseState.BROKEN
    assert refund.ticket is not None
    assert refund.ticket.events.filter(kind="refund_promise_broken").count() == 1
