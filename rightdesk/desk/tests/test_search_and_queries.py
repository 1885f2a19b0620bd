"""The search page, and query counts that do not grow with the data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rightdesk.customers.models import Customer
from rightdesk.customers.services import create_customer, record_fact
from rightdesk.tickets.choices import CallDirection, Status
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.services import (
    add_inbound_message,
    add_note,
    assign_ticket,
    change_status,
    create_ticket,
    log_call,
    send_reply,
)


@pytest.fixture
def desk(client: Client, agent: User) -> Client:
    client.force_login(agent)
    return client


# ---------------------------------------------------------------- search


def test_search_finds_tickets_by_message_words_and_customers(
    desk: Client, customer: Customer, agent: User
) -> None:
    hit = create_ticket(
        customer=customer, subject="Car pickup", body_text="The gearbox makes a <grinding> noise."
    )
    create_ticket(customer=customer, subject="Invoice", body_text="Please send a copy.")

    html = desk.get("/desk/search/?q=gearbox").content.decode()

    results = html.split('class="plain search-results"')[1].split("</ol>")[0]
    assert hit.reference in results and "Car pickup" in results
    assert "Invoice" not in results
    assert "&lt;grinding&gt;" in results and "<grinding>" not in results  # snippet escaped
    people = desk.get("/desk/search/?q=Gonzalez").content.decode()
    assert f'href="/desk/customers/{customer.pk}/">Maria Gonzalez</a>' in people


def test_search_status_filter(desk: Client, customer: Customer, agent: User) -> None:
    open_one = create_ticket(customer=customer, subject="Brake noise", owner=agent, actor=agent)
    done = create_ticket(customer=customer, subject="Brake pads", owner=agent, actor=agent)
    change_status(ticket=done, actor=agent, status=Status.RESOLVED)

    html = desk.get("/desk/search/?q=brake&status=resolved").content.decode()

    results = html.split('class="plain search-results"')[1].split("</ol>")[0]
    assert done.reference in results and open_one.reference not in results


def test_search_with_bad_filter_is_a_message_not_a_500(desk: Client, db: None) -> None:
    response = desk.get("/desk/search/?q=brake&status=bogus")
    assert response.status_code == 422
    assert 'class="errors"' in response.content.decode()


def test_empty_search_shows_only_the_form(desk: Client, db: None) -> None:
    html = desk.get("/desk/search/").content.decode()
    assert 'id="search-q"' in html and "search-results" not in html


# ---------------------------------------------------------------- query counts


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm caches (content types, sessions) so only the page is counted
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _fill_queue(count: int, customer: Customer, agent: User, other: User) -> None:
    start = timezone.now() - timedelta(minutes=30)
    for i in range(count):
        ticket = create_ticket(
            customer=customer,
            subject=f"Ticket {i}",
            body_text="Hello?",
            owner=agent if i % 2 else other,
            actor=agent,
            at=start + timedelta(seconds=i),
        )
        if i % 3 == 0:
            add_note(ticket=ticket, actor=agent, body_text="Looked at it.")
    for i in range(count // 4):  # old unowned tickets: the problems box
        create_ticket(
            customer=customer,
            subject=f"Lost {i}",
            body_text="Anyone?",
            at=start - timedelta(hours=3 + i),
        )


@pytest.mark.parametrize("view", ["mine", "team", "unassigned", "all"])
def test_queue_query_count_does_not_grow(
    client: Client, agent: User, other_agent: User, team: object, view: str
) -> None:
    first = create_customer(name="Few Tickets", emails=["few@example.com"])
    _fill_queue(3, first, agent, other_agent)
    client.force_login(agent)
    few = _queries(client, f"/desk/?view={view}")

    for n in range(6):
        other = create_customer(name=f"Customer {n}", emails=[f"c{n}@example.com"])
        _fill_queue(12, other, agent, other_agent)
    many = _queries(client, f"/desk/?view={view}")

    assert Ticket.objects.count() == 3 + 72 + 18
    assert many == few


def _grow_case(ticket: Ticket, customer: Customer, agent: User, other: User, n: int) -> None:
    for i in range(n):
        add_inbound_message(ticket=ticket, body_text=f"Question {i}")
        send_reply(ticket=ticket, actor=agent if i % 2 else other, body_text=f"Answer {i}")
        add_note(ticket=ticket, actor=other, body_text=f"Note {i}")
        log_call(
            ticket=ticket,
            actor=agent,
            direction=CallDirection.OUTBOUND,
            summary=f"Call {i}",
            duration_seconds=60 + i,
        )
        record_fact(
            customer=customer,
            label=f"Fact {i}",
            value=f"Value {i}",
            actor=agent if i % 2 else other,
            ticket=ticket,
        )
        create_ticket(customer=customer, subject=f"Earlier problem {i}", owner=other, actor=other)
    assign_ticket(ticket=ticket, actor=agent, owner=other, note="Yours now.")
    assign_ticket(ticket=ticket, actor=other, owner=agent, note="Back to you.")
    change_status(ticket=ticket, actor=agent, status=Status.WAITING_CUSTOMER)


def test_case_page_query_count_does_not_grow(
    client: Client, agent: User, other_agent: User
) -> None:
    small = create_customer(name="Small Case", emails=["small@example.com"])
    small_ticket = create_ticket(customer=small, subject="Small", body_text="Hi")
    _grow_case(small_ticket, small, agent, other_agent, 1)
    big = create_customer(name="Big Case", emails=["big@example.com"])
    big_ticket = create_ticket(customer=big, subject="Big", body_text="Hi")
    _grow_case(big_ticket, big, agent, other_agent, 15)
    client.force_login(agent)

    few = _queries(client, f"/desk/tickets/{small_ticket.reference}/")
    many = _queries(client, f"/desk/tickets/{big_ticket.reference}/")

    assert big_ticket.messages.filter(kind__in=["inbound", "note", "call"]).count() == 1 + 15 * 3
    assert many == few


def test_customer_page_query_count_does_not_grow(
    client: Client, agent: User, other_agent: User
) -> None:
    small = create_customer(name="Small", emails=["small@example.com"])
    _grow_case(create_ticket(customer=small, subject="S"), small, agent, other_agent, 1)
    big = create_customer(name="Big", emails=["big@example.com"], phones=["+1 312 555 0100"])
    _grow_case(create_ticket(customer=big, subject="B"), big, agent, other_agent, 10)
    client.force_login(agent)

    assert _queries(client, f"/desk/customers/{big.pk}/") == _queries(
        client, f"/desk/customers/{small.pk}/"
    )
