"""API tokens over the API: shown once, usable until revoked or expired, only your own."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from rightdesk.accounts.models import ApiToken
from rightdesk.accounts.services import issue_token

API = "/api/v1"


def _bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _post(client: Client, path: str, body: Any) -> Any:
    return client.post(API + path, body, content_type="application/json", secure=True)


def test_token_lifecycle(agent: User) -> None:
    session = Client()
    session.force_login(agent)  # the console creates the first token with its session
    r = _post(session, "/accounts/tokens", {"name": "Zapier", "days": 30})
    assert r.status_code == 201
    created = r.json()
    raw = created["token"]
    assert raw.startswith("rd_") and created["prefix"] == raw[:10]
    assert created["name"] == "Zapier" and created["active"] is True
    token = ApiToken.objects.get(pk=created["id"])
    assert token.digest == ApiToken.hash(raw) and raw not in str(
        list(ApiToken.objects.values_list())
    )
    assert round((token.expires_at - token.created_at).total_seconds() / 86400) == 30

    client = _bearer(raw)
    me = client.get(f"{API}/accounts/me", secure=True).json()
    assert me["username"] == "dana" and me["name"] == "Dana Price" and me["role"] == "agent"
    assert [t["name"] for t in me["teams"]] == ["Front desk"]
    listed = client.get(f"{API}/accounts/tokens", secure=True).json()
    assert [t["id"] for t in listed["items"]] == [created["id"]]
    assert "token" not in listed["items"][0]  # the secret is never shown again

    r = client.delete(f"{API}/accounts/tokens/{created['id']}", secure=True)
    assert r.status_code == 200 and r.json()["active"] is False
    assert r.json()["revoked_at"] is not None
    r = client.get(f"{API}/accounts/me", secure=True)
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_tokens_of_others_are_invisible(agent: User, other_agent: User) -> None:
    theirs, their_raw = issue_token(user=other_agent, name="Sam's")
    _, raw = issue_token(user=agent, name="Dana's")
    client = _bearer(raw)
    names = [t["name"] for t in client.get(f"{API}/accounts/tokens", secure=True).json()["items"]]
    assert names == ["Dana's"]
    r = client.delete(f"{API}/accounts/tokens/{theirs.pk}", secure=True)
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": "No such token.", "field": "token_id"}
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert _bearer(their_raw).get(f"{API}/accounts/me", secure=True).status_code == 200


def test_token_creation_is_validated(agent: User) -> None:
    _, raw = issue_token(user=agent, name="main")
    client = _bearer(raw)
    r = _post(client, "/accounts/tokens", {"name": "forever", "days": 1000})
    assert r.status_code == 422
    assert r.json() == {
        "code": "invalid",
        "message": "A token lives between 1 and 366 days.",
        "field": "days",
    }
    r = _post(client, "/accounts/tokens", {"name": ""})
    assert r.status_code == 422 and r.json()["field"] == "name"
    r = _post(client, "/accounts/tokens", {"name": "x", "days": "soon"})
    assert r.status_code == 422 and r.json()["field"] == "days"
    assert ApiToken.objects.count() == 1


def test_agents_list_for_assignment(agent: User, other_agent: User) -> None:
    User.objects.create_user(username="visitor")  # not an agent: not listed
    _, raw = issue_token(user=agent, name="main")
    items = _bearer(raw).get(f"{API}/accounts/agents", secure=True).json()["items"]
    assert [(a["username"], a["name"]) for a in items] == [
        ("dana", "Dana Price"),
        ("sam", "Sam Ortiz"),
    ]
