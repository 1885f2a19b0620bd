"""Streaming CSV import of orders: one row per order line, an order's rows together.

The file is read row by row and written in batches of whole orders, so memory
stays flat however large the file is. An order is imported whole or not at all:
if any of its rows is malformed, every row of that order is rejected and
reported with the reason. Orders already present (same source and reference)
are skipped, so an import can be re-run safely. Rejected rows are written to a
CSV report as they are found (line number, order reference, reason).

Columns (header required, order free): ``source, order_ref, placed_at,
currency, customer_email, customer_name, customer_phone, kind, fee_kind,
product, sku, quantity, unit_price``. ``kind`` is physical, digital, service,
subscription or fee; fee rows carry ``fee_kind`` (processing, shipping, tax,
other) and are charged on the whole order. A ``placed_at`` without a time
zone is read in the deployment's ``TIME_ZONE``.
"""

from __future__ import annotations

import csv
import io
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from django.db import IntegrityError, transaction
from django.utils import timezone

from rightdesk.commerce.choices import ITEM_KINDS, FeeKind, LineKind
from rightdesk.commerce.models import Order, OrderLine, OrderSource
from rightdesk.commerce.money import MAX_AMOUNT, check_currency, exponent
from rightdesk.commerce.services.orders import ref_key
from rightdesk.core.errors import Invalid
from rightdesk.customers.models import ContactKind, ContactPoint, Customer
from rightdesk.customers.services import normalise_email, normalise_phone

REQUIRED_COLUMNS = (
    "order_ref",
    "placed_at",
    "currency",
    "customer_email",
    "kind",
    "product",
    "quantity",
    "unit_price",
)
OPTIONAL_COLUMNS = ("source", "customer_name", "customer_phone", "fee_kind", "sku")
DEFAULT_SOURCE = "csv"
BATCH_ORDERS = 500
MAX_ROWS_PER_ORDER = 500

ProgressCallback = Callable[[int, int, int], None]  # bytes read, file size, rows read


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    rows_read: int = 0
    orders_imported: int = 0
    lines_imported: int = 0
    customers_created: int = 0
    orders_skipped: int = 0
    orders_rejected: int = 0
    rows_rejected: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    report_path: str = ""
    first_rejections: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0


@dataclass
class _Pending:
    source: str
    ref: str
    placed_at: datetime
    currency: str
    email: str
    name: str
    phone: str
    first_line: int
    lines: list[OrderLine]


class _RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


_KINDS = frozenset(LineKind.values)
_FEE_KINDS = frozenset(FeeKind.values)


