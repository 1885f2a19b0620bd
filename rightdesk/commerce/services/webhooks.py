"""Signed order webhooks: prove the sender, refuse replays, then record the order.

A delivery carries three headers:

* ``X-Rightdesk-Timestamp``: Unix seconds when it was signed;
* ``X-Rightdesk-Nonce``: 8-64 characters, never reused by the sender;
* ``X-Rightdesk-Signature``: ``sha256=`` + hex HMAC-SHA256, keyed with the
  source's secret, of ``"{timestamp}.{nonce}.".encode() + body``.

A wrong signature (or unknown source) is 401. A nonce seen before, or a
timestamp outside the tolerance window (an old delivery sent again after its
nonce was forgotten), is 409. Nothing is written for a refused delivery: the
nonce is stored in the same transaction as the order, so a malformed body does
not use it up either.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from rightdesk.commerce.errors import BadSignature
from rightdesk.commerce.models import Order, OrderSource, WebhookNonce
from rightdesk.commerce.services.orders import OrderInput, record_order
from rightdesk.core.errors import Conflict

TOLERANCE_SECONDS = 300
_NONCE = re.compile(r"^[A-Za-z0-9_\-]{8,64}$")


def sign(*, secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The signature header value a sender computes (and we check)."""
    message = f"{timestamp}.{nonce}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_webhook(
    *,
    source_slug: str,
    timestamp: str,
    nonce: str,
    signature: str,
    body: bytes,
    now: datetime | None = None,
) -> OrderSource:
    """Check a delivery's signature, age and nonce without writing anything."""
    source = OrderSource.objects.filter(slug=source_slug).first()
    secret = source.webhook_secret if source is not None else ""
    expected = sign(secret=secret or "-", timestamp=timestamp, nonce=nonce, body=body)
    if source is None or not secret or not hmac.compare_digest(expected, signature or ""):
        raise BadSignature("The webhook signature is not valid.")
    if not _NONCE.match(nonce or ""):
        raise BadSignature("The webhook nonce is missing or malformed.")
    try:
        signed_at = datetime.fromtimestamp(int(timestamp), tz=timezone.get_current_timezone())
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise BadSignature("The webhook timestamp is not valid.") from exc
    moment = now or timezone.now()
    if abs((moment - signed_at).total_seconds()) > TOLERANCE_SECONDS:
        raise Conflict(
            "The delivery is too old (or from the future); it may be a replay.",
            code="replay",
            field="timestamp",
        )
    if WebhookNonce.objects.filter(source=source, nonce=nonce).exists():
        raise Conflict("This delivery was already received.", code="replay", field="nonce")
    return source


@transaction.atomic
def record_webhook_order(
    *, source: OrderSource, nonce: str, data: OrderInput
) -> tuple[Order, bool]:
    """Use up the nonce and record the order, both or neither."""
    try:
        with transaction.atomic():
            WebhookNonce.objects.create(source=source, nonce=nonce)
    except IntegrityError as exc:
        raise Conflict("This delivery was already received.", code="replay", field="nonce") from exc
    return record_order(source=source, data=data)


def forget_old_nonces(*, now: datetime | None = None) -> int:
    """Nonces older than twice the window can go: their timestamps are refused anyway."""
    cutoff = (now or timezone.now()) - timedelta(seconds=2 * TOLERANCE_SECONDS)
    deleted, _ = WebhookNonce.objects.filter(received_at__lt=cutoff).delete()
    return deleted
