"""CSV import: whole orders or nothing, reasons for every rejected row, safe to re-run."""

from __future__ import annotations

import csv
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from rightdesk.commerce.models import Order, OrderLine
from rightdesk.commerce.services.importer import import_orders
from rightdesk.customers.models import ContactPoint, Customer

HEADER = (
    "source,order_ref,placed_at,currency,customer_email,customer_name,customer_phone,"
    "kind,fee_kind,product,sku,quantity,unit_price\n"
)
GOOD = (
    "shop,B-1,2025-03-01T10:00:00+00:00,USD,ann@example.com,Ann Lee,+1 312 555 0101,"
    "physical,,Kettle,K1,1,25.00\n"
    "shop,B-1,2025-03-01T10:00:00+00:00,USD,ann@example.com,Ann Lee,+1 312 555 0101,"
    "fee,shipping,Shipping,,1,4.50\n"
    "shop,B-2,2025-03-02T11:00:00+00:00,JPY,ken@example.com,Ken Sato,,digital,,E-book,,2,1200\n"
)
BAD = (
    # B-3: second row has a price with too many decimals -> whole order rejected.
    "shop,B-3,2025-03-03T09:00:00+00:00,USD,ann@example.com,Ann Lee,,physical,,Mug,,1,9.00\n"
    "shop,B-3,2025-03-03T09:00:00+00:00,USD,ann@example.com,Ann Lee,,physical,,Tea,,1,3.999\n"
    # B-4: unknown kind.
    "shop,B-4,2025-03-03T09:00:00+00:00,USD,zoe@example.com,Zoe,,gadget,,Thing,,1,1.00\n"
    # B-5: a fee with no item.
    "shop,B-5,2025-03-03T09:00:00+00:00,USD,zoe@example.com,Zoe,,fee,tax,Tax,,1,1.00\n"
    # B-6: too few columns.
    "shop,B-6,2025-03-03T09:00:00+00:00,USD\n"
)


def write(tmp_path: Path, body: str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_good_orders_import_and_bad_ones_are_rejected_whole(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + BAD)
    report = import_orders(path=path)
    assert (
        report.rows_read,
        report.orders_imported,
        report.lines_imported,
        report.customers_created,
        report.orders_rejected,
        report.rows_rejected,
    ) == (8, 2, 3, 2, 4, 5)
    assert sorted(Order.objects.values_list("external_ref", flat=True)) == ["B-1", "B-2"]
    assert not Order.objects.filter(external_ref="B-3").exists()
    kettle_order = Order.objects.get(external_ref="B-1")
    assert [(line.kind, line.fee_kind, line.unit_price) for line in kettle_order.lines.all()] == [
        ("physical", "", Decimal("25.000")),
        ("fee", "shipping", Decimal("4.500")),
    ]
    ann = Customer.objects.get(name="Ann Lee")
    assert sorted(ann.contacts.values_list("value", flat=True)) == [
        "+13125550101",
        "ann@example.com",
    ]
    with open(report.report_path, encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        ["line", "order_ref", "reason"],
        ["5", "B-3", "line 6: unit_price: 3.999 has more decimals than USD allows"],
        ["6", "B-3", "line 6: unit_price: 3.999 has more decimals than USD allows"],
        ["7", "B-4", "line 7: kind: unknown kind 'gadget'"],
        ["8", "B-5", "line 8: kind: an order needs an item besides fees"],
        ["9", "B-6", "line 9: row: expected 13 columns, found 4"],
    ]


@pytest.mark.django_db
def test_re_running_imports_nothing_twice(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    import_orders(path=path)
    again = import_orders(path=path)
    assert (again.orders_imported, again.lines_imported, again.orders_skipped) == (0, 0, 2)
    assert (Order.objects.count(), OrderLine.objects.count(), Customer.objects.count()) == (2, 3, 2)


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + BAD)
    report = import_orders(path=path, dry_run=True)
    assert (report.orders_imported, report.rows_rejected) == (2, 5)
    assert (Order.objects.count(), Customer.objects.count(), ContactPoint.objects.count()) == (
        0,
        0,
        0,
    )


@pytest.mark.django_db
def test_an_order_split_across_the_file_is_rejected_not_half_imported(tmp_path: Path) -> None:
    split = GOOD + GOOD.splitlines(keepends=True)[0]
    report = import_orders(path=write(tmp_path, split), batch_orders=1)
    assert report.orders_rejected == 1
    assert report.first_rejections == [(5, "B-1", "rows of one order must be consecutive")]
    assert Order.objects.get(external_ref="B-1").lines.count() == 2


@pytest.mark.django_db
def test_the_command_prints_a_summary(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + BAD)
    out = StringIO()
    call_command("import_orders", str(path), "--dry-run", "--no-progress", stdout=out)
    text = out.getvalue()
    assert text.startswith(
        "Would import 2 orders (3 lines, 2 new customers); skipped 0 already "
        "imported; rejected 5 rows of 4 orders."
    )
    assert "line 7 (order B-4): line 7: kind: unknown kind 'gadget'" in text
    assert Order.objects.count() == 0
