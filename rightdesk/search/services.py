"""Full-text search over tickets (subjects and every message) and customers.

One results contract on both backends: SQLite FTS5 on the embedded
default, PostgreSQL tsvector (ts_rank) otherwise. A query is reduced to plain
words (letters and digits), so nothing a user types can break the search
syntax. Every word must match. Words are first matched whole; when that
leaves the page short, the last word (it may still be being typed) also
matches as a prefix ("invoice" finds "invoices"), and in customer search every
word does ("mar gon" finds Maria Gonzalez).

Ranking is per ticket: the scores of the subject (counted double) and of every
matching message add up, so a ticket whose subject and several messages match
ranks above one with a single weak match. Merged tickets never appear; what
matched on them counts for the ticket they were merged into.

Work is bounded: for each source (subjects, messages) only the newest
``CANDIDATE_WINDOW`` matches that pass the filters are ranked, so a very
common word costs about the same on a desk of 10,000 or 1,000,000 tickets;
older tickets that match only common words need more words to be found.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection

from rightdesk.accounts.services import is_agent
from rightdesk.core.errors import Forbidden, Invalid
from rightdesk.customers.models import Customer
from rightdesk.customers.services import normalise_phone
from rightdesk.search.schema import pg_document
from rightdesk.tickets.choices import Channel, Status
from rightdesk.tickets.models import Message, Ticket

#: Words of a query beyond this many are ignored (keeps every query cheap).
MAX_TERMS = 8
#: Words at least this long also match as prefixes.
MIN_PREFIX = 3
#: Newest matches ranked per source (subjects, messages); see the module docstring.
CANDIDATE_WINDOW = 300
#: The same, per single word, when words spread over a ticket are gathered.
ACROSS_WINDOW = 300
#: A subject match weighs this many message matches of the same strength.
SUBJECT_WEIGHT = 2.0
#: Largest page a caller may ask for.
MAX_LIMIT = 100
SNIPPET_CHARS = 160

_WORD = re.compile(r"[^\W_]+")
_PHONE_CHARS = re.compile(r"^[\d\s().+\-/]+$")


@dataclass(frozen=True)
class TicketHit:
    """One ticket found by a search: its relevance and a plain-text excerpt."""

    ticket: Ticket
    rank: float
    snippet: str


def search_terms(query: str) -> list[str]:
    """The distinct lower-case words of a user's query, safe for any search syntax."""
    text = unicodedata.normalize("NFKC", query or "")[:1000].lower()
    terms: list[str] = []
    for word in _WORD.findall(text):
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def _prefixed(
    terms: list[str], every: bool, whole: frozenset[str] = frozenset()
) -> list[tuple[str, bool]]:
    """Which terms also match as prefixes: the last one (typing), or all of them.

    A term in ``whole`` is matched as that word only.
    """
    last = len(terms) - 1
    return [
        (t, len(t) >= MIN_PREFIX and (every or i == last) and t not in whole)
        for i, t in enumerate(terms)
    ]


def fts5_expression(
    terms: list[str], *, every_prefix: bool = False, whole: frozenset[str] = frozenset()
) -> str:
    """An FTS5 MATCH expression requiring every term (quoted: no operator survives)."""
    return " ".join(
        f'"{t}"*' if prefix else f'"{t}"' for t, prefix in _prefixed(terms, every_prefix, whole)
    )


def tsquery_expression(
    terms: list[str], *, every_prefix: bool = False, whole: frozenset[str] = frozenset()
) -> str:
    """The same as ``to_tsquery`` input (terms hold only letters and digits)."""
    return " & ".join(
        f"{t}:*" if prefix else t for t, prefix in _prefixed(terms, every_prefix, whole)
    )


def _require_agent(user: User | AnonymousUser) -> None:
    if not isinstance(user, User) or not is_agent(user):
        raise Forbidden("Only agents can search.")


def _clamp(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))


