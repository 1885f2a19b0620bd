from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from rightdesk.accounts.models import Team
from rightdesk.channels.choices import Source
from rightdesk.channels.models import Mailbox, RawMessage
from rightdesk.channels.services import create_from_email, store_raw_message
from rightdesk.channels.tests.sink import Sink


@pytest.fixture
def mailbox(team: Team) -> Mailbox:
    return Mailbox.objects.create(address="help@shop.example", team=team)


@pytest.fixture
def deliver(mailbox: Mailbox) -> Callable[[bytes], RawMessage]:
    """Store raw bytes as the gateway would, then process them as the worker would."""

    def _deliver(raw: bytes) -> RawMessage:
        raw_id, _ = store_raw_message(
            raw=raw, source=Source.SMTP, mailbox=mailbox, envelope_to=[mailbox.address]
        )
        return create_from_email(raw_id=raw_id)

    return _deliver


@pytest.fixture
def sink(settings: object) -> Iterator[Sink]:
    """A real SMTP server on loopback that outgoing mail is sent to."""
    with Sink() as running:
        settings.EMAIL_HOST = "127.0.0.1"  # type: ignore[attr-defined]
        settings.EMAIL_PORT = running.port  # type: ignore[attr-defined]
        settings.EMAIL_TIMEOUT = 5  # type: ignore[attr-defined]
        yield running
