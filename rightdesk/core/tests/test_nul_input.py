"""A NUL character in any input is refused with a clear 422, on every database.

PostgreSQL cannot store NUL in text; without this check such a request would
fail deep in the database with a server error.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from rightdesk.accounts.services import issue_token
from rightdesk.customers.models import Customer
from rightdesk.tickets.models import Ticket


def _api(agent: User) -> Client:
    _token, raw = issue_token(user=agent, name="test")
    return Client(HTTP_X_FORWARDED_PROTO="https", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_nul_in_a_json_body_is_a_422_naming_the_field(agent: User, customer: Customer) -> None:
    response = _api(agent).post(
        "/api/v1/tickets/",
        {"customer_id": customer.pk, "subject": "Broken\x00 screen", "body_text": "ok"},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["field"] == "subject"
    assert "NUL" in body["message"]
    assert Ticket.objects.count() == 0


def test_nul_in_a_nested_item_names_its_path(agent: User, customer: Customer) -> None:
    item = {"customer_id": customer.pk, "subject": "Fine", "body_text": "bad\x00"}
    response = _api(agent).post(
        "/api/v1/tickets/batch",
        {"tickets": [{**item, "body_text": "fine"}, item]},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "tickets[1].body_text"


def test_nul_in_a_query_is_a_422(agent: User) -> None:
    response = _api(agent).get("/api/v1/search/tickets", {"q": "screen\x00"})
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "q"


def test_nul_in_console_and_portal_input_is_a_400(agent: User) -> None:
    from rightdesk.desk.tests.conftest import HttpsClient

    client = HttpsClient()
    client.force_login(agent)
    for path, params in [
        ("/desk/search/", {"q": "screen\x00"}),
        ("/desk/", {"status": "open\x00", "cursor": "x\x00"}),
        ("/desk/tickets/new/", {"customer_q": "Maria\x00"}),
        ("/desk/custody/", {"q": "Civic\x00"}),
    ]:
        response = client.get(path, params)
        assert response.status_code == 400, (path, response.status_code)
        assert b"NUL" in response.content
    portal = HttpsClient()
    response = portal.post("/portal/sign-in/", {"email": "maria@example.com\x00"})
    assert response.status_code == 400
