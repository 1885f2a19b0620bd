"""Notifications are created once per key and e-mailed once."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail

from rightdesk.notifications.models import Notification, NotificationKind
from rightdesk.notifications.services import email_notification_now, mark_read, notify, unread_count


@pytest.fixture
def immediate() -> Any:
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


def test_same_key_creates_one_notification_and_one_mail(
    immediate: Any, agent: User, django_capture_on_commit_callbacks: Any
) -> None:
    agent.email = "dana@shop.example"
    agent.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(
            recipient=agent,
            kind=NotificationKind.REMINDER,
            key="reminder:1:1",
            title="RD-1001: call back due 15:00 UTC",
            body="You promised Maria.",
            url="/desk/tickets/RD-1001/",
        )
        second = notify(
            recipient=agent, kind=NotificationKind.REMINDER, key="reminder:1:1", title="again"
        )
    assert first is not None and second is None
    assert Notification.objects.count() == 1
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (
            ["dana@shop.example"],
            "[Rightdesk] RD-1001: call back due 15:00 UTC",
            "You promised Maria.\n\n/desk/tickets/RD-1001/",
        )
    ]
    # Running the delivery again (a retried task) sends nothing more.
    assert email_notification_now(notification_id=first.pk) is False
    assert len(mail.outbox) == 1


def test_no_address_no_mail_and_bell_marks_read(
    immediate: Any, agent: User, other_agent: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=agent, kind=NotificationKind.ESCALATION, key="e:1", title="Broken")
        notify(recipient=agent, kind=NotificationKind.BREACH, key="b:1", title="Breach")
        notify(recipient=other_agent, kind=NotificationKind.BREACH, key="b:2", title="Other")
    assert mail.outbox == []
    assert unread_count(agent) == 2
    own = Notification.objects.get(key="e:1")
    foreign = Notification.objects.get(key="b:2")
    assert mark_read(user=agent, notification_ids=[own.pk, foreign.pk]) == 1
    assert unread_count(agent) == 1
    assert unread_count(other_agent) == 1
