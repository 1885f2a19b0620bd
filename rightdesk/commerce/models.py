"""Purchases (orders with their items and fees), payments, shipments, refunds.

An order is one purchase session. Fees are explicit lines so a refund can show
every part of what the customer paid (P6), and a ticket can point at the order
and any of its items so one purchase needs one ticket (P7).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from rightdesk.commerce.choices import (
    DeliveryKind,
    FeeKind,
    LineKind,
    NotificationChannel,
    NotificationStatus,
    PromiseState,
    RefundStatus,
    ShipmentStatus,
)
from rightdesk.commerce.money import quantize


def _money() -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(max_digits=14, decimal_places=3)


class OrderSource(models.Model):
    """Where orders come from (a shop, a marketplace); holds the webhook secret."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    webhook_secret = models.CharField(
        max_length=128, blank=True, help_text="Shared HMAC-SHA256 secret; empty disables webhooks."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Order(models.Model):
    """One purchase session of a customer, as the shop recorded it."""

    source = models.ForeignKey(OrderSource, on_delete=models.PROTECT, related_name="orders")
    external_ref = models.CharField(max_length=64, help_text="The shop's order number.")
    ref_key = models.CharField(
        max_length=64, db_index=True, help_text="Upper-case reference, for finding it in text."
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="orders"
    )
    placed_at = models.DateTimeField()
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(default=timezone.now)
    import_run = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_ref"], name="order_unique_ref"),
        ]
        indexes = [models.Index(fields=["customer", "placed_at"], name="order_customer")]

    def __str__(self) -> str:
        return self.external_ref


class OrderLine(models.Model):
    """An item bought, or a fee charged on top (fees are lines so they are never hidden)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=LineKind.choices)
    fee_kind = models.CharField(max_length=16, choices=FeeKind.choices, blank=True)
    product = models.CharField(max_length=200)
    sku = models.CharField(max_length=64, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = _money()
    applies_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="item_fees",
        help_text="For a fee charged on one item only; empty = charged on the whole order.",
    )

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="order_line_position"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"

    @property
    def is_fee(self) -> bool:
        return self.kind == LineKind.FEE

    @property
    def total(self) -> Decimal:
        return quantize(self.unit_price * self.quantity, self.order.currency)


class Payment(models.Model):
    """Money the customer paid for the order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    amount = _money()
    method = models.CharField(max_length=40, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    paid_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["paid_at", "id"]

    def __str__(self) -> str:
        return f"{self.amount} on order {self.order_id}"


class Shipment(models.Model):
    """A parcel on its way to the customer, with the carrier's tracking number."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(max_length=60)
    tracking_number = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=16, choices=ShipmentStatus.choices, default=ShipmentStatus.PENDING
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}".strip()


class DigitalDelivery(models.Model):
    """An access code or download for a digital line; whether it reached the customer."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="deliveries")
    line = models.ForeignKey(
        OrderLine, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=16, choices=DeliveryKind.choices)
    sent_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(
        max_length=200, blank=True, help_text="Where it was sent; never the secret code itself."
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for order {self.order_id}"


class WebhookNonce(models.Model):
    """A nonce already used by a signed webhook delivery; a second use is a replay."""

    source = models.ForeignKey(OrderSource, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "nonce"], name="webhook_nonce_once"),
        ]

    def __str__(self) -> str:
        return self.nonce


class TicketOrder(models.Model):
    """A ticket is about this order, and (optionally) only some of its lines."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="order_links"
    )
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="ticket_links")
    lines = models.ManyToManyField(OrderLine, blank=True, related_name="ticket_links")
    linked_at = models.DateTimeField(default=timezone.now)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "order"], name="ticket_order_once"),
        ]

    def __str__(self) -> str:
        return f"Ticket {self.ticket_id} about order {self.order_id}"


class RefundPolicy(models.Model):
    """How quickly an approved refund must be paid; one row, edited in the admin."""

    pay_within_business_days = models.PositiveSmallIntegerField(default=2)

    class Meta:
        verbose_name_plural = "refund policy"

    def __str__(self) -> str:
        return f"Pay within {self.pay_within_business_days} business days of approval"


class Refund(models.Model):
    """Money going back to the customer for some items, with every part itemised."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="refunds"
    )
    status = models.CharField(
        max_length=12, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    currency = models.CharField(max_length=3)
    paid_for_items = _money()
    withheld = _money()
    amount = _money()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    # The refund promise (P2/P11): mirrored here so refund lists need no join; the
    # commitment below is what reminds, escalates and counts it with every other promise.
    sla_business_days = models.PositiveSmallIntegerField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    promise_state = models.CharField(
        max_length=8, choices=PromiseState.choices, default=PromiseState.NONE
    )
    promise_broken_at = models.DateTimeField(null=True, blank=True)
    commitment = models.ForeignKey(
        "commitments.Commitment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The refund promise as the promises domain tracks it.",
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="refund_due"),
            models.Index(fields=["promise_state", "due_at"], name="refund_promise"),
        ]

    def __str__(self) -> str:
        return f"Refund {self.pk} of {self.order}"


class RefundLine(models.Model):
    """One part of what the customer paid for the refunded items: an item or a fee share."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="refund_lines")
    quantity = models.PositiveIntegerField(
        default=0, help_text="Items refunded; 0 for a fee share."
    )
    amount = _money()
    explanation = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.explanation


class RefundWithholding(models.Model):
    """A part of the refund we keep, with the reason the customer is shown."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="withholdings")
    label = models.CharField(max_length=100)
    amount = _money()
    reason = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.amount}"


class StatusUpdatePreference(models.Model):
    """Whether a customer wants factual status updates (item ready, refund paid) by e-mail."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="status_update_preference"
    )
    by_email = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Status updates by e-mail: {self.by_email}"


class StatusNotification(models.Model):
    """An automatic, factual message to the customer that something changed.

    Recorded whether or not it was sent, so the case shows what the customer
    was told and why something was not sent (preference, no address).
    """

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="status_notifications"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topic = models.CharField(max_length=40, help_text="e.g. refund_paid, item_status.")
    channel = models.CharField(
        max_length=8, choices=NotificationChannel.choices, default=NotificationChannel.EMAIL
    )
    address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=NotificationStatus.choices)
    skip_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject
