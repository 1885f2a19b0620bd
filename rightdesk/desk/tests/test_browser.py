"""The console in a real browser: Playwright driving Debian's headless Chromium.

Skipped when Chromium is not installed, unless RIGHTDESK_REQUIRE_BROWSER=1
(as in CI), where a missing browser is a failure.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from pytest_django.live_server_helper import LiveServer

from rightdesk.customers.models import Customer
from rightdesk.customers.services import record_fact
from rightdesk.tickets.choices import CallDirection
from rightdesk.tickets.models import Message, Ticket
from rightdesk.tickets.services import create_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, base: str) -> None:
    page.goto(base + "/desk/")
    assert "/desk/login/" in page.url
    page.fill("#id_username", "dana")
    page.fill("#id_password", "dana-pass-123")
    page.click("button:has-text('Log in')")
    page.wait_for_url(base + "/desk/")


def test_agent_works_a_case_in_the_browser(
    page: Any, live_server: LiveServer, agent: User, customer: Customer
) -> None:
    ticket = create_ticket(
        customer=customer,
        subject="Where is my car?",
        body_text="It was towed in on Monday.",
        owner=agent,
        actor=agent,
    )
    record_fact(
        customer=customer,
        label="Car colour",
        value="Dark green",
        actor=agent,
        source_note="Tow slip",
        ticket=ticket,
    )

    _log_in(page, live_server.url)
    row = page.locator("#queue-table tr", has_text=ticket.reference)
    assert "Where is my car?" in row.inner_text() and "Maria Gonzalez" in row.inner_text()
    page.click(f"text={ticket.reference}")
    page.wait_for_url(f"{live_server.url}/desk/tickets/{ticket.reference}/")

    card = page.locator(".customer-card")
    assert "Car colour" in card.inner_text() and "Dark green" in card.inner_text()
    assert "+13125550142" in card.inner_text()
    # Actions below post with htmx: the page itself must not reload.
    page.evaluate("window.__sameDocument = true")

    page.click(".action-call summary")
    page.select_option("#id_call-direction", CallDirection.INBOUND)
    page.fill("#id_call-duration_minutes", "3")
    page.fill("#id_call-summary", "Asked whether the car is ready.")
    page.click(".action-call button[type=submit]")
    page.locator(".tl-call", has_text="Asked whether the car is ready.").wait_for()
    assert "Call logged." in page.locator("#case").inner_text()

    page.fill("#id_reply-body", "Hi Maria, your car is ready for pickup.")
    page.click(".action-reply button[type=submit]")
    page.locator(".tl-reply", has_text="your car is ready for pickup").wait_for()

    timeline = page.locator("#timeline").inner_text()
    assert "Phone call logged by Dana Price" in timeline and "3 min" in timeline
    assert "Reply by Dana Price" in timeline
    assert page.evaluate("window.__sameDocument") is True
    kinds = list(Message.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["inbound", "call", "reply"]


def test_hostile_message_html_renders_inert(
    page: Any, live_server: LiveServer, agent: User, customer: Customer
) -> None:
    ticket: Ticket = create_ticket(
        customer=customer,
        subject="<img src=x onerror=alert('subject')>",
        body_html=(
            "<p onclick=\"alert('click')\">Please look <b>here</b>:"
            ' <img src="x" onerror="alert(\'img\')">'
            ' <a href="javascript:alert(\'link\')" id="bad-link">my photo</a></p>'
            "<script>alert('script')</script>"
            "<svg onload=\"alert('svg')\"></svg>"
            "<iframe src=\"javascript:alert('frame')\"></iframe>"
        ),
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    _log_in(page, live_server.url)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    body = page.locator(".tl-inbound .message-body")
    assert "Please look here" in body.inner_text()
    body.locator("p").click()
    body.locator("a", has_text="my photo").click()
    page.wait_for_timeout(300)

    found = page.evaluate(
        """() => {
          const root = document.querySelector('.tl-inbound .message-body');
          const all = [root, ...root.querySelectorAll('*')];
          return {
            scripts: root.querySelectorAll('script, iframe, svg, object, embed').length,
            handlers: all.flatMap(el => [...el.attributes].map(a => a.name))
                         .filter(name => name.startsWith('on')),
            jsLinks: [...root.querySelectorAll('[href], [src]')]
                         .map(el => el.getAttribute('href') || el.getAttribute('src'))
                         .filter(url => url.trim().toLowerCase().startsWith('javascript:')),
          };
        }"""
    )
    assert found == {"scripts": 0, "handlers": [], "jsLinks": []}
    assert dialogs == []
    assert page.url == f"{live_server.url}/desk/tickets/{ticket.reference}/"
    assert "<img src=x onerror=alert('subject')>" in page.locator("h1").inner_text()
