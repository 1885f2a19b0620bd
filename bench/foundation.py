"""Foundation benchmark (issue 2): does the case file stay fast at 100,000 tickets?

Builds a fresh database in a temporary folder (SQLite in WAL mode with
synchronous=FULL, the project defaults; or a new PostgreSQL database created
next to the one ``--database-url`` names and dropped afterwards), fills it with
tickets of three messages each, and times what an agent waits for:

- creating tickets through the API, one per request (``POST /api/v1/tickets/``,
  bearer token) and in batches of 100 (``POST /api/v1/tickets/batch``);
- the queue page (``/desk/``) and the case page (``/desk/tickets/RD-…/``);
- ticket search over subjects and message bodies (``GET /api/v1/search/tickets``).

It measures at the first size, fills up to the second size and measures again,
then prints medians, p95, the ratio between the two sizes, creations per second
and the database size. Run from the repository root::

    python bench/foundation.py                      # 10,000 then 100,000 tickets
    python bench/foundation.py --sizes 2000 20000   # quicker
    python bench/foundation.py --database-url postgres://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: Tickets per request in the batch measure (the API's maximum).
BATCH = 100
sys.path.insert(0, str(ROOT))


def _words(text: str) -> list[str]:
    return text.split()


WORDS = [
    "refund",
    "order",
    "delivery",
    "package",
    "damaged",
    "broken",
    "missing",
    "invoice",
    "charge",
    "card",
    "payment",
    "account",
    "password",
    "login",
    "access",
    "code",
    "warranty",
    "repair",
    "screen",
    "battery",
    "charger",
    "cable",
    "replacement",
    "return",
    "label",
    "shipping",
    "tracking",
    "address",
    "late",
    "delayed",
    "cancel",
    "subscription",
    "renewal",
    "plan",
    "upgrade",
    "downgrade",
    "discount",
    "coupon",
    "price",
    "fee",
    "receipt",
    "estimate",
    "quote",
    "diagnosis",
    "engine",
    "brake",
    "tyre",
    "oil",
    "filter",
    "gearbox",
    "clutch",
    "headlight",
    "windscreen",
    "wiper",
    "door",
    "lock",
    "key",
    "fob",
    "alarm",
    "sensor",
    "laptop",
    "phone",
    "tablet",
    "keyboard",
    "mouse",
    "printer",
    "scanner",
    "router",
    "modem",
    "hosting",
    "domain",
    "email",
    "server",
    "backup",
    "database",
    "migration",
    "outage",
    "error",
    "crash",
    "slow",
    "timeout",
    "update",
    "install",
    "licence",
    "download",
    "serial",
    "number",
    "colour",
    "size",
    "model",
    "booking",
    "appointment",
    "pickup",
    "collect",
    "towed",
    "lot",
    "callback",
    "promised",
    "waiting",
    "chase",
    "again",
    "still",
    "nobody",
    "answered",
    "weeks",
    "days",
    "yesterday",
    "today",
    "please",
    "thanks",
    "urgent",
    "help",
    "question",
    "problem",
    "issue",
    "complaint",
    "happy",
    "unhappy",
    "manager",
]
FILLER = [
    "the",
    "a",
    "to",
    "and",
    "of",
    "my",
    "i",
    "is",
    "it",
    "was",
    "we",
    "you",
    "your",
    "for",
    "on",
    "with",
    "this",
    "that",
    "have",
    "has",
    "not",
    "be",
    "at",
    "but",
    "so",
    "can",
    "could",
    "would",
    "will",
    "as",
    "from",
    "when",
    "about",
    "if",
    "there",
    "they",
    "our",
    "me",
    "any",
    "just",
]
FIRST = [
    "Maria",
    "James",
    "Li",
    "Aisha",
    "Olga",
    "Tom",
    "Priya",
    "Kenji",
    "Sara",
    "Omar",
    "Lena",
    "Diego",
    "Nina",
    "Paul",
    "Yusuf",
]
LAST = [
    "Gonzalez",
    "Smith",
    "Chen",
    "Okafor",
    "Ivanova",
    "Brown",
    "Patel",
    "Sato",
    "Larsen",
    "Haddad",
    "Novak",
    "Silva",
    "Berg",
]
PRODUCTS = [
    "XR-4821",
    "Quantum-7",
    "Aero-300",
    "Vega-12",
    "Nimbus-9",
    "Orion-5",
    "Atlas-2",
    "Zephyr-11",
]

# A long tail of rarer words (part numbers, names of things), and Zipf-like
# popularity shifted so the commonest help-desk word is in roughly a third of
# messages, as in real mail, not in every one.
WORDS += [f"{a}{b}{c}" for a in "bdfgklmnprstvz" for b in "aeiou" for c in ("x", "lo", "rin")]
WEIGHTS = [1.0 / (rank + 10) for rank in range(len(WORDS))]


def sentence(rng: random.Random, words: int) -> str:
    picked = rng.choices(WORDS, WEIGHTS, k=words // 2) + rng.sample(FILLER, words - words // 2)
    rng.shuffle(picked)
    return " ".join(picked).capitalize() + "."


def body(rng: random.Random, order_no: int) -> str:
    text = " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(2, 5)))
    if rng.random() < 0.5:
        text += f" Order ORD-{order_no:07d}, model {rng.choice(PRODUCTS)}."
    return text


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def setup_environment(args: argparse.Namespace, folder: Path) -> str | None:
    """Point the settings at a fresh database before Django starts; return a PG db name."""
    os.environ["RIGHTDESK_DATA"] = str(folder)
    os.environ.pop("RIGHTDESK_SQLITE", None)
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ["RIGHTDESK_INSECURE_HTTP"] = "1"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rightdesk.settings")
    if not args.database_url:
        os.environ.pop("DATABASE_URL", None)
        return None
    import psycopg

    base, _, _ = args.database_url.rpartition("/")
    name = f"rd_bench_{os.getpid()}"
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    return name


def drop_pg_database(args: argparse.Namespace, name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        from django.test import Client

        self.args = args
        self.rng = random.Random(args.seed)
        self.client = Client()
        self.api = Client()
        self.customers: list[int] = []
        self.agents: list[Any] = []
        self.teams: list[Any] = []
        self.order_no = 0
        self.token = ""

    # -- fill -----------------------------------------------------------------
    def prepare(self) -> None:
        from rightdesk.accounts.services import create_agent, create_team, issue_token

        self.teams = [create_team(name=f"Team {i}") for i in range(4)]
        self.agents = [
            create_agent(
                username=f"agent{i}",
                password=None,
                display_name=f"{FIRST[i % len(FIRST)]} Agent{i}",
                teams=[self.teams[i % 4]],
            )
            for i in range(20)
        ]
        self.token = issue_token(user=self.agents[0], name="bench")[1]
        self.client.force_login(self.agents[0])

    def add_customers(self, count: int) -> None:
        from rightdesk.customers.models import ContactPoint, Customer

        start = len(self.customers)
        rows = [
            Customer(
                name=f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}{start + i}",
                preferred_name="",
            )
            for i in range(count)
        ]
        created = Customer.objects.bulk_create(rows, batch_size=2000)
        ContactPoint.objects.bulk_create(
            [
                ContactPoint(customer=c, kind="email", value=f"c{start + i}@example.com")
                for i, c in enumerate(created)
            ],
            batch_size=2000,
        )
        self.customers += [c.pk for c in created]

    def fill(self, total: int) -> float:
        """Bulk-load tickets (three messages and four events each) up to ``total``."""
        from django.db import transaction
        from django.utils import timezone

        from rightdesk.tickets.models import Event, Message, Ticket

        started = time.perf_counter()
        have = Ticket.objects.count()
        need_customers = max(0, total // 5 - len(self.customers))
        if need_customers:
            self.add_customers(need_customers)
        now = timezone.now()
        rng = self.rng
        batch = 2000
        while have < total:
            size = min(batch, total - have)
            with transaction.atomic():
                tickets = []
                for i in range(size):
                    n = have + i
                    created = now - timedelta(days=365) + timedelta(minutes=n * 3 % 500_000)
                    status = rng.choices(
                        ["new", "open", "waiting_customer", "waiting_us", "resolved", "closed"],
                        [5, 20, 15, 10, 25, 25],
                    )[0]
                    owner = rng.choice(self.agents) if status != "new" else None
                    active = status not in ("resolved", "closed")
                    waiting = created if status in ("new", "open", "waiting_us") else None
                    tickets.append(
                        Ticket(
                            subject=f"{sentence(rng, 5)[:-1]} {rng.choice(PRODUCTS)}",
                            status=status,
                            channel=rng.choice(["email", "phone", "web", "portal"]),
                            customer_id=rng.choice(self.customers),
                            team=rng.choice(self.teams),
                            owner=owner,
                            created_at=created,
                            updated_at=created,
                            triaged_at=created if owner else None,
                            resolved_at=None if active else created + timedelta(days=2),
                            waiting_since=waiting,
                            queue_rank=(0 if waiting else 1) if active else 2,
                            queue_at=waiting
                            or (created if active else created + timedelta(days=2)),
                            last_customer_contact_at=created,
                            message_count=3,
                        )
                    )
                Ticket.objects.bulk_create(tickets, batch_size=batch)
                messages, events = [], []
                for ticket in tickets:
                    agent = ticket.owner or self.agents[0]
                    for k, (kind, author) in enumerate(
                        [("inbound", None), ("reply", agent), ("inbound", None)]
                    ):
                        self.order_no += 1
                        at = ticket.created_at + timedelta(hours=k)
                        text = body(rng, self.order_no)
                        messages.append(
                            Message(
                                ticket=ticket,
                                kind=kind,
                                author=author,
                                from_customer=author is None,
                                body_text=text,
                                body_html=f"<p>{text}</p>",
                                created_at=at,
                            )
                        )
                Message.objects.bulk_create(messages, batch_size=batch)
                for ticket in tickets:
                    events.append(
                        Event(
                            ticket=ticket,
                            kind="created",
                            created_at=ticket.created_at,
                            data={"subject": ticket.subject},
                        )
                    )
                for message in messages:
                    events.append(
                        Event(
                            ticket_id=message.ticket_id,
                            kind="reply_sent" if message.kind == "reply" else "message_received",
                            actor=message.author,
                            message=message,
                            created_at=message.created_at,
                        )
                    )
                Event.objects.bulk_create(events, batch_size=batch)
            have += size
            print(f"  filled {have:,} tickets", end="\r", flush=True)
        print()
        return time.perf_counter() - started

    # -- measure ----------------------------------------------------------------
    def timed(self, label: str, call: Callable[[int], Any], n: int) -> list[float]:
        try:
            for i in range(3):  # warm caches and code paths
                call(i)
        except Exception as exc:  # a page under construction must not hide the other figures
            print(f"  {label}: not measured ({type(exc).__name__}: {str(exc)[:160]})")
            return []
        samples = []
        for i in range(n):
            t0 = time.perf_counter()
            call(i)
            samples.append((time.perf_counter() - t0) * 1000)
        return samples

    def measure(self) -> dict[str, Any]:
        from rightdesk.tickets.models import Ticket

        results: dict[str, Any] = {}
        n = self.args.samples
        auth = {"Authorization": f"Bearer {self.token}"}

        # Creating tickets through the API, one process, one after the other.
        def create(i: int) -> None:
            response = self.api.post(
                "/api/v1/tickets/",
                {
                    "customer_id": self.rng.choice(self.customers),
                    "subject": f"Bench ticket {i} {self.rng.choice(WORDS)}",
                    "body_text": body(self.rng, 0),
                    "channel": "email",
                },
                content_type="application/json",
                headers=auth,
            )
            assert response.status_code == 201, response.content[:300]

        create_samples = self.timed("create", create, self.args.create)
        results["create"] = create_samples
        results["creations_per_s"] = len(create_samples) / (sum(create_samples) / 1000)

        # The same number of tickets in batches of 100 (an integration, an import).
        def create_batch(i: int) -> None:
            tickets = [
                {
                    "customer_id": self.rng.choice(self.customers),
                    "subject": f"Bench batch {i}.{k} {self.rng.choice(WORDS)}",
                    "body_text": body(self.rng, 0),
                    "channel": "email",
                }
                for k in range(BATCH)
            ]
            response = self.api.post(
                "/api/v1/tickets/batch",
                {"tickets": tickets},
                content_type="application/json",
                headers=auth,
            )
            assert response.status_code == 201, response.content[:300]

        batches = self.timed("create batch", create_batch, max(1, self.args.create // BATCH))
        results["create, per ticket in batch"] = [ms / BATCH for ms in batches]
        results["batch_creations_per_s"] = len(batches) * BATCH / (sum(batches) / 1000)

        def page(url: str) -> Callable[[int], None]:
            def get(i: int) -> None:
                response = self.client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            return get

        def api_page(url: str) -> Callable[[int], None]:
            def get(i: int) -> None:
                response = self.api.get(url, headers=auth)
                assert response.status_code == 200, (url, response.status_code)

            return get

        results["queue page (mine)"] = self.timed("queue", page("/desk/"), n)
        results["queue page (all)"] = self.timed("queue all", page("/desk/?view=all"), n)
        results["queue API (mine)"] = self.timed("queue API", api_page("/api/v1/tickets/"), n)
        results["queue API (all)"] = self.timed(
            "queue API all", api_page("/api/v1/tickets/?view=all"), n
        )

        ids = list(
            Ticket.objects.filter(merged_into__isnull=True)
            .order_by("?")
            .values_list("pk", flat=True)[: n + 3]
        )

        def case(i: int) -> None:
            ref = Ticket(pk=ids[i % len(ids)]).reference
            response = self.client.get(f"/desk/tickets/{ref}/")
            assert response.status_code == 200, (ref, response.status_code)

        results["case page"] = self.timed("case", case, n)

        order_numbers = [self.rng.randint(1, self.order_no) for _ in range(n + 3)]
        queries = {
            "search: 1 common word": lambda i: "refund",
            "search: 2 words": lambda i: f"{WORDS[3 + i % 20]} {WORDS[40 + i % 60]}",
            "search: rare product": lambda i: f"{PRODUCTS[i % len(PRODUCTS)]} {WORDS[60 + i % 60]}",
            "search: order number": lambda i: f"ORD-{order_numbers[i]:07d}",
        }
        for label, make in queries.items():

            def search(i: int, make: Callable[[int], str] = make) -> None:
                response = self.api.get("/api/v1/search/tickets", {"q": make(i)}, headers=auth)
                assert response.status_code == 200, response.content[:300]

            results[label] = self.timed(label, search, n)
        results["size_mb"] = database_size_mb()
        return results


def database_size_mb() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0] / 1e6
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(connection.settings_dict["NAME"])
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def report(sizes: list[int], runs: list[dict[str, Any]]) -> None:
    small, large = runs
    print()
    print(
        f"{'measure':<26}{'p50 @' + format(sizes[0], ','):>14}{'p95':>9}"
        f"{'p50 @' + format(sizes[1], ','):>15}{'p95':>9}{'ratio':>8}"
    )
    for key, samples in small.items():
        if not isinstance(samples, list):
            continue
        if not samples or not large[key]:
            print(f"{key:<26}{'not measured':>14}")
            continue
        a, b = statistics.median(samples), statistics.median(large[key])
        print(
            f"{key:<26}{a:>12.2f}ms{percentile(samples, 95):>7.2f}ms"
            f"{b:>13.2f}ms{percentile(large[key], 95):>7.2f}ms{b / a:>7.2f}x"
        )
    for key, label in (
        ("creations_per_s", "creations/s, one each"),
        ("batch_creations_per_s", "creations/s, batches"),
    ):
        print(f"{label:<26}{small[key]:>14.0f}{'':>9}{large[key]:>15.0f}")
    gains = [run["batch_creations_per_s"] / run["creations_per_s"] for run in (small, large)]
    print(f"{'batch vs one each':<26}{gains[0]:>13.2f}x{'':>9}{gains[1]:>14.2f}x")
    print(f"{'database size':<26}{small['size_mb']:>12.1f}MB{'':>9}{large['size_mb']:>13.1f}MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    parser.add_argument("--create", type=int, default=1000, help="tickets created via the API")
    parser.add_argument("--samples", type=int, default=50, help="requests per page measure")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server to use")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="rightdesk-bench-"))
    pg_name = setup_environment(args, folder)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        bench = Bench(args)
        bench.prepare()
        runs = []
        for size in args.sizes:
            took = bench.fill(size)
            print(f"fill to {size:,} tickets: {took:.1f}s")
            runs.append(bench.measure())
        report(args.sizes, runs)
    finally:
        if pg_name:
            drop_pg_database(args, pg_name)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"data kept in {folder}")


if __name__ == "__main__":
    main()
