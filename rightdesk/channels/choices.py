"""E-mail channel vocabularies: where raw mail is in its life, and outbox states."""

from __future__ import annotations

from django.db import models


class Source(models.TextChoices):
    SMTP = "smtp", "SMTP gateway"
    IMAP = "imap", "IMAP polling"


class RawState(models.TextChoices):
    PENDING = "pending", "Stored, waiting to be processed"
    PLACED = "placed", "On a ticket"
    HELD = "held", "Held for an agent to confirm"
    BOUNCE = "bounce", "Delivery report recorded"
    QUARANTINED = "quarantined", "Quarantined"


class OutState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Not sent"


class ChannelEvent(models.TextChoices):
    """Timeline event kinds the e-mail channel writes on tickets."""

    HELD = "email_held", "E-mail held for confirmation"
    RELEASED = "email_released", "Held e-mail confirmed"
    RATE_LIMITED = "email_rate_limited", "Sender rate limit reached"
    BOUNCED = "email_bounced", "E-mail bounced"
    SEND_FAILED = "email_failed", "E-mail could not be delivered"
    SEND_RETRY = "email_retry", "E-mail delivery will be retried"
    SUPPRESSED = "email_suppressed", "Automatic e-mail not sent"
    ATTACHMENT_DROPPED = "attachment_dropped", "Attachment over the size limit"
