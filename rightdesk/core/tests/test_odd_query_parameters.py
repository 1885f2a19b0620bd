"""Every page and every API read answers odd query parameters without a server error.

Garbage cursors, negative or 21-digit numbers, unknown statuses, impossible
dates and very long searches are what links, bookmarks and scripts send; each
gets the page, an empty result or a clear 4xx.
"""

from __future__ import annotations

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
