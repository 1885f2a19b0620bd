"""Read-side queries for the manager's quality view."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from rightdesk.accounts.services import agent_name
from rightdesk.quality.engine import KINDS
from rightdesk.quality.models import ReplyCheckRecord


@dataclass
class AgentQuality:
    """One agent's checked replies over a period."""

    agent_id: int
    name: str
    replies: int = 0
    with_findings: int = 0
    overrides: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def kind_counts(self) -> list[int]:
        return [self.kinds.get(kind, 0) for kind in KINDS]


def quality_by_agent(
    *, since: datetime, until: datetime
) -> tuple[list[AgentQuality], list[ReplyCheckRecord]]:
    """Per-agent findings and overrides between ``since`` and ``until``, and the overrides."""
    records = (
        ReplyCheckRecord.objects.filter(at__gte=since, at__lt=until)
        .select_related("agent", "agent__agent", "ticket")
        .order_by("-at", "-id")
    )
    rows: dict[int, AgentQuality] = {}
    overrides: list[ReplyCheckRecord] = []
    for record in records:
        row = rows.get(record.agent_id)
        if row is None:
            row = rows[record.agent_id] = AgentQuality(record.agent_id, agent_name(record.agent))
        row.replies += 1
        if record.kinds:
            row.with_findings += 1
        row.kinds.update(record.kinds)
        if record.overridden:
            row.overrides += 1
            overrides.append(record)
    ordered = sorted(rows.values(), key=lambda r: (-r.overrides, -r.with_findings, r.name))
    return ordered, overrides
