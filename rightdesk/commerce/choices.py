"""Vocabularies of purchases and refunds, and the refund status transition table."""

from __future__ import annotations

from django.db import models


class LineKind(models.TextChoices):
    PHYSICAL = "physical", "Physical goods"
    DIGITAL = "digital", "Digital goods"
    SERVICE = "service", "Service"
    SUBSCRIPTION = "subscription", "Subscription"
    FEE = "fee", "Fee"


#: Kinds that are something the customer bought (as opposed to a fee on top).
ITEM_KINDS = frozenset(
    {LineKind.PHYSICAL, LineKind.DIGITAL, LineKind.SERVICE, LineKind.SUBSCRIPTION}
)


class FeeKind(models.TextChoices):
    PROCESSING = "processing", "Payment processing fee"
    SHIPPING = "shipping", "Shipping"
    TAX = "tax", "Tax"
    OTHER = "other", "Other fee"


class ShipmentStatus(models.TextChoices):
    PENDING = "pending", "Not shipped yet"
    SHIPPED = "shipped", "Shipped"
    IN_TRANSIT = "in_transit", "In transit"
    DELIVERED = "delivered", "Delivered"
    RETURNED = "returned", "Returned to sender"
    LOST = "lost", "Lost"


class DeliveryKind(models.TextChoices):
    ACCESS_CODE = "access_code", "Access code"
    DOWNLOAD = "download", "Download link"
    ACCOUNT = "account", "Account access"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    DECLINED = "declined", "Declined"


#: The only place that says which refund status may follow which.
REFUND_TRANSITIONS: dict[str, frozenset[str]] = {
    RefundStatus.REQUESTED: frozenset({RefundStatus.APPROVED, RefundStatus.DECLINED}),
    RefundStatus.APPROVED: frozenset({RefundStatus.PAID, RefundStatus.DECLINED}),
    RefundStatus.PAID: frozenset(),
    RefundStatus.DECLINED: frozenset(),
}


class PromiseState(models.TextChoices):
    NONE = "none", "No promise yet"
    OPEN = "open", "Promised"
    KEPT = "kept", "Kept"
    BROKEN = "broken", "Broken"


class NotificationChannel(models.TextChoices):
    EMAIL = "email", "E-mail"


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Not sent"


class EventKinds:
    """Timeline event kinds written by commerce services (Event.kind values)."""

    ORDER_LINKED = "order_linked"
    REFUND_REQUESTED = "refund_requested"
    REFUND_APPROVED = "refund_approved"
    REFUND_PAID = "refund_paid"
    REFUND_DECLINED = "refund_declined"
    REFUND_PROMISE_BROKEN = "refund_promise_broken"
    SHIPMENT_STATUS = "shipment_status"
    CUSTOMER_NOTIFIED = "customer_notified"
