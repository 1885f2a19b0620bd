"""Every operation in the OpenAPI document refuses callers who are not agents.

The per-app API tests cover each endpoint's own rules; this one walks the whole
published API so that an endpoint added anywhere without authentication fails here.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from rightdesk.accounts.models import ApiToken
from rightdesk.accounts.services import issue_token
from rightdesk.api import api

#: Endpoints whose authentication is not an agent's (they carry their own proof).
SIGNED = {("POST", "/api/v1/orders/webhook/{source}")}


def _operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return sorted(
        (method.upper(), path)
        for path, methods in schema["paths"].items()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    )


OPERATIONS = _operations()


def _call(client: Client, op: tuple[str, str], **extra: Any) -> Any:
    method, template = op
    path = re.sub(r"\{(\w+)\}", lambda m: "RD-1001" if m.group(1) == "ref" else "1", template)
    return client.generic(method, path, "{}", content_type="application/json", secure=True, **extra)


def test_the_api_publishes_every_area() -> None:
    prefixes = {path.split("/")[3] for _, path in OPERATIONS}
    assert {
        "accounts",
        "customers",
        "tickets",
        "search",
        "commitments",
        "orders",
        "refunds",
        "custody",
    } <= prefixes, prefixes


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op not in SIGNED], ids=str)
def test_no_credentials_and_expired_tokens_are_refused(db: None, op: tuple[str, str]) -> None:
    assert _call(Client(), op).status_code == 401
    agent = User.objects.create_user("expired-agent")
    from rightdesk.accounts.models import AgentProfile

    AgentProfile.objects.create(user=agent)
    token, raw = issue_token(user=agent, name="old")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _call(Client(), op, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op not in SIGNED], ids=str)
def test_a_logged_in_customer_account_is_not_an_agent(db: None, op: tuple[str, str]) -> None:
    outsider = User.objects.create_user("outsider")
    client = Client()
    client.force_login(outsider)
    assert _call(client, op).status_code in (401, 403)


def test_signed_webhooks_refuse_unsigned_calls(db: None) -> None:
    for op in SIGNED:
        assert op in OPERATIONS
        assert _call(Client(), op).status_code == 401
