"""`rightdesk serve` end to end: a real process, a real port, Ctrl-C."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
STARTUP_SECONDS = 90


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "RIGHTDESK_SQLITE",
            "RIGHTDESK_INSECURE_HTTP",
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    env.update(RIGHTDESK_DATA=str(data), PYTHONUNBUFFERED="1", **extra)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    """A `rightdesk serve` child process whose merged output is collected as it runs."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rightdesk.cli", "serve", *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_url(self) -> str:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            match = re.search(r"Rightdesk is running at (http://\S+)", self.output)
            if match:
                return match.group(1)
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"serve never printed its URL:\n{self.output}")

    def interrupt(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=15)
        self._reader.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def serve() -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for served in started:
        served.kill()


def _get(url: str, opener: urllib.request.OpenerDirector | None = None) -> tuple[int, str, str]:
    try:
        with (opener or urllib.request.build_opener()).open(url, timeout=10) as response:
            return (
                response.status,
                response.headers.get("Content-Type", ""),
                response.read().decode(),
            )
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), ""


def _login(base: str, form: str, landing: str, username: str, password: str) -> str:
    """Sign in through a login form over plain HTTP; return the URL of the page landed on."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, _, page = _get(f"{base}{form}", opener)
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": username,
            "password": password,
            "next": landing,
        }
    ).encode()
    request = urllib.request.Request(f"{base}{form}?next={landing}", data=body)
    with opener.open(request, timeout=10) as response:
        return response.geturl()


def test_serve_demo_starts_serves_and_stops_cleanly(tmp_path: Path, serve: list[Served]) -> None:
    data = tmp_path / "data"
    port = _free_port()
    smtp_port = _free_port()
    served = Served(["--demo", "--port", str(port), "--smtp-port", str(smtp_port)], _env(data))
    serve.append(served)

    url = served.wait_for_url()
    assert url == f"http://127.0.0.1:{port}/desk/"
    # The inbound mail gateway runs beside the web server and speaks SMTP.
    assert f"Mail gateway listening on 127.0.0.1:{smtp_port}" in served.output
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        code, banner = smtp.ehlo()
    assert code == 250 and b"SIZE" in banner
    base = f"http://127.0.0.1:{port}"

    status, content_type, page = _get(f"{base}/admin/login/")
    assert (status, content_type) == (200, "text/html; charset=utf-8")
    assert 'name="csrfmiddlewaretoken"' in page
    status, content_type, css = _get(f"{base}/static/admin/css/base.css")
    assert status == 200
    assert content_type.startswith("text/css")
    assert "body" in css
    status, _, _ = _get(f"{base}/static/admin/css/no-such-file.css")
    assert status == 404

    output = served.output
    assert "Demo data loaded." in output
    for username in ("rosa", "mike", "karen", "priya", "tom", "jenna", "luis", "admin"):
        assert re.search(rf"^\s+{username}\s+/ demo-{username}\s", output, re.M), username
    for business in ("Kessler Auto Repair", "Northwind Hosting", "Lakeside Water"):
        assert business in output
    # The printed admin login works over plain HTTP (no Secure-only cookies, no HTTPS redirect).
    assert _login(base, "/admin/login/", "/admin/", "admin", "demo-admin") == f"{base}/admin/"
    assert _login(base, "/admin/login/", "/admin/", "admin", "wrong").startswith(
        f"{base}/admin/login/"
    )
    # An agent signs in to the console with the printed login.
    assert _login(base, "/desk/login/", "/desk/", "rosa", "demo-rosa") == f"{base}/desk/"

    # The in-process worker consumes the job queue.
    ping = _ping_worker(data, timeout=30)
    assert ping.returncode == 0, ping.stderr
    assert re.fullmatch(r"A worker answered in \d+ ms\.\n", ping.stdout)

    assert served.interrupt() == 0
    assert "Traceback" not in served.output
    assert served.output.rstrip().endswith("Stopped.")

    database = data / "rightdesk.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        users = db.execute("SELECT count(*) FROM auth_user").fetchone()[0]
        tickets = db.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0]
    assert (data / "secret_key").read_text().strip()
    key = (data / "secret_key").read_text()

    _standalone_worker_round_trip(data)

    # A second start on the same folder keeps the key and does not duplicate the demo.
    again = Served(["--demo", "--no-worker", "--no-smtpd", "--port", str(_free_port())], _env(data))
    serve.append(again)
    again.wait_for_url()
    assert "Demo data already present." in again.output
    assert "Background worker: not running here" in again.output
    ping = _ping_worker(data, timeout=1)
    assert (ping.returncode, ping.stderr) == (1, "No worker answered within 1 s.\n")
    assert again.interrupt() == 0
    assert "Traceback" not in again.output
    assert (data / "secret_key").read_text() == key
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM auth_user").fetchone()[0] == users
        assert db.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0] == tickets


def _ping_worker(data: Path, *, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rightdesk.cli", "ping-worker", "--timeout", f"{timeout:g}"],
        cwd=REPO,
        env=_env(data),
        capture_output=True,
        text=True,
        timeout=timeout + 60,
    )


def test_standalone_worker_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "rightdesk.cli", "worker"],
        cwd=REPO,
        env=_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert "Refusing to run:" in refused.stderr
    assert "Run `rightdesk manage migrate` (or start `rightdesk serve`) first." in refused.stderr


def _standalone_worker_round_trip(data: Path) -> None:
    """`rightdesk worker` on a migrated folder answers a ping and stops on Ctrl-C."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "rightdesk.cli", "worker", "--workers", "1"],
        cwd=REPO,
        env=_env(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        ping = _ping_worker(data, timeout=30)
        assert ping.returncode == 0, ping.stderr
        assert ping.stdout.startswith("A worker answered in ")
        worker.send_signal(signal.SIGINT)
        output, _ = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0
    assert "Consumer exiting." in output


def test_serve_refuses_a_database_that_is_not_durable(tmp_path: Path) -> None:
    # An in-memory SQLite database cannot run in WAL mode: serving it would lose everything.
    result = subprocess.run(
        [sys.executable, "-m", "rightdesk.cli", "serve", "--port", str(_free_port())],
        cwd=REPO,
        env=_env(tmp_path / "data", RIGHTDESK_SQLITE=":memory:"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Refusing to serve: SQLite journal_mode is 'memory', expected 'wal'" in result.stderr
    assert "running at" not in result.stdout
    assert "Traceback" not in result.stderr


def test_serve_warns_when_plain_http_leaves_this_machine(tmp_path: Path) -> None:
    # The warning comes before the durability check, so a refused database ends the run early.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rightdesk.cli",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--no-smtpd",
        ],
        cwd=REPO,
        env=_env(tmp_path / "data", RIGHTDESK_SQLITE=":memory:"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Warning: serving plain HTTP on 0.0.0.0" in result.stderr


def _check_deploy(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = _env(
        tmp_path / "data",
        SECRET_KEY="k7Qz-3vNp9wXr2LmT8bYc4Hs6Jd1Fg5Ke0Aq7Zu2Wi9Oe3Ry8Tn1Mx4Cv6Bp0La",
        DEBUG="0",
        ALLOWED_HOSTS="desk.example.com",
        **extra,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_has_no_warnings_with_production_settings(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_flags_plain_http_settings(tmp_path: Path) -> None:
    # The same check does catch an insecure configuration, so the test above means something.
    result = _check_deploy(tmp_path, RIGHTDESK_INSECURE_HTTP="1")
    assert result.returncode == 1
    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT off
    assert "security.W012" in result.stderr  # SESSION_COOKIE_SECURE off
