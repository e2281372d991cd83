"""`check_records` passes on what the import stores and names each kind of broken record."""

from __future__ import annotations

import pytest
from pipeline_helpers import apply_workspace_file, generic_row, import_file, order, write_generic_csv, write_workspace
from sqlalchemy import insert, select, update

from ordertower.inventory.tables import stock_ledger, stock_levels
from ordertower.kernel.db import utc_now
from ordertower.orders.integrity import check_records
from ordertower.orders.tables import allocations, order_events, order_lines, orders, shipments

MISSING = 10**9


@pytest.fixture
def imported(database, tmp_path):
    """Two allocated orders of two lines each, with their shipments, allocations and ledger entries."""
    stock = """
stock:
  - {sku: TEE-BLK-M, location: LA, on_hand: 10}
  - {sku: MUG-WHT, location: LA, on_hand: 10}
"""
    apply_workspace_file(database, write_workspace(tmp_path / "workspace.yaml", stock=stock))
    rows = [
        generic_row("CHK-1", "TEE-BLK-M", 1),
        generic_row("CHK-1", "MUG-WHT", 1),
        generic_row("CHK-2", "TEE-BLK-M", 2),
        generic_row("CHK-2", "MUG-WHT", 1),
    ]
    import_file(database, write_generic_csv(tmp_path / "orders.csv", rows))
    with database.read() as connection:
        first, second = order(connection, "CHK-1"), order(connection, "CHK-2")
        assert first.status == second.status == "allocated"
        return first.id, second.id


def checks_failing(database) -> dict[str, int]:
    with database.read() as connection:
        return {finding.check: finding.count for finding in check_records(connection)}


def test_import_passes_every_check(database, imported):
    assert checks_failing(database) == {}


def test_records_without_order_are_named(database, imported):
    with database.write() as connection:
        line = connection.execute(select(order_lines).limit(1)).one()
        connection.execute(insert(order_lines).values({**line._mapping, "id": MISSING, "order_id": MISSING}))
        connection.execute(
            insert(order_events).values(order_id=MISSING, kind="imported", cause="test", created_at=utc_now())
        )
        connection.execute(
            insert(shipments).values(
                id=MISSING, order_id=MISSING, location_id=1, status="pending", created_at=utc_now()
            )
        )

    failing = checks_failing(database)

    assert failing["stray_lines"] == 1
    assert failing["stray_events"] == 1
    assert failing["stray_shipments"] == 1


def test_allocation_of_another_orders_line(database, imported):
    first, second = imported
    with database.write() as connection:
        other_line = connection.scalar(select(order_lines.c.id).where(order_lines.c.order_id == second).limit(1))
        connection.execute(
            update(allocations)
            .where(
                allocations.c.id
                == select(allocations.c.id).where(allocations.c.order_id == first).limit(1).scalar_subquery()
            )
            .values(order_line_id=other_line)
        )

    assert checks_failing(database) == {"stray_allocations": 1}


def test_ledger_entries_without_level_or_order(database, imported):
    with database.write() as connection:
        entry = connection.execute(select(stock_ledger).where(stock_ledger.c.order_id.is_not(None)).limit(1)).one()
        values = {**entry._mapping, "reserved_delta": 0, "on_hand_delta": 0}
        del values["id"]
        connection.execute(insert(stock_ledger).values({**values, "location_id": MISSING}))
        connection.execute(insert(stock_ledger).values({**values, "order_id": MISSING}))

    assert checks_failing(database) == {"ledger_entries_without_stock_level": 1, "ledger_entries_of_missing_orders": 1}


def test_stock_levels_differing_from_ledger(database, imported):
    with database.write() as connection:
        connection.execute(
            update(stock_levels).where(stock_levels.c.reserved > 0).values(on_hand=stock_levels.c.on_hand + 1)
        )
        connection.execute(update(allocations).values(quantity=allocations.c.quantity + 1))

    failing = checks_failing(database)

    assert failing["ledger_differs_from_stock_levels"] == 2
    assert failing["reserved_differs_from_allocations"] == 2


def test_order_deleted_by_hand_is_found(database, imported):
    first, _ = imported
    with database.write() as connection:
        for table in (allocations, shipments, order_events, order_lines):
            connection.execute(table.delete().where(table.c.order_id == first))
        connection.execute(orders.delete().where(orders.c.id == first))

    assert set(checks_failing(database)) == {"ledger_entries_of_missing_orders", "reserved_differs_from_allocations"}


def test_stray_examples_name_parents(database, imported):
    with database.write() as connection:
        line_id = connection.scalar(select(order_lines.c.id).order_by(order_lines.c.id).limit(1))
        connection.execute(update(order_lines).where(order_lines.c.id == line_id).values(order_id=MISSING))
        level = connection.execute(select(stock_levels).where(stock_levels.c.reserved > 0).limit(1)).one()
        connection.execute(
            update(stock_levels).where(stock_levels.c.id == level.id).values(reserved=level.reserved + 1)
        )

    with database.read() as connection:
        findings = {finding.check: finding.examples for finding in check_records(connection)}

    assert findings["stray_lines"] == [f"order_lines.id={line_id} (order_id={MISSING})"]
    assert findings["reserved_differs_from_allocations"][0].endswith(
        f": reserved {level.reserved + 1}, allocated {level.reserved}"
    )
    assert "@LA:" in findings["reserved_differs_from_allocations"][0]
