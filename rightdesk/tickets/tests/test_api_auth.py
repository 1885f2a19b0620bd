"""Who may call what: every endpoint of the accounts, customers and tickets routers.

The endpoint list comes from the OpenAPI document, so an endpoint added later
without being covered here fails ``test_every_endpoint_is_covered``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from rightdesk.accounts.models import AgentProfile, ApiToken
from rightdesk.accounts.services import create_agent, issue_token, revoke_token
from rightdesk.api import api
from rightdesk.customers.models import ContactPoint, Customer, Fact
from rightdesk.tickets.models import Event, Handoff, Message, Ticket
from rightdesk.tickets.services import assign_ticket, create_ticket

PREFIXES = ("/api/v1/accounts/", "/api/v1/customers/", "/api/v1/tickets/")
TAGS = {"accounts", "customers", "tickets"}

#: A valid body for every unsafe endpoint, so a refusal can only come from auth.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/accounts/tokens"): {"name": "ci"},
    ("POST", "/api/v1/customers/"): {"name": "Ann Lee"},
    ("PATCH", "/api/v1/customers/{customer_id}"): {"tier": "vip"},
    ("POST", "/api/v1/customers/{customer_id}/contacts"): {"kind": "email", "value": "a@b.co"},
    ("POST", "/api/v1/customers/{customer_id}/facts"): {"label": "Plate", "value": "X1"},
    ("POST", "/api/v1/tickets/"): {"customer_id": "{customer_id}", "subject": "Hi"},
    ("POST", "/api/v1/tickets/batch"): {
        "tickets": [{"customer_id": "{customer_id}", "subject": "Hi"}]
    },
    ("POST", "/api/v1/tickets/{ref}/inbound"): {"body_text": "Hello?"},
    ("POST", "/api/v1/tickets/{ref}/replies"): {"body_text": "Hi Maria"},
    ("POST", "/api/v1/tickets/{ref}/notes"): {"body_text": "Note"},
    ("POST", "/api/v1/tickets/{ref}/calls"): {"direction": "outbound", "summary": "Called"},
    ("POST", "/api/v1/tickets/{ref}/assign"): {"owner_id": "{agent_id}", "note": "yours"},
    ("POST", "/api/v1/tickets/{ref}/handoffs/seen"): {},
    ("POST", "/api/v1/tickets/{ref}/status"): {"status": "waiting_us"},
    ("POST", "/api/v1/tickets/{ref}/priority"): {"priority": 3},
    ("POST", "/api/v1/tickets/{ref}/merge"): {"into": "{other_ref}"},
    ("DELETE", "/api/v1/accounts/tokens/{token_id}"): {},
    ("DELETE", "/api/v1/customers/{customer_id}/contacts/{contact_id}"): {},
}


def _operations() -> list[tuple[str, str]]:
    """Operations of the accounts, customers and tickets routers (other apps test theirs)."""
    schema = api.get_openapi_schema()
    return sorted(
        (method.upper(), path)
        for path, methods in schema["paths"].items()
        if path.startswith(PREFIXES)
        for method, operation in methods.items()
        if set(operation.get("tags", [])) & TAGS
    )


OPERATIONS = _operations()
UNSAFE = [op for op in OPERATIONS if op[0] != "GET"]


def test_every_endpoint_is_covered() -> None:
    assert len(OPERATIONS) == 28
    assert sorted(UNSAFE) == sorted(BODIES)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Users are created per case here; slow password hashing would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(agent: User, other_agent: User, customer: Customer) -> dict[str, Any]:
    ticket = create_ticket(customer=customer, subject="Brakes", body_text="Squeaky brakes.")
    # Sam hands the case to Dana, so Dana has a handoff note to read.
    assign_ticket(ticket=ticket, actor=other_agent, owner=other_agent)
    assign_ticket(ticket=ticket, actor=other_agent, owner=agent, note="Dana, yours now.")
    other = create_ticket(customer=customer, subject="Brakes again", body_text="Still.")
    token, _ = issue_token(user=agent, name="spare")
    return {
        "ref": ticket.reference,
        "other_ref": other.reference,
        "customer_id": customer.pk,
        "contact_id": ContactPoint.objects.filter(customer=customer).first().pk,  # type: ignore[union-attr]
        "token_id": token.pk,
        "agent_id": other_agent.pk,
    }


def _fill(template: str, world: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(world[m.group(1)]), template)


def _body(op: tuple[str, str], world: dict[str, Any]) -> dict[str, Any]:
    def fill(key: str, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fill(k, v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(key, v) for v in value]
        if isinstance(value, str) and value.startswith("{"):
            return int(_fill(value, world)) if key.endswith("_id") else _fill(value, world)
        return value

    filled: dict[str, Any] = fill("", BODIES.get(op, {}))
    return filled


def _call(client: Client, op: tuple[str, str], world: dict[str, Any], **extra: Any) -> Any:
    method, template = op
    path = _fill(template, world)
    if method == "GET":
        return client.get(path, secure=True, **extra)
    return client.generic(
        method,
        path,
        __import__("json").dumps(_body(op, world)),
        content_type="application/json",
        secure=True,
        **extra,
    )


def _snapshot() -> tuple[Any, ...]:
    return (
        list(
            Ticket.objects.order_by("pk").values_list(
                "pk", "status", "owner_id", "priority", "merged_into_id", "updated_at"
            )
        ),
        Message.objects.count(),
        Event.objects.count(),
        Handoff.objects.count(),
        list(Customer.objects.order_by("pk").values_list("pk", "tier", "updated_at")),
        ContactPoint.objects.count(),
        Fact.objects.count(),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
    )


def _bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _expired_token(user: User) -> str:
    token, raw = issue_token(user=user, name="old")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    return raw


def _revoked_token(user: User) -> str:
    token, raw = issue_token(user=user, name="gone")
    revoke_token(user=user, token_id=token.pk)
    return raw


UNAUTHENTICATED = {
    "code": "unauthenticated",
    "message": "A valid API token or agent session is required.",
    "field": None,
}


@pytest.mark.parametrize("op", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_refused_without_a_valid_agent(
    op: tuple[str, str], world: dict[str, Any], agent: User
) -> None:
    expired, revoked = _expired_token(agent), _revoked_token(agent)
    visitor = User.objects.create_user(username="visitor", password="visitor-pass-123")
    # A token issued while its user was an agent speaks for nobody once they are not.
    former = create_agent(username="former", password="former-pass-123", display_name="Former")
    _, demoted = issue_token(user=former, name="old")
    AgentProfile.objects.filter(user=former).delete()
    before = _snapshot()

    for client in (
        Client(),
        _bearer(expired),
        _bearer(revoked),
        _bearer(demoted),
        _bearer("rd_made-up"),
        _bearer(""),
    ):
        r = _call(client, op, world)
        assert r.status_code == 401, (client, r.content)
        assert r.json() == UNAUTHENTICATED
        assert r["WWW-Authenticate"] == 'Bearer realm="rightdesk"'

    # A logged-in Django user who is not an agent.
    session = Client()
    session.force_login(visitor)
    r = _call(session, op, world)
    assert r.status_code == 403
    assert r.json() == {
        "code": "not_agent",
        "message": "Only agents may use the API.",
        "field": None,
    }

    # An agent's session cookie does not rescue a bad bearer token.
    mixed = _bearer(expired)
    mixed.force_login(agent)
    assert _call(mixed, op, world).status_code == 401

    assert _snapshot() == before


@pytest.mark.parametrize("op", UNSAFE, ids=[f"{m} {p}" for m, p in UNSAFE])
def test_session_writes_need_the_csrf_token(
    op: tuple[str, str], world: dict[str, Any], agent: User
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    before = _snapshot()
    r = _call(client, op, world, HTTP_REFERER="https://testserver/desk/")
    assert r.status_code == 403
    assert r.json() == {
        "code": "csrf_failed",
        "message": "The CSRF token is missing or wrong; send the X-CSRFToken header.",
        "field": None,
    }
    assert _snapshot() == before

    # The same call with the token succeeds: the refusal above was the CSRF check.
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    r = _call(client, op, world, HTTP_REFERER="https://testserver/desk/", HTTP_X_CSRFTOKEN=secret)
    assert r.status_code in (200, 201, 204), r.content
    assert _snapshot() != before


@pytest.mark.parametrize(
    "op", [op for op in OPERATIONS if op[0] == "GET"], ids=[p for m, p in OPERATIONS if m == "GET"]
)
def test_session_and_token_reads_work(
    op: tuple[str, str], world: dict[str, Any], agent: User
) -> None:
    session = Client(enforce_csrf_checks=True)
    session.force_login(agent)
    assert _call(session, op, world).status_code == 200
    _, raw = issue_token(user=agent, name="reader")
    assert _call(_bearer(raw), op, world).status_code == 200


def test_openapi_document_lists_the_paths(db: None) -> None:
    r = Client().get("/api/v1/openapi.json", secure=True)
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in (
        "/api/v1/tickets/",
        "/api/v1/tickets/{ref}/timeline",
        "/api/v1/tickets/{ref}/assign",
        "/api/v1/customers/{customer_id}/facts",
        "/api/v1/accounts/tokens",
    ):
        assert path in paths
    assert set(paths["/api/v1/tickets/{ref}/merge"]) == {"post"}
    schemas = r.json()["components"]["schemas"]
    assert {"TicketCreate", "TicketOut", "CustomerOut", "FactCreate", "AssignIn"} <= set(schemas)
    assert "password" not in str(schemas["AgentRef"])
