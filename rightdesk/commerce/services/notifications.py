"""Factual status updates to the customer (item ready, parcel shipped, refund paid).

These are the only automatic messages besides the acknowledgment (P2, P8): they
state a fact, are labelled as automatic, never carry promotion, and respect the
customer's choice not to receive them. Each one is recorded, sent or not.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from rightdesk.commerce.choices import EventKinds, NotificationStatus
from rightdesk.commerce.models import StatusNotification, StatusUpdatePreference
from rightdesk.customers.models import ContactKind, Customer
from rightdesk.tickets.models import Ticket

AUTOMATIC_LABEL = (
    "This is an automatic status update from our service desk. "
    "Reply to this message to reach a person."
)


def _email_for(customer: Customer) -> str:
    point = (
        customer.contacts.filter(kind=ContactKind.EMAIL, failing_since__isnull=True)
        .order_by("-is_primary", "id")
        .first()
    )
    return point.value if point else ""


def _deliver(notification_id: int) -> None:
    note = StatusNotification.objects.get(pk=notification_id)
    send_mail(
        subject=note.subject,
        message=note.body,
        from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
        recipient_list=[note.address],
    )
    StatusNotification.objects.filter(pk=note.pk).update(
        status=NotificationStatus.SENT, sent_at=timezone.now()
    )


@transaction.atomic
def set_status_update_preference(*, customer: Customer, by_email: bool) -> StatusUpdatePreference:
    """Record whether the customer wants status updates by e-mail."""
    pref, _ = StatusUpdatePreference.objects.update_or_create(
        customer=customer, defaults={"by_email": by_email, "updated_at": timezone.now()}
    )
    return pref


@transaction.atomic
def notify_customer(
    *, customer: Customer, ticket: Ticket | None, topic: str, subject: str, body: str
) -> StatusNotification:
    """Tell the customer a fact; mail leaves after the transaction commits.

    The notification is recorded either way; when it is not sent the record says
    why (the customer opted out, or we have no working e-mail address).
    """
    from rightdesk.tickets.services import append_event

    pref = StatusUpdatePreference.objects.filter(customer=customer).first()
    address = _email_for(customer)
    skip = ""
    if pref is not None and not pref.by_email:
        skip = "The customer chose not to receive status updates by e-mail."
    elif not address:
        skip = "No working e-mail address on file."
    text = f"Dear {customer.greeting_name},\n\n{body}\n\n-- \n{AUTOMATIC_LABEL}\n"
    note = StatusNotification.objects.create(
        customer=customer,
        ticket=ticket,
        topic=topic[:40],
        address=address,
        subject=f"[Automatic update] {subject}"[:200],
        body=text,
        status=NotificationStatus.SKIPPED if skip else NotificationStatus.QUEUED,
        skip_reason=skip,
    )
    if ticket is not None:
        append_event(
            ticket=ticket,
            kind=EventKinds.CUSTOMER_NOTIFIED,
            actor=None,
            data={
                "topic": topic,
                "subject": note.subject,
                "sent": not skip,
                "skip_reason": skip,
                "notification": note.pk,
            },
        )
    if not skip:
        transaction.on_commit(lambda: _deliver(note.pk))
    return note
