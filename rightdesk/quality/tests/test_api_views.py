"""The reply check over the API, the inline console check and the manager's quality page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from rightdesk.accounts.services import issue_token
from rightdesk.customers.models import Customer
from rightdesk.customers.services import record_fact
from rightdesk.quality.models import ReplyCheckRecord
from rightdesk.quality.services import send_checked_reply
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.services import create_ticket


@pytest.fixture
def ticket(customer: Customer, agent: User) -> Ticket:
    record_fact(customer=customer, label="Car colour", value="red", actor=agent)
    return create_ticket(
        customer=customer,
        subject="Towed car",
        owner=agent,
        body_text="Where is my car? I need the repair estimate.",
    )


def _bearer(user: User) -> dict[str, str]:
    _token, raw = issue_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_returns_findings(ticket: Ticket, agent: User) -> None:
    response = Client().post(
        f"/api/v1/tickets/{ticket.reference}/reply-check",
        data={"body": "Dear Tom,\nYour car estimate is ready."},
        content_type="application/json",
        secure=True,
        **_bearer(agent),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["blocking"] is True
    assert [(f["kind"], f["start"], f["end"], f["excerpt"]) for f in body["findings"]] == [
        ("wrong_name", 5, 8, "Tom")
    ]


def test_api_needs_authentication(ticket: Ticket) -> None:
    response = Client().post(
        f"/api/v1/tickets/{ticket.reference}/reply-check",
        data={"body": "Hello"},
        content_type="application/json",
        secure=True,
    )
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_api_unknown_ticket_is_404(agent: User) -> None:
    response = Client().post(
        "/api/v1/tickets/RD-99999/reply-check",
        data={"body": "Hello"},
        content_type="application/json",
        secure=True,
        **_bearer(agent),
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_console_check_renders_findings_inline(ticket: Ticket, agent: User) -> None:
    client = Client()
    client.force_login(agent)
    response = client.post(
        f"/desk/reply-check/{ticket.reference}/",
        {"reply-body": "Hi Maria, what colour is your car?"},
        HTTP_HX_REQUEST="true",
        secure=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kind="re_ask"' in html
    assert "Car colour: red" in html


def test_console_check_is_for_agents_only(ticket: Ticket) -> None:
    response = Client().post(
        f"/desk/reply-check/{ticket.reference}/", {"reply-body": "Hi"}, secure=True
    )
    assert response.status_code == 302
    assert "/desk/login/" in response["Location"]


def test_quality_page_shows_overrides_per_agent(ticket: Ticket, agent: User, manager: User) -> None:
    send_checked_reply(
        ticket=ticket,
        actor=agent,
        body_text="Hi Maria, calm down. Car is fine.",
        override_reason="Quoting the customer's own words back.",
    )
    send_checked_reply(ticket=ticket, actor=agent, body_text="Hi Maria, your red car is ready.")
    assert ReplyCheckRecord.objects.count() == 2
    client = Client()
    client.force_login(manager)
    response = client.get("/desk/quality/?days=7", secure=True)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.name, r.replies, r.with_findings, r.overrides) for r in rows] == [
        ("Dana Price", 2, 1, 1)
    ]
    assert "Quoting the customer&#x27;s own words back." in response.content.decode()


def test_quality_page_is_for_managers(agent: User) -> None:
    client = Client()
    client.force_login(agent)
    assert client.get("/desk/quality/", secure=True).status_code == 403


def test_console_reply_with_blocking_finding_needs_a_reason(ticket: Ticket, agent: User) -> None:
    client = Client()
    client.force_login(agent)
    url = f"/desk/tickets/{ticket.reference}/reply/"
    draft = "Hi Maria, what colour is your car? The estimate is attached."
    refused = client.post(
        url, {"reply-body": draft, "reply-status": ""}, HTTP_HX_REQUEST="true", secure=True
    )
    assert refused.status_code == 409
    assert "The reply check found: re ask." in refused.content.decode()
    assert not ticket.messages.filter(kind="reply", author=agent).exists()
    sent = client.post(
        url,
        {
            "reply-body": draft,
            "reply-status": "",
            "reply-override_reason": "Customer said the car was repainted.",
        },
        HTTP_HX_REQUEST="true",
        secure=True,
    )
    assert sent.status_code == 200
    assert ticket.messages.filter(kind="reply", author=agent).count() == 1
    record = ReplyCheckRecord.objects.get()
    assert (record.overridden, record.reason) == (True, "Customer said the car was repainted.")
