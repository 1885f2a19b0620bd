"""Shared pytest fixtures: agents, teams and customers built through the services,
a movable clock, and recorders for deliveries and background jobs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from huey.contrib.djhuey import HUEY

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
