"""E-mail in and out: mailboxes, every raw message as received, attachments, the outbox."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from rightdesk.channels.choices import OutState, RawState, Source
from rightdesk.core.secrets import is_sealed, reseal, seal, unseal


class Mailbox(models.Model):
    """An address customers write to, owned by a team; optionally polled over IMAP."""

    address = models.CharField(max_length=254, unique=True, help_text="Lower-case e-mail address.")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="mailboxes")
    active = models.BooleanField(default=True)
    max_message_bytes = models.PositiveIntegerField(
        default=50 * 1024 * 1024, help_text="Larger messages are refused with 552."
    )
    imap_host = models.CharField(max_length=200, blank=True, help_text="Empty: SMTP only.")
    imap_port = models.PositiveIntegerField(default=993)
    imap_ssl = models.BooleanField(default=True)
    imap_username = models.CharField(max_length=200, blank=True)
    #: Sealed (``rightdesk.core.secrets``): read it with ``imap_login_password()``.
    imap_password = models.TextField(blank=True)
    imap_folder = models.CharField(max_length=200, default="INBOX")
    imap_move_to = models.CharField(
        max_length=200, blank=True, help_text="Move stored messages here; empty: flag them."
    )
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True)
    imap_last_uid = models.BigIntegerField(default=0)
    imap_last_polled_at = models.DateTimeField(null=True, blank=True)
    imap_last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["address"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return self.address

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The password is kept sealed, however it was set (admin, shell, fixtures),
        # and under the current SECRET_KEY once an old one has been rotated out.
        if self.imap_password and not is_sealed(self.imap_password):
            self.imap_password = seal(self.imap_password)
        elif self.imap_password:
            self.imap_password = reseal(self.imap_password)
        super().save(*args, **kwargs)

    def imap_login_password(self) -> str:
        """The IMAP password in clear, to log in with (never shown or logged)."""
        return unseal(self.imap_password, what=f"The IMAP password of {self.address}")


class RawMessage(models.Model):
    """One e-mail exactly as it arrived, stored before anything else happens to it.

    The gateway answers 250 only once this row is committed; processing,
    threading and quarantine all work from here, so nothing is ever lost.
    """

    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    dedupe_key = models.CharField(max_length=64, unique=True)
    message_id = models.CharField(max_length=260, blank=True, db_index=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    envelope_from = models.CharField(max_length=500, blank=True)
    envelope_to = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=12, choices=RawState.choices, default=RawState.PENDING)
    reason_code = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    # What processing found
    from_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    is_auto_generated = models.BooleanField(
        default=False, help_text="Written by a machine: never acknowledged."
    )
    auto_reason = models.CharField(max_length=100, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket_message = models.OneToOneField(
        "tickets.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="email",
    )
    opened_ticket = models.BooleanField(default=False)
    full_text = models.TextField(blank=True, help_text="The whole text, quotes included.")
    quoted_text = models.TextField(blank=True)
    signature = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["state", "id"], name="rawmessage_state"),
            models.Index(fields=["from_address", "received_at"], name="rawmessage_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.subject or self.message_id or self.pk} ({self.state})"


class Attachment(models.Model):
    """An attachment or inline image of an inbound e-mail, served only as a download."""

    raw_message = models.ForeignKey(
        RawMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField(blank=True)
    inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=250, blank=True)
    dropped = models.BooleanField(default=False, help_text="Over the size limit; not kept.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class OutboundEmail(models.Model):
    """A reply waiting to be sent, being sent or sent: the outbox.

    The state machine (queued → sending → sent / failed) under a row lock is
    what makes a reply go out at most once.
    """

    ticket_message = models.OneToOneField(
        "tickets.Message", on_delete=models.CASCADE, related_name="outbound_email"
    )
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    to_address = models.CharField(max_length=254)
    to_name = models.CharField(max_length=200, blank=True)
    from_address = models.CharField(max_length=254)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=400)
    message_id = models.CharField(max_length=260, unique=True)
    in_reply_to = models.CharField(max_length=260, blank=True)
    references = models.TextField(blank=True)
    automatic = models.BooleanField(default=False)
    state = models.CharField(max_length=12, choices=OutState.choices, default=OutState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbound_due")]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.to_address} ({self.state})"
