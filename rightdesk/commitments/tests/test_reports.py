"""The manager view's figures, computed from a day built through the services,
and flat query counts for the promise lists."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rightdesk.accounts.models import Team
from rightdesk.accounts.services import issue_token
from rightdesk.commitments.choices import Kind
from rightdesk.commitments.reports import manager_report
from rightdesk.commitments.services import create_commitment, sweep_commitments
from rightdesk.customers.models import Customer
from rightdesk.tickets.choices import CallDirection, Channel, Status
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.services import (
    add_inbound_message,
    change_status,
    create_ticket,
    log_call,
    send_reply,
)

CHICAGO = ZoneInfo("America/Chicago")
MONDAY = datetime(2026, 3, 9, tzinfo=CHICAGO)


def at(hour: int, minute: int = 0) -> datetime:
    return MONDAY + timedelta(hours=hour, minutes=minute)


def test_manager_report_figures(
    clock: Any, team: Team, agent: User, other_agent: User, manager: User, customer: Customer
) -> None:
    team.manager = manager
    team.save()
    clock.set(at(9))
    kept_ticket = create_ticket(
        customer=customer,
        subject="Brakes",
        body_text="Squeaky brakes",
        team=team,
        owner=agent,
        channel=Channel.WEB,
    )
    broken_ticket = create_ticket(
        customer=customer,
        subject="Tyres",
        body_text="Need tyres",
        team=team,
        owner=other_agent,
        channel=Channel.WEB,
    )
    clock.set(at(10))
    send_reply(ticket=kept_ticket, actor=agent, body_text="I'll call you back by 3pm.")
    clock.set(at(11))
    send_reply(ticket=broken_ticket, actor=other_agent, body_text="I'll send the estimate by noon.")
    clock.set(at(12))
    assert sweep_commitments(now=at(12)) == {"broken": 1, "reminded": 0}
    clock.set(at(12, 30))
    add_inbound_message(ticket=broken_ticket, body_text="Any news?")
    clock.set(at(13))
    change_status(ticket=broken_ticket, actor=other_agent, status=Status.RESOLVED)
    clock.set(at(14))
    log_call(
        ticket=kept_ticket,
        actor=agent,
        direction=CallDirection.OUTBOUND,
        summary="Called: pads replaced.",
    )

    report = manager_report(
        start=MONDAY, end=MONDAY + timedelta(days=2), now=at(14), day_start=MONDAY
    )
    by_agent = {row.name: row for row in report.agents}
    # Dana kept the acknowledgment's reply promise and her call-back; Sam kept the
    # acknowledgment and broke the estimate.
    assert {
        name: (r.kept, r.broken, r.kept_rate, r.chases, r.median_first_response_minutes)
        for name, r in by_agent.items()
    } == {
        "Dana Price": (2, 0, 1.0, 0, 60.0),
        "Sam Ortiz": (1, 1, 0.5, 1, 120.0),
    }
    [front_desk] = report.teams
    assert (
        front_desk.name,
        front_desk.kept,
        front_desk.broken,
        front_desk.kept_rate,
        front_desk.chases,
        front_desk.median_first_response_minutes,
    ) == ("Front desk", 3, 1, 0.75, 1, 90.0)
    assert [c.kind for c in report.broken] == [Kind.ESTIMATE]
    assert [c.ticket_id for c in report.chases] == [broken_ticket.pk]
    assert (report.resolved_tickets, report.chases_per_resolved_ticket) == (1, 1.0)
    assert report.overdue == []


def _promises(ticket: Ticket, agent: User, count: int) -> None:
    for n in range(count):
        create_commitment(
            ticket=ticket,
            actor=agent,
            kind=Kind.REPLY,
            due_at=timezone.now() + timedelta(hours=n + 1),
            promised_text=f"#{n}",
        )


@pytest.mark.parametrize("path", ["/desk/promises/", "/api/v1/commitments/?owner=me"])
def test_promise_lists_use_a_flat_number_of_queries(
    path: str, team: Team, agent: User, customer: Customer
) -> None:
    ticket = create_ticket(
        customer=customer,
        subject="Many",
        channel=Channel.PHONE,
        team=team,
        owner=agent,
        actor=agent,
    )
    client = Client()
    if path.startswith("/api"):
        _, raw = issue_token(user=agent, name="t")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    else:
        client.force_login(agent)
    client.get(path, secure=True)  # warm up: token last-use and session writes
    counts = []
    for extra in (2, 20):
        _promises(ticket, agent, extra)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, secure=True)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
