"""Shared pytest fixtures: agents, teams and customers built through the services,
a movable clock, recorders for deliveries and background jobs, and a real browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.test import override_settings
from huey.contrib.djhuey import HUEY
from pytest_django.live_server_helper import LiveServer

from rightdesk.accounts.models import Role, Team
from rightdesk.accounts.services import create_agent, create_team
from rightdesk.customers.models import Customer
from rightdesk.customers.services import create_customer


@pytest.fixture
def team(db: None) -> Team:
    return create_team(name="Front desk", time_zone="America/Chicago")


@pytest.fixture
def agent(team: Team) -> User:
    return create_agent(
        username="dana", password="dana-pass-123", display_name="Dana Price", teams=[team]
    )


@pytest.fixture
def other_agent(team: Team) -> User:
    return create_agent(
        username="sam", password="sam-pass-123", display_name="Sam Ortiz", teams=[team]
    )


@pytest.fixture
def manager(team: Team) -> User:
    return create_agent(
        username="morgan",
        password="morgan-pass-123",
        display_name="Morgan Lee",
        role=Role.MANAGER,
        teams=[team],
    )


@pytest.fixture
def customer(db: None) -> Customer:
    return create_customer(
        name="Maria Gonzalez",
        preferred_name="Maria",
        emails=["maria@example.com"],
        phones=["+1 312 555 0142"],
    )


class Clock:
    """The time as the code under test sees it; tests move it forward."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def set(self, moment: datetime) -> None:
        self.now = moment


@pytest.fixture
def clock() -> Iterator[Clock]:
    from django.utils import timezone

    real_now = timezone.now
    state = Clock()
    with mock.patch("django.utils.timezone.now", lambda: state.now or real_now()):
        yield state


@pytest.fixture
def delivered() -> Iterator[list[dict[str, Any]]]:
    """Every call to the channels delivery hook, in order."""
    calls: list[dict[str, Any]] = []

    def record(*, message: Any, automatic: bool = False) -> None:
        calls.append({"message": message, "automatic": automatic})

    with mock.patch("rightdesk.channels.hooks.on_reply_recorded", side_effect=record):
        yield calls


@pytest.fixture
def immediate_tasks() -> Iterator[None]:
    """Run queued tasks (notification e-mails) at once, inside the test."""
    previous = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = previous


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
    """A live console served over plain HTTP, as ``rightdesk serve`` does on 127.0.0.1.

    pytest-django's session-wide server loads its middleware once, with the
    production settings (HTTPS redirect, secure cookies) that a browser on
    http://localhost cannot use; this one is built while those are relaxed the
    way RIGHTDESK_INSECURE_HTTP relaxes them, and stopped after the test.
    """
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
    """A page in Debian's headless Chromium driven by Playwright.

    Skipped when Chromium is not installed, unless RIGHTDESK_REQUIRE_BROWSER=1
    (as in CI), where a missing browser is a failure.
    """
    if not os.path.exists(CHROMIUM):
        if os.environ.get("RIGHTDESK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is required (RIGHTDESK_REQUIRE_BROWSER=1) but missing.")
        pytest.skip(f"{CHROMIUM} is not installed.")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls made
    # by the test itself are still plain synchronous calls.
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
            # ORM calls made while Playwright's loop runs get connections of their own,
            # which only a close from this same state reaches; left open, they keep
            # PostgreSQL from dropping the test database.
            connections.close_all()
