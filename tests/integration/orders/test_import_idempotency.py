"""Importing a Shopify export again changes nothing. A changed export updates the order and its reservation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pipeline_helpers import (
    SAMPLES,
    allocated_units,
    apply_workspace_file,
    count_rows,
    events_of,
    import_file,
    level,
    order,
    status_changes_without_event,
    stock_problems,
)

from ordertower.inventory.tables import stock_ledger
from ordertower.orders.tables import order_events, order_lines, orders

GB_EXPORT = SAMPLES / "shopify_orders_export_csv" / "shopify_orders_export_GB_GBP_tiktok_shop_channel.csv"
UNITS_PER_SKU = 10


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def order_count(path: Path) -> int:
    return len({row["Name"] for row in read_rows(path)[1]})


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def gb_store(database, tmp_path):
    """A UK warehouse stocking every SKU of the GB export, and the store's Shopify channel."""
    _, rows = read_rows(GB_EXPORT)
    skus = sorted({row["Lineitem sku"] for row in rows if row["Lineitem sku"]})
    lines = [
        "base_currency: GBP",
        "locations:",
        "  - code: UK",
        '    address: {line1: "Unit 7, Denbigh West", city: Milton Keynes, postal_code: "MK1 1DF", country_code: GB}',
        "    latitude: 52.0",
        "    longitude: -0.73",
        "products:",
        *[f'  - {{sku: "{sku}"}}' for sku in skus],
        "stock:",
        *[f'  - {{sku: "{sku}", location: UK, on_hand: {UNITS_PER_SKU}}}' for sku in skus],
        "channels:",
        "  - {code: shopify-uk, kind: shopify}",
    ]
    path = tmp_path / "workspace.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    apply_workspace_file(database, path)
    return database


def test_reimport_changes_nothing(gb_store):
    first = import_file(gb_store, GB_EXPORT)
    with gb_store.read() as connection:
        counts = {
            table.name: count_rows(connection, table) for table in (orders, order_lines, order_events, stock_ledger)
        }
        statuses = dict(connection.execute(orders.select().with_only_columns(orders.c.number, orders.c.status)).all())

    second = import_file(gb_store, GB_EXPORT)

    assert first.created == order_count(GB_EXPORT)
    assert first.updated == 0
    assert second.created == 0
    assert second.updated == 0
    assert second.unchanged == first.created
    with gb_store.read() as connection:
        after = {
            table.name: count_rows(connection, table) for table in (orders, order_lines, order_events, stock_ledger)
        }
        assert after == counts
        assert (
            dict(connection.execute(orders.select().with_only_columns(orders.c.number, orders.c.status)).all())
            == statuses
        )
        assert stock_problems(connection) == []


def test_sample_open_orders_reserved(gb_store):
    import_file(gb_store, GB_EXPORT)

    with gb_store.read() as connection:
        open_order = order(connection, "#1050")
        assert open_order.status == "allocated"
        assert allocated_units(connection, open_order.id) == {
            ("53075587-pink-m", "UK"): 1,
            ("53075587-pink-s", "UK"): 1,
        }
        fulfilled = order(connection, "#1054")
        assert fulfilled.status == "shipped"
        assert allocated_units(connection, fulfilled.id) == {}
        refunded = order(connection, "#1057")
        assert refunded.status == "cancelled"
        # Two open orders (#1059, #1056) want 65247576-white-s.
        assert level(connection, "65247576-white-s", "UK").reserved == 2
        assert stock_problems(connection) == []
        assert status_changes_without_event(connection) == []


def edit_order(rows: list[dict[str, str]], name: str, **cells: str) -> None:
    """Change cells of the first row of order `name`, where Shopify writes the order-level columns."""
    row = next(row for row in rows if row["Name"] == name)
    row.update(cells)


