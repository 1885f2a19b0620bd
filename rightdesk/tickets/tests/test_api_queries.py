"""Every list endpoint runs the same number of queries for 3 rows as for 30."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rightdesk.accounts.models import Team
from rightdesk.accounts.services import create_agent, issue_token
from rightdesk.customers.models import Customer
from rightdesk.customers.services import create_customer, record_fact
from rightdesk.tickets.choices import CallDirection
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.services import (
    add_note,
    assign_ticket,
    create_ticket,
    log_call,
    send_reply,
)


def _count(client: Client, path: str, **params: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path, params, secure=True)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Agents are created in bulk here; slow password hashing would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client(agent: User) -> Client:
    _, raw = issue_token(user=agent, name="queries")
    c = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    c.get("/api/v1/accounts/me", secure=True)  # first use stamps last_used_at; keep it out
    return c


def _grow(n: int, make: Callable[[int], object], start: int = 0) -> None:
    for i in range(start, start + n):
        make(i)


def _ticket_for(customer: Customer, agent: User, other: User, team: Team, i: int) -> Ticket:
    owner = agent if i % 2 == 0 else other
    ticket = create_ticket(
        customer=customer,
        subject=f"Ticket {i}",
        body_text=f"Help {i}",
        team=team,
        owner=owner,
        actor=owner,
    )
    send_reply(ticket=ticket, actor=owner, body_text=f"On it {i}")
    return ticket


@pytest.mark.parametrize("view", ["mine", "team", "all"])
def test_queue_queries_do_not_grow(
    client: Client, agent: User, other_agent: User, team: Team, customer: Customer, view: str
) -> None:
    def make(i: int) -> None:
        _ticket_for(customer, agent, other_agent, team, i)

    _grow(3, make)
    small = _count(client, "/api/v1/tickets/", view=view, limit=200)
    _grow(27, make, start=3)
    big = _count(client, "/api/v1/tickets/", view=view, limit=200)
    page = client.get("/api/v1/tickets/", {"view": view, "limit": 200}, secure=True).json()
    assert len(page["items"]) == (15 if view == "mine" else 30)
    assert small == big


def test_unassigned_queue_queries_do_not_grow(client: Client, customer: Customer) -> None:
    def make(i: int) -> None:
        create_ticket(customer=customer, subject=f"New {i}", body_text="Hello?")

    _grow(3, make)
    small = _count(client, "/api/v1/tickets/", view="unassigned")
    _grow(27, make, start=3)
    assert _count(client, "/api/v1/tickets/", view="unassigned") == small


def test_messages_and_timeline_queries_do_not_grow(
    client: Client, agent: User, other_agent: User, customer: Customer
) -> None:
    ticket = create_ticket(
        customer=customer, subject="Long case", body_text="Start", owner=agent, actor=agent
    )
    ref = ticket.reference
    agents = [agent, other_agent]

    def make(i: int) -> None:
        actor = agents[i % 2]
        add_note(ticket=ticket, actor=actor, body_text=f"Note {i}")
        log_call(ticket=ticket, actor=actor, direction=CallDirection.OUTBOUND, summary=f"Call {i}")
        record_fact(customer=customer, label=f"Fact {i}", value=str(i), actor=actor, ticket=ticket)
        new_owner = agents[(i + 1) % 2]
        assign_ticket(ticket=ticket, actor=actor, owner=new_owner, note=f"Over to you {i}")

    _grow(1, make)
    small = (
        _count(client, f"/api/v1/tickets/{ref}/messages", limit=200),
        _count(client, f"/api/v1/tickets/{ref}/timeline", limit=200),
        _count(client, f"/api/v1/tickets/{ref}"),
    )
    _grow(14, make, start=1)
    big = (
        _count(client, f"/api/v1/tickets/{ref}/messages", limit=200),
        _count(client, f"/api/v1/tickets/{ref}/timeline", limit=200),
        _count(client, f"/api/v1/tickets/{ref}"),
    )
    timeline = client.get(f"/api/v1/tickets/{ref}/timeline", {"limit": 200}, secure=True).json()
    assert len(timeline["items"]) >= 30
    assert small == big


def test_customer_and_fact_lists_queries_do_not_grow(client: Client, agent: User) -> None:
    customer = create_customer(name="Fact Holder", emails=["holder@example.com"])

    def make(i: int) -> None:
        create_customer(
            name=f"Customer {i}",
            emails=[f"c{i}@example.com"],
            phones=[f"+1 312 555 {1000 + i}"],
            account_owner=agent,
        )
        record_fact(customer=customer, label=f"Fact {i}", value=str(i), actor=agent)

    _grow(3, make)
    small = (
        _count(client, "/api/v1/customers/", limit=200),
        _count(client, f"/api/v1/customers/{customer.pk}/facts", limit=200),
    )
    _grow(27, make, start=3)
    big = (
        _count(client, "/api/v1/customers/", limit=200),
        _count(client, f"/api/v1/customers/{customer.pk}/facts", limit=200),
    )
    assert len(client.get("/api/v1/customers/", {"limit": 200}, secure=True).json()["items"]) == 31
    assert small == big


def test_token_and_agent_lists_queries_do_not_grow(client: Client, agent: User, team: Team) -> None:
    def make(i: int) -> None:
        issue_token(user=agent, name=f"t{i}")
        create_agent(username=f"agent{i}", display_name=f"Agent {i}", teams=[team])

    _grow(3, make)
    small = (
        _count(client, "/api/v1/accounts/tokens", limit=200),
        _count(client, "/api/v1/accounts/agents", limit=200),
    )
    _grow(27, make, start=3)
    big = (
        _count(client, "/api/v1/accounts/tokens", limit=200),
        _count(client, "/api/v1/accounts/agents", limit=200),
    )
    assert (
        len(client.get("/api/v1/accounts/tokens", {"limit": 200}, secure=True).json()["items"])
        == 31
    )
    assert small == big


def test_a_batch_costs_the_same_statements_for_2_or_6_tickets(
    client: Client, customer: Customer, agent: User, team: Team
) -> None:
    """Policies, calendars and customers are read once, and each kind of row
    (tickets, messages, events, scores, clocks) is written in one INSERT."""

    def batch_queries(n: int) -> list[str]:
        items = [
            {
                "customer_id": customer.pk,
                "subject": f"Batch {i}",
                "body_text": "Hello",
                "team_id": team.pk,
                "owner_id": agent.pk,
            }
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as ctx:
            r = client.post(
                "/api/v1/tickets/batch",
                {"tickets": items},
                content_type="application/json",
                secure=True,
            )
        assert r.status_code == 201, r.content
        return [q["sql"] for q in ctx.captured_queries]

    small, large = batch_queries(2), batch_queries(6)
    assert len(small) == len(large)
    inserts = [q for q in large if q.lstrip().upper().startswith("INSERT")]
    tables = sorted(q.split('"')[1] for q in inserts)
    assert tables == [
        "quality_messagesentiment",
        "sla_ticketsla",
        "tickets_event",
        "tickets_message",
        "tickets_ticket",
    ]
    assert Ticket.objects.filter(subject__startswith="Batch ").count() == 8
