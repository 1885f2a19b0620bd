"""In-app notifications to agents (the bell), each mirrored by an e-mail.

A reminder that reaches an agent twice teaches them to ignore reminders, so
every notification carries a key that is unique: two workers sweeping at the
same moment cannot both create it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", "Promise due soon"
    BROKEN = "broken", "Promise broken"
    ESCALATION = "escalation", "Escalated to you"
    BREACH = "breach", "SLA breached"
    MAIL_HELD = "mail_held", "Mail held for your decision"
    MAIL_FAILED = "mail_failed", "Reply not delivered"


class Notification(models.Model):
    """Something an agent must act on, shown under the bell until read."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    key = models.CharField(max_length=120, unique=True, help_text="Makes sending idempotent.")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_bell")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.title}"