def _ticket_filters(
    *, status: str | None, owner_id: int | None, team_id: int | None, channel: str | None
) -> tuple[str, list[Any]]:
    """SQL conditions on the shown ticket ``s`` and their parameters ("" when none)."""
    sql: list[str] = []
    params: list[Any] = []
    if status:
        if status not in Status.values:
            raise Invalid(f"Unknown status {status!r}.", field="status")
        sql.append("s.status = %s")
        params.append(status)
    if channel:
        if channel not in Channel.values:
            raise Invalid(f"Unknown channel {channel!r}.", field="channel")
        sql.append("s.channel = %s")
        params.append(channel)
    if owner_id is not None:
        sql.append("s.owner_id = %s")
        params.append(int(owner_id))
    if team_id is not None:
        sql.append("s.team_id = %s")
        params.append(int(team_id))
    return " AND ".join(sql), params


def _sqlite_sources(
    match: str, where: str, params: list[Any], tag: int, window: int
) -> list[tuple[str, list[Any]]]:
    """Newest subject and message matches of one FTS5 expression, as (sql, params).

    Each matching document scores a constant (a subject counts double): bm25()
    would read the whole posting list of every term to weigh it, which makes a
    search over a common word grow with the size of the desk. Tickets rank by
    how many of their documents match, then newest first.

    A merged ticket's subject counts for its survivor ``s``. Messages always
    sit on a survivor (a merge moves them), so without filters the ticket row
    is not read at all.
    """
    subject = f"""SELECT * FROM (
  SELECT s.id AS ticket_id, NULL AS message_id, {tag} AS term,
         {float(SUBJECT_WEIGHT)} AS score
  FROM search_ticket_fts
  JOIN tickets_ticket t ON t.id = search_ticket_fts.rowid
  JOIN tickets_ticket s ON s.id = COALESCE(t.merged_into_id, t.id)
  WHERE search_ticket_fts MATCH %s AND s.merged_into_id IS NULL {"AND " + where if where else ""}
  ORDER BY search_ticket_fts.rowid DESC LIMIT {window})"""
    ticket_join = "JOIN tickets_ticket s ON s.id = m.ticket_id" if where else ""
    message = f"""SELECT * FROM (
  SELECT m.ticket_id AS ticket_id, m.id AS message_id, {tag} AS term,
         1.0 AS score
  FROM search_message_fts
  JOIN tickets_message m ON m.id = search_message_fts.rowid
  {ticket_join}
  WHERE search_message_fts MATCH %s {"AND " + where if where else ""}
  ORDER BY search_message_fts.rowid DESC LIMIT {window})"""
    return [(subject, [match, *params]), (message, [match, *params])]


def _postgresql_sources(
    query: str, where: str, params: list[Any], tag: int, window: int
) -> list[tuple[str, list[Any]]]:
    """Newest subject and message matches of one tsquery, as (sql, params)."""
    subject, body = pg_document("t.subject"), pg_document("m.body_text")
    subject_sql = f"""SELECT * FROM (
  SELECT s.id AS ticket_id, NULL::bigint AS message_id, {tag} AS term,
         ts_rank({subject}, to_tsquery('simple', %s)) * {SUBJECT_WEIGHT} AS score
  FROM tickets_ticket t
  JOIN tickets_ticket s ON s.id = COALESCE(t.merged_into_id, t.id)
  WHERE {subject} @@ to_tsquery('simple', %s) AND s.merged_into_id IS NULL
    {"AND " + where if where else ""}
  ORDER BY t.id DESC LIMIT {window}) AS subject_{tag + 1}"""
    ticket_join = "JOIN tickets_ticket s ON s.id = m.ticket_id" if where else ""
    message_sql = f"""SELECT * FROM (
  SELECT m.ticket_id AS ticket_id, m.id AS message_id, {tag} AS term,
         ts_rank({body}, to_tsquery('simple', %s)) AS score
  FROM tickets_message m
  {ticket_join}
  WHERE {body} @@ to_tsquery('simple', %s) {"AND " + where if where else ""}
  ORDER BY m.id DESC LIMIT {window}) AS message_{tag + 1}"""
    return [
        (subject_sql, [query, query, *params]),
        (message_sql, [query, query, *params]),
    ]


