"""The gateway's group commit and the SQLite writers' turn."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from rightdesk.channels import smtpd, turns
from rightdesk.channels.choices import Source
from rightdesk.channels.models import Mailbox, RawMessage
from rightdesk.channels.services import Incoming, store_raw_message, store_raw_messages
from rightdesk.channels.tests.mail import build


def _item(mailbox: Mailbox, message_id: str) -> Incoming:
    return Incoming(
        raw=build(message_id=message_id),
        source=Source.SMTP,
        mailbox_id=mailbox.pk,
        envelope_to=("help@shop.example",),
    )


def test_one_commit_stores_each_message_once_and_answers_each(mailbox: Mailbox) -> None:
    earlier, _ = store_raw_message(
        raw=build(message_id="<old@client.example>"), source=Source.SMTP, mailbox=mailbox
    )
    a = _item(mailbox, "<a@client.example>")
    results = store_raw_messages(
        items=[a, a, _item(mailbox, "<b@client.example>"), _item(mailbox, "<old@client.example>")]
    )
    first = RawMessage.objects.get(message_id="<a@client.example>").pk
    second = RawMessage.objects.get(message_id="<b@client.example>").pk
    assert results == [(first, True), (first, False), (second, True), (earlier, False)]
    assert RawMessage.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_message_that_breaks_the_group_commit_fails_alone(mailbox: Mailbox) -> None:
    # A mailbox deleted after the gateway cached its list: the deferred foreign
    # key fails the whole commit, so the gateway stores the messages one by one.
    results = store_raw_messages(
        items=[
            _item(mailbox, "<good-1@client.example>"),
            Incoming(
                raw=build(message_id="<bad@client.example>"),
                source=Source.SMTP,
                mailbox_id=mailbox.pk + 999,
            ),
            _item(mailbox, "<good-2@client.example>"),
        ]
    )
    assert isinstance(results[1], Exception)
    assert [r[1] for r in (results[0], results[2]) if isinstance(r, tuple)] == [True, True]
    assert sorted(RawMessage.objects.values_list("message_id", flat=True)) == [
        "<good-1@client.example>",
        "<good-2@client.example>",
    ]


def test_messages_arriving_during_a_commit_share_the_next_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()
    batches: list[list[bytes]] = []

    def fake_store(*, items: list[Incoming]) -> list[tuple[int, bool] | Exception]:
        batches.append([item.raw for item in items])
        if len(batches) == 1:
            release.wait(5)
        return [(len(batches) * 100 + n, True) for n in range(len(items))]

    monkeypatch.setattr("rightdesk.channels.services.store_raw_messages", fake_store)
    monkeypatch.setattr(smtpd, "close_old_connections", lambda: None)
    committer = smtpd.GroupCommitter()
    try:
        first = committer.submit(Incoming(raw=b"1", source=Source.SMTP, mailbox_id=None))
        for _ in range(100):
            if batches:
                break
            time.sleep(0.01)
        later = [
            committer.submit(Incoming(raw=str(n).encode(), source=Source.SMTP, mailbox_id=None))
            for n in (2, 3, 4)
        ]
        assert not first.done()  # no answer before the commit returns
        release.set()
        assert first.result(5) == (100, True)
        assert [f.result(5) for f in later] == [(200, True), (201, True), (202, True)]
        assert batches == [[b"1"], [b"2", b"3", b"4"]]
    finally:
        committer.stop()


def test_a_writer_waits_for_the_other_to_finish_its_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(turns, "_turn_file", lambda alias: str(tmp_path / "db.turn"))
    order: list[str] = []
    holding = threading.Event()

    def other() -> None:
        with turns.write_turn():
            order.append("other in")
            holding.set()
            time.sleep(0.2)
            order.append("other out")

    thread = threading.Thread(target=other)
    thread.start()
    assert holding.wait(5)
    with turns.write_turn():
        order.append("me in")
    thread.join()
    assert order == ["other in", "other out", "me in"]


def test_no_turn_is_awaited_inside_a_transaction(db: None) -> None:
    # Waiting for the turn while holding SQLite's lock could deadlock.
    assert turns._turn_file("default") is None
