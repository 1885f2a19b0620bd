"""``manage.py import_orders FILE`` (``rightdesk import orders FILE``): CSV order import."""

from __future__ import annotations

import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rightdesk.commerce.services.importer import import_orders
from rightdesk.core.errors import DomainError


class _Bar:
    """A one-line progress bar on stderr (only when it is a terminal, unless forced)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int, rows: int) -> None:
        if not self.enabled:
            return
        share = done / total if total else 1.0
        filled = int(share * 30)
        rate = rows / max(time.perf_counter() - self.started, 1e-9)
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {share:6.1%}  {rows:,} rows  "
            f"{rate:,.0f} rows/s"
        )
        sys.stderr.flush()
        if done >= total:
            sys.stderr.write("\n")


class Command(BaseCommand):
    help = "Import orders from a CSV file (one row per line item or fee)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row and report, but write nothing."
        )
        parser.add_argument(
            "--report",
            type=Path,
            default=None,
            help="Where to write rejected rows (default FILE.rejected.csv).",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Show the progress bar even when stderr is not a terminal.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        show = not options["no_progress"] and (options["progress"] or sys.stderr.isatty())
        try:
            report = import_orders(
                path=path,
                dry_run=options["dry_run"],
                report_path=options["report"],
                progress=_Bar(show),
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        verb = "Would import" if report.dry_run else "Imported"
        self.stdout.write(
            f"{verb} {report.orders_imported:,} orders ({report.lines_imported:,} lines, "
            f"{report.customers_created:,} new customers); skipped {report.orders_skipped:,} "
            f"already imported; rejected {report.rows_rejected:,} rows of "
            f"{report.orders_rejected:,} orders. {report.rows_read:,} rows in "
            f"{report.seconds:.1f}s ({report.rows_per_second:,.0f} rows/s)."
        )
        for line, ref, reason in report.first_rejections[:10]:
            self.stdout.write(f"  line {line} (order {ref or '?'}): {reason}")
        if report.report_path:
            self.stdout.write(f"Rejected rows with reasons: {report.report_path}")
