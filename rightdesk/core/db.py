"""Database durability checks: a write we acknowledge must survive a crash.

Rightdesk records promises, calls and refunds; losing a committed write after a
power cut would silently break the very promises it exists to keep. So before
serving (and before the e-mail gateway accepts mail) we verify that the
database is configured to make commits durable, and refuse to run otherwise.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import DEFAULT_DB_ALIAS, connections

#: ``PRAGMA synchronous`` value for FULL (0 = OFF, 1 = NORMAL, 2 = FULL, 3 = EXTRA).
SQLITE_SYNCHRONOUS_FULL = 2


class DurabilityError(RuntimeError):
    """The database would acknowledge writes it might lose on a crash."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class _Cursor(Protocol):
    def execute(self, sql: str, params: Any = ..., /) -> Any: ...

    def fetchone(self) -> Any: ...


def _scalar(cursor: _Cursor, sql: str) -> Any:
    cursor.execute(sql)
    row = cursor.fetchone()
    return row[0] if row else None


def sqlite_problems(cursor: _Cursor) -> list[str]:
    """What is wrong with an SQLite connection's durability settings (empty when fine)."""
    problems = []
    journal_mode = str(_scalar(cursor, "PRAGMA journal_mode")).lower()
    if journal_mode != "wal":
        problems.append(f"SQLite journal_mode is {journal_mode!r}, expected 'wal'")
    synchronous = _scalar(cursor, "PRAGMA synchronous")
    if synchronous is None or int(synchronous) < SQLITE_SYNCHRONOUS_FULL:
        problems.append(f"SQLite synchronous is {synchronous}, expected 2 (FULL) or higher")
    return problems


def postgresql_problems(cursor: _Cursor) -> list[str]:
    """What is wrong with a PostgreSQL session's durability settings (empty when fine)."""
    problems = []
    synchronous_commit = str(_scalar(cursor, "SHOW synchronous_commit")).lower()
    # Every level but 'off' flushes the local WAL before a commit is acknowledged;
    # the remote_* levels additionally wait for a standby.
    if synchronous_commit not in {"on", "local", "remote_write", "remote_apply"}:
        problems.append(f"PostgreSQL synchronous_commit is {synchronous_commit!r}, expected 'on'")
    fsync = str(_scalar(cursor, "SHOW fsync")).lower()
    if fsync != "on":
        problems.append(f"PostgreSQL fsync is {fsync!r}, expected 'on'")
    return problems


def durability_problems(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Every durability problem of the configured database connection ``using``."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            return sqlite_problems(cursor)
        if connection.vendor == "postgresql":
            return postgresql_problems(cursor)
    return [f"Database backend {connection.vendor!r} is not supported"]


def check_durability(using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise :class:`DurabilityError` unless committed writes survive a crash.

    SQLite must run in WAL mode with ``synchronous=FULL``; PostgreSQL must have
    ``synchronous_commit`` on and ``fsync`` on.
    """
    problems = durability_problems(using)
    if problems:
        raise DurabilityError(problems)


def unapplied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Migrations not yet applied to the database, as ``app.name`` (empty when up to date)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
