"""Benchmark: CSV import of 100,000 orders (300,000 lines) into a fresh SQLite database.

    python bench/import_orders.py [--orders 100000]

Generates the file in a temporary folder (two items and a processing fee per
order, plus a few malformed orders), imports a tenth of it and then all of it
in separate processes to show peak memory does not grow with the file, then
imports the whole file again to show nothing is imported twice. Prints rows
per second and peak resident memory of each run. Target: >= 2,000 rows/s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = [
    "source",
    "order_ref",
    "placed_at",
    "currency",
    "customer_email",
    "customer_name",
    "customer_phone",
    "kind",
    "fee_kind",
    "product",
    "sku",
    "quantity",
    "unit_price",
]


def generate(path: Path, orders: int) -> int:
    """Write ``orders`` orders of three lines; every 10,000th order has a malformed price."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for n in range(orders):
            ref = f"B-{n:07d}"
            when = (start + timedelta(minutes=n)).isoformat()
            email = f"customer{n % 30000}@example.com"
            name = f"Customer {n % 30000}"
            base = ["bench", ref, when, "USD", email, name, ""]
            price = "19.999" if n % 10000 == 9999 else f"{10 + n % 90}.{n % 100:02d}"
            out.writerow([*base, "physical", "", "Kettle", "K-1", "1", price])
            out.writerow([*base, "digital", "", "Recipe e-book", "E-7", "2", "4.50"])
            out.writerow([*base, "fee", "processing", "Card processing fee", "", "1", "0.95"])
            rows += 3
    return rows


def child(csv_path: str) -> None:
    """Import one file in this process and print what it took, as JSON."""
    import django

    django.setup()
    from rightdesk.commerce.services.importer import import_orders

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = import_orders(path=Path(csv_path))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "rows": report.rows_read,
                "orders": report.orders_imported,
                "lines": report.lines_imported,
                "skipped": report.orders_skipped,
                "rejected_rows": report.rows_rejected,
                "seconds": round(report.seconds, 2),
                "rows_per_second": round(report.rows_per_second),
                "baseline_rss_mb": round(baseline / 1024, 1),
                "peak_rss_mb": round(peak / 1024, 1),
            }
        )
    )


def run(env: dict[str, str], csv_path: Path, label: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(csv_path)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"{label:<34} {result['rows']:>8,} rows  {result['orders']:>7,} orders imported  "
        f"{result['skipped']:>7,} skipped  {result['rejected_rows']:>3} rows rejected  "
        f"{result['seconds']:>6}s  {result['rows_per_second']:>6,} rows/s  "
        f"peak RSS {result['peak_rss_mb']} MB (after start-up {result['baseline_rss_mb']} MB)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="rd-bench-") as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            {
                "RIGHTDESK_DATA": str(folder),
                "RIGHTDESK_SQLITE": str(folder / "bench.sqlite3"),
                "DJANGO_SETTINGS_MODULE": "rightdesk.settings",
                "PYTHONPATH": str(ROOT),
            }
        )
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True
        )
        small, large = folder / "small.csv", folder / "orders.csv"
        small_rows = generate(small, max(1, args.orders // 10))
        rows = generate(large, args.orders)
        print(
            f"Generated {rows:,} rows ({args.orders:,} orders), "
            f"{large.stat().st_size / 1e6:.1f} MB; and {small_rows:,} rows for comparison."
        )
        first = run(env, small, "Import a tenth of the file:")
        # The small file's orders are the first tenth of the big one: import into a fresh DB.
        (folder / "bench.sqlite3").unlink()
        for extra in ("bench.sqlite3-wal", "bench.sqlite3-shm"):
            (folder / extra).unlink(missing_ok=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True
        )
        full = run(env, large, "Import the whole file:")
        again = run(env, large, "Import the whole file again:")
        growth = full["peak_rss_mb"] - first["peak_rss_mb"]
        print(f"Peak memory grew {growth:+.1f} MB for a file 10x larger.")
        ok = full["rows_per_second"] >= 2000 and again["orders"] == 0
        print("Target met (>= 2,000 rows/s, re-run imports nothing)." if ok else "Target NOT met.")


if __name__ == "__main__":
    main()
