"""The customers API: create, read, correct, contact points and facts, with exact errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from rightdesk.accounts.services import issue_token
from rightdesk.customers.models import ContactPoint, Customer, Fact
from rightdesk.customers.services import create_customer

API = "/api/v1"


@pytest.fixture
def client(agent: User) -> Client:
    _, raw = issue_token(user=agent, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _post(client: Client, path: str, body: Any) -> Any:
    return client.post(API + path, body, content_type="application/json", secure=True)


def _state() -> tuple[Any, ...]:
    return (
        list(Customer.objects.order_by("pk").values_list("pk", "name", "preferred_name", "tier")),
        list(ContactPoint.objects.order_by("pk").values_list("pk", "customer_id", "value")),
        list(Fact.objects.order_by("pk").values_list("pk", "key", "value")),
    )


def test_create_get_and_correct_a_customer(client: Client, agent: User) -> None:
    r = _post(
        client,
        "/customers/",
        {
            "name": "  Margaret Hale ",
            "preferred_name": "Maggie",
            "tier": "vip",
            "emails": ["M.Hale@Example.com"],
            "account_owner_id": agent.pk,
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    cid = body["id"]
    assert body["name"] == "Margaret Hale" and body["greeting_name"] == "Maggie"
    assert body["tier"] == "vip"
    assert body["account_owner"] == {"id": agent.pk, "name": "Dana Price"}
    assert [(c["kind"], c["value"], c["is_primary"]) for c in body["contacts"]] == [
        ("email", "m.hale@example.com", True)
    ]
    assert client.get(f"{API}/customers/{cid}", secure=True).json() == body

    r = client.patch(
        f"{API}/customers/{cid}",
        {"preferred_name": "Meg", "tier": "priority"},
        content_type="application/json",
        secure=True,
    )
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["preferred_name"], r.json()["tier"]) == (
        "Margaret Hale",
        "Meg",
        "priority",
    )

    before = _state()
    for change, field, message in [
        ({"name": "   "}, "name", "A customer needs a name."),
        ({"name": None}, "name", "name cannot be null."),
    ]:
        r = client.patch(
            f"{API}/customers/{cid}", change, content_type="application/json", secure=True
        )
        assert r.status_code == 422
        assert r.json() == {"code": "invalid", "message": message, "field": field}
    r = client.patch(
        f"{API}/customers/{cid}", {"tier": "gold"}, content_type="application/json", secure=True
    )
    assert r.status_code == 422 and r.json()["field"] == "tier"
    assert _state() == before


def test_create_customer_refusals_change_nothing(client: Client, customer: Customer) -> None:
    before = _state()
    r = _post(client, "/customers/", {"name": "Copy Cat", "emails": ["maria@example.com"]})
    assert r.status_code == 409
    assert r.json() == {
        "code": "contact_taken",
        "message": "maria@example.com already belongs to another customer.",
        "field": "value",
    }
    r = _post(client, "/customers/", {"name": "Bad Phone", "phones": ["12"]})
    assert r.status_code == 422
    assert r.json() == {
        "code": "invalid",
        "message": "'12' is not a possible phone number.",
        "field": "phone",
    }
    r = _post(client, "/customers/", {"name": "No Owner", "account_owner_id": 999})
    assert r.status_code == 422
    assert r.json() == {
        "code": "unknown_agent",
        "message": "No such agent.",
        "field": "account_owner_id",
    }
    r = _post(client, "/customers/", {"name": 12})
    assert r.status_code == 422 and r.json()["field"] == "name"
    r = _post(client, "/customers/", {"preferred_name": "Nameless"})
    assert r.status_code == 422 and r.json()["field"] == "name"
    assert r.json()["message"] == "Field required"
    assert _state() == before


def test_contact_points_add_and_remove(client: Client, customer: Customer) -> None:
    other = create_customer(name="Other", phones=["+1 312 555 0199"])
    r = _post(
        client,
        f"/customers/{customer.pk}/contacts",
        {"kind": "phone", "value": "312-555-0177", "label": "work"},
    )
    assert r.status_code == 201
    added = r.json()
    assert (added["kind"], added["value"], added["label"]) == ("phone", "+13125550177", "work")

    before = _state()
    r = _post(
        client, f"/customers/{customer.pk}/contacts", {"kind": "phone", "value": "(312) 555-0199"}
    )
    assert r.status_code == 409 and r.json()["code"] == "contact_taken"
    r = _post(client, f"/customers/{customer.pk}/contacts", {"kind": "fax", "value": "1"})
    assert r.status_code == 422 and r.json()["field"] == "kind"
    # Another customer's contact point cannot be removed through this customer.
    theirs = ContactPoint.objects.get(customer=other)
    r = client.delete(f"{API}/customers/{customer.pk}/contacts/{theirs.pk}", secure=True)
    assert r.status_code == 404
    assert r.json() == {
        "code": "not_found",
        "message": f"No contact point {theirs.pk} on this customer.",
        "field": "contact_id",
    }
    assert _state() == before

    r = client.delete(f"{API}/customers/{customer.pk}/contacts/{added['id']}", secure=True)
    assert r.status_code == 204
    values = client.get(f"{API}/customers/{customer.pk}", secure=True).json()["contacts"]
    assert [c["value"] for c in values] == ["maria@example.com", "+13125550142"]


def test_facts_are_recorded_once_and_corrected(
    client: Client, customer: Customer, agent: User
) -> None:
    r = _post(client, f"/customers/{customer.pk}/facts", {"label": "Car colour", "value": "Red"})
    assert r.status_code == 201
    r = _post(
        client,
        f"/customers/{customer.pk}/facts",
        {"label": "car colour", "value": "Dark red", "source_note": "said on the phone"},
    )
    assert r.status_code == 201
    facts = client.get(f"{API}/customers/{customer.pk}/facts", secure=True).json()
    assert facts["next_cursor"] is None
    assert [(f["key"], f["label"], f["value"], f["source_note"]) for f in facts["items"]] == [
        ("car_colour", "car colour", "Dark red", "said on the phone")
    ]
    r = _post(client, f"/customers/{customer.pk}/facts", {"label": "!!!", "value": "x"})
    assert r.status_code == 422
    assert r.json() == {"code": "invalid", "message": "A fact needs a name.", "field": "key"}
    r = _post(
        client,
        f"/customers/{customer.pk}/facts",
        {"label": "Plate", "value": "x", "ticket": "RD-99999"},
    )
    assert r.status_code == 422 and r.json()["code"] == "unknown_ticket"
    assert Fact.objects.count() == 1


def test_customer_list_pages_and_filters(client: Client) -> None:
    made = [create_customer(name=f"Person {i}", emails=[f"p{i}@example.com"]) for i in range(5)]
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    pages = 0
    while True:
        page = client.get(f"{API}/customers/", params, secure=True).json()
        pages += 1
        seen += [c["id"] for c in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == [c.pk for c in reversed(made)] and pages == 3
    found = client.get(f"{API}/customers/", {"email": "P3@Example.com"}, secure=True).json()
    assert [c["name"] for c in found["items"]] == ["Person 3"]
    r = client.get(f"{API}/customers/", {"email": "nope"}, secure=True)
    assert r.status_code == 422 and r.json()["field"] == "email"
    r = client.get(f"{API}/customers/abc", secure=True)
    assert r.status_code == 422 and r.json()["field"] == "customer_id"
