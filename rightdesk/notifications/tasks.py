"""Background delivery of notification e-mails (safe to run twice)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from rightdesk.notifications.services import email_notification_now


@db_task(retries=3, retry_delay=60)
def email_notification(notification_id: int) -> bool:
    return email_notification_now(notification_id=notification_id)
