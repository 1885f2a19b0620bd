"""Must-show 4: at least 100 hostile messages; none crashes, each ends somewhere with a reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rightdesk.channels.choices import RawState
from rightdesk.channels.models import RawMessage
from rightdesk.channels.tests.hostile import big_attachment, generated, hand_written
from rightdesk.tickets.choices import MessageKind
from rightdesk.tickets.models import Message

Deliver = Callable[[bytes], RawMessage]

CORPUS = generated() + hand_written()
DANGEROUS = [
    "<script",
    "onerror",
    "onload",
    "onclick",
    "javascript:",
    "<iframe",
    "<svg",
    "<object",
    "<meta",
    "<base",
    "<form",
    "<style",
    "data:text/html",
]


def test_corpus_has_at_least_100_messages() -> None:
    assert len(CORPUS) >= 100
    assert len({name for name, _ in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize(("name", "raw"), CORPUS, ids=[name for name, _ in CORPUS])
def test_hostile_message_is_placed_or_quarantined_and_renders_inert(
    deliver: Deliver, name: str, raw: bytes
) -> None:
    stored = deliver(raw)
    assert stored.state in {RawState.PLACED, RawState.HELD, RawState.BOUNCE, RawState.QUARANTINED}
    if stored.state == RawState.QUARANTINED:
        assert stored.reason_code != ""
        assert stored.reason != ""
        assert stored.reason_code != "error", stored.reason  # a bug, not a hostile input
    for message in Message.objects.filter(kind=MessageKind.INBOUND):
        lowered = message.body_html.lower()
        assert not [word for word in DANGEROUS if word in lowered], message.body_html
        assert message.ticket.subject == " ".join(message.ticket.subject.split())
        assert "\n" not in message.ticket.subject and "\r" not in message.ticket.subject
    for attachment in stored.attachments.all():
        assert "/" not in attachment.filename and "\n" not in attachment.filename


def test_expected_outcomes_for_key_shapes(deliver: Deliver) -> None:
    by_name = dict(CORPUS)
    assert deliver(by_name["nested-50"]).state == RawState.PLACED
    loop = deliver(by_name["loop-0"])
    assert (loop.state, loop.reason_code) == (RawState.QUARANTINED, "loop")
    empty = deliver(by_name["zero-bytes.eml"])
    assert (empty.state, empty.reason_code) == (RawState.QUARANTINED, "empty")
    auto = deliver(by_name["auto-2"])
    assert auto.state == RawState.PLACED
    assert (auto.is_auto_generated, auto.auto_reason) == (True, "Precedence: bulk")
    bounce = deliver(by_name["bounce-dsn.eml"])
    assert bounce.state == RawState.BOUNCE
    assert bounce.reason == "Bounce for gone@example.org"
    ambiguous = deliver(by_name["sender-0"])
    assert (ambiguous.state, ambiguous.reason_code) == (RawState.QUARANTINED, "ambiguous_sender")
    html = deliver(by_name["html-attack.eml"])
    assert html.ticket_message is not None
    assert "<img" in html.ticket_message.body_html
    assert "onerror" not in html.ticket_message.body_html


def test_30_mb_attachment_is_dropped_with_a_note_and_the_message_kept(deliver: Deliver) -> None:
    stored = deliver(big_attachment())
    assert stored.state == RawState.PLACED
    item = stored.attachments.get()
    assert (item.filename, item.size, item.dropped, bytes(item.data)) == (
        "video.bin",
        30 * 1024 * 1024,
        True,
        b"",
    )
    assert stored.ticket is not None
    event = stored.ticket.events.get(kind="attachment_dropped")
    assert event.data["attachments"] == [{"filename": "video.bin", "size": 30 * 1024 * 1024}]
    assert stored.size > 40 * 1024 * 1024  # the whole original is still kept raw
