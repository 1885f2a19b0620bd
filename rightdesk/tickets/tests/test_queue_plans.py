"""The queue reads rows in index order: no view sorts the whole table (SQLite plans)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection

from rightdesk.accounts.models import Team
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.queries import paginate_queue, queue_queryset, unowned_cutoff

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="reads SQLite's EXPLAIN QUERY PLAN output"
)


@pytest.mark.parametrize("view", ["all", "mine", "team", "unassigned"])
@pytest.mark.parametrize("status", [None, "open"])
def test_queue_views_use_an_ordered_index(
    agent: User, team: Team, view: str, status: str | None
) -> None:
    plan = queue_queryset(user=agent, view=view, status=status)[:51].explain()
    assert "TEMP B-TREE" not in plan, plan
    assert "USING INDEX ticket_queue" in plan, plan


def test_next_page_and_problems_use_an_ordered_index(agent: User) -> None:
    from rightdesk.customers.services import create_customer
    from rightdesk.tickets.services import create_ticket

    customer = create_customer(name="Ann Lee", emails=["ann@example.com"])
    for i in range(3):
        create_ticket(customer=customer, subject=f"T{i}", body_text="hello")
    first = paginate_queue(queue_queryset(user=agent, view="all"), cursor=None, limit=2)
    assert first.next_cursor is not None
    problems = Ticket.objects.filter(
        owner__isnull=True, queue_rank__lt=2, created_at__lt=unowned_cutoff()
    ).order_by("queue_rank", "queue_at", "id")[:20]
    assert "TEMP B-TREE" not in problems.explain()
