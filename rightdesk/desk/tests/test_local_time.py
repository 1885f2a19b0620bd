"""Agents read times in their team's time zone, chosen once at sign-in."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.models import User
from django.test import Client

from rightdesk.customers.models import Customer
from rightdesk.tickets.services import create_ticket


def test_case_page_shows_times_in_the_agents_team_zone(
    client: Client, agent: User, customer: Customer
) -> None:
    # The agent's team (fixture) works in America/Chicago: 15:00 UTC is 10:00 CDT.
    ticket = create_ticket(
        customer=customer,
        subject="Brakes",
        body_text="They squeal.",
        at=datetime(2026, 3, 9, 15, 0, tzinfo=UTC),
    )
    response = client.post(
        "/desk/login/", {"username": "dana", "password": "dana-pass-123"}, secure=True
    )
    assert response.status_code == 302
    page = client.get(f"/desk/tickets/{ticket.reference}/", secure=True).content.decode()
    assert "2026-03-09 10:00" in page
    assert "2026-03-09 15:00" not in page
