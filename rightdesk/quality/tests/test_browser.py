"""The reply check in a real browser: inline findings while typing on the case page.

Skipped when Chromium is not installed, unless RIGHTDESK_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from pytest_django.live_server_helper import LiveServer

from rightdesk.customers.models import Customer
from rightdesk.customers.services import create_customer, record_fact
from rightdesk.tickets.models import Message
from rightdesk.tickets.services import create_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(transactional_db: None) -> Iterator[LiveServer]:
    """A live console over plain HTTP, relaxed as RIGHTDESK_INSECURE_HTTP relaxes it."""
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        SECURE_HSTS_SECONDS=0,
    ):
        server = LiveServer("localhost")
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("RIGHTDESK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is required (RIGHTDESK_REQUIRE_BROWSER=1) but missing.")
        pytest.skip(f"{CHROMIUM} is not installed.")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def test_agent_sees_and_fixes_findings_while_typing(
    page: Any, live_server: LiveServer, agent: User, customer: Customer
) -> None:
    tom = create_customer(name="Tom Becker", emails=["tom@example.com"])
    create_ticket(customer=tom, subject="Website down", owner=agent, body_text="Site is down.")
    ticket = create_ticket(
        customer=customer,
        subject="Where is my car?",
        owner=agent,
        body_text="You towed my car yesterday. When is the estimate ready?",
    )
    record_fact(customer=customer, label="Car colour", value="Red", actor=agent, ticket=ticket)

    base = live_server.url
    page.goto(base + "/desk/login/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", "dana-pass-123")
    page.click("button:has-text('Log in')")
    page.wait_for_url(base + "/desk/")
    page.goto(f"{base}/desk/tickets/{ticket.reference}/")

    box = page.locator("#id_reply-body")
    box.click()
    box.type("Dear Tom,\nYour car is ready and the estimate is attached.")
    wrong = page.locator(".reply-check .finding-wrong_name")
    wrong.wait_for()
    assert "Tom" in wrong.inner_text()
    assert "another customer" in wrong.inner_text()

    box.fill("")
    box.type("Dear Maria,\nYour car is ready and the estimate is attached.")
    page.locator(".reply-check-clean").wait_for()
    assert page.locator(".reply-check .finding").count() == 0
    page.click(".action-reply button[type=submit]")
    page.locator(".tl-reply", has_text="the estimate is attached").wait_for()
    sent = Message.objects.filter(ticket=ticket, kind="reply", author=agent)
    assert list(sent.values_list("body_text", flat=True)) == [
        "Dear Maria,\nYour car is ready and the estimate is attached."
    ]

    box = page.locator("#id_reply-body")
    if not box.is_visible():
        page.click(".action-reply summary")
    box.click()
    box.type("Hi Maria, what colour is your car?")
    re_ask = page.locator(".reply-check .finding-re_ask")
    re_ask.wait_for()
    assert "Car colour: Red" in re_ask.inner_text()
