"""Refreshing a ticket's clocks after a customer message: right answer, few queries."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rightdesk.accounts.models import Team
from rightdesk.customers.models import Customer, Tier
from rightdesk.sla.models import BusinessCalendar, OpeningSpan, SlaPolicy, TicketSla
from rightdesk.sla.services import refresh_ticket_sla
from rightdesk.tickets.choices import Channel
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.services import create_ticket


def _fresh(ticket: Ticket) -> Ticket:
    """The ticket as a service that re-reads it sees it: no customer or team loaded."""
    return Ticket.objects.get(pk=ticket.pk)


def test_a_tier_policy_still_applies_when_the_customer_is_not_loaded(
    team: Team, customer: Customer
) -> None:
    Customer.objects.filter(pk=customer.pk).update(tier=Tier.VIP)
    customer.refresh_from_db()
    SlaPolicy.objects.create(name="All", first_response_minutes=600)
    vip = SlaPolicy.objects.create(name="VIP", tier=Tier.VIP, first_response_minutes=30)
    SlaPolicy.objects.create(name="Priority", tier=Tier.PRIORITY, first_response_minutes=60)
    ticket = create_ticket(
        customer=customer,
        subject="Late parcel",
        body_text="Where is it?",
        channel=Channel.EMAIL,
        team=team,
    )
    row = refresh_ticket_sla(ticket=_fresh(ticket))
    assert row.policy_id == vip.pk
    assert TicketSla.objects.get(ticket=ticket).policy_id == vip.pk


def test_the_team_calendar_wins_over_the_default_without_loading_the_team(
    team: Team, customer: Customer
) -> None:
    default = BusinessCalendar.objects.create(name="A default", time_zone="UTC")
    own = BusinessCalendar.objects.create(name="B desk", team=team, time_zone="Asia/Tokyo")
    for calendar in (default, own):
        OpeningSpan.objects.create(calendar=calendar, weekday=0, opens=time(9), closes=time(17))
    sunday = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    ticket = create_ticket(
        customer=customer,
        subject="Late parcel",
        body_text="Where is it?",
        channel=Channel.EMAIL,
        team=team,
        at=sunday,
    )
    expected = TicketSla.objects.get(ticket=ticket).first_response_due
    with CaptureQueriesContext(connection) as captured:
        row = refresh_ticket_sla(ticket=_fresh(ticket), now=ticket.created_at)
    assert row.first_response_due == expected
    # Open Mondays 09:00-17:00 in Tokyo; the default target is 8 business hours.
    assert row.first_response_due == datetime(2026, 3, 9, 17, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert not any('"accounts_team"' in q["sql"] for q in captured.captured_queries)


@pytest.mark.parametrize("with_policy", [False, True])
def test_refreshing_after_a_customer_message_takes_seven_queries(
    team: Team, customer: Customer, with_policy: bool
) -> None:
    if with_policy:
        SlaPolicy.objects.create(name="All", first_response_minutes=240)
    ticket = create_ticket(
        customer=customer,
        subject="Late parcel",
        body_text="Where is it?",
        channel=Channel.EMAIL,
        team=team,
    )
    fresh = _fresh(ticket)
    with CaptureQueriesContext(connection) as captured:
        refresh_ticket_sla(ticket=fresh)
    # Row lock, policy, first reply, pauses, calendar, team zone, update (was 9).
    assert len([q for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]) == 7
