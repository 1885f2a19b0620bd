"""Two real huey workers on PostgreSQL and Redis never send a reminder twice.

The workers are separate processes, so they cannot see the pytest database:
the test creates its own PostgreSQL database and uses an empty Redis database,
and removes both afterwards. It skips when PostgreSQL or Redis cannot be
reached, unless RIGHTDESK_REQUIRE_SERVICES=1 (CI), where that is a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PG_BASE = os.environ.get("RIGHTDESK_TEST_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_BASE = os.environ.get("RIGHTDESK_TEST_REDIS", "redis://127.0.0.1:6379")
PROMISES = 1000

SEED = """
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from rightdesk.accounts.services import create_agent, create_team
from rightdesk.customers.services import create_customer
from rightdesk.commitments.services import create_commitment
from rightdesk.tickets.services import create_ticket
team = create_team(name="Workshop", time_zone="Europe/Berlin")
agents = [create_agent(username=f"agent{i}", email=f"agent{i}@shop.example",
                       display_name=f"Agent {i}", teams=[team]) for i in range(5)]
customer = create_customer(name="Kim Weber", emails=["kim@example.com"])
due = timezone.now() + timedelta(minutes=20)  # reminder lead is 30 minutes: due for a reminder
for t in range(50):
    owner = agents[t % 5]
    ticket = create_ticket(customer=customer, subject=f"Repair {t}", channel="phone",
                           team=team, owner=owner, actor=owner)
    for n in range(20):
        create_commitment(ticket=ticket, actor=owner, kind="call_back",
                          due_at=due + timedelta(seconds=n), promised_text=f"Call back {n}")
"""

ENQUEUE = """
import django
django.setup()
from rightdesk.commitments.tasks import sweep_promises_now
for _ in range(40):
    sweep_promises_now()
"""


def _services_or_skip() -> tuple[object, object]:
    required = os.environ.get("RIGHTDESK_REQUIRE_SERVICES") == "1"
    try:
        import psycopg
        import redis

        admin = psycopg.connect(f"{PG_BASE}/postgres", autocommit=True, connect_timeout=3)
        client = redis.Redis.from_url(REDIS_BASE, socket_connect_timeout=3)
        client.ping()
    except Exception as error:  # any failure to reach a service
        if required:
            raise
        pytest.skip(f"PostgreSQL or Redis unreachable: {error}")
    return admin, client


@pytest.fixture
def services(tmp_path: Path) -> Iterator[dict[str, str]]:
    admin, client = _services_or_skip()
    import redis

    database = f"rd_workers_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{database}"')  # type: ignore[attr-defined]
    redis_db = None
    for number in range(8, 16):
        candidate = redis.Redis.from_url(f"{REDIS_BASE}/{number}")
        if candidate.dbsize() == 0:
            redis_db = number
            break
    if redis_db is None:
        pytest.skip("No empty Redis database between 8 and 15.")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG_BASE}/{database}",
        "REDIS_URL": f"{REDIS_BASE}/{redis_db}",
        "RIGHTDESK_DATA": str(tmp_path),
        "RIGHTDESK_TEST_MAIL_DIR": str(mail_dir),
        "DJANGO_SETTINGS_MODULE": "rightdesk.commitments.tests.worker_settings",
        "PYTHONPATH": str(REPO),
    }
    try:
        yield {**env, "_database": database, "_redis_db": str(redis_db)}
    finally:
        redis.Redis.from_url(f"{REDIS_BASE}/{redis_db}").flushdb()
        admin.execute(  # type: ignore[attr-defined]
            f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
        )
        client.close()  # type: ignore[attr-defined]
        admin.close()  # type: ignore[attr-defined]


def _run(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, check=True, timeout=300, capture_output=True
    )


def test_two_workers_send_exactly_one_reminder_per_promise(services: dict[str, str]) -> None:
    import psycopg

    env = {k: v for k, v in services.items() if not k.startswith("_")}
    _run(env, "manage.py", "migrate", "--noinput")
    _run(env, "-c", SEED)
    logs = [Path(env["RIGHTDESK_DATA"]) / f"worker{n}.log" for n in range(2)]
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_huey",
                "--workers",
                "4",
                "--worker-type",
                "thread",
                "--no-periodic",
            ],
            cwd=REPO,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    try:
        _run(env, "-c", ENQUEUE)
        with psycopg.connect(env["DATABASE_URL"]) as db:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                reminded = db.execute(
                    "SELECT count(*) FROM commitments_commitment WHERE reminded_at IS NOT NULL"
                ).fetchone()
                mailed = db.execute(
                    "SELECT count(*) FROM notifications_notification WHERE emailed_at IS NOT NULL"
                ).fetchone()
                if reminded and mailed and reminded[0] == PROMISES and mailed[0] == PROMISES:
                    break
                time.sleep(0.5)
            time.sleep(3)  # let any duplicate the workers might still produce land
            notifications = db.execute(
                "SELECT kind, count(*), count(DISTINCT key) FROM notifications_notification "
                "GROUP BY kind"
            ).fetchall()
            per_promise = db.execute(
                "SELECT count(*) FROM commitments_commitment c WHERE (SELECT count(*) FROM "
                "notifications_notification n WHERE n.key LIKE 'reminder:' || c.id || ':%') = 1"
            ).fetchone()
        assert all(worker.poll() is None for worker in workers), "a worker died"
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    errors = [
        line
        for log in logs
        for line in log.read_text().splitlines()
        if "Traceback" in line or "ERROR" in line
    ]
    assert errors == []
    # Both workers really swept: the test is about two of them at once.
    assert all(
        "Executing rightdesk.commitments.tasks.sweep_promises_now" in log.read_text()
        for log in logs
    )
    assert notifications == [("reminder", PROMISES, PROMISES)]
    assert per_promise == (PROMISES,)
    mails = [
        line
        for path in Path(env["RIGHTDESK_TEST_MAIL_DIR"]).iterdir()
        for line in path.read_text().splitlines()
        if line.startswith("Subject: [Rightdesk]")
    ]
    assert len(mails) == PROMISES