def _ticket_sql(
    terms: list[str],
    where: str,
    params: list[Any],
    *,
    across: bool,
    whole: frozenset[str] = frozenset(),
) -> tuple[str, list[Any]]:
    """Rank tickets by the summed scores of their matching subject and messages.

    A ticket qualifies when one of its documents holds every term (tag -1).
    With ``across``, it also qualifies when its documents hold every term
    between them (tags 0..n-1: a subject word plus a body word); documents
    holding every term then score again on top, so co-occurrence ranks higher.
    """
    postgresql = connection.vendor == "postgresql"
    sources_of = _postgresql_sources if postgresql else _sqlite_sources
    expression = tsquery_expression if postgresql else fts5_expression
    sources = sources_of(expression(terms, whole=whole), where, params, -1, CANDIDATE_WINDOW)
    if across:
        for i, (term, prefix) in enumerate(_prefixed(terms, every=False, whole=whole)):
            if postgresql:
                single = f"{term}:*" if prefix else term
            else:
                single = f'"{term}"*' if prefix else f'"{term}"'
            sources += sources_of(single, where, params, i, ACROSS_WINDOW)
    union = "\nUNION ALL\n".join(sql for sql, _ in sources)
    sql = f"""
WITH hits AS ({union}),
totals AS (
  SELECT ticket_id, SUM(score) AS total
  FROM hits GROUP BY ticket_id
  HAVING MAX(CASE WHEN term < 0 THEN 1 ELSE 0 END) = 1
      OR COUNT(DISTINCT CASE WHEN term >= 0 THEN term END) = %s
),
best AS (
  SELECT ticket_id, message_id,
         ROW_NUMBER() OVER (
           PARTITION BY ticket_id
           ORDER BY CASE WHEN term < 0 THEN 0 ELSE 1 END, score DESC, message_id DESC
         ) AS rn
  FROM hits WHERE message_id IS NOT NULL
)
SELECT totals.ticket_id, totals.total, best.message_id
FROM totals LEFT JOIN best ON best.ticket_id = totals.ticket_id AND best.rn = 1
ORDER BY totals.total DESC, totals.ticket_id DESC
LIMIT %s"""
    args = [arg for _, source_args in sources for arg in source_args]
    return sql, [*args, len(terms)]


def search_tickets(
    *,
    user: User | AnonymousUser,
    query: str,
    status: str | None = None,
    owner_id: int | None = None,
    team_id: int | None = None,
    channel: str | None = None,
    limit: int = 20,
) -> list[TicketHit]:
    """Tickets whose subject or messages contain every word of ``query``, best first.

    Agents only. Filters apply to the ticket that is shown (the survivor of a
    merge). An empty or wordless query finds nothing. At most five SQL queries
    (whole words; the last also as a prefix; words spread over a ticket;
    tickets; excerpts), whatever the number of hits.
    """
    _require_agent(user)
    where, params = _ticket_filters(
        status=status, owner_id=owner_id, team_id=team_id, channel=channel
    )
    terms = search_terms(query)
    if not terms:
        return []
    limit = _clamp(limit)
    every = frozenset(terms)
    with connection.cursor() as cursor:

        def ranked(*, across: bool, whole: frozenset[str]) -> list[tuple[int, float, int | None]]:
            sql, args = _ticket_sql(terms, where, params, across=across, whole=whole)
            cursor.execute(sql, [*args, limit])
            return list(cursor.fetchall())

        # Every word whole first: on a large desk a common word fills the page
        # by itself, and its longer forms would only be read to be cut off.
        rows = ranked(across=False, whole=every)
        found_whole = bool(rows)
        if len(rows) < limit and len(terms[-1]) >= MIN_PREFIX:
            # The page is short: the last word also matches the words it begins
            # ("invoice" finds "invoices"; "refu", still being typed, finds "refund").
            rows = ranked(across=False, whole=frozenset())
        if len(rows) < limit and len(terms) > 1:
            # Few documents hold every word: let words spread over a ticket's
            # subject and messages count too. When the words were found whole
            # above, they stay whole here: gathering every longer form of each
            # word on its own would read a share of the desk that grows with it.
            rows = ranked(across=True, whole=every if found_whole else frozenset())
    if not rows:
        return []
    tickets = Ticket.objects.select_related("customer", "owner", "owner__agent", "team").in_bulk(
        [row[0] for row in rows]
    )
    bodies = dict(
        Message.objects.filter(pk__in=[row[2] for row in rows if row[2] is not None])
        .order_by()
        .values_list("pk", "body_text")
    )
    hits = []
    for ticket_id, score, message_id in rows:
        ticket = tickets.get(ticket_id)
        if ticket is None:  # deleted between the two reads
            continue
        text = bodies.get(message_id, "") if message_id is not None else ""
        hits.append(
            TicketHit(
                ticket=ticket,
                rank=round(float(score), 6),
                snippet=make_snippet(text or ticket.subject, terms),
            )
        )
    return hits


