"""The public contact form: a customer writes in from the web, without signing in.

Like an e-mail, a web message finds (or creates) the customer by address, joins
the open ticket of an order it names (one purchase, one ticket), and otherwise
opens a ticket, which gets the acknowledgment by e-mail at that address. The
submitter is never told anything about existing tickets, since the address on
a public form is not proven.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rightdesk.commerce.services.routing import route_contact_to_order_ticket
from rightdesk.core.errors import Conflict, Invalid
from rightdesk.customers.services import customer_for_email, normalise_email
from rightdesk.tickets.choices import Channel
from rightdesk.tickets.models import Message, Ticket
from rightdesk.tickets.services import create_ticket

MAX_BODY = 20_000


@dataclass(frozen=True)
class WebContact:
    ticket: Ticket
    joined: bool


@transaction.atomic
def submit_web_form(
    *, name: str, email: str, subject: str, body: str, at: datetime | None = None
) -> WebContact:
    """Place a message sent through the web form, exactly as an e-mail would be placed."""
    address = normalise_email(email)
    subject = " ".join((subject or "").split())[:300]
    body = (body or "").strip()
    if not subject:
        raise Invalid("Tell us in a few words what it is about.", field="subject")
    if not body:
        raise Invalid("Write your message.", field="body")
    if len(body) > MAX_BODY:
        raise Invalid(f"Keep the message under {MAX_BODY} characters.", field="body")
    now = at or timezone.now()
    customer = customer_for_email(email=address, name=name)
    recent = Message.objects.filter(
        ticket__customer=customer, from_customer=True, created_at__gte=now - timedelta(hours=1)
    ).count()
    if recent >= settings.RIGHTDESK_MAIL_RATE_PER_HOUR:
        raise Conflict(
            "We have received many messages from this address in the last hour; "
            "please try again later.",
            code="rate_limited",
        )
    routed = route_contact_to_order_ticket(
        customer=customer, subject=subject, body_text=body, channel=Channel.WEB, at=now
    )
    if routed is not None:
        return WebContact(ticket=routed.ticket, joined=routed.joined)
    ticket = create_ticket(
        customer=customer, subject=subject, body_text=body, channel=Channel.WEB, at=now
    )
    return WebContact(ticket=ticket, joined=False)
