"""Items we hold for customers (a car, a phone, a parcel), where they are, and the service queue.

P1: never give a customer reason to worry about their possession. Each item is
checked in once with its identity, every move and status change is a timeline
event, the lot walk confirms it is still where we think, and the queue says
when it will be looked at (P17).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from rightdesk.custody.choices import Arrival, ItemKind, ItemStatus, JobStatus, LocationKind


class CustodySettings(models.Model):
    """Runtime knobs of the custody desk; one row, edited in the admin."""

    confirm_within_hours = models.PositiveSmallIntegerField(
        default=24, help_text="An item not confirmed on a lot walk for this long is flagged."
    )
    default_job_hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=4,
        help_text="Assumed job length while there is too little history to measure throughput.",
    )
    throughput_days = models.PositiveSmallIntegerField(
        default=14, help_text="How many recent days of finished jobs measure the throughput."
    )

    class Meta:
        verbose_name_plural = "custody settings"

    def __str__(self) -> str:
        return "Custody settings"


class Location(models.Model):
    """A place on our premises where items stand (lot, bay, shelf); configured by the shop."""

    name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=8, choices=LocationKind.choices, default=LocationKind.LOT)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class CustodyItem(models.Model):
    """Something of the customer's that we hold, with its identity recorded once."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="custody_items"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="custody_items"
    )
    order = models.ForeignKey(
        "commerce.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="custody_items",
    )
    kind = models.CharField(max_length=8, choices=ItemKind.choices)
    make = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=60, blank=True)
    colour = models.CharField(max_length=40, blank=True)
    plate = models.CharField(max_length=20, blank=True)
    plate_key = models.CharField(
        max_length=20,
        blank=True,
        db_index=True,
        help_text="Plate without spaces or dashes, upper-case.",
    )
    vin = models.CharField(max_length=17, blank=True)
    serial = models.CharField(max_length=80, blank=True)
    description = models.TextField(blank=True)
    arrival = models.CharField(max_length=12, choices=Arrival.choices)
    checked_in_at = models.DateTimeField(default=timezone.now)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    status = models.CharField(
        max_length=16, choices=ItemStatus.choices, default=ItemStatus.CHECKED_IN
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    last_confirmed_at = models.DateTimeField(null=True, blank=True)
    last_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    flagged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the lot walk flagged it as not confirmed."
    )
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["checked_in_at", "id"]
        indexes = [
            models.Index(fields=["status", "location"], name="custody_on_premises"),
            models.Index(fields=["customer", "status"], name="custody_customer"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """'Red Toyota Corolla (IL ABC 123)': how everyone refers to the item."""
        words = " ".join(w for w in (self.colour, self.make, self.model) if w)
        words = words[:1].upper() + words[1:] if words else self.get_kind_display()
        tag = self.plate or self.serial or self.vin
        return f"{words} ({tag})" if tag else words


class ItemPhoto(models.Model):
    """An optional photo taken at check-in (dents, scratches, the state it came in)."""

    item = models.ForeignKey(CustodyItem, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="custody/%Y/%m/")
    caption = models.CharField(max_length=200, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.caption or f"Photo of item {self.item_id}"


class Confirmation(models.Model):
    """A lot walk tick: someone saw the item where the system says it is (or elsewhere)."""

    item = models.ForeignKey(CustodyItem, on_delete=models.CASCADE, related_name="confirmations")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-confirmed_at", "-id"]

    def __str__(self) -> str:
        return f"Item {self.item_id} seen {self.confirmed_at:%Y-%m-%d %H:%M}"


class ServiceJob(models.Model):
    """A place in the service queue: jobs are worked in order of arrival (P17).

    ``sort_key`` starts as the arrival time in microseconds; moving a job ahead
    gives it a key just before the job it jumps, and the reason goes on the
    ticket's timeline.
    """

    item = models.ForeignKey(CustodyItem, on_delete=models.CASCADE, related_name="jobs")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    description = models.CharField(max_length=200)
    arrived_at = models.DateTimeField(default=timezone.now)
    sort_key = models.BigIntegerField(db_index=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    moved_ahead_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["sort_key", "id"]
        indexes = [models.Index(fields=["status", "sort_key", "id"], name="job_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status__in=["queued", "in_work"]),
                name="one_live_job_per_item",
            ),
        ]

    def __str__(self) -> str:
        return self.description
