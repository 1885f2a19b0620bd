"""Reply-check data: admin rule extensions, inbound sentiment, and checked sends.

The shipped rules live in ``rightdesk/quality/data/<language>.json``; a RuleSet
with its entries extends them per language without a deployment.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from rightdesk.quality.rules import entry_problem


class RuleList(models.TextChoices):
    """Which list of the shipped rules an admin entry extends."""

    DISRESPECT = "disrespect", "Disrespect phrase"
    DISRESPECT_ADVICE = "disrespect_advice", "Disrespect phrase (advice only)"
    DISRESPECT_EXCEPTION = "disrespect_exceptions", "Disrespect exception"
    DISRESPECT_BY_US = (
        "disrespect_by_us",
        "Our own act against the customer (no exception excuses it)",
    )
    THIRD_PARTY = (
        "third_party",
        "Someone other than the customer (blame words beside one are not aimed at the customer)",
    )
    CUSTOMER_AS_VICTIM = (
        "customer_as_victim",
        "The customer as the victim (blame words beside it are about others)",
    )
    BLAME_AT_CUSTOMER = (
        "blame_at_customer",
        "The customer as the wrongdoer (no third party nearby excuses it)",
    )
    CUSTOMER_TARGETED = (
        "customer_targeted",
        "The customer's message reports someone else targeting them (blame words in the "
        "reply are about that someone)",
    )
    VICTIM_REFERRAL = (
        "victim_referrals",
        "Where a targeted customer is rightly sent (bank, police; not a deflection)",
    )
    CONDESCENSION = "condescension", "Condescension phrase"
    CONDESCENSION_ADVICE = "condescension_advice", "Condescension phrase (advice only)"
    ARROGANCE = "arrogance", "Arrogance phrase"
    ARROGANCE_ADVICE = "arrogance_advice", "Arrogance phrase (advice only)"
    DEFLECTION = "deflection", "Deflection phrase"
    OWNERSHIP = "ownership", "Ownership phrase (cancels deflection)"
    HOSTILE = "hostile_tone", "Hostile phrase"
    TONE_EXAMPLE = (
        "tone_example",
        "Tone example for the learnt model (kind: sentence; kind is clean, disrespect, "
        "condescension, arrogance, deflection or hostile_tone)",
    )
    PROMISE = "promise", "Promise pattern"
    REQUEST_CUE = "request_cues", "Request cue (for re-ask)"
    PROFANITY = "profanity", "Profane word"
    PROFANITY_ROOT = "profanity_root", "Profane word root (matches any ending)"
    PROFANITY_ALLOW = "profanity_allow", "Word that only looks profane"
    ACRONYM = "acronym", "Acronym allowed in capitals"
    NON_NAME = "non_name", "Greeting word that is not a name"
    FIRST_NAME = "first_name", "Known first name"
    DIMINUTIVES = "diminutives", "Name group (comma-separated: formal, short forms)"
    NEGATION = "negation", "Negation word"
    THRESHOLD = "threshold", "Threshold (name=value)"
    SEVERITY = "severity", "Severity (kind=block or kind=advice)"


class RuleSet(models.Model):
    """A named group of rule entries for one language, switched on or off as a whole."""

    name = models.CharField(max_length=100)
    language = models.CharField(max_length=12, default="en")
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class RuleEntry(models.Model):
    """One added phrase, word, name group, threshold or severity in a rule set.

    A phrase is matched as literal words; prefix it with ``re:`` for a regular
    expression (case-insensitive).
    """

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="entries")
    list_name = models.CharField(max_length=32, choices=RuleList.choices)
    value = models.CharField(max_length=500)
    note = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ruleset", "list_name", "id"]
        verbose_name_plural = "rule entries"

    def __str__(self) -> str:
        return f"{self.get_list_name_display()}: {self.value}"

    def clean(self) -> None:
        problem = entry_problem(self.list_name, self.value)
        if problem is not None:
            raise ValidationError({"value": problem})


class SentimentLabel(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    NEUTRAL = "neutral", "Neutral"
    POSITIVE = "positive", "Positive"


class MessageSentiment(models.Model):
    """How a customer's message reads (VADER, on this machine), for customer health."""

    message = models.OneToOneField(
        "tickets.Message", on_delete=models.CASCADE, related_name="sentiment"
    )
    compound = models.FloatField(help_text="-1 (very negative) to +1 (very positive).")
    negative = models.FloatField(default=0)
    neutral = models.FloatField(default=0)
    positive = models.FloatField(default=0)
    label = models.CharField(max_length=10, choices=SentimentLabel.choices)
    scored_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.label} ({self.compound:+.2f})"


class ReplyCheckRecord(models.Model):
    """What the reply check found on a sent reply, and the reason when sent anyway."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="reply_checks"
    )
    message = models.OneToOneField(
        "tickets.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reply_check",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reply_checks"
    )
    kinds = models.JSONField(default=list, blank=True, help_text="Kinds found, e.g. ['re_ask'].")
    blocking_kinds = models.JSONField(default=list, blank=True)
    findings = models.JSONField(default=list, blank=True)
    overridden = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["agent", "at"], name="replycheck_agent_at")]

    def __str__(self) -> str:
        return f"Check on {self.ticket_id} by {self.agent_id}"
