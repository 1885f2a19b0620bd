"""The case timeline as the console shows it: messages and events in one list.

Messages (inbound, replies, notes, calls) carry their own author and time, so
the events that merely announce them are folded into the message entry. Every
other event becomes one readable line with its actor and time.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from rightdesk.accounts.services import agent_name
from rightdesk.tickets.choices import Channel, EventKind, Priority, Status
from rightdesk.tickets.models import Event, Message, Ticket

#: Events that only announce a message; the message itself is the timeline entry.
MESSAGE_EVENTS = frozenset({EventKind.MESSAGE, EventKind.REPLY, EventKind.NOTE, EventKind.CALL})


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    order: int
    message: Message | None = None
    event: Event | None = None
    text: str = ""
    detail: str = ""

    @property
    def actor_name(self) -> str:
        if self.message is not None:
            return agent_name(self.message.author) if self.message.author else ""
        if self.event is not None and self.event.actor is not None:
            return agent_name(self.event.actor)
        return ""


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def describe_event(event: Event) -> tuple[str, str]:
    """A one-line description of a timeline event and an optional detail line."""
    data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
    kind = event.kind
    if kind == EventKind.CREATED:
        channel = _label(Channel, data.get("channel", ""))
        owner = data.get("owner")
        return f"Ticket opened ({channel})" + (f", owner {owner}" if owner else ""), ""
    if kind == EventKind.STATUS:
        text = f"Status: {_label(Status, data.get('from'))} → {_label(Status, data.get('to'))}"
        return text, str(data.get("reason") or "")
    if kind == EventKind.OWNER:
        text = f"Owner: {data.get('from') or 'nobody'} → {data.get('to') or 'nobody'}"
        return text, str(data.get("note") or "")
    if kind == EventKind.TEAM:
        return f"Team: {data.get('from') or 'none'} → {data.get('to') or 'none'}", ""
    if kind == EventKind.PRIORITY:
        return (
            f"Priority: {_label(Priority, data.get('from'))} → {_label(Priority, data.get('to'))}",
            "",
        )
    if kind == EventKind.FACT:
        text = f"Fact recorded: {data.get('label', '')} = {data.get('value', '')}"
        previous = data.get("previous")
        return text, f"was {previous}" if previous else ""
    if kind == EventKind.MERGED:
        return (
            f"Merged {data.get('source', '')} into this ticket",
            str(data.get("source_subject") or ""),
        )
    if kind == EventKind.MERGED_INTO:
        return f"Merged into {data.get('target', '')}", ""
    if kind == EventKind.HANDOFF_SEEN:
        return "Handoff note read", ""
    # Events written by other apps (promises, SLA, e-mail, items...).
    return _other_label(kind), _other_detail(data)


#: Event vocabularies of other apps, read for their labels only.
_EVENT_CHOICES = (
    "rightdesk.commitments.choices.PromiseEvent",
    "rightdesk.sla.choices.SlaEvent",
    "rightdesk.channels.choices.ChannelEvent",
)
#: Detail keys worth showing, in this order; others (ids, flags) are internal.
_DETAIL_KEYS = (
    "text",
    "label",
    "title",
    "reason",
    "note",
    "sender",
    "subject",
    "due_at",
    "promised_at",
    "amount",
    "status",
    "to",
    "location",
    "detail",
)


@functools.cache
def _event_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for dotted in _EVENT_CHOICES:
        module_name, _, name = dotted.rpartition(".")
        try:
            choices = getattr(importlib.import_module(module_name), name)
        except (ImportError, AttributeError):
            continue
        labels.update({str(value): str(label) for value, label in choices.choices})
    return labels


def _other_label(kind: str) -> str:
    return _event_labels().get(kind) or kind.replace("_", " ").capitalize()


def _readable(value: Any) -> str:
    """ISO times become local, readable times; everything else is shown as text."""
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = timezone.localtime(moment)
        return moment.strftime("%a %-d %b %Y %H:%M")
    return str(value)


def _other_detail(data: dict[str, Any]) -> str:
    parts = []
    for key in _DETAIL_KEYS:
        value = data.get(key)
        if value is None or value == "" or isinstance(value, bool | dict | list):
            continue
        name = key.replace("_", " ")
        parts.append(_readable(value) if key == "text" else f"{name}: {_readable(value)}")
    return " · ".join(parts)


def build_timeline(
    *, ticket: Ticket, messages: list[Message], events: list[Event]
) -> list[TimelineItem]:
    """Every message and event of the ticket, newest first."""
    items: list[TimelineItem] = [
        TimelineItem(at=m.created_at, order=0, message=m) for m in messages
    ]
    for event in events:
        if event.kind in MESSAGE_EVENTS and event.message_id is not None:
            continue
        text, detail = describe_event(event)
        items.append(
            TimelineItem(at=event.created_at, order=1, event=event, text=text, detail=detail)
        )
    items.sort(
        key=lambda item: (item.at, item.order, (item.message or item.event).pk),  # type: ignore[union-attr]
        reverse=True,
    )
    return items
