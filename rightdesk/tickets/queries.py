"""Read-side queries for the queue: bounded, index-backed, keyset-paginated."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone

from rightdesk.core.errors import Invalid
from rightdesk.tickets.choices import Status
from rightdesk.tickets.models import Event, Handoff, Message, Ticket

QUEUE_VIEWS = ("mine", "team", "unassigned", "all")
#: ``Ticket.queue_rank`` of resolved, closed and merged tickets.
DONE_RANK = 2


@dataclass(frozen=True)
class Record:
    """A ticket's whole message list and timeline, already read (by the case page),
    for anything else on the page that would otherwise query them again."""

    messages: Sequence[Message]
    events: Sequence[Event]


def pending_handoffs(ticket: Ticket, user: User) -> list[Handoff]:
    """Handoff notes to ``user`` on ``ticket`` that they have not marked as read, oldest first,
    with the people who wrote and received them: one query, whether there is a note or not."""
    pending = list(
        Handoff.objects.filter(ticket=ticket, to_user=user, seen_at__isnull=True)
        .select_related("from_user__agent", "by_user__agent")
        .order_by("created_at", "id")
    )
    for handoff in pending:
        handoff.to_user = user  # the reader: no need to read them again
    return pending


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
    """Tickets for a queue view, ordered by how long the customer has waited.

    Every filter is chosen so that an index on ``(…, queue_rank, queue_at, id)``
    returns rows already in queue order: a page costs the same at 10 or 100,000
    tickets. Active tickets are ``queue_rank < 2`` (see ``services._queue_position``);
    a merged ticket is closed, so it only shows in "all" or a closed filter.
    """
    qs = Ticket.objects.all()
    if view == "mine":
        qs = qs.filter(owner=user)
    elif view == "team":
        team_ids = list(user.teams.values_list("id", flat=True))
        qs = qs.filter(team_id=team_ids[0]) if len(team_ids) == 1 else qs.filter(team__in=team_ids)
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
        qs = qs.filter(queue_rank__lt=DONE_RANK)
    return qs.select_related("customer", "owner", "owner__agent", "team").order_by(
        "queue_rank", "queue_at", "id"
    )


def paginate_queue(qs: QuerySet[Ticket], *, cursor: str | None, limit: int = 50) -> QueuePage:
    """Keyset pagination: the cost of page N does not depend on N."""
    limit = max(1, min(limit, 200))
    if cursor:
        rank, at, pk = decode_cursor(cursor)
        # The plain range lets the index seek to the cursor instead of scanning to it.
        qs = qs.filter(queue_rank__gte=rank).filter(
            Q(queue_rank__gt=rank)
            | Q(queue_rank=rank, queue_at__gt=at)
            | Q(queue_rank=rank, queue_at=at, id__gt=pk)
        )
    rows = list(qs[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return QueuePage(tickets=rows[:limit], next_cursor=next_cursor)


def unowned_problems(*, now: datetime | None = None, limit: int = 20) -> list[Ticket]:
    """Active tickets nobody owns after the configured time: a problem, not a queue item."""
    # Walks the (owner, queue_rank, queue_at, id) index: longest-waiting first.
    return list(
        Ticket.objects.filter(
            owner__isnull=True,
            queue_rank__lt=DONE_RANK,
            created_at__lt=unowned_cutoff(now),
        )
        .select_related("customer", "team")
        .order_by("queue_rank", "queue_at", "id")[:limit]
    )
