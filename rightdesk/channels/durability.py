"""The gateway's durability check: never answer 250 on a database that may lose the commit.

Kept in the channels app because ``rightdesk.core.db.check_durability`` had not
landed when the gateway was written; switch to it once it exists.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


class NotDurable(RuntimeError):
    """The database could acknowledge a write and lose it on a crash or power cut."""


def cursor_problems(vendor: str, cursor: Any) -> list[str]:
    """What is wrong with one connection's durability settings (empty when fine)."""
    problems: list[str] = []
    if vendor == "sqlite":
        cursor.execute("PRAGMA journal_mode")
        mode = str(cursor.fetchone()[0]).lower()
        if mode != "wal":
            problems.append(f"SQLite journal_mode is {mode!r}; the gateway needs 'wal'.")
        cursor.execute("PRAGMA synchronous")
        level = int(cursor.fetchone()[0])
        if level < 2:
            problems.append(
                f"SQLite synchronous is {level}; the gateway needs 2 (FULL) or 3 (EXTRA)."
            )
    elif vendor == "postgresql":
        cursor.execute("SHOW synchronous_commit")
        value = str(cursor.fetchone()[0]).lower()
        if value not in {"on", "local", "remote_write", "remote_apply"}:
            problems.append(f"PostgreSQL synchronous_commit is {value!r}; it must be on.")
        cursor.execute("SHOW fsync")
        if str(cursor.fetchone()[0]).lower() != "on":
            problems.append("PostgreSQL fsync is off; it must be on.")
    else:
        problems.append(f"Unsupported database {vendor!r} for the mail gateway.")
    return problems


def durability_problems(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Durability problems of the Django connection ``alias``."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        return cursor_problems(connection.vendor, cursor)


def check_durability(alias: str = DEFAULT_DB_ALIAS) -> None:
    """Raise :class:`NotDurable` unless a committed write survives power loss."""
    problems = durability_problems(alias)
    if problems:
        raise NotDurable(" ".join(problems))
