"""Every page and API read answers odd query parameters, and every API write odd bodies,
without a server error.

Garbage cursors, negative or 21-digit numbers, unknown statuses, impossible
dates and very long searches are what links, bookmarks and scripts send; each
gets the page, an empty result or a clear 4xx.
"""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from rightdesk.accounts.services import issue_token
from rightdesk.core.tests.test_api_auth_everywhere import _operations
from rightdesk.core.tests.test_pages_auth_everywhere import PAGES
from rightdesk.customers.models import Customer
from rightdesk.desk.tests.conftest import HttpsClient
from rightdesk.tickets.services import open_ticket

ODD: list[dict[str, str]] = [
    {
        "q": "x" * 5000,
        "cursor": "!!!",
        "status": "bogus",
        "view": "nope",
        "limit": "-5",
        "page": "abc",
        "days": "abc",
        "since": "yesterday-ish",
        "until": "2025-13-45",
        "agent": "abc",
        "team": "-1",
        "kind": "zzz",
    },
    {
        "q": "\"'();--*",
        "cursor": "eyJ4IjoxfQ",
        "limit": "100000000000000000000",
        "page": "100000000000000000000",
        "days": "100000000000000000000",
        "agent": "100000000000000000000",
        "team": "100000000000000000000",
        "since": "2025-01-01",
        "until": "1900-01-01",
    },
]


@pytest.fixture
def reference(agent: User, customer: Customer) -> str:
    ticket = open_ticket(customer=customer, subject="Brakes", body_text="Squeaky.", actor=agent)
    return ticket.reference


def _filled(route: str, reference: str) -> str:
    return re.sub(
        r"\{(\w+)\}|RD-1001", lambda m: reference if "ref" in (m.group(1) or "ref") else "1", route
    )


def test_pages_survive_odd_parameters(manager: User, reference: str) -> None:
    desk = HttpsClient()
    desk.force_login(manager)
    failures = []
    for page in PAGES:
        for ref in (reference, "RD-987654"):  # a real ticket and one that does not exist
            for params in ODD:
                response = desk.get("/" + _filled(page, ref), params)
                if response.status_code >= 500:
                    failures.append((page, ref, response.status_code))
    assert failures == []


def test_api_reads_survive_odd_parameters(manager: User, reference: str) -> None:
    _token, raw = issue_token(user=manager, name="test")
    api = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_AUTHORIZATION=f"Bearer {raw}")
    failures = []
    for method, path in _operations():
        if method != "GET":
            continue
        for ref in (reference, "RD-987654"):
            for params in ODD:
                response = api.get(_filled(path, ref), params)
                if response.status_code >= 500:
                    failures.append((path, ref, response.status_code))
    assert failures == []


#: Bodies of the wrong shape, the wrong types, impossible values and oversized text.
ODD_BODIES = [
    "{}",
    "[]",
    "null",
    "12",
    "{not json",
    json.dumps(
        {
            "subject": 5,
            "body_text": ["a"],
            "customer_id": "abc",
            "owner_id": {},
            "body": 123,
            "status": 7,
            "priority": "high",
            "due_at": "not a date",
            "amount": "lots",
            "tickets": "x",
            "value": {"a": 1},
        }
    ),
    json.dumps(
        {
            "customer_id": -1,
            "subject": "",
            "owner_id": -1,
            "note": "",
            "due_at": "2025-02-30T10:00",
            "amount": -5,
            "tickets": [{}],
            "email": "not-an-email",
            "phone": "abc",
            "target": "RD-0",
        }
    ),
    json.dumps({"body": "x" * 300_000, "subject": "y" * 5000, "note": "z" * 100_000}),
]


def test_api_writes_refuse_odd_bodies_with_a_4xx(manager: User, reference: str) -> None:
    _token, raw = issue_token(user=manager, name="test")
    api = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_AUTHORIZATION=f"Bearer {raw}")
    failures = []
    for method, path in _operations():
        if method == "GET":
            continue
        for body in ODD_BODIES:
            send = getattr(api, method.lower())
            response = send(_filled(path, reference), body, content_type="application/json")
            if response.status_code >= 500:
                failures.append((method, path, body[:30], response.status_code))
    assert failures == []


#: Console forms with nothing filled in, nonsense values and out-of-range numbers.
ODD_FORMS: list[dict[str, str]] = [
    {},
    {"owner": "abc", "status": "zzz", "priority": "99", "target": "RD-0", "duration": "-5"},
    {
        "reply-body": "x" * 300_000,
        "call-direction": "sideways",
        "call-duration_minutes": "1e9",
        "fact-key": "k" * 500,
        "fact-source": "999999",
        "assign-owner": "100000000000000000000",
        "merge-target": "RD-100000000000000000000",
        "priority-priority": "-1",
    },
]
CASE_ACTIONS = (
    "reply",
    "note",
    "call",
    "fact",
    "assign",
    "status",
    "priority",
    "merge",
    "handoffs_seen",
    "bogus",
)


def test_console_forms_refuse_odd_input_with_a_4xx(manager: User, reference: str) -> None:
    desk = HttpsClient()
    desk.force_login(manager)
    failures = []
    for page in PAGES:
        if not page.startswith("desk/"):
            continue
        filled = _filled(page, reference)
        case_action = page.startswith("desk/tickets/RD-") and page.endswith("/1/")
        urls = [filled[: -len("1/")] + f"{a}/" for a in CASE_ACTIONS] if case_action else []
        for url in urls or [filled]:
            for form in ODD_FORMS:
                response = desk.post("/" + url, form)
                if response.status_code >= 500:
                    failures.append((url, response.status_code))
    assert failures == []
