"""SLA vocabularies."""

from __future__ import annotations

from django.db import models

#: A clock with less than this share of its target left is shown at risk.
AT_RISK_FRACTION = 0.25


class Metric(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"
    REFUND_PAYMENT = "refund_payment", "Refund payment"


class ClockState(models.TextChoices):
    RUNNING = "running", "On track"
    AT_RISK = "at_risk", "At risk"
    BREACHED = "breached", "Breached"
    MET = "met", "Met"
    PAUSED = "paused", "Paused (waiting on customer)"


class SlaEvent(models.TextChoices):
    """Timeline event kinds written by the SLA domain."""

    BREACHED = "sla_breached", "SLA target missed"
