"""Portal test fixtures: an HTTPS client, a second customer, and signing in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rightdesk.customers.models import Customer
from rightdesk.customers.services import create_customer
from rightdesk.portal.access import PORTAL_SESSION_KEY


class HttpsClient(Client):
    """A test client whose every request arrives over HTTPS, as behind a real proxy."""

    def request(self, **request: Any) -> Any:
        request["wsgi.url_scheme"] = "https"
        request["SERVER_PORT"] = "443"
        return super().request(**request)


@pytest.fixture
def client() -> HttpsClient:
    return HttpsClient()


@pytest.fixture
def stranger(db: None) -> Customer:
    return create_customer(name="Tom Becker", emails=["tom@example.com"])


def sign_in_as(client: Client, customer: Customer) -> None:
    """Put the customer in the portal session (the link flow has its own tests)."""
    session = client.session
    session[PORTAL_SESSION_KEY] = customer.pk
    session.save()
