"""Accounts API: who am I, the agents a ticket can be given to, and my API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Query, Router, Status

from rightdesk.accounts.models import ApiToken
from rightdesk.accounts.schemas import (
    AgentOut,
    AgentPage,
    TokenCreate,
    TokenCreated,
    TokenOut,
    TokenPage,
)
from rightdesk.accounts.services import issue_token, revoke_token
from rightdesk.core.api import caller
from rightdesk.core.pagination import PageParams, keyset_page

router = Router(tags=["accounts"])


@router.get("/me", response=AgentOut, summary="The calling agent")
def me(request: HttpRequest) -> User:
    return User.objects.select_related("agent").prefetch_related("teams").get(pk=caller(request).pk)


@router.get("/agents", response=AgentPage, summary="Active agents (for assignment)")
def list_agents(request: HttpRequest, page: Query[PageParams]) -> Any:
    qs = (
        User.objects.filter(is_active=True, agent__isnull=False)
        .select_related("agent")
        .prefetch_related("teams")
    )
    return keyset_page(qs, order=["id"], cursor=page.cursor, limit=page.limit)


@router.get("/tokens", response=TokenPage, summary="My API tokens")
def list_tokens(request: HttpRequest, page: Query[PageParams]) -> Any:
    qs = ApiToken.objects.filter(user=caller(request))
    return keyset_page(qs, order=["-created_at", "-id"], cursor=page.cursor, limit=page.limit)


@router.post("/tokens", response={201: TokenCreated}, summary="Create an API token")
def create_token(request: HttpRequest, payload: TokenCreate) -> Status[ApiToken]:
    token, raw = issue_token(user=caller(request), name=payload.name, days=payload.days)
    token.raw = raw  # type: ignore[attr-defined]  # shown once by TokenCreated, never stored
    return Status(201, token)


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke an API token")
def delete_token(request: HttpRequest, token_id: int) -> ApiToken:
    return revoke_token(user=caller(request), token_id=token_id)
