"""SLA clocks on real tickets: policy choice, at-risk, pauses, breaches recorded once."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from rightdesk.accounts.models import Team
from rightdesk.customers.models import Customer
from rightdesk.notifications.models import Notification, NotificationKind
from rightdesk.sla.choices import ClockState, Metric, SlaEvent
from rightdesk.sla.models import Breach, BusinessCalendar, OpeningSpan, SlaPolicy
from rightdesk.sla.services import policy_for, sweep_sla, ticket_clocks
from rightdesk.tickets.choices import Channel, Status
from rightdesk.tickets.models import Event
from rightdesk.tickets.services import (
    add_inbound_message,
    change_status,
    create_ticket,
    send_reply,
)

CHICAGO = ZoneInfo("America/Chicago")
MONDAY_9 = datetime(2026, 3, 9, 9, 0, tzinfo=CHICAGO)


@pytest.fixture
def hours(team: Team) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.create(name="Desk", team=team, time_zone="America/Chicago")
    for weekday in range(5):
        OpeningSpan.objects.create(
            calendar=calendar, weekday=weekday, opens=time(9), closes=time(17)
        )
    SlaPolicy.objects.create(
        name="Everyone",
        first_response_minutes=240,
        next_response_minutes=120,
        resolution_minutes=960,
    )
    return calendar


def test_most_specific_policy_wins(db: None) -> None:
    anyone = SlaPolicy.objects.create(name="Anyone", first_response_minutes=480)
    urgent = SlaPolicy.objects.create(name="Urgent", priority=4, first_response_minutes=60)
    vip_urgent = SlaPolicy.objects.create(
        name="VIP urgent", priority=4, tier="vip", first_response_minutes=15
    )
    SlaPolicy.objects.create(name="Off", active=False, priority=4, tier="vip", channel="email")
    assert policy_for(priority=2, channel="email", tier="standard") == anyone
    assert policy_for(priority=4, channel="email", tier="standard") == urgent
    assert policy_for(priority=4, channel="email", tier="vip") == vip_urgent


def test_clock_goes_at_risk_then_breaches_once_with_event_and_notifications(
    clock: Any,
    hours: BusinessCalendar,
    team: Team,
    agent: User,
    manager: User,
    customer: Customer,
) -> None:
    team.manager = manager
    team.save()
    clock.set(MONDAY_9)
    ticket = create_ticket(
        customer=customer,
        subject="Broken screen",
        body_text="Help",
        team=team,
        owner=agent,
        channel=Channel.WEB,
    )
    first = ticket_clocks(ticket=ticket, now=MONDAY_9 + timedelta(hours=2))[0]
    assert (first.metric, first.due_at, first.state, first.fraction_left) == (
        Metric.FIRST_RESPONSE,
        MONDAY_9 + timedelta(hours=4),
        ClockState.RUNNING,
        0.5,
    )
    at_risk = ticket_clocks(ticket=ticket, now=MONDAY_9 + timedelta(hours=3, minutes=15))[0]
    assert (at_risk.state, at_risk.fraction_left) == (ClockState.AT_RISK, 0.1875)

    assert sweep_sla(now=MONDAY_9 + timedelta(hours=3, minutes=59)) == 0
    assert sweep_sla(now=MONDAY_9 + timedelta(hours=4, minutes=1)) == 1
    assert sweep_sla(now=MONDAY_9 + timedelta(hours=4, minutes=2)) == 0
    assert sweep_sla(now=MONDAY_9 + timedelta(hours=9)) == 0
    breach = Breach.objects.get()
    assert (breach.metric, breach.due_at, breach.owner) == (
        Metric.FIRST_RESPONSE,
        MONDAY_9 + timedelta(hours=4),
        agent,
    )
    assert Event.objects.filter(ticket=ticket, kind=SlaEvent.BREACHED).count() == 1
    assert sorted(
        Notification.objects.filter(kind=NotificationKind.BREACH).values_list(
            "recipient__username", flat=True
        )
    ) == ["dana", "morgan"]


def test_waiting_on_customer_pauses_the_clocks(
    clock: Any, hours: BusinessCalendar, team: Team, agent: User, customer: Customer
) -> None:
    clock.set(MONDAY_9)
    ticket = create_ticket(
        customer=customer, subject="Invoice", body_text="Need invoice", team=team, owner=agent
    )
    clock.set(MONDAY_9 + timedelta(hours=1))
    send_reply(
        ticket=ticket,
        actor=agent,
        body_text="Which order is it about?",
        at=MONDAY_9 + timedelta(hours=1),
    )
    change_status(ticket=ticket, actor=agent, status=Status.WAITING_CUSTOMER)
    clock.set(MONDAY_9 + timedelta(days=1))  # Tuesday 09:00: a whole business day paused
    ticket.refresh_from_db()
    paused = {c.metric: c for c in ticket_clocks(ticket=ticket)}
    assert paused[Metric.FIRST_RESPONSE].state == ClockState.MET
    assert paused[Metric.RESOLUTION].state == ClockState.PAUSED
    assert sweep_sla(now=MONDAY_9 + timedelta(days=3)) == 0

    clock.set(MONDAY_9 + timedelta(days=1, hours=1))  # Tuesday 10:00 the customer answers
    add_inbound_message(ticket=ticket, body_text="Order 5512, thanks.")
    ticket.refresh_from_db()
    clocks = {c.metric: c for c in ticket_clocks(ticket=ticket)}
    # Resolution: 16 business hours from Monday 09:00, not counting the pause
    # from Monday 10:00 to Tuesday 10:00 (8 business hours) -> Wednesday 17:00.
    assert clocks[Metric.RESOLUTION].due_at == datetime(2026, 3, 11, 17, 0, tzinfo=CHICAGO)
    # Next response: 2 business hours after the customer wrote.
    assert clocks[Metric.NEXT_RESPONSE].due_at == datetime(2026, 3, 10, 12, 0, tzinfo=CHICAGO)
    assert Breach.objects.count() == 0


def test_a_call_taken_by_an_agent_is_the_first_response(
    clock: Any, hours: BusinessCalendar, team: Team, agent: User, customer: Customer
) -> None:
    """The customer phoned and spoke to a person: nothing breaches for "no response"."""
    from rightdesk.tickets.choices import CallDirection
    from rightdesk.tickets.services import log_call

    clock.set(MONDAY_9)
    ticket = create_ticket(
        customer=customer, subject="Car won't start", channel=Channel.PHONE, team=team, actor=agent
    )
    clock.set(MONDAY_9 + timedelta(minutes=5))
    log_call(
        ticket=ticket,
        actor=agent,
        direction=CallDirection.INBOUND,
        summary="Maria called; car towed in, we will call back by 5pm.",
        duration_seconds=300,
    )
    first = ticket_clocks(ticket=ticket, now=MONDAY_9 + timedelta(days=3))[0]
    assert (first.metric, first.state, first.met_at) == (
        Metric.FIRST_RESPONSE,
        ClockState.MET,
        MONDAY_9 + timedelta(minutes=5),
    )
    assert sweep_sla(now=MONDAY_9 + timedelta(days=1)) == 0  # resolution still running
    sweep_sla(now=MONDAY_9 + timedelta(days=3))  # only resolution can breach by now
    assert not Breach.objects.filter(metric=Metric.FIRST_RESPONSE).exists()


def test_the_case_page_clocks_from_its_timeline_match_the_clocks_from_the_database(
    clock: Any, hours: BusinessCalendar, team: Team, agent: User, customer: Customer
) -> None:
    """The case page hands the messages and events it read to the SLA panel; the
    clocks it shows are the ones the sweep computes, with two queries fewer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rightdesk.tickets.models import Message
    from rightdesk.tickets.queries import Record
    from rightdesk.tickets.services import log_call

    clock.set(MONDAY_9)
    ticket = create_ticket(customer=customer, subject="Invoice", body_text="Need it", team=team)
    clock.set(MONDAY_9 + timedelta(minutes=30))
    log_call(ticket=ticket, actor=agent, direction="outbound", summary="Asked for the order.")
    change_status(ticket=ticket, actor=agent, status=Status.WAITING_CUSTOMER)
    clock.set(MONDAY_9 + timedelta(hours=3))
    add_inbound_message(ticket=ticket, body_text="Order 5512.")
    clock.set(MONDAY_9 + timedelta(hours=4))
    change_status(ticket=ticket, actor=agent, status=Status.WAITING_CUSTOMER)
    clock.set(MONDAY_9 + timedelta(hours=5))
    ticket.refresh_from_db()
    record = Record(
        messages=list(Message.objects.filter(ticket=ticket)),
        events=list(Event.objects.filter(ticket=ticket)),
    )
    with CaptureQueriesContext(connection) as by_query:
        expected = ticket_clocks(ticket=ticket)
    with CaptureQueriesContext(connection) as from_record:
        shown = ticket_clocks(ticket=ticket, record=record)
    assert shown == expected
    states = {c.metric: c.state for c in shown}
    assert states[Metric.FIRST_RESPONSE] == ClockState.MET  # the call answered
    assert states[Metric.RESOLUTION] == ClockState.PAUSED  # waiting on the customer again
    assert len(from_record) == len(by_query) - 2
