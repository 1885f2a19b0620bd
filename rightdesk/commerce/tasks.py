"""Background sweeps of commerce: late refunds and old webhook nonces (safe to run twice)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from rightdesk.commerce.services.refunds import sweep_overdue_refunds
from rightdesk.commerce.services.webhooks import forget_old_nonces


@db_periodic_task(crontab(minute="*/5"))
def sweep_refund_promises() -> int:
    """Mark approved refunds that are past due and unpaid as broken promises."""
    return sweep_overdue_refunds()


@db_periodic_task(crontab(minute="*/15"))
def forget_webhook_nonces() -> int:
    """Drop nonces whose timestamps would be refused anyway."""
    return forget_old_nonces()
