"""The writer thread of a PostgreSQL import: same decisions as a serial import, and safe when stock or orders
change under a batch that waits to be written."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from pipeline_helpers import (
    EXAMPLE_WORKSPACE,
    apply_workspace_file,
    count_rows,
    generic_row,
    import_file,
    stock_problems,
    write_generic_csv,
    write_workspace,
)
from sqlalchemy import func, select

from ordertower.catalog.tables import locations, products
from ordertower.channels.formats import read_orders_file
from ordertower.demo.catalog import load_demo_catalog
from ordertower.demo.generator import write_orders
from ordertower.inventory.service import list_stock, set_stock
from ordertower.inventory.tables import stock_levels
from ordertower.kernel.db import Database
from ordertower.orders import overlap
from ordertower.orders.importing import ImportReport, import_orders
from ordertower.orders.tables import allocations, orders, shipments

pytestmark = pytest.mark.postgres_only

GENERATED_ORDERS = 600
BATCH = 100


def import_with(database: Database, path: Path, *, overlap_on: bool, batch_size: int = BATCH) -> ImportReport:
    with read_orders_file(path) as source:
        return import_orders(database, source, batch_size=batch_size, overlap=overlap_on)


def decisions(database: Database) -> dict[str, Any]:
    """Each order's status and shipments, and each stock level's reserved units, by names rather than ids."""
    with database.read() as connection:
        statuses = dict(connection.execute(select(orders.c.external_id, orders.c.status)).all())
        shipped = connection.execute(
            select(orders.c.external_id, locations.c.code, products.c.sku, allocations.c.quantity)
            .join(shipments, shipments.c.order_id == orders.c.id)
            .join(locations, locations.c.id == shipments.c.location_id)
            .join(allocations, allocations.c.shipment_id == shipments.c.id)
            .join(products, products.c.id == allocations.c.product_id)
        ).all()
        reserved = connection.execute(
            select(products.c.sku, locations.c.code, stock_levels.c.reserved)
            .join(products, products.c.id == stock_levels.c.product_id)
            .join(locations, locations.c.id == stock_levels.c.location_id)
        ).all()
    return {"statuses": statuses, "shipments": sorted(shipped), "reserved": sorted(reserved)}


def test_same_decisions_as_a_serial_import(database, empty_again, tmp_path, caplog):
    path = tmp_path / "orders.csv"
    catalog = load_demo_catalog(EXAMPLE_WORKSPACE)
    write_orders(path, format="shopify-csv", count=GENERATED_ORDERS, catalog=catalog, seed=11, lines_mean=2.5)

    apply_workspace_file(database, EXAMPLE_WORKSPACE)
    serial = import_with(database, path, overlap_on=False)
    serial_decisions = decisions(database)
    empty_again()
    apply_workspace_file(database, EXAMPLE_WORKSPACE)
    with caplog.at_level(logging.INFO, logger="ordertower.orders.overlap"):
        overlapped = import_with(database, path, overlap_on=True)

    # Nothing else writes, so every plan started from the stock that was there when it was written.
    assert "routing it again" not in caplog.text
    assert overlapped.to_dict() == serial.to_dict()
    assert overlapped.created == GENERATED_ORDERS
    # The example stock runs short, so the batches compete for it and backorders appear.
    assert "backordered" in set(serial_decisions["statuses"].values())
    assert decisions(database) == serial_decisions
    with database.read() as connection:
        assert stock_problems(connection) == []


def mug_orders(tmp_path: Path, count: int, prefix: str = "W") -> Path:
    rows = [
        generic_row(f"{prefix}{index:04d}", "MUG-WHT", 1, order_date=f"2024-05-01T10:{index % 60:02d}:00+00:00")
        for index in range(count)
    ]
    return write_generic_csv(tmp_path / f"{prefix}.csv", rows)


def write_before(monkeypatch: pytest.MonkeyPatch, batch_number: int, change: Any) -> list[int]:
    """Run `change(planned)` in the writer thread just before it writes its `batch_number`-th batch."""
    original = overlap.OverlappedImport._write
    calls: list[int] = []

    def write(self: overlap.OverlappedImport, planned: overlap.PlannedBatch) -> bool:
        calls.append(len(planned.staged.rows))
        if len(calls) == batch_number:
            change(planned)
        return original(self, planned)

    monkeypatch.setattr(overlap.OverlappedImport, "_write", write)
    return calls


def test_stock_counted_down_under_a_waiting_batch(database, tmp_path, monkeypatch, caplog):
    apply_workspace_file(
        database,
        write_workspace(tmp_path / "workspace.yaml", stock="stock:\n  - {sku: MUG-WHT, location: LA, on_hand: 400}\n"),
    )
    path = mug_orders(tmp_path, 300)

    def count_down(_planned: overlap.PlannedBatch) -> None:
        # A stock count elsewhere leaves fewer mugs than the plans of the waiting batches took.
        with database.write() as connection:
            set_stock(connection, sku="MUG-WHT", location="LA", on_hand=150)

    calls = write_before(monkeypatch, 2, count_down)
    with caplog.at_level(logging.INFO, logger="ordertower.orders.overlap"):
        report = import_with(database, path, overlap_on=True, batch_size=50)

    assert len(calls) >= 2
    assert report.created == 300
    assert report.errors == []
    assert "routing it again" in caplog.text
    with database.read() as connection:
        (mugs,) = list_stock(connection, sku="MUG-WHT", location="LA")
        assert mugs.on_hand == 150
        assert mugs.reserved == 150
        statuses = dict(connection.execute(select(orders.c.status, func.count()).group_by(orders.c.status)).all())
        assert statuses == {"allocated": 150, "backordered": 150}
        assert stock_problems(connection) == []


def test_conflicting_insert_writes_serially(database, tmp_path, monkeypatch, caplog):
    apply_workspace_file(
        database,
        write_workspace(tmp_path / "workspace.yaml", stock="stock:\n  - {sku: MUG-WHT, location: LA, on_hand: 1000}\n"),
    )
    path = mug_orders(tmp_path, 300)
    other = Database(database.url)

    def import_one_of_them(planned: overlap.PlannedBatch) -> None:
        # Another process stores one order of the waiting batch first, so the batch's insert conflicts.
        external_id = planned.staged.rows[10]["external_id"]
        single = write_generic_csv(tmp_path / "single.csv", [generic_row(external_id, "MUG-WHT", 1)])
        import_file(other, single, channel="wholesale")

    write_before(monkeypatch, 3, import_one_of_them)
    try:
        with caplog.at_level(logging.INFO, logger="ordertower.orders.overlap"):
            report = import_with(database, path, overlap_on=True, batch_size=50)
    finally:
        other.dispose()

    assert "one at a time" in caplog.text
    assert report.created == 299
    assert report.created + report.updated + report.unchanged == 300
    with database.read() as connection:
        assert count_rows(connection, orders) == 300
        assert connection.scalar(select(func.count(func.distinct(orders.c.external_id)))) == 300
        (mugs,) = list_stock(connection, sku="MUG-WHT", location="LA")
        assert mugs.reserved == 300
        assert stock_problems(connection) == []
