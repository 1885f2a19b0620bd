"""The search endpoints: who may call them, what they return, how many queries they cost."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from rightdesk.accounts.models import ApiToken
from rightdesk.accounts.services import issue_token, revoke_token
from rightdesk.customers.models import Customer
from rightdesk.customers.services import create_customer
from rightdesk.tickets.services import create_ticket

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/search/tickets"
CUSTOMERS = "/api/v1/search/customers"


def get(client: Client, url: str, token: str | None = None, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, params, secure=True, headers=headers)


@pytest.fixture
def token(agent: User) -> str:
    return issue_token(user=agent, name="search tests")[1]


def test_ticket_search_returns_ranked_items_with_snippets(
    client: Client, token: str, agent: User, customer: Customer
) -> None:
    ticket = create_ticket(
        customer=customer, subject="Clutch slipping", body_text="The clutch slips in second."
    )
    create_ticket(customer=customer, subject="Other", body_text="Nothing about cars.")

    response = get(client, TICKETS, token, q="clutch")

    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    assert [item["reference"] for item in body["items"]] == [ticket.reference]
    item = body["items"][0]
    assert item["subject"] == "Clutch slipping"
    assert item["customer_name"] == "Maria Gonzalez"
    assert item["snippet"] == "The clutch slips in second."
    assert item["status"] == "new"
    assert item["owner_name"] is None
    assert item["rank"] > 0


def test_ticket_search_filters_and_limit(
    client: Client, token: str, agent: User, customer: Customer
) -> None:
    owned = create_ticket(customer=customer, subject="Tyre puncture", owner=agent)
    create_ticket(customer=customer, subject="Tyre pressure")

    mine = get(client, TICKETS, token, q="tyre", owner=agent.pk).json()["items"]
    opened = get(client, TICKETS, token, q="tyre", status="open").json()["items"]
    one = get(client, TICKETS, token, q="tyre", limit=1).json()["items"]

    assert [item["reference"] for item in mine] == [owned.reference]
    assert [item["owner_name"] for item in mine] == ["Dana Price"]
    assert [item["reference"] for item in opened] == [owned.reference]
    assert len(one) == 1


def test_bad_filters_are_422_with_the_field(client: Client, token: str) -> None:
    response = get(client, TICKETS, token, q="x", status="lost")
    assert response.status_code == 422
    assert response.json()["field"] == "status"
    assert get(client, TICKETS, token, q="x", limit=0).status_code == 422
    assert get(client, TICKETS, token, q="x", limit=101).status_code == 422


def test_empty_and_hostile_queries_return_an_empty_page(client: Client, token: str) -> None:
    for q in ("", '"(*NEAR', "-"):
        response = get(client, TICKETS, token, q=q)
        assert response.status_code == 200
        assert response.json() == {"items": [], "next_cursor": None}


def test_customer_search(client: Client, token: str, customer: Customer) -> None:
    create_customer(name="Margaret Smith", preferred_name="Maggie")

    response = get(client, CUSTOMERS, token, q="312-555-0142")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": customer.pk,
                "name": "Maria Gonzalez",
                "preferred_name": "Maria",
                "emails": ["maria@example.com"],
                "phones": ["+13125550142"],
            }
        ],
        "next_cursor": None,
    }


@pytest.mark.parametrize("url", [TICKETS, CUSTOMERS])
def test_no_or_bad_credentials_are_401(client: Client, agent: User, url: str) -> None:
    token_row, raw = issue_token(user=agent, name="old")
    ApiToken.objects.filter(pk=token_row.pk).update(expires_at=timezone.now() - timedelta(days=1))
    _, revoked = issue_token(user=agent, name="revoked")
    revoke_token(user=agent, token_id=ApiToken.objects.get(name="revoked").pk)

    for credentials in (None, raw, revoked, "rd_not-a-token"):
        response = get(client, url, credentials, q="maria")
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


def test_ticket_search_endpoint_query_count_is_fixed(
    client: Client, token: str, agent: User, customer: Customer, django_assert_max_num_queries
) -> None:
    def seed(count: int) -> None:
        for i in range(count):
            create_ticket(customer=customer, subject=f"Wiper {i}", owner=agent, body_text="Wipers.")

    seed(2)
    get(client, TICKETS, token, q="wiper")  # token's last_used_at write happens once
    with django_assert_max_num_queries(5) as small:
        assert len(get(client, TICKETS, token, q="wiper").json()["items"]) == 2
    seed(15)
    with django_assert_max_num_queries(5) as large:
        assert len(get(client, TICKETS, token, q="wiper").json()["items"]) == 17
    assert len(large.captured_queries) == len(small.captured_queries)
