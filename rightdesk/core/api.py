"""What every API router needs from a request."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest


def caller(request: HttpRequest) -> User:
    """The agent the API authenticated for this request (every router requires one)."""
    user = request.auth  # type: ignore[attr-defined]  # set by ninja's auth
    assert isinstance(user, User)
    return user
