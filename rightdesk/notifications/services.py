"""Notifying agents: create the bell entry once, then e-mail it once."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from rightdesk.notifications.models import Notification
from rightdesk.tickets.models import Ticket


def notify(
    *,
    recipient: User,
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    ticket: Ticket | None = None,
    at: datetime | None = None,
) -> Notification | None:
    """Create a notification unless one with ``key`` exists; None when it did.

    The e-mail is queued for after the commit, so a rolled-back sweep sends
    nothing, and it is sent by a task that marks it sent under a row lock.
    """
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                key=key[:120],
                title=title[:200],
                body=body,
                url=url,
                ticket=ticket,
                created_at=at or timezone.now(),
            )
    except IntegrityError:
        return None
    if recipient.email:
        from rightdesk.notifications.tasks import email_notification

        transaction.on_commit(lambda: email_notification(notification.pk))
    return notification


@transaction.atomic
def email_notification_now(*, notification_id: int) -> bool:
    """E-mail one notification to its recipient, at most once; True when sent now."""
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.recipient.email:
        return False
    body = notification.body
    if notification.url:
        body = f"{body}\n\n{notification.url}".strip()
    send_mail(
        subject=f"[Rightdesk] {notification.title}",
        message=body,
        from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
        recipient_list=[notification.recipient.email],
    )
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


def unread_count(user: User) -> int:
    """How many notifications wait under the bell."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@transaction.atomic
def mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=notification_ids)
    return rows.update(read_at=timezone.now())
