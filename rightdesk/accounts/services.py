"""Account services: creating agents and teams, issuing and revoking API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from rightdesk.accounts.models import AgentProfile, ApiToken, Role, Team
from rightdesk.core.errors import Forbidden, Invalid, NotFound


def role_of(user: User) -> str | None:
    """The user's Rightdesk role, or None for a user who is not staff of the desk."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "agent", None)
    return profile.role if profile is not None else None


def is_agent(user: User) -> bool:
    return role_of(user) is not None


def is_manager(user: User) -> bool:
    return role_of(user) in (Role.MANAGER, Role.ADMIN)


@transaction.atomic
def create_agent(
    *,
    username: str,
    password: str | None = None,
    email: str = "",
    display_name: str = "",
    role: str = Role.AGENT,
    teams: list[Team] | None = None,
) -> User:
    """Create a staff user with an agent profile and team memberships."""
    if role not in Role.values:
        raise Invalid(f"Unknown role {role!r}.", field="role")
    if User.objects.filter(username=username).exists():
        raise Invalid(
            f"An agent named {username!r} already exists.", code="duplicate", field="username"
        )
    first, _, last = display_name.partition(" ")
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        first_name=first,
        last_name=last,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    AgentProfile.objects.create(user=user, role=role, display_name=display_name or username)
    for team in teams or []:
        team.members.add(user)
    return user


def create_team(*, name: str, time_zone: str = "UTC", manager: User | None = None) -> Team:
    """Create a team (a queue with its own members and manager)."""
    team = Team.objects.create(name=name, time_zone=time_zone, manager=manager)
    if manager is not None:
        team.members.add(manager)
    return team


def agent_name(user: User | None) -> str:
    """The name a customer or colleague sees for an agent."""
    if user is None:
        return ""
    profile = getattr(user, "agent", None)
    if profile is not None and profile.display_name:
        return str(profile.display_name)
    return user.get_full_name() or user.get_username()


def issue_token(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create an API token; the raw token is returned once and never stored."""
    if not is_agent(user):
        raise Forbidden("Only agents can hold API tokens.")
    lifetime = days if days is not None else settings.RIGHTDESK_API_TOKEN_DAYS
    if lifetime < 1 or lifetime > 366:
        raise Invalid("A token lives between 1 and 366 days.", field="days")
    raw = "rd_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API token",
        prefix=raw[:10],
        digest=ApiToken.hash(raw),
        expires_at=timezone.now() + timedelta(days=lifetime),
    )
    return token, raw


def revoke_token(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens (managers and admins may revoke any)."""
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None or (token.user_id != user.pk and not is_manager(user)):
        raise NotFound("No such token.", field="token_id")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_for_token(raw: str) -> User | None:
    """The active agent a raw bearer token belongs to, or None."""
    if not raw or not raw.startswith("rd_"):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__agent")
        .filter(digest=ApiToken.hash(raw))
        .first()
    )
    now = timezone.now()
    if token is None or not token.is_active(now) or not token.user.is_active:
        return None
    if not is_agent(token.user):  # no longer an agent: the token speaks for nobody
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