def _parse_time(raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise _RowError("placed_at", f"{raw!r} is not an ISO date-time") from exc
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _parse_line(row: dict[str, str], currency: str, position: int) -> OrderLine:
    kind = row["kind"].strip().lower()
    if kind not in _KINDS:
        raise _RowError("kind", f"unknown kind {row['kind']!r}")
    fee_kind = row.get("fee_kind", "").strip().lower()
    if kind == LineKind.FEE:
        if fee_kind not in _FEE_KINDS:
            raise _RowError("fee_kind", f"a fee needs fee_kind ({', '.join(sorted(_FEE_KINDS))})")
    elif fee_kind:
        raise _RowError("fee_kind", "only fee rows have a fee_kind")
    product = " ".join(row["product"].split())
    if not product:
        raise _RowError("product", "empty product")
    qty_raw = row["quantity"].strip()
    if not qty_raw.isdigit() or not 1 <= int(qty_raw) <= 1_000_000:
        raise _RowError("quantity", f"{qty_raw!r} is not a quantity of at least 1")
    price_raw = row["unit_price"].strip()
    try:
        price = Decimal(price_raw)
    except InvalidOperation as exc:
        raise _RowError("unit_price", f"{price_raw!r} is not an amount") from exc
    if not price.is_finite() or price < 0 or price > MAX_AMOUNT:
        raise _RowError("unit_price", f"{price_raw!r} is not a price")
    exp = price.as_tuple().exponent
    if isinstance(exp, int) and -exp > exponent(currency):
        raise _RowError("unit_price", f"{price_raw} has more decimals than {currency} allows")
    return OrderLine(
        position=position,
        kind=kind,
        fee_kind=fee_kind if kind == LineKind.FEE else "",
        product=product[:200],
        sku=row.get("sku", "").strip()[:64],
        quantity=int(qty_raw),
        unit_price=price,
    )


def _rows(handle: IO[str]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(handle)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration as exc:
        raise Invalid("The file is empty.", field="file") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise Invalid(f"Missing columns: {', '.join(missing)}.", field="file")
    width = len(header)
    for values in reader:
        line = reader.line_num
        if not values or (len(values) == 1 and not values[0].strip()):
            continue
        if len(values) != width:
            yield (
                line,
                {
                    "__error__": f"expected {width} columns, found {len(values)}",
                    "order_ref": values[header.index("order_ref")]
                    if len(values) > header.index("order_ref")
                    else "",
                },
            )
            continue
        yield line, dict(zip(header, values, strict=True))


class _Importer:
    def __init__(
        self, *, dry_run: bool, report: ImportReport, rejects: IO[str] | None, batch_orders: int
    ) -> None:
        self.dry_run = dry_run
        self.report = report
        self.rejects = csv.writer(rejects) if rejects is not None else None
        self.batch_orders = batch_orders
        self.run_id = uuid.uuid4().hex
        self.sources: dict[str, OrderSource] = {}
        self.batch: list[_Pending] = []

    # -- reporting
    def reject(self, lines: list[int], ref: str, reason: str) -> None:
        self.report.rows_rejected += len(lines)
        self.report.orders_rejected += 1
        for number in lines:
            if len(self.report.first_rejections) < 20:
                self.report.first_rejections.append((number, ref, reason))
            if self.rejects is not None:
                self.rejects.writerow([number, ref, reason])

    # -- grouping and validation
    def take_group(self, group: list[tuple[int, dict[str, str]]]) -> None:
        numbers = [n for n, _ in group]
        first = group[0][1]
        ref = first.get("order_ref", "").strip()
        try:
            if len(group) > MAX_ROWS_PER_ORDER:
                raise _RowError("order_ref", f"more than {MAX_ROWS_PER_ORDER} rows in one order")
            pending = self._validate(group)
        except _RowError as exc:
            self.reject(numbers, ref, f"{exc.column}: {exc.message}")
            return
        except _GroupError as exc:
            self.reject(numbers, ref, f"line {exc.line}: {exc.column}: {exc.message}")
            return
        self.batch.append(pending)
        if len(self.batch) >= self.batch_orders:
            self.flush()

    def _validate(self, group: list[tuple[int, dict[str, str]]]) -> _Pending:
        first_no, first = group[0]
        if "__error__" in first:
            raise _GroupError(first_no, "row", first["__error__"])
        ref = first["order_ref"].strip()
        if not ref or len(ref) > 64:
            raise _GroupError(first_no, "order_ref", "a reference of 1-64 characters is needed")
        try:
            currency = check_currency(first["currency"])
        except Invalid as exc:
            raise _GroupError(first_no, "currency", exc.message) from exc
        try:
            placed_at = _parse_time(first["placed_at"])
            email = normalise_email(first["customer_email"])
        except _RowError as exc:
            raise _GroupError(first_no, exc.column, exc.message) from exc
        except Invalid as exc:
            raise _GroupError(first_no, "customer_email", exc.message) from exc
        phone = first.get("customer_phone", "").strip()
        if phone:
            try:
                phone = normalise_phone(phone)
            except Invalid as exc:
                raise _GroupError(first_no, "customer_phone", exc.message) from exc
        lines: list[OrderLine] = []
        for position, (number, row) in enumerate(group, start=1):
            if "__error__" in row:
                raise _GroupError(number, "row", row["__error__"])
            for column in ("placed_at", "currency", "customer_email"):
                if row[column].strip() != first[column].strip():
                    raise _GroupError(number, column, "differs from the order's first row")
            try:
                lines.append(_parse_line(row, currency, position))
            except _RowError as exc:
                raise _GroupError(number, exc.column, exc.message) from exc
        if not any(line.kind in ITEM_KINDS for line in lines):
            raise _GroupError(first_no, "kind", "an order needs an item besides fees")
        return _Pending(
            source=(first.get("source", "").strip().lower() or DEFAULT_SOURCE)[:50],
            ref=ref,
            placed_at=placed_at,
            currency=currency,
            email=email,
            name=" ".join(first.get("customer_name", "").split())[:200] or email.split("@")[0],
            phone=phone,
            first_line=first_no,
            lines=lines,
        )

    # -- writing
    def _source(self, slug: str) -> OrderSource:
        source = self.sources.get(slug)
        if source is None:
            source, _ = OrderSource.objects.get_or_create(slug=slug, defaults={"name": slug})
            self.sources[slug] = source
        return source

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch:
            return
        try:
            self._write(batch)
        except IntegrityError:
            # Someone wrote the same orders or contacts meanwhile: go one order at a time.
            for pending in batch:
                try:
                    self._write([pending])
                except IntegrityError:
                    self.reject(
                        [pending.first_line],
                        pending.ref,
                        "conflicted with a concurrent change; re-run the import",
                    )

    def _write(self, batch: list[_Pending]) -> None:
        counts = {"orders": 0, "lines": 0, "customers": 0, "skipped": 0}
        rejected: list[tuple[_Pending, str]] = []
        with transaction.atomic():
            keep = self._drop_existing(batch, counts, rejected)
            customers = self._customers(keep, counts)
            orders = [
                Order(
                    source=self._source(p.source),
                    external_ref=p.ref,
                    ref_key=ref_key(p.ref),
                    customer_id=customers[p.email],
                    placed_at=p.placed_at,
                    currency=p.currency,
                    import_run=self.run_id,
                )
                for p in keep
            ]
            Order.objects.bulk_create(orders)
            lines: list[OrderLine] = []
            for order, pending in zip(orders, keep, strict=True):
                for line in pending.lines:
                    line.order = order
                    lines.append(line)
            OrderLine.objects.bulk_create(lines, batch_size=2000)
            counts["orders"] += len(orders)
            counts["lines"] += len(lines)
            if self.dry_run:
                transaction.set_rollback(True)
        if self.dry_run:
            self.sources.clear()  # sources created in the rolled-back batch are gone
        self.report.orders_imported += counts["orders"]
        self.report.lines_imported += counts["lines"]
        self.report.customers_created += counts["customers"]
        self.report.orders_skipped += counts["skipped"]
        for pending, reason in rejected:
            self.reject([pending.first_line], pending.ref, reason)

    def _drop_existing(
        self, batch: list[_Pending], counts: dict[str, int], rejected: list[tuple[_Pending, str]]
    ) -> list[_Pending]:
        by_source: dict[str, list[_Pending]] = {}
        for pending in batch:
            by_source.setdefault(pending.source, []).append(pending)
        keep: list[_Pending] = []
        for slug, group in by_source.items():
            source = self._source(slug)
            existing = dict(
                Order.objects.filter(
                    source=source, external_ref__in=[p.ref for p in group]
                ).values_list("external_ref", "import_run")
            )
            seen: set[str] = set()
            for pending in group:
                run = existing.get(pending.ref)
                if pending.ref in seen or run == self.run_id:
                    rejected.append((pending, "rows of one order must be consecutive"))
                elif run is not None:
                    counts["skipped"] += 1
                else:
                    seen.add(pending.ref)
                    keep.append(pending)
        return keep

    def _customers(self, batch: list[_Pending], counts: dict[str, int]) -> dict[str, int]:
        emails = {p.email for p in batch}
        known = dict(
            ContactPoint.objects.filter(kind=ContactKind.EMAIL, value__in=emails).values_list(
                "value", "customer_id"
            )
        )
        new: dict[str, _Pending] = {}
        for pending in batch:
            if pending.email not in known and pending.email not in new:
                new[pending.email] = pending
        if not new:
            return known
        phones = {p.phone for p in new.values() if p.phone}
        taken = set(
            ContactPoint.objects.filter(kind=ContactKind.PHONE, value__in=phones).values_list(
                "value", flat=True
            )
        )
        now = timezone.now()
        customers = Customer.objects.bulk_create(
            [Customer(name=p.name, created_at=now, updated_at=now) for p in new.values()]
        )
        points: list[ContactPoint] = []
        for customer, pending in zip(customers, new.values(), strict=True):
            known[pending.email] = customer.pk
            points.append(
                ContactPoint(
                    customer=customer,
                    kind=ContactKind.EMAIL,
                    value=pending.email,
                    is_primary=True,
                    created_at=now,
                )
            )
            if pending.phone and pending.phone not in taken:
                taken.add(pending.phone)
                points.append(
                    ContactPoint(
                        customer=customer,
                        kind=ContactKind.PHONE,
                        value=pending.phone,
                        is_primary=True,
                        created_at=now,
                    )
                )
        ContactPoint.objects.bulk_create(points)
        counts["customers"] += len(customers)
        return known


class _GroupError(Exception):
    def __init__(self, line: int, column: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message


def import_orders(
    *,
    path: Path,
    dry_run: bool = False,
    report_path: Path | None = None,
    progress: ProgressCallback | None = None,
    batch_orders: int = BATCH_ORDERS,
) -> ImportReport:
    """Import orders from a CSV file (see the module docstring for the format).

    Returns counts; rejected rows go to ``report_path`` (default: next to the
    file, ``<name>.rejected.csv``) when there are any.
    """
    started = time.perf_counter()
    report = ImportReport(dry_run=dry_run)
    size = path.stat().st_size
    target = report_path or path.with_name(path.name + ".rejected.csv")
    with open(path, "rb") as raw, open(target, "w", newline="", encoding="utf-8") as rejects:
        csv.writer(rejects).writerow(["line", "order_ref", "reason"])
        importer = _Importer(
            dry_run=dry_run, report=report, rejects=rejects, batch_orders=batch_orders
        )
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        group: list[tuple[int, dict[str, str]]] = []
        key: tuple[str, str] | None = None
        for number, row in _rows(text):
            report.rows_read += 1
            row_key = (row.get("source", "").strip().lower(), row.get("order_ref", "").strip())
            if group and row_key != key:
                importer.take_group(group)
                group = []
            group.append((number, row))
            key = row_key
            if progress is not None and report.rows_read % 5000 == 0:
                progress(raw.tell(), size, report.rows_read)
        if group:
            importer.take_group(group)
        importer.flush()
        if progress is not None:
            progress(size, size, report.rows_read)
    if report.rows_rejected:
        report.report_path = str(target)
    else:
        target.unlink(missing_ok=True)
    report.seconds = time.perf_counter() - started
    return report
