"""API shapes for agents, teams and API tokens. Only what a client needs, never whole models."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from ninja import Field, Schema
from pydantic import ConfigDict

from rightdesk.accounts.models import ApiToken, Team
from rightdesk.accounts.services import agent_name, role_of


class AgentRef(Schema):
    """An agent as other objects mention them: id and the name people see."""

    id: int
    name: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return agent_name(obj)


class TeamRef(Schema):
    id: int
    name: str


class AgentOut(Schema):
    """The calling agent (``GET /accounts/me``)."""

    id: int
    username: str
    name: str
    email: str
    role: str | None
    teams: list[TeamRef]

    @staticmethod
    def resolve_name(obj: User) -> str:
        return agent_name(obj)

    @staticmethod
    def resolve_role(obj: User) -> str | None:
        return role_of(obj)

    @staticmethod
    def resolve_teams(obj: User) -> list[Team]:
        return list(obj.teams.all())


class AgentPage(Schema):
    items: list[AgentOut]
    next_cursor: str | None


class TokenCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100)
    days: int | None = Field(None, description="Lifetime in days (1-366); the default is 90.")


class TokenOut(Schema):
    """A token's metadata; the secret itself is shown only once, when it is created."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    active: bool

    @staticmethod
    def resolve_active(obj: ApiToken) -> bool:
        return obj.is_active()


class TokenCreated(TokenOut):
    token: str = Field(..., description="The secret bearer token. It is never shown again.")

    @staticmethod
    def resolve_token(obj: ApiToken) -> str:
        return str(getattr(obj, "raw", ""))


class TokenPage(Schema):
    items: list[TokenOut]
    next_cursor: str | None
