"""The reply check in a real browser: inline findings while typing on the case page.

Skipped when Chromium is not installed, unless RIGHTDESK_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from pytest_django.live_server_helper import LiveServer

from rightdesk.customers.models import Customer
from rightdesk.customers.services import create_customer, record_fact
from rightdesk.tickets.models import Message
from rightdesk.tickets.services import create_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