def test_cancelled_in_channel_releases_stock(gb_store, tmp_path):
    import_file(gb_store, GB_EXPORT)
    with gb_store.read() as connection:
        before = level(connection, "86719035-white-s", "UK")
        target = order(connection, "#1060")
    header, rows = read_rows(GB_EXPORT)
    edit_order(rows, "#1060", **{"Cancelled at": "2025-12-07 10:00:00 +0000"})

    report = import_file(gb_store, write_rows(tmp_path / "cancelled.csv", header, rows))

    assert (report.created, report.updated, report.unchanged) == (0, 1, order_count(GB_EXPORT) - 1)
    with gb_store.read() as connection:
        cancelled = order(connection, "#1060")
        after = level(connection, "86719035-white-s", "UK")
        releases = connection.execute(
            stock_ledger.select().where(stock_ledger.c.order_id == target.id, stock_ledger.c.reason == "release")
        ).all()
        assert target.status == "allocated"
        assert cancelled.status == "cancelled"
        assert allocated_units(connection, cancelled.id) == {}
        assert before.reserved == 1
        assert after.reserved == 0
        assert after.on_hand == before.on_hand
        assert [row.reserved_delta for row in releases] == [-1]
        assert events_of(connection, cancelled.id)[-1].to_status == "cancelled"
        assert stock_problems(connection) == []
        assert status_changes_without_event(connection) == []


def test_changed_quantity_reserves_difference(gb_store, tmp_path):
    import_file(gb_store, GB_EXPORT)
    header, rows = read_rows(GB_EXPORT)
    edit_order(rows, "#1059", **{"Lineitem quantity": "3"})

    report = import_file(gb_store, write_rows(tmp_path / "quantity.csv", header, rows))

    assert (report.created, report.updated, report.unchanged) == (0, 1, order_count(GB_EXPORT) - 1)
    with gb_store.read() as connection:
        changed = order(connection, "#1059")
        assert changed.status == "allocated"
        assert allocated_units(connection, changed.id) == {("65247576-white-s", "UK"): 3}
        assert level(connection, "65247576-white-s", "UK").reserved == 4  # 3 for #1059, 1 for #1056
        assert stock_problems(connection) == []


def test_changed_quantity_beyond_stock_backorders(gb_store, tmp_path):
    import_file(gb_store, GB_EXPORT)
    header, rows = read_rows(GB_EXPORT)
    edit_order(rows, "#1059", **{"Lineitem quantity": str(UNITS_PER_SKU + 5)})

    report = import_file(gb_store, write_rows(tmp_path / "quantity.csv", header, rows))

    assert report.updated == 1
    with gb_store.read() as connection:
        changed = order(connection, "#1059")
        assert changed.status == "backordered"
        # #1056 keeps its unit, and the rest of the stock goes to #1059 as a partial reservation.
        assert allocated_units(connection, changed.id) == {("65247576-white-s", "UK"): UNITS_PER_SKU - 1}
        assert level(connection, "65247576-white-s", "UK").reserved == UNITS_PER_SKU
        assert stock_problems(connection) == []


def test_changed_address_updates_order(gb_store, tmp_path):
    import_file(gb_store, GB_EXPORT)
    header, rows = read_rows(GB_EXPORT)
    edit_order(rows, "#1058", **{"Shipping Address1": "99 Other Street", "Shipping Street": "99 Other Street"})
    changed_file = write_rows(tmp_path / "address.csv", header, rows)

    report = import_file(gb_store, changed_file)
    again = import_file(gb_store, changed_file)

    assert (report.created, report.updated, report.unchanged) == (0, 1, order_count(GB_EXPORT) - 1)
    assert (again.created, again.updated, again.unchanged) == (0, 0, order_count(GB_EXPORT))
    with gb_store.read() as connection:
        changed = order(connection, "#1058")
        assert changed.ship_line1 == "99 Other Street"
        assert changed.status == "allocated"
        assert allocated_units(connection, changed.id) == {("18277219-red-m", "UK"): 1}
        assert [event.kind for event in events_of(connection, changed.id)] == [
            "imported",
            "routed",
            "updated",
            "routed",
        ]
        assert stock_problems(connection) == []
