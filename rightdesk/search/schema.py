"""The database objects behind full-text search, for SQLite and PostgreSQL.

SQLite (the embedded default) keeps three FTS5 indexes that triggers hold in
step with the base tables, so every write path (services, admin, bulk loads,
raw SQL) is indexed without anyone having to remember to call us:

- ``search_ticket_fts``: ticket subjects, external content on ``tickets_ticket``;
- ``search_message_fts``: message bodies, external content on ``tickets_message``;
  it is keyed by message id only, so a merge that moves messages to another
  ticket needs no re-indexing (the ticket is read from the message at query time);
- ``search_customer_fts``: customer name, preferred name and contact points.

SQLite drops a table's triggers when Django rebuilds that table (``ALTER``
emulation in a later migration of tickets or customers). ``ensure_search_schema``
therefore runs after every ``migrate``: it recreates missing triggers and
rebuilds the indexes whose triggers were missing, so the index cannot drift.

PostgreSQL uses GIN expression indexes on ``to_tsvector('simple', …)`` (see
``PG_DOCUMENT``); nothing has to be kept in step by hand.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

#: Letters and digits make words; everything else separates them (as in FTS5's
#: unicode61). Diacritics are folded so "Gonzalez" finds "González".
FTS5_TOKENIZER = "unicode61 remove_diacritics 2"

#: Punctuation that PostgreSQL's parser would glue into one token (e-mail
#: addresses, host names, paths, "RD-1042"); replaced by spaces so both
#: backends split text into the same words. Same length as PG_SPACES.
PG_PUNCTUATION = "@.:/_+-'"
PG_SPACES = " " * len(PG_PUNCTUATION)


def pg_document(column: str) -> str:
    """The tsvector expression indexed for ``column`` (queries must use it verbatim)."""
    return (
        f"to_tsvector('simple'::regconfig, translate(COALESCE({column}, ''), "
        f"'{PG_PUNCTUATION.replace(chr(39), chr(39) * 2)}', '{PG_SPACES}'))"
    )


SQLITE_TABLES = {
    "search_ticket_fts": (
        "CREATE VIRTUAL TABLE search_ticket_fts USING fts5("
        f"subject, content='tickets_ticket', content_rowid='id', tokenize='{FTS5_TOKENIZER}')"
    ),
    "search_message_fts": (
        "CREATE VIRTUAL TABLE search_message_fts USING fts5("
        f"body_text, content='tickets_message', content_rowid='id', tokenize='{FTS5_TOKENIZER}')"
    ),
    "search_customer_fts": (
        "CREATE VIRTUAL TABLE search_customer_fts USING fts5("
        f"name, preferred_name, contacts, tokenize='{FTS5_TOKENIZER}')"
    ),
}

_CONTACTS_OF = (
    "(SELECT COALESCE(group_concat(value, ' '), '') FROM customers_contactpoint "
    "WHERE customer_id = {id})"
)

#: Trigger name → (FTS table it feeds, CREATE statement).
SQLITE_TRIGGERS: dict[str, tuple[str, str]] = {
    "search_ticket_ai": (
        "search_ticket_fts",
        """
        CREATE TRIGGER search_ticket_ai AFTER INSERT ON tickets_ticket BEGIN
          INSERT INTO search_ticket_fts(rowid, subject) VALUES (new.id, new.subject);
        END""",
    ),
    "search_ticket_ad": (
        "search_ticket_fts",
        """
        CREATE TRIGGER search_ticket_ad AFTER DELETE ON tickets_ticket BEGIN
          INSERT INTO search_ticket_fts(search_ticket_fts, rowid, subject)
            VALUES ('delete', old.id, old.subject);
        END""",
    ),
    "search_ticket_au": (
        "search_ticket_fts",
        """
        CREATE TRIGGER search_ticket_au AFTER UPDATE OF subject ON tickets_ticket BEGIN
          INSERT INTO search_ticket_fts(search_ticket_fts, rowid, subject)
            VALUES ('delete', old.id, old.subject);
          INSERT INTO search_ticket_fts(rowid, subject) VALUES (new.id, new.subject);
        END""",
    ),
    "search_message_ai": (
        "search_message_fts",
        """
        CREATE TRIGGER search_message_ai AFTER INSERT ON tickets_message BEGIN
          INSERT INTO search_message_fts(rowid, body_text) VALUES (new.id, new.body_text);
        END""",
    ),
    "search_message_ad": (
        "search_message_fts",
        """
        CREATE TRIGGER search_message_ad AFTER DELETE ON tickets_message BEGIN
          INSERT INTO search_message_fts(search_message_fts, rowid, body_text)
            VALUES ('delete', old.id, old.body_text);
        END""",
    ),
    "search_message_au": (
        "search_message_fts",
        """
        CREATE TRIGGER search_message_au AFTER UPDATE OF body_text ON tickets_message BEGIN
          INSERT INTO search_message_fts(search_message_fts, rowid, body_text)
            VALUES ('delete', old.id, old.body_text);
          INSERT INTO search_message_fts(rowid, body_text) VALUES (new.id, new.body_text);
        END""",
    ),
    "search_customer_ai": (
        "search_customer_fts",
        f"""
        CREATE TRIGGER search_customer_ai AFTER INSERT ON customers_customer BEGIN
          INSERT INTO search_customer_fts(rowid, name, preferred_name, contacts)
            VALUES (new.id, new.name, new.preferred_name, {_CONTACTS_OF.format(id="new.id")});
        END""",
    ),
    "search_customer_ad": (
        "search_customer_fts",
        """
        CREATE TRIGGER search_customer_ad AFTER DELETE ON customers_customer BEGIN
          DELETE FROM search_customer_fts WHERE rowid = old.id;
        END""",
    ),
    "search_customer_au": (
        "search_customer_fts",
        """
        CREATE TRIGGER search_customer_au AFTER UPDATE OF name, preferred_name
        ON customers_customer BEGIN
          UPDATE search_customer_fts SET name = new.name, preferred_name = new.preferred_name
            WHERE rowid = new.id;
        END""",
    ),
    "search_contact_ai": (
        "search_customer_fts",
        f"""
        CREATE TRIGGER search_contact_ai AFTER INSERT ON customers_contactpoint BEGIN
          UPDATE search_customer_fts SET contacts = {_CONTACTS_OF.format(id="new.customer_id")}
            WHERE rowid = new.customer_id;
        END""",
    ),
    "search_contact_ad": (
        "search_customer_fts",
        f"""
        CREATE TRIGGER search_contact_ad AFTER DELETE ON customers_contactpoint BEGIN
          UPDATE search_customer_fts SET contacts = {_CONTACTS_OF.format(id="old.customer_id")}
            WHERE rowid = old.customer_id;
        END""",
    ),
    "search_contact_au": (
        "search_customer_fts",
        f"""
        CREATE TRIGGER search_contact_au AFTER UPDATE OF value, customer_id
        ON customers_contactpoint BEGIN
          UPDATE search_customer_fts SET contacts = {_CONTACTS_OF.format(id="old.customer_id")}
            WHERE rowid = old.customer_id;
          UPDATE search_customer_fts SET contacts = {_CONTACTS_OF.format(id="new.customer_id")}
            WHERE rowid = new.customer_id;
        END""",
    ),
}

#: How to refill an FTS table from its base tables.
SQLITE_REBUILD = {
    "search_ticket_fts": ["INSERT INTO search_ticket_fts(search_ticket_fts) VALUES ('rebuild')"],
    "search_message_fts": ["INSERT INTO search_message_fts(search_message_fts) VALUES ('rebuild')"],
    "search_customer_fts": [
        "DELETE FROM search_customer_fts",
        "INSERT INTO search_customer_fts(rowid, name, preferred_name, contacts) "
        f"SELECT c.id, c.name, c.preferred_name, {_CONTACTS_OF.format(id='c.id')} "
        "FROM customers_customer c",
    ],
}

#: The customer columns searched by name (PostgreSQL expression, indexed as one).
CUSTOMER_NAMES = "name || ' ' || preferred_name"

#: Index name → CREATE statement (PostgreSQL).
PG_INDEXES = {
    "search_ticket_subject_fts": (
        "CREATE INDEX IF NOT EXISTS search_ticket_subject_fts ON tickets_ticket "
        f"USING gin ({pg_document('subject')})"
    ),
    "search_message_body_fts": (
        "CREATE INDEX IF NOT EXISTS search_message_body_fts ON tickets_message "
        f"USING gin ({pg_document('body_text')})"
    ),
    "search_customer_name_fts": (
        "CREATE INDEX IF NOT EXISTS search_customer_name_fts ON customers_customer "
        f"USING gin ({pg_document(CUSTOMER_NAMES)})"
    ),
    "search_contact_value_fts": (
        "CREATE INDEX IF NOT EXISTS search_contact_value_fts ON customers_contactpoint "
        f"USING gin ({pg_document('value')})"
    ),
}


def _sqlite_names(connection: BaseDatabaseWrapper, kind: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = %s", [kind])
        return {row[0] for row in cursor.fetchall()}


def ensure_search_schema(connection: BaseDatabaseWrapper) -> list[str]:
    """Create whatever search objects this backend needs and lacks; return their names."""
    return ensure_sqlite_fts(connection) + ensure_postgresql_indexes(connection)


def ensure_sqlite_fts(connection: BaseDatabaseWrapper) -> list[str]:
    """SQLite: create missing FTS5 tables and triggers; return the names created.

    Idempotent. An FTS table whose triggers had gone missing (the base table was
    rebuilt) is refilled, because writes made meanwhile were not indexed.
    """
    created: list[str] = []
    if connection.vendor == "sqlite":
        tables = _sqlite_names(connection, "table")
        if "tickets_message" not in tables or "customers_contactpoint" not in tables:
            return created
        triggers = _sqlite_names(connection, "trigger")
        stale: set[str] = set()
        with connection.cursor() as cursor:
            for name, ddl in SQLITE_TABLES.items():
                if name not in tables:
                    cursor.execute(ddl)
                    created.append(name)
                    stale.add(name)
            for name, (table, ddl) in SQLITE_TRIGGERS.items():
                if name not in triggers:
                    cursor.execute(ddl)
                    created.append(name)
                    stale.add(table)
            for table in sorted(stale):
                for sql in SQLITE_REBUILD[table]:
                    cursor.execute(sql)
    return created


def ensure_postgresql_indexes(connection: BaseDatabaseWrapper) -> list[str]:
    """PostgreSQL: create missing GIN expression indexes; return the names created."""
    created: list[str] = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)", [list(PG_INDEXES)]
            )
            present = {row[0] for row in cursor.fetchall()}
            for name, ddl in PG_INDEXES.items():
                if name not in present:
                    cursor.execute(ddl)
                    created.append(name)
    return created


def drop_search_schema(connection: BaseDatabaseWrapper) -> None:
    """Remove every search object (reverse migration)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            for name in SQLITE_TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for name in PG_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