def _fold(text: str) -> str:
    """Lower-case without diacritics, keeping one character per character."""
    return "".join(
        (unicodedata.normalize("NFD", ch)[0] if ch.isalpha() else ch) for ch in text.lower()
    )


def _word_start(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<![^\W_])" + re.escape(term), re.IGNORECASE)


def make_snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> str:
    """A plain-text excerpt of ``text`` around the first word that matched."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    starts = [m.start() for term in terms if (m := _word_start(term).search(flat))]
    if not starts:  # the match may have been on a letter with a diacritic
        folded = _fold(flat)
        starts = [m.start() for term in terms if (m := _word_start(_fold(term)).search(folded))]
    first = min(starts) if starts else 0
    begin = max(0, first - width // 3)
    if begin > 0:
        space = flat.find(" ", begin)
        begin = space + 1 if 0 <= space < first else begin
    end = min(len(flat), begin + width)
    if end < len(flat):
        space = flat.rfind(" ", begin, end)
        end = space if space > first else end
    return ("…" if begin > 0 else "") + flat[begin:end].strip() + ("…" if end < len(flat) else "")


def _phone_term(query: str) -> str | None:
    """The indexed form of a phone number typed in any usual way, or None."""
    text = (query or "").strip()
    if not _PHONE_CHARS.match(text) or sum(ch.isdigit() for ch in text) < 7:
        return None
    try:
        return normalise_phone(text).lstrip("+")
    except Invalid:
        return None


def search_customers(*, user: User | AnonymousUser, query: str, limit: int = 10) -> list[Customer]:
    """Customers whose name, preferred name, e-mail or phone match ``query``, best first.

    Agents only. A phone number may be typed in any usual format. Contact
    points come prefetched (two SQL queries plus the search).
    """
    _require_agent(user)
    phone = _phone_term(query)
    terms = [phone] if phone else search_terms(query)
    if not terms:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = pg_document("c.name || ' ' || c.preferred_name")  # = CUSTOMER_NAMES
            contact = pg_document("cp.value")
            conditions, args = [], []
            for term in terms:
                conditions.append(
                    f"({names} @@ to_tsquery('simple', %s) OR c.id IN (SELECT cp.customer_id "
                    f"FROM customers_contactpoint cp WHERE {contact} @@ to_tsquery('simple', %s)))"
                )
                single = tsquery_expression([term], every_prefix=True)
                args += [single, single]
            everything = tsquery_expression(terms, every_prefix=True)
            cursor.execute(
                f"SELECT c.id FROM customers_customer c WHERE {' AND '.join(conditions)} "
                f"ORDER BY ts_rank({names}, to_tsquery('simple', %s)) DESC, c.id DESC LIMIT %s",
                [*args, everything, _clamp(limit)],
            )
        else:
            cursor.execute(
                "SELECT rowid FROM search_customer_fts WHERE search_customer_fts MATCH %s "
                "ORDER BY bm25(search_customer_fts, 2.0, 2.0, 1.0), rowid DESC LIMIT %s",
                [fts5_expression(terms, every_prefix=True), _clamp(limit)],
            )
        ids = [row[0] for row in cursor.fetchall()]
    found = Customer.objects.prefetch_related("contacts").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
