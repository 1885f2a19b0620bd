"""Portal sign-in: e-mailed one-time links instead of passwords.

The answer to a link request never says whether the address is known, so the
portal cannot be used to find out who is a customer; requests per address are
rate-limited so nobody can flood a customer's mailbox.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from rightdesk.core.errors import Invalid
from rightdesk.customers.models import ContactKind, Customer
from rightdesk.customers.services import find_customer_by_contact, normalise_email
from rightdesk.portal.models import SignInLink

#: At most this many links are sent to one address per hour.
MAX_LINKS_PER_HOUR = 3
TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_minutes() -> int:
    return int(settings.RIGHTDESK_PORTAL_LINK_MINUTES)


def sign_in_mail_text(*, customer: Customer, url: str, minutes: int) -> str:
    """The body of the sign-in e-mail."""
    return (
        f"Hello {customer.greeting_name},\n\n"
        "Use this link to see your requests, items, orders and refunds:\n\n"
        f"{url}\n\n"
        f"The link works once and for {minutes} minutes. If you did not ask for it, "
        "you can ignore this e-mail; nobody can sign in without it."
    )


@transaction.atomic
def request_sign_in_link(*, email: str, url_prefix: str, at: datetime | None = None) -> bool:
    """E-mail a one-time sign-in link if ``email`` belongs to a customer.

    Returns whether a link was sent; callers must not show this to the visitor.
    ``url_prefix`` is the absolute URL the token is appended to.
    """
    customer = find_customer_by_contact(ContactKind.EMAIL, email)
    if customer is None:
        return False
    address = normalise_email(email)
    # Serialise requests of one customer so the rate limit holds under concurrency.
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    now = at or timezone.now()
    recent = SignInLink.objects.filter(email=address, created_at__gt=now - timedelta(hours=1))
    if recent.count() >= MAX_LINKS_PER_HOUR:
        return False
    token = secrets.token_urlsafe(TOKEN_BYTES)
    minutes = link_minutes()
    SignInLink.objects.create(
        customer=customer,
        email=address,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    body = sign_in_mail_text(customer=customer, url=f"{url_prefix}{token}/", minutes=minutes)
    transaction.on_commit(
        lambda: send_mail(
            "Your sign-in link",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [address],
        )
    )
    return True


#: How long a spent or expired link is kept (it still counts for the hourly limit
#: and says who asked for a link when) before the daily sweep deletes it.
KEEP_SPENT_LINKS = timedelta(days=7)


def sweep_sign_in_links(*, at: datetime | None = None) -> int:
    """Delete links that expired more than ``KEEP_SPENT_LINKS`` ago; returns how many."""
    now = at or timezone.now()
    deleted, _ = SignInLink.objects.filter(expires_at__lt=now - KEEP_SPENT_LINKS).delete()
    return deleted


def _usable_link(token: str, now: datetime) -> SignInLink | None:
    if not token or len(token) > 200:
        return None
    link = (
        SignInLink.objects.select_for_update()
        .select_related("customer")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return link


def link_is_usable(*, token: str, at: datetime | None = None) -> bool:
    """Whether the link would sign in now (shown before the visitor confirms)."""
    with transaction.atomic():
        return _usable_link(token, at or timezone.now()) is not None


@transaction.atomic
def sign_in_with_link(*, token: str, at: datetime | None = None) -> Customer:
    """Use a sign-in link: it is spent, along with any other unused link of the customer.

    An unknown (forged), expired or already used link is refused the same way.
    """
    now = at or timezone.now()
    link = _usable_link(token, now)
    if link is None:
        raise Invalid(
            "This sign-in link has expired or was already used. Ask for a new one.",
            code="link_invalid",
            field="token",
        )
    SignInLink.objects.filter(customer=link.customer, used_at__isnull=True).update(used_at=now)
    return link.customer
