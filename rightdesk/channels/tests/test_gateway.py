"""Must-shows 1, 2 and 7: real SMTP into the gateway; 250 only after a durable store."""

from __future__ import annotations

import signal
import smtplib
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from rightdesk.channels.durability import cursor_problems
from rightdesk.channels.smtpd import build_gateway
from rightdesk.channels.tests.gateway_proc import IsolatedDatabase, running_gateway
from rightdesk.channels.tests.mail import build
from rightdesk.channels.tests.sink import free_port

SETUP = (
    "from rightdesk.accounts.services import create_team;"
    "from rightdesk.channels.models import Mailbox;"
    "t = create_team(name='Front desk');"
    "Mailbox.objects.create(address='help@shop.example', team=t);"
    "Mailbox.objects.create(address='small@shop.example', team=t, max_message_bytes=2000)"
)


@pytest.fixture(scope="module")
def gw_db(tmp_path_factory: pytest.TempPathFactory) -> IsolatedDatabase:
    db = IsolatedDatabase(tmp_path_factory.mktemp("gateway"))
    db.manage("migrate", "-v0")
    db.manage("shell", "-c", SETUP)
    return db


@pytest.fixture(scope="module")
def gateway(gw_db: IsolatedDatabase) -> Iterator[int]:
    with running_gateway(gw_db) as (_, port):
        yield port


def _count(db: IsolatedDatabase, where: str = "1=1") -> int:
    return int(db.query(f"SELECT COUNT(*) FROM channels_rawmessage WHERE {where}")[0][0])


def test_250_only_after_the_message_is_stored(gateway: int, gw_db: IsolatedDatabase) -> None:
    raw = build(message_id="<stored-1@client.example>")
    with smtplib.SMTP("127.0.0.1", gateway, timeout=10) as client:
        client.ehlo()
        client.mail("maria@example.com")
        assert client.rcpt("Help@Shop.Example")[0] == 250
        code, text = client.data(raw)
    assert code == 250
    row_id = int(text.decode().rsplit(" ", 1)[1])
    rows = gw_db.query(
        f"SELECT raw, state, source, envelope_from, message_id "
        f"FROM channels_rawmessage WHERE id = {row_id}"
    )
    assert len(rows) == 1
    stored, state, source, envelope_from, message_id = rows[0]
    # smtplib ends the DATA with a line break; nothing else may change.
    assert bytes(stored).replace(b"\r\n", b"\n").rstrip(b"\n") == raw.rstrip(b"\n")
    assert (state, source, envelope_from, message_id) == (
        "pending",
        "smtp",
        "maria@example.com",
        "<stored-1@client.example>",
    )


def test_unknown_recipient_and_oversize_are_refused_with_5xx(
    gateway: int, gw_db: IsolatedDatabase
) -> None:
    before = _count(gw_db)
    with smtplib.SMTP("127.0.0.1", gateway, timeout=10) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail("maria@example.com", ["nobody@shop.example"], build())
        code, text = refused.value.recipients["nobody@shop.example"]
        assert code == 550
        assert text == b"5.1.1 <nobody@shop.example>: no such mailbox here"
    big = build(body="x" * 5000, to="small@shop.example")
    with (
        smtplib.SMTP("127.0.0.1", gateway, timeout=10) as client,
        pytest.raises(smtplib.SMTPDataError) as too_big,
    ):
        client.sendmail("maria@example.com", ["small@shop.example"], big)
    assert too_big.value.smtp_code == 552
    assert b"this mailbox accepts at most 2000 bytes" in too_big.value.smtp_error
    assert _count(gw_db) == before


def test_same_message_twice_is_stored_once(gateway: int, gw_db: IsolatedDatabase) -> None:
    raw = build(message_id="<twice@client.example>")
    for _ in range(2):
        with smtplib.SMTP("127.0.0.1", gateway, timeout=10) as client:
            assert client.sendmail("maria@example.com", ["help@shop.example"], raw) == {}
    assert _count(gw_db, "message_id = '<twice@client.example>'") == 1


