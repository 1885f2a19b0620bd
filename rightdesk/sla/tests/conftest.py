"""Fixtures for the promise tests: a frozen clock and delivery hooks that record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from unittest import mock

import pytest
from huey.contrib.djhuey import HUEY


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
