"""Small display helpers for the console templates."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from rightdesk.accounts.services import agent_name as _agent_name
from rightdesk.desk.panels import render_case_panels
from rightdesk.tickets.models import Ticket

register = template.Library()


@register.filter
def duration(seconds: int | None) -> str:
    """A call length as '12 min 5 s' (empty when unknown)."""
    if seconds is None:
        return ""
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    return f"{rest} s"


@register.filter
def waited(since: datetime | None, now: datetime | None = None) -> str:
    """How long someone has waited, compactly: '3 d 4 h', '2 h 10 min', '5 min'."""
    if since is None:
        return ""
    seconds = max(0, int(((now or timezone.now()) - since).total_seconds()))
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3_600)
    minutes = seconds // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


@register.filter
def agent_name(user: object) -> str:
    return _agent_name(user)  # type: ignore[arg-type]


@register.simple_tag(takes_context=True)
def case_panels(context: template.Context, ticket: Ticket, place: str) -> SafeString:
    """Panels other apps contribute to the case file (see ``rightdesk.desk.panels``)."""
    return render_case_panels(
        request=context.get("request"),
        ticket=ticket,
        place=place,
        record=context.get("case_record"),
    )