def test_storage_failure_answers_451(db: None) -> None:
    def failing_store(**_: object) -> tuple[int, bool]:
        raise OSError("disk full")

    port = free_port()
    controller, executor = build_gateway(
        host="127.0.0.1", port=port, threads=1, on_stored=None, store=failing_store
    )
    handler = controller.handler
    handler._mailboxes = {"help@shop.example": (1, 10_000_000)}
    handler._mailboxes_at = time.monotonic() + 3600
    controller.start()
    try:
        with (
            smtplib.SMTP("127.0.0.1", port, timeout=10) as client,
            pytest.raises(smtplib.SMTPDataError) as failed,
        ):
            client.sendmail("maria@example.com", ["help@shop.example"], build())
        assert failed.value.smtp_code == 451
        assert (
            failed.value.smtp_error == b"4.3.0 Could not store the message; please try again later"
        )
        assert handler.stored == 0
    finally:
        controller.stop()
        executor.shutdown()


def test_durability_rules_for_sqlite(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.sqlite3")
    cursor = conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    assert cursor_problems("sqlite", cursor) == []
    cursor.execute("PRAGMA synchronous=NORMAL")
    assert cursor_problems("sqlite", cursor) == [
        "SQLite synchronous is 1; the gateway needs 2 (FULL) or 3 (EXTRA)."
    ]
    cursor.execute("PRAGMA journal_mode=DELETE")
    cursor.execute("PRAGMA synchronous=FULL")
    assert cursor_problems("sqlite", cursor) == [
        "SQLite journal_mode is 'delete'; the gateway needs 'wal'."
    ]
    conn.close()


def test_gateway_refuses_to_start_on_a_database_that_may_lose_commits(
    transactional_db: None,
) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
        else:
            cursor.execute("SET synchronous_commit = off")
    try:
        with pytest.raises(CommandError) as refused:
            call_command("smtpd", "--port", str(free_port()))
        assert str(refused.value).startswith("Refusing to accept mail:")
        assert "synchronous" in str(refused.value)
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA synchronous=FULL")
            else:
                cursor.execute("SET synchronous_commit = on")


@pytest.mark.slow
def test_sigkill_three_times_during_a_burst_loses_nothing_and_stores_once(
    gw_db: IsolatedDatabase,
) -> None:
    """1,000 messages; the gateway is SIGKILLed 3 times mid-burst and restarted."""
    gw_db.query("SELECT 1")
    total = 1000
    port = free_port()
    state = {"proc": gw_db.start_gateway(port), "acked": 0}
    acked: set[int] = set()
    lock = threading.Lock()
    done = threading.Event()

    def killer() -> None:
        for threshold in (200, 500, 800):
            while not done.is_set():
                with lock:
                    if len(acked) >= threshold:
                        break
                time.sleep(0.002)
            if done.is_set():
                return
            proc = state["proc"]
            proc.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
            proc.wait()  # type: ignore[union-attr]
            proc.stderr.close()  # type: ignore[union-attr]
            state["proc"] = gw_db.start_gateway(port)

    thread = threading.Thread(target=killer)
    thread.start()
    pending = list(range(total))
    retries = 0
    client: smtplib.SMTP | None = None
    deadline = time.monotonic() + 120
    try:
        while pending and time.monotonic() < deadline:
            i = pending[0]
            raw = build(
                message_id=f"<crash-{i}@client.example>",
                subject=f"Burst {i}",
                body=f"Message number {i}.",
            )
            try:
                if client is None:
                    client = smtplib.SMTP("127.0.0.1", port, timeout=10)
                client.sendmail("maria@example.com", ["help@shop.example"], raw)
            except (smtplib.SMTPException, OSError):
                retries += 1
                client = None
                time.sleep(0.05)
                continue  # not acknowledged: the client tries again
            with lock:
                acked.add(i)
            pending.pop(0)
    finally:
        done.set()
        thread.join()
        state["proc"].terminate()  # type: ignore[union-attr]
        state["proc"].wait()  # type: ignore[union-attr]
        state["proc"].stderr.close()  # type: ignore[union-attr]
    assert pending == []
    assert retries >= 3
    assert len(acked) == total
    rows = gw_db.query(
        "SELECT message_id, COUNT(*) FROM channels_rawmessage "
        "WHERE message_id LIKE '<crash-%' GROUP BY message_id"
    )
    assert len(rows) == total
    assert all(count == 1 for _, count in rows)
    assert {mid for mid, _ in rows} == {f"<crash-{i}@client.example>" for i in range(total)}
