"""Run the real gateway as a separate process on its own database, as production does."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rightdesk.channels.tests.sink import free_port

ROOT = Path(__file__).resolve().parents[3]


class IsolatedDatabase:
    """A fresh database (SQLite file, or a PostgreSQL database when DATABASE_URL says so)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        self.env["RIGHTDESK_DATA"] = str(folder)
        self.env["DJANGO_SETTINGS_MODULE"] = "rightdesk.settings"
        self.env.pop("RIGHTDESK_SQLITE", None)
        url = os.environ.get("DATABASE_URL", "")
        self.pg_url = ""
        if url.startswith("postgres"):
            base, _, name = url.rpartition("/")
            self.pg_url = f"{base}/{name.split('?')[0]}_gw"
            self.env["DATABASE_URL"] = self.pg_url
            self._recreate_pg(base, name.split("?")[0] + "_gw")

    @staticmethod
    def _recreate_pg(base: str, name: str) -> None:
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

    def manage(self, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(f"manage.py {args} failed: {result.stderr[-2000:]}")
        return result.stdout

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.pg_url:
            import psycopg

            with psycopg.connect(self.pg_url) as conn:
                return list(conn.execute(sql).fetchall())
        conn = sqlite3.connect(self.folder / "rightdesk.sqlite3", timeout=30)
        try:
            return list(conn.execute(sql).fetchall())
        finally:
            conn.close()

    def start_gateway(self, port: int, *extra: str) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "smtpd",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-enqueue",
                *extra,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"gateway exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                    if sock.recv(100).startswith(b"220"):
                        return proc
            except OSError:
                time.sleep(0.05)
        proc.kill()
        raise AssertionError("gateway did not start")


@contextmanager
def running_gateway(db: IsolatedDatabase) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    proc = db.start_gateway(port)
    try:
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
