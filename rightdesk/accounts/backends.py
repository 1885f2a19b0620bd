"""Signing in to the console: Django's model backend, with the agent profile in the same query."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User


class AgentBackend(ModelBackend):
    """Every console page asks who the agent is and what role they have; the session's
    user is read with the profile joined, one query instead of two per request."""

    def get_user(self, user_id: int) -> User | None:
        user = User._default_manager.select_related("agent").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
