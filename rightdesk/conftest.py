"""Shared pytest fixtures: agents, teams and customers built through the services."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

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
