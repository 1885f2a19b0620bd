"""Promise detection on reply shapes agents use every day, with the due time each implies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rightdesk.commitments.choices import Kind
from rightdesk.commitments.detection import detect_promises, promise_kind
from rightdesk.sla.hours import BusinessHours

# A Tuesday morning in the shop's zone.
SENT = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
HOURS = BusinessHours(zone="UTC")


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Since it's within 30 days, we'll replace it rather than repair it.", Kind.DELIVER),
        ("I've created the replacement and it ships tomorrow to 12 Elm Street.", Kind.DELIVER),
        ("Your order is dispatched on Friday from our warehouse.", Kind.DELIVER),
        ("The technician will be there between 8 and 10 on Monday.", Kind.DELIVER),
    ],
)
def test_replacements_visits_and_scheduled_shipping_are_promises(sentence: str, kind: str) -> None:
    assert promise_kind(sentence) == kind


@pytest.mark.parametrize(
    "sentence",
    [
        "We shipped it yesterday.",
        "The courier says it goes out for delivery tomorrow morning.",
        "I can't promise it ships tomorrow.",
        "Does it ship tomorrow?",
    ],
)
def test_past_events_third_parties_and_refusals_are_not_promises(sentence: str) -> None:
    assert promise_kind(sentence) is None


def test_a_scheduled_shipment_is_due_that_day() -> None:
    (promise,) = detect_promises(
        "Hi Dan, it ships tomorrow.", sent_at=SENT, hours=HOURS, vague_window=timedelta(days=2)
    )
    assert not promise.vague
    assert promise.due_at.date() == (SENT + timedelta(days=1)).date()
