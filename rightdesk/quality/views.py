"""Console views: the inline reply check while typing, and the manager's quality page."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from rightdesk.accounts.services import is_manager
from rightdesk.desk.views import agent_of, agent_required
from rightdesk.quality.engine import KINDS
from rightdesk.quality.queries import quality_by_agent
from rightdesk.quality.services import check_reply
from rightdesk.tickets.access import access_ticket

PERIODS = ((7, "7 days"), (30, "30 days"), (90, "90 days"), (365, "a year"))


@require_POST
@agent_required
def reply_check(request: HttpRequest, ref: str) -> HttpResponse:
    """Findings for the draft in the reply box (htmx, debounced while typing)."""
    ticket = access_ticket(agent_of(request), ref)
    draft = request.POST.get("reply-body", request.POST.get("body", ""))[:200_000]
    findings = check_reply(ticket=ticket, draft=draft, author=agent_of(request))
    return render(
        request,
        "quality/partials/findings.html",
        {
            "findings": findings,
            "draft": draft,
            "checked": bool(draft.strip()),
            "blocking": any(f.blocking for f in findings),
        },
    )


def _day(value: str | None) -> datetime | None:
    try:
        parsed = datetime.strptime(value or "", "%Y-%m-%d")
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(parsed.date(), time.min))


@require_GET
@agent_required
def quality_report(request: HttpRequest) -> HttpResponse:
    """Findings and overrides per agent over a chosen period (managers only)."""
    user: User = agent_of(request)
    if not is_manager(user):
        raise PermissionDenied("The quality view is for managers.")
    now = timezone.now()
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    days = days if days in dict(PERIODS) else 30
    since = _day(request.GET.get("from")) or now - timedelta(days=days)
    until_day = _day(request.GET.get("to"))
    until = until_day + timedelta(days=1) if until_day else now
    rows, overrides = quality_by_agent(since=since, until=until)
    return render(
        request,
        "quality/report.html",
        {
            "rows": rows,
            "overrides": overrides[:100],
            "kinds": KINDS,
            "periods": PERIODS,
            "days": days,
            "since": since,
            "until": until,
            "from_value": request.GET.get("from", ""),
            "to_value": request.GET.get("to", ""),
        },
    )
