"""Ticket vocabularies and the one status transition table."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING_CUSTOMER = "waiting_customer", "Waiting on customer"
    WAITING_US = "waiting_us", "Waiting on us"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


#: The only place that says which status may follow which.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.OPEN, Status.WAITING_CUSTOMER, Status.WAITING_US, Status.RESOLVED, Status.CLOSED}
    ),
    Status.OPEN: frozenset(
        {Status.WAITING_CUSTOMER, Status.WAITING_US, Status.RESOLVED, Status.CLOSED}
    ),
    Status.WAITING_CUSTOMER: frozenset(
        {Status.OPEN, Status.WAITING_US, Status.RESOLVED, Status.CLOSED}
    ),
    Status.WAITING_US: frozenset(
        {Status.OPEN, Status.WAITING_CUSTOMER, Status.RESOLVED, Status.CLOSED}
    ),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}

#: Statuses in which the ticket is still someone's work.
ACTIVE_STATUSES = frozenset({Status.NEW, Status.OPEN, Status.WAITING_CUSTOMER, Status.WAITING_US})


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    NORMAL = 2, "Normal"
    HIGH = 3, "High"
    URGENT = 4, "Urgent"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    WEB = "web", "Web form"
    PORTAL = "portal", "Portal"
    WALK_IN = "walk_in", "Walk-in"
    API = "api", "API"


class MessageKind(models.TextChoices):
    INBOUND = "inbound", "From customer"
    REPLY = "reply", "Reply"
    NOTE = "note", "Internal note"
    CALL = "call", "Phone call"


class CallDirection(models.TextChoices):
    INBOUND = "inbound", "Customer called us"
    OUTBOUND = "outbound", "We called the customer"


class EventKind(models.TextChoices):
    CREATED = "created", "Ticket opened"
    STATUS = "status_changed", "Status changed"
    OWNER = "owner_changed", "Owner changed"
    TEAM = "team_changed", "Team changed"
    PRIORITY = "priority_changed", "Priority changed"
    MESSAGE = "message_received", "Message received"
    REPLY = "reply_sent", "Reply sent"
    NOTE = "note_added", "Note added"
    CALL = "call_logged", "Call logged"
    FACT = "fact_recorded", "Fact recorded"
    MERGED = "merged", "Merged"
    MERGED_INTO = "merged_into", "Merged into another ticket"
    HANDOFF_SEEN = "handoff_seen", "Handoff note read"
