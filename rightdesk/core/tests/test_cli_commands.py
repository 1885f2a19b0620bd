"""The durability check, `createagent` and the pieces of `rightdesk` that need no server."""

from __future__ import annotations

import io
import os
import sqlite3
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from pytest_django.fixtures import Settings

from rightdesk.accounts.models import Team
from rightdesk.cli import build_parser, format_logins, main
from rightdesk.core.db import (
    DurabilityError,
    check_durability,
    postgresql_problems,
    sqlite_problems,
)
from rightdesk.demo.services import demo_logins
from rightdesk.server import display_url, is_loopback

STRONG = "harbour-lantern-91-quiet"


@pytest.fixture(autouse=True)
def fast_passwords(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _sqlite(path: Path, *pragmas: str) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    for pragma in pragmas:
        db.execute(pragma)
    return db


def test_sqlite_in_wal_with_full_sync_is_durable(tmp_path: Path) -> None:
    db = _sqlite(tmp_path / "a.db", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL")
    assert sqlite_problems(db.cursor()) == []
    db.execute("PRAGMA synchronous=EXTRA")
    assert sqlite_problems(db.cursor()) == []


def test_sqlite_rollback_journal_or_normal_sync_is_refused(tmp_path: Path) -> None:
    db = _sqlite(tmp_path / "b.db", "PRAGMA journal_mode=DELETE", "PRAGMA synchronous=FULL")
    assert sqlite_problems(db.cursor()) == ["SQLite journal_mode is 'delete', expected 'wal'"]
    db = _sqlite(tmp_path / "c.db", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
    assert sqlite_problems(db.cursor()) == ["SQLite synchronous is 1, expected 2 (FULL) or higher"]


def test_check_durability_refuses_the_in_memory_test_database(db: None) -> None:
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        pytest.skip("runs where the test database is in-memory SQLite")
    with pytest.raises(DurabilityError) as caught:
        check_durability()
    assert caught.value.problems == ["SQLite journal_mode is 'memory', expected 'wal'"]


def test_check_durability_accepts_postgresql_defaults(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs where the test database is PostgreSQL")
    check_durability()  # synchronous_commit and fsync are on by default


def _postgres_cursor() -> object:
    psycopg = pytest.importorskip("psycopg")
    url = os.environ.get("RIGHTDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        conn = psycopg.connect(url, connect_timeout=3, autocommit=True)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server to check")
    return conn.cursor()


def test_postgresql_durability_follows_synchronous_commit() -> None:
    cursor = _postgres_cursor()
    cursor.execute("SET synchronous_commit TO on")  # type: ignore[attr-defined]
    assert postgresql_problems(cursor) == []  # type: ignore[arg-type]
    cursor.execute("SET synchronous_commit TO off")  # type: ignore[attr-defined]
    assert postgresql_problems(cursor) == [  # type: ignore[arg-type]
        "PostgreSQL synchronous_commit is 'off', expected 'on'"
    ]


def test_createagent_creates_a_manager_who_can_sign_in(db: None) -> None:
    Team.objects.create(name="Workshop")
    out = io.StringIO()
    call_command(
        "createagent",
        "dana",
        "--role",
        "manager",
        "--password",
        STRONG,
        "--name",
        "Dana Price",
        "--email",
        "dana@example.com",
        "--team",
        "Workshop",
        stdout=out,
    )
    assert out.getvalue().strip() == "Created manager 'dana'."
    dana = User.objects.get(username="dana")
    assert dana.check_password(STRONG)
    assert (dana.agent.role, dana.agent.display_name, dana.email) == (
        "manager",
        "Dana Price",
        "dana@example.com",
    )
    assert [t.name for t in dana.teams.all()] == ["Workshop"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--password", "123"], "This password is too short."),
        (["--password", STRONG, "--team", "Nowhere"], "No team named 'Nowhere'."),
        ([], "Give --password when not running in a terminal."),
    ],
)
def test_createagent_refusals_create_nobody(db: None, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("createagent", "dana", *args)
    assert not User.objects.filter(username="dana").exists()


def test_createagent_refuses_a_taken_username(db: None) -> None:
    call_command("createagent", "dana", "--password", STRONG, stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"An agent named 'dana' already exists\."):
        call_command("createagent", "dana", "--password", "other-" + STRONG, "--role", "admin")
    dana = User.objects.get(username="dana")
    assert (dana.agent.role, dana.is_superuser, dana.check_password(STRONG)) == (
        "agent",
        False,
        True,
    )


def test_serve_options_have_documented_defaults() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.threads, args.demo, args.https, args.no_worker) == (
        "127.0.0.1",
        8000,
        8,
        False,
        False,
        False,
    )
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(["serve", "--port", "70000"])
    assert caught.value.code == 2


def test_manage_passes_arguments_through_to_django(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manage", "check", "--tag", "urls"]) == 0
    assert "System check identified no issues" in capsys.readouterr().out


def test_demo_logins_are_grouped_by_business() -> None:
    text = format_logins(demo_logins())
    lines = text.splitlines()
    assert lines[0] == "Demo logins (username / password):"
    assert lines[1] == "  Kessler Auto Repair (repair shop)"
    assert lines[2] == "    rosa  / demo-rosa    Rosa Delgado, agent"
    assert "    admin / demo-admin   Avery Admin, admin" in lines


@pytest.mark.parametrize(
    ("host", "loopback", "url"),
    [
        ("127.0.0.1", True, "http://127.0.0.1:8000/desk/"),
        ("localhost", True, "http://localhost:8000/desk/"),
        ("::1", True, "http://[::1]:8000/desk/"),
        ("0.0.0.0", False, "http://127.0.0.1:8000/desk/"),
        ("192.168.1.20", False, "http://192.168.1.20:8000/desk/"),
        ("desk.example.com", False, "http://desk.example.com:8000/desk/"),
    ],
)
def test_loopback_detection_and_printed_url(host: str, loopback: bool, url: str) -> None:
    assert is_loopback(host) is loopback
    assert display_url(host, 8000) == url
