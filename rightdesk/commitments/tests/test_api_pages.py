"""Promises, SLA and bell over the API and in the console, with exact answers."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rightdesk.accounts.models import Team
from rightdesk.accounts.services import issue_token
from rightdesk.commitments.choices import CommitmentStatus, Kind
from rightdesk.commitments.models import Commitment
from rightdesk.commitments.services import create_commitment, sweep_commitments
from rightdesk.customers.models import Customer
from rightdesk.notifications.models import Notification
from rightdesk.sla.models import BusinessCalendar, OpeningSpan
from rightdesk.tickets.choices import Channel
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.services import create_ticket

API = "/api/v1"


@pytest.fixture
def api(agent: User) -> Client:
    _, raw = issue_token(user=agent, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def ticket(team: Team, agent: User, customer: Customer) -> Ticket:
    return create_ticket(
        customer=customer,
        subject="Code",
        channel=Channel.PHONE,
        team=team,
        owner=agent,
        actor=agent,
    )


def _post(client: Client, path: str, body: Any) -> Any:
    return client.post(API + path, body, content_type="application/json", secure=True)


def test_create_keep_cancel_and_list_promises(api: Client, ticket: Ticket, agent: User) -> None:
    due = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    created = _post(
        api,
        "/commitments/",
        {
            "ticket": ticket.reference,
            "kind": "call_back",
            "due_at": due.isoformat(),
            "promised_text": "Call Maria with the price",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["ticket"], body["kind"], body["owner"], body["status"]) == (
        ticket.reference,
        "call_back",
        "Dana Price",
        "open",
    )
    assert datetime.fromisoformat(body["due_at"]) == due

    second = _post(
        api,
        "/commitments/",
        {
            "ticket": ticket.reference,
            "kind": "estimate",
            "due_at": (due + timedelta(hours=1)).isoformat(),
            "promised_text": "Quote",
        },
    ).json()
    listed = api.get(f"{API}/commitments/?owner=me&status=open", secure=True).json()
    assert [item["id"] for item in listed["items"]] == [body["id"], second["id"]]

    kept = _post(api, f"/commitments/{body['id']}/keep", {})
    assert kept.json()["status"] == "kept"
    refused = _post(api, f"/commitments/{second['id']}/cancel", {"reason": ""})
    assert (refused.status_code, refused.json()["field"]) == (422, "reason")
    assert Commitment.objects.get(pk=second["id"]).status == CommitmentStatus.OPEN
    cancelled = _post(api, f"/commitments/{second['id']}/cancel", {"reason": "Duplicate"})
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == (
        "cancelled",
        "Duplicate",
    )
    again = _post(api, f"/commitments/{second['id']}/keep", {})
    assert (again.status_code, again.json()["code"]) == (409, "promise_closed")


def test_create_refusals_change_nothing(api: Client, ticket: Ticket) -> None:
    past = _post(
        api,
        "/commitments/",
        {
            "ticket": ticket.reference,
            "kind": "reply",
            "due_at": "2020-01-01T10:00:00+00:00",
            "promised_text": "x",
        },
    )
    assert (past.status_code, past.json()["field"]) == (422, "due_at")
    unknown = _post(
        api,
        "/commitments/",
        {
            "ticket": "RD-999999",
            "kind": "reply",
            "due_at": "2099-01-01T10:00:00+00:00",
            "promised_text": "x",
        },
    )
    assert unknown.status_code == 404
    assert Commitment.objects.count() == 0
    anonymous = Client().get(f"{API}/commitments/", secure=True)
    assert anonymous.status_code == 401


def test_detect_promises_in_a_draft(api: Client, ticket: Ticket) -> None:
    response = _post(
        api,
        "/commitments/detect",
        {
            "ticket": ticket.reference,
            "text": "Hi Maria, thanks for waiting. I'll call you back within 2 hours. Best, Dana",
        },
    )
    assert response.status_code == 200
    found = response.json()
    assert [(f["kind"], f["vague"], f["phrase"]) for f in found] == [
        ("call_back", False, "within 2 hours")
    ]
    assert Commitment.objects.count() == 0  # detection alone records nothing


def test_ticket_sla_status(api: Client, team: Team, customer: Customer) -> None:
    ticket = create_ticket(customer=customer, subject="Help", body_text="Hello", team=team)
    response = api.get(f"{API}/sla/tickets/{ticket.reference}", secure=True)
    assert response.status_code == 200
    clocks = response.json()["clocks"]
    assert [c["metric"] for c in clocks] == ["first_response", "resolution"]
    assert clocks[0]["due_at"] is not None
    assert clocks[0]["met_at"] is None


def test_calendar_windows(api: Client, team: Team) -> None:
    calendar = BusinessCalendar.objects.create(
        name="Shop", team=team, time_zone="America/Chicago", holiday_country="US"
    )
    OpeningSpan.objects.create(calendar=calendar, weekday=3, opens=time(8), closes=time(12))
    OpeningSpan.objects.create(calendar=calendar, weekday=3, opens=time(13), closes=time(0))
    listed = api.get(f"{API}/sla/calendars", secure=True).json()
    assert [(c["name"], c["time_zone"]) for c in listed] == [("Shop", "America/Chicago")]
    # Thursday 19 and 26 November 2026; the 26th is Thanksgiving.
    windows = api.get(
        f"{API}/sla/calendars/{calendar.pk}/windows?start=2026-11-19&days=8", secure=True
    ).json()
    assert windows["time_zone"] == "America/Chicago"
    assert [(w["opens"], w["closes"]) for w in windows["windows"]] == [
        ("2026-11-19T08:00:00-06:00", "2026-11-19T12:00:00-06:00"),
        ("2026-11-19T13:00:00-06:00", "2026-11-20T00:00:00-06:00"),
    ]
    team_windows = api.get(
        f"{API}/sla/teams/{team.pk}/windows?start=2026-11-19&days=1", secure=True
    ).json()
    assert len(team_windows["windows"]) == 2
    bad = api.get(f"{API}/sla/teams/{team.pk}/windows?days=400", secure=True)
    assert (bad.status_code, bad.json()["field"]) == (422, "days")


def test_bell_counts_and_marks_read(api: Client, agent: User, ticket: Ticket) -> None:
    now = datetime.now(UTC)
    create_commitment(
        ticket=ticket,
        actor=agent,
        kind=Kind.REPLY,
        due_at=now + timedelta(minutes=10),
        promised_text="Reply soon",
    )
    assert sweep_commitments(now=now) == {"broken": 0, "reminded": 1}
    bell = api.get(f"{API}/notifications/", secure=True).json()
    assert bell["unread"] == 1
    assert bell["items"][0]["kind"] == "reminder"
    assert _post(api, "/notifications/read", {}).json() == {"marked": 1}
    assert api.get(f"{API}/notifications/", secure=True).json()["unread"] == 0


def test_console_pages(client: Client, agent: User, manager: User, ticket: Ticket) -> None:
    now = timezone.now()
    create_commitment(
        ticket=ticket,
        actor=agent,
        kind=Kind.CALL_BACK,
        due_at=now + timedelta(hours=1),
        promised_text="Call about the alternator",
    )
    client.force_login(agent)
    mine = client.get("/desk/promises/", secure=True)
    assert mine.status_code == 200
    assert "Call about the alternator" in mine.content.decode()
    assert client.get("/desk/promises/manager/", secure=True).status_code == 403
    partial = client.get(f"/desk/promises/ticket/{ticket.reference}/", secure=True)
    assert "Call about the alternator" in partial.content.decode()
    client.force_login(manager)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/desk/promises/manager/", secure=True)
    assert page.status_code == 200
    assert "Due today" in page.content.decode() or "Overdue" in page.content.decode()
    assert len(queries) < 40
    client.force_login(agent)
    assert Notification.objects.count() == 0
    assert client.get("/desk/notifications/", secure=True).status_code == 200


def test_draft_partial_lists_detected_promises(client: Client, agent: User, ticket: Ticket) -> None:
    client.force_login(agent)
    response = client.post(
        f"/desk/promises/ticket/{ticket.reference}/draft/",
        {"body": "Thanks! I'll call you back shortly."},
        secure=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This reply makes 1 promise" in html
    assert "(no time said: default window)" in html
    empty = client.post(
        f"/desk/promises/ticket/{ticket.reference}/draft/",
        {"body": "Thanks for your patience."},
        secure=True,
    )
    assert "This reply makes" not in empty.content.decode()
    assert Commitment.objects.count() == 0
