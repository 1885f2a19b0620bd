"""Unknown and out-of-range ids are a 404 (or a 422 in a body), on every database, never a 500.

An id past 64 bits cannot be stored by SQLite or PostgreSQL; asking for it must
read as "no such thing", like any other id that does not exist.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from rightdesk.accounts.services import issue_token
from rightdesk.customers.models import Customer
from rightdesk.desk.tests.conftest import HttpsClient

HUGE = 10**20


def _api(agent: User) -> Client:
    _token, raw = issue_token(user=agent, name="test")
    return Client(HTTP_X_FORWARDED_PROTO="https", HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.parametrize("number", [987654, HUGE])
def test_unknown_ids_in_api_paths_and_bodies(agent: User, customer: Customer, number: int) -> None:
    api = _api(agent)
    assert api.get(f"/api/v1/customers/{number}").status_code == 404
    assert api.get(f"/api/v1/tickets/RD-{number}").status_code == 404
    for body in (
        {"customer_id": number, "subject": "x", "body_text": "y"},
        {"customer_id": customer.pk, "subject": "x", "body_text": "y", "owner_id": number},
        {"customer_id": customer.pk, "subject": "x", "body_text": "y", "priority": number},
    ):
        response = api.post("/api/v1/tickets/", body, content_type="application/json")
        assert response.status_code == 422, (body, response.content)


@pytest.mark.parametrize("number", [987654, HUGE])
def test_unknown_ids_on_console_pages_are_404(agent: User, number: int) -> None:
    desk = HttpsClient()
    desk.force_login(agent)
    assert desk.get(f"/desk/customers/{number}/").status_code == 404
    assert desk.get(f"/desk/tickets/RD-{number}/").status_code == 404
    assert desk.get(f"/mail/attachments/{number}/").status_code == 404
    assert desk.post(f"/desk/custody/lot-walk/{number}/confirm/").status_code == 404
