"""``{% notification_bell %}``: the bell with its unread count, for the console nav."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import User

from rightdesk.notifications.services import unread_count

register = template.Library()


@register.inclusion_tag("notifications/partials/bell.html", takes_context=True)
def notification_bell(context: dict[str, Any]) -> dict[str, Any]:
    user = context.get("user")
    count = unread_count(user) if isinstance(user, User) and user.is_authenticated else 0
    return {"unread": count}
