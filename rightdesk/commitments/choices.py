"""Promise vocabularies."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    CALL_BACK = "call_back", "Call back"
    REPLY = "reply", "Reply"
    REFUND = "refund", "Refund"
    DELIVER = "deliver", "Deliver"
    ESTIMATE = "estimate", "Estimate"
    OTHER = "other", "Other"


class CommitmentStatus(models.TextChoices):
    OPEN = "open", "Open"
    KEPT = "kept", "Kept"
    BROKEN = "broken", "Broken"
    CANCELLED = "cancelled", "Cancelled"


class Source(models.TextChoices):
    EXPLICIT = "explicit", "Recorded by an agent"
    DETECTED = "detected", "Found in a reply or call"
    ACKNOWLEDGMENT = "acknowledgment", "The acknowledgment"


class PromiseEvent(models.TextChoices):
    """Timeline event kinds written by the promises domain."""

    MADE = "promise_made", "Promise made"
    KEPT = "promise_kept", "Promise kept"
    BROKEN = "promise_broken", "Promise broken"
    CANCELLED = "promise_cancelled", "Promise cancelled"
    CHANGED = "promise_changed", "Promise changed"
    ACKNOWLEDGED = "acknowledged", "Acknowledgment sent"
    CHASE = "chase", "Customer chased"


#: Which acts keep which promises: an outbound call answers both a call-back and
#: a reply promise; a written reply keeps only a reply promise.
KEPT_BY_CALL = frozenset({Kind.CALL_BACK, Kind.REPLY})
KEPT_BY_REPLY = frozenset({Kind.REPLY})
