"""E-mail throughput: SMTP acceptance → threaded message on a ticket, and gateway memory.

Usage (SQLite in a fresh temporary folder, the default)::

    python bench/mail_throughput.py --messages 2000

PostgreSQL (a scratch database that is dropped and re-created)::

    python bench/mail_throughput.py --database-url postgres://postgres@127.0.0.1:5432/rd_bench_email

The gateway runs as its own process (``manage.py smtpd``) exactly as in
production; this process sends the mail over SMTP from a thread and works as
the worker in the main thread, processing stored messages as they arrive. One
customer in ten opens a ticket; every other message is a reply carrying
In-Reply-To, so most of the work is threading onto existing tickets.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Import the project from the repository root, not from this folder.
ROOT = Path(__file__).resolve().parents[1]
sys.path = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import smtplib  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_kib(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of a process in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def _message(i: int, customers: int) -> tuple[bytes, str]:
    customer = i % customers
    first = i < customers
    mid = f"<bench-{i}@client.example>"
    lines = [
        f"From: Customer {customer} <customer{customer}@example.com>",
        "To: help@shop.example",
        f"Subject: {'Order question' if first else 'Re: Order question'} {customer}",
        f"Message-ID: {mid}",
        "Date: Tue, 04 Mar 2025 10:12:00 +0000",
    ]
    if not first:
        lines.append(f"In-Reply-To: <bench-{customer}@client.example>")
        lines.append(f"References: <bench-{customer}@client.example>")
    body = f"Hello, this is message {i}.\n\nOn Tue, Mar 4, 2025 someone wrote:\n> earlier text\n"
    return ("\r\n".join(lines) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode(), mid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--profile", action="store_true", help="Profile the worker loop.")
    parser.add_argument(
        "--connections",
        type=int,
        default=4,
        help="Concurrent SMTP client connections (MTAs deliver in parallel).",
    )
    args = parser.parse_args()
    customers = max(1, args.messages // 10)

    folder = Path(tempfile.mkdtemp(prefix="rightdesk-bench-email-"))
    os.environ["RIGHTDESK_DATA"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "rightdesk.settings"
    os.environ.pop("REDIS_URL", None)
    if args.database_url:
        import psycopg

        base, _, name = args.database_url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from rightdesk.accounts.services import create_team
    from rightdesk.channels.choices import RawState
    from rightdesk.channels.models import Mailbox, RawMessage
    from rightdesk.channels.services import create_from_email, pending_message_ids

    call_command("migrate", verbosity=0)
    Mailbox.objects.create(address="help@shop.example", team=create_team(name="Front desk"))

    port = _free_port()
    gateway = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "smtpd",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-enqueue",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    idle_rss, _ = _rss_kib(gateway.pid)

    sent_at: dict[str, float] = {}
    accepted_done: list[float] = []

    # Ticket-opening messages go first so that replies find their thread.
    order = list(range(args.messages))

    def sender(offset: int) -> None:
        client = smtplib.SMTP("127.0.0.1", port, timeout=60)
        for i in order[offset :: args.connections]:
            raw, mid = _message(i, customers)
            client.sendmail(f"customer{i % customers}@example.com", ["help@shop.example"], raw)
            sent_at[mid] = time.perf_counter()
        client.quit()
        accepted_done.append(time.perf_counter())

    start = time.perf_counter()
    threads = [threading.Thread(target=sender, args=(n,)) for n in range(args.connections)]
    for thread in threads:
        thread.start()
    placed = 0
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    while placed < args.messages:
        ids = pending_message_ids(limit=200)
        if not ids:
            if not any(t.is_alive() for t in threads) and not pending_message_ids(limit=1):
                break
            time.sleep(0.005)
            continue
        for raw_id in ids:
            if create_from_email(raw_id=raw_id).state == RawState.PLACED:
                placed += 1
    end = time.perf_counter()
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    for thread in threads:
        thread.join()
    current_rss, peak_rss = _rss_kib(gateway.pid)
    gateway.terminate()
    gateway.wait()

    states = dict(
        RawMessage.objects.values_list("state").annotate(
            n=__import__("django.db.models", fromlist=["Count"]).Count("id")
        )
    )
    joined = RawMessage.objects.filter(state=RawState.PLACED, opened_ticket=False).count()
    accept_seconds = max(accepted_done) - start
    print(f"database: {connection.vendor}")
    print(
        f"messages: {args.messages} over {args.connections} SMTP connections "
        f"({customers} new tickets, {joined} threaded replies)"
    )
    print(f"states: {states}")
    print(
        f"SMTP acceptance only: {args.messages / accept_seconds:.0f} msg/s ({accept_seconds:.2f} s)"
    )
    print(
        f"end to end (SMTP accept → on a ticket): {placed / (end - start):.0f} msg/s "
        f"({end - start:.2f} s)"
    )
    print(
        f"gateway memory: idle {idle_rss / 1024:.1f} MiB, after burst "
        f"{current_rss / 1024:.1f} MiB, peak {peak_rss / 1024:.1f} MiB"
    )


if __name__ == "__main__":
    main()
