"""Promises made to customers, the one acknowledgment per ticket, and chases.

A promise ("I'll call you back this afternoon") is a record with an owner and
a due time, so that nobody has to remember it: it is reminded, kept by the act
that fulfils it, or broken and escalated, never silently forgotten.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from rightdesk.commitments.choices import CommitmentStatus, Kind, Source


class Commitment(models.Model):
    """A promise to a customer: what, by when, owned by whom, and how it ended."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="commitments"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="commitments"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    promised_text = models.CharField(max_length=500, help_text="The words of the promise.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
        help_text="Empty only when a team owns it (acknowledgment).",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=12, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.EXPLICIT)
    source_message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vague = models.BooleanField(
        default=False, help_text="No time was said; a default window applies."
    )
    due_at = models.DateTimeField()
    remind_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    kept_at = models.DateTimeField(null=True, blank=True)
    kept_by = models.ForeignKey(
        "tickets.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The call or message that kept it (or fulfilled it late).",
    )
    broken_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="commitment_due"),
            models.Index(fields=["status", "remind_at"], name="commitment_remind"),
            models.Index(fields=["owner", "status", "due_at"], name="commitment_owner"),
            models.Index(fields=["ticket", "status"], name="commitment_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.due_at:%Y-%m-%d %H:%M} ({self.status})"


class Acknowledgment(models.Model):
    """The one automatic reply a ticket ever gets: reference, owner, promised time."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="acknowledgment"
    )
    message = models.OneToOneField("tickets.Message", on_delete=models.CASCADE, related_name="+")
    commitment = models.OneToOneField(Commitment, on_delete=models.CASCADE, related_name="+")
    promised_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Acknowledgment of ticket {self.ticket_id}"


class Chase(models.Model):
    """A customer contact that only asked for an update: a failure to communicate."""

    message = models.OneToOneField(
        "tickets.Message", on_delete=models.CASCADE, related_name="chase"
    )
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="chases")
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.SET_NULL, related_name="chases"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who owned the ticket when the customer had to chase.",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phrase = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], name="chase_when")]

    def __str__(self) -> str:
        return f"Chase on ticket {self.ticket_id}"
