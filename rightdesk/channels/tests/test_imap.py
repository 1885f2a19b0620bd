"""Must-show 1 (IMAP): polling a real Dovecot takes each message once, flags or moves it after."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from rightdesk.accounts.models import Team
from rightdesk.channels.choices import RawState, Source
from rightdesk.channels.imap import STORED_FLAG, poll_mailbox
from rightdesk.channels.models import Mailbox, RawMessage
from rightdesk.channels.services import create_from_email, pending_message_ids, store_raw_message
from rightdesk.channels.tests.dovecot import Dovecot, dovecot_binary
from rightdesk.channels.tests.mail import build
from rightdesk.core.secrets import SecretUnreadable


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    if dovecot_binary() is None:
        if os.environ.get("RIGHTDESK_REQUIRE_SERVICES") == "1":
            pytest.fail("dovecot is required (RIGHTDESK_REQUIRE_SERVICES=1) but not installed")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    # Not under pytest's private temp folder: Dovecot's unprivileged processes must read it.
    root = Path(tempfile.mkdtemp(prefix="rightdesk-dovecot-"))
    server = Dovecot(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _client(server: Dovecot) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=10)
    client.login(server.user, server.password)
    return client


def _folder(server: Dovecot, name: str, messages: list[bytes]) -> None:
    client = _client(server)
    client.create_folder(name)
    for raw in messages:
        client.append(name, raw)
    client.logout()


def _imap_mailbox(server: Dovecot, team: Team, folder: str, move_to: str = "") -> Mailbox:
    return Mailbox.objects.create(
        address="help@shop.example",
        team=team,
        imap_host="127.0.0.1",
        imap_port=server.port,
        imap_ssl=False,
        imap_username=server.user,
        imap_password=server.password,
        imap_folder=folder,
        imap_move_to=move_to,
    )


def test_poll_takes_each_message_once_and_flags_after_storing(dovecot: Dovecot, team: Team) -> None:
    already = build(message_id="<both@client.example>", subject="Sent by SMTP and IMAP")
    messages = [
        build(message_id="<imap-1@client.example>", subject="First"),
        already,
        build(message_id="<imap-3@client.example>", subject="Third"),
    ]
    _folder(dovecot, "Flagged", messages)
    mailbox = _imap_mailbox(dovecot, team, "Flagged")
    store_raw_message(raw=already, source=Source.SMTP, mailbox=mailbox)

    assert poll_mailbox(mailbox_id=mailbox.pk) == 2
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == 3
    assert mailbox.imap_uidvalidity is not None
    assert mailbox.imap_last_error == ""
    assert RawMessage.objects.count() == 3
    assert sorted(
        RawMessage.objects.filter(source=Source.IMAP).values_list("message_id", flat=True)
    ) == ["<imap-1@client.example>", "<imap-3@client.example>"]

    client = _client(dovecot)
    client.select_folder("Flagged")
    flags = client.get_flags([1, 2, 3])
    client.logout()
    assert all(b"\\Seen" in flags[uid] and STORED_FLAG in flags[uid] for uid in (1, 2, 3))

    assert poll_mailbox(mailbox_id=mailbox.pk) == 0
    _folder_append(dovecot, "Flagged", build(message_id="<imap-4@client.example>"))
    assert poll_mailbox(mailbox_id=mailbox.pk) == 1
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == 4
    assert RawMessage.objects.count() == 4

    for raw_id in pending_message_ids():
        assert create_from_email(raw_id=raw_id).state == RawState.PLACED
    assert sorted(RawMessage.objects.values_list("subject", flat=True)) == [
        "First",
        "My car is not ready",
        "Sent by SMTP and IMAP",
        "Third",
    ]


def _folder_append(server: Dovecot, name: str, raw: bytes) -> None:
    client = _client(server)
    client.append(name, raw)
    client.logout()


def test_poll_can_move_stored_messages_to_another_folder(dovecot: Dovecot, team: Team) -> None:
    _folder(
        dovecot,
        "Moving",
        [build(message_id="<move-1@client.example>"), build(message_id="<move-2@client.example>")],
    )
    _folder(dovecot, "Done", [])
    mailbox = _imap_mailbox(dovecot, team, "Moving", move_to="Done")
    assert poll_mailbox(mailbox_id=mailbox.pk) == 2
    client = _client(dovecot)
    client.select_folder("Moving")
    left = client.search(["ALL"])
    client.select_folder("Done")
    moved = client.search(["ALL"])
    client.logout()
    assert left == []
    assert len(moved) == 2
    assert RawMessage.objects.filter(source=Source.IMAP).count() == 2


def test_wrong_password_is_recorded_on_the_mailbox(dovecot: Dovecot, team: Team) -> None:
    mailbox = _imap_mailbox(dovecot, team, "INBOX")
    mailbox.imap_password = "wrong"
    mailbox.save()
    with pytest.raises(Exception):  # noqa: B017 - imapclient raises its LoginError
        poll_mailbox(mailbox_id=mailbox.pk)
    mailbox.refresh_from_db()
    assert RawMessage.objects.count() == 0
    assert mailbox.imap_last_uid == 0
    assert "LoginError" in mailbox.imap_last_error


def test_the_password_is_sealed_at_rest_and_survives_a_key_rotation(
    dovecot: Dovecot, team: Team, settings: Any
) -> None:
    _folder(dovecot, "Rotation", [build(message_id="<rotation@client.example>", subject="Hi")])
    mailbox = _imap_mailbox(dovecot, team, "Rotation")
    stored = Mailbox.objects.values_list("imap_password", flat=True).get(pk=mailbox.pk)
    assert dovecot.password not in stored and stored.startswith("enc1:")

    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "k" * 50
    with pytest.raises(SecretUnreadable):
        poll_mailbox(mailbox_id=mailbox.pk)
    mailbox.refresh_from_db()
    assert "another SECRET_KEY" in mailbox.imap_last_error
    assert RawMessage.objects.count() == 0

    settings.SECRET_KEY_FALLBACKS = [old]  # the old key, listed while it is rotated out
    assert poll_mailbox(mailbox_id=mailbox.pk) == 1
