"""Tickets, their messages (mail, replies, notes, calls) and the append-only timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from rightdesk.tickets.choices import (
    CallDirection,
    Channel,
    EventKind,
    MessageKind,
    Priority,
    Status,
)

#: Ticket references are ``<prefix>-<pk + offset>`` so the first ticket reads RD-1001.
REFERENCE_OFFSET = 1000


class Ticket(models.Model):
    """One customer problem, from first contact to resolution, with one named owner."""

    subject = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.EMAIL)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tickets"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_tickets",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    triaged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Queue order: customers waiting on us first (longest wait first), then the rest.
    waiting_since = models.DateTimeField(
        null=True, blank=True, help_text="When the customer started waiting on us; empty if not."
    )
    queue_rank = models.PositiveSmallIntegerField(
        default=0, help_text="0 = the customer is waiting on us, 1 = not waiting, 2 = done."
    )
    queue_at = models.DateTimeField(default=timezone.now)
    last_customer_contact_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_tickets"
    )

    class Meta:
        ordering = ["queue_rank", "queue_at", "id"]
        indexes = [
            models.Index(fields=["queue_rank", "queue_at", "id"], name="ticket_queue"),
            models.Index(
                fields=["owner", "queue_rank", "queue_at", "id"], name="ticket_queue_owner"
            ),
            models.Index(fields=["team", "queue_rank", "queue_at", "id"], name="ticket_queue_team"),
            models.Index(
                fields=["status", "queue_rank", "queue_at", "id"], name="ticket_queue_status"
            ),
            models.Index(fields=["customer", "created_at"], name="ticket_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return f"{settings.RIGHTDESK_TICKET_PREFIX}-{self.pk + REFERENCE_OFFSET}"

    @staticmethod
    def pk_from_reference(reference: str) -> int | None:
        """'RD-1042' or '1042' → 42; None when it cannot be one of ours."""
        text = str(reference).strip().upper()
        prefix = settings.RIGHTDESK_TICKET_PREFIX.upper() + "-"
        if text.startswith(prefix):
            text = text[len(prefix) :]
        if not text.isdigit() or len(text) > 12:
            return None
        number = int(text) - REFERENCE_OFFSET
        return number if number > 0 else None


class Message(models.Model):
    """Anything said on a ticket: the customer's message, our reply, a note, a call."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_customer = models.BooleanField(default=False)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text="Sanitized HTML; safe to render.")
    created_at = models.DateTimeField(default=timezone.now)
    # Phone calls
    call_direction = models.CharField(max_length=10, choices=CallDirection.choices, blank=True)
    call_party = models.CharField(max_length=200, blank=True, help_text="Who was on the other end.")
    call_started_at = models.DateTimeField(null=True, blank=True)
    call_duration_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="message_ticket")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"


class Handoff(models.Model):
    """A change of owner and the note that explains it, shown first to the new owner."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="handoffs")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="handoffs_received"
    )
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Handoff of {self.ticket_id} to {self.to_user_id}"


class Event(models.Model):
    """An append-only timeline entry, written in the same transaction as the change."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="event_ticket")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"
