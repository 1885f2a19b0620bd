"""Read-side queries for the queue: bounded, index-backed, keyset-paginated."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone

from rightdesk.core.errors import Invalid
from rightdesk.tickets.choices import ACTIVE_STATUSES, Status
from rightdesk.tickets.models import Ticket

QUEUE_VIEWS = ("mine", "team", "unassigned", "all")


@dataclass(frozen=True)
class QueuePage:
    tickets: list[Ticket]
    next_cursor: str | None


def encode_cursor(ticket: Ticket) -> str:
    raw = json.dumps([ticket.queue_rank, ticket.queue_at.isoformat(), ticket.pk])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, datetime, int]:
    try:
        rank, at, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        return int(rank), datetime.fromisoformat(at), int(pk)
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise Invalid("The page cursor is not valid.", code="bad_cursor", field="cursor") from exc


def unowned_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(minutes=settings.RIGHTDESK_UNOWNED_PROBLEM_MINUTES)


def queue_queryset(
    *, user: User, view: str = "mine", status: str | None = None, now: datetime | None = None
) -> QuerySet[Ticket]:
    """Tickets for a queue view, ordered by how long the customer has waited."""
    qs = Ticket.objects.filter(merged_into__isnull=True)
    if view == "mine":
        qs = qs.filter(owner=user)
    elif view == "team":
        qs = qs.filter(team__in=user.teams.all())
    elif view == "unassigned":
        # Fresh unowned tickets are queue items; old ones are problems (see unowned_problems).
        qs = qs.filter(owner__isnull=True, created_at__gte=unowned_cutoff(now))
    elif view != "all":
        raise Invalid(f"Unknown queue {view!r}.", field="view")
    if status:
        if status not in Status.values:
            raise Invalid(f"Unknown status {status!r}.", field="status")
        qs = qs.filter(status=status)
    elif view != "all":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    return qs.select_related("customer", "owner", "owner__agent", "team").order_by(
        "queue_rank", "queue_at", "id"
    )


def paginate_queue(qs: QuerySet[Ticket], *, cursor: str | None, limit: int = 50) -> QueuePage:
    """Keyset pagination: the cost of page N does not depend on N."""
    limit = max(1, min(limit, 200))
    if cursor:
        rank, at, pk = decode_cursor(cursor)
        qs = qs.filter(
            Q(queue_rank__gt=rank)
            | Q(queue_rank=rank, queue_at__gt=at)
            | Q(queue_rank=rank, queue_at=at, id__gt=pk)
        )
    rows = list(qs[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return QueuePage(tickets=rows[:limit], next_cursor=next_cursor)


def unowned_problems(*, now: datetime | None = None, limit: int = 20) -> list[Ticket]:
    """Active tickets nobody owns after the configured time: a problem, not a queue item."""
    return list(
        Ticket.objects.filter(
            owner__isnull=True,
            merged_into__isnull=True,
            status__in=ACTIVE_STATUSES,
            created_at__lt=unowned_cutoff(now),
        )
        .select_related("customer", "team")
        .order_by("created_at", "id")[:limit]
    )
