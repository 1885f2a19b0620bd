"""Business calendars and SLA policies (tuned by admins at runtime) and each
ticket's SLA clocks.

A promise only means something against the hours a team actually works, and
what the acknowledgment tells the customer must be what is measured: both read
the same calendar and the same policy.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class BusinessCalendar(models.Model):
    """When a team is open: weekly hours, time zone, public holidays, closures.

    A team without a calendar works Monday to Friday, 09:00-17:00, in its own
    time zone, without holidays.
    """

    name = models.CharField(max_length=100)
    team = models.OneToOneField(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="business_calendar",
        help_text="Empty: the default calendar for teams without their own.",
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    holiday_country = models.CharField(
        max_length=8, blank=True, help_text="ISO country code whose public holidays close the desk."
    )
    holiday_subdivision = models.CharField(
        max_length=16, blank=True, help_text="State or region code, e.g. 'IL' or 'BY'."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"], condition=models.Q(team__isnull=True), name="one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.name


class OpeningSpan(models.Model):
    """One opening span of a weekday (e.g. Monday 09:00-12:30)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="spans")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    opens = models.TimeField()
    closes = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["weekday", "opens"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Closure(models.Model):
    """A day the desk is closed beyond public holidays (inventory, company event)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closures"
    )
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_closure_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


class SlaPolicy(models.Model):
    """Response and resolution targets, in business minutes, for matching tickets.

    The most specific active policy wins (priority, channel and tier each count);
    empty criteria match anything. Clocks pause while waiting on the customer.
    """

    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    priority = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(1, "Low"), (2, "Normal"), (3, "High"), (4, "Urgent")]
    )
    channel = models.CharField(max_length=12, blank=True)
    tier = models.CharField(max_length=16, blank=True)
    first_response_minutes = models.PositiveIntegerField(default=8 * 60)
    next_response_minutes = models.PositiveIntegerField(default=8 * 60)
    resolution_minutes = models.PositiveIntegerField(default=5 * 8 * 60)
    refund_payment_minutes = models.PositiveIntegerField(default=3 * 8 * 60)
    vague_promise_minutes = models.PositiveIntegerField(
        default=4 * 60, help_text="Window given to a vague promise ('shortly', 'soon')."
    )
    reminder_lead_minutes = models.PositiveIntegerField(
        default=30, help_text="How long before a promise is due its owner is reminded."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "SLA policies"

    def __str__(self) -> str:
        return self.name


class TicketSla(models.Model):
    """A ticket's SLA clocks: due times, when each was met, and recorded breaches.

    Stored due times ignore pauses, so they are never later than the true ones:
    the sweep rechecks a ticket from its timeline when ``watch_at`` passes.
    """

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="sla")
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL)
    first_response_due = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    next_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    watch_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sweep must look at this ticket again."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["watch_at"], name="ticketsla_watch")]

    def __str__(self) -> str:
        return f"SLA of ticket {self.ticket_id}"


class Breach(models.Model):
    """One missed SLA target on one ticket (exactly one per ticket, metric and cycle)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="breaches")
    metric = models.CharField(max_length=20)
    due_at = models.DateTimeField()
    breached_at = models.DateTimeField()
    owner = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-breached_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "metric", "due_at"], name="one_breach_per_due"
            )
        ]
        indexes = [models.Index(fields=["breached_at"], name="breach_when")]

    def __str__(self) -> str:
        return f"{self.metric} breach on ticket {self.ticket_id}"
