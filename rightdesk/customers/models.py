"""Customers, the ways to reach them, and the facts we already know about them.

A fact (car colour, order number, account id...) is recorded once, with where
it came from, and shown on every screen about this customer, so nobody has to
ask it again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Tier(models.TextChoices):
    STANDARD = "standard", "Standard"
    PRIORITY = "priority", "Priority"
    VIP = "vip", "VIP"


class Customer(models.Model):
    """A person (or business) we serve."""

    name = models.CharField(max_length=200)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="What they like to be called (e.g. 'Maggie')."
    )
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    account_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
        help_text="The rep who owns this customer relationship, if any.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def greeting_name(self) -> str:
        return self.preferred_name or self.name.split(" ")[0]


class ContactKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"


class ContactPoint(models.Model):
    """One e-mail address or phone number of a customer, stored normalised."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=8, choices=ContactKind.choices)
    value = models.CharField(
        max_length=254, help_text="Normalised: lower-case e-mail, E.164 phone."
    )
    label = models.CharField(max_length=40, blank=True)
    is_primary = models.BooleanField(default=False)
    failing_since = models.DateTimeField(null=True, blank=True)
    failing_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="contact_point_unique_value"),
        ]

    def __str__(self) -> str:
        return self.value


class Fact(models.Model):
    """Something the customer told us once (key → value) and where it came from."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="facts")
    key = models.CharField(max_length=60, help_text="Normalised key, e.g. 'car_colour'.")
    label = models.CharField(max_length=80, help_text="Human label, e.g. 'Car colour'.")
    value = models.CharField(max_length=500)
    source_message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["label", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "key"], name="fact_unique_key_per_customer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"
