"""Rows of one order far apart in a file, in different batches: a re-import changes nothing."""

from __future__ import annotations

from pathlib import Path

from pipeline_helpers import (
    apply_workspace_file,
    count_rows,
    generic_row,
    import_file,
    level,
    line_rows,
    order,
    stock_problems,
    write_generic_csv,
    write_workspace,
)

from ordertower.inventory.tables import stock_ledger
from ordertower.orders.tables import order_events

ORDERS = 10
STOCK = """
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 100}
  - {sku: TEE-BLK-M, location: LA, on_hand: 100}
"""


def scattered_file(path: Path, *, without_tee: frozenset[str] = frozenset()) -> Path:
    """Write every order's mug row first and every order's tee row after all of them."""
    mugs = [generic_row(f"S{index}", "MUG-WHT", 1) for index in range(ORDERS)]
    tees = [generic_row(f"S{index}", "TEE-BLK-M", 2) for index in range(ORDERS) if f"S{index}" not in without_tee]
    return write_generic_csv(path, mugs + tees)


def test_reimport_is_unchanged(database, tmp_path):
    apply_workspace_file(database, write_workspace(tmp_path / "workspace.yaml", stock=STOCK))
    path = scattered_file(tmp_path / "scattered.csv")
    first = import_file(database, path, channel="wholesale", batch_size=4)
    with database.read() as connection:
        ledger_before = count_rows(connection, stock_ledger)
        events_before = count_rows(connection, order_events)

    again = import_file(database, path, channel="wholesale", batch_size=4)

    assert (first.created, first.updated, first.unchanged) == (ORDERS, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, ORDERS)
    with database.read() as connection:
        # Nothing was released and reserved again, and no order changed status.
        assert count_rows(connection, stock_ledger) == ledger_before
        assert count_rows(connection, order_events) == events_before
        assert [row.sku for row in line_rows(connection, order(connection, "S0").id)] == ["MUG-WHT", "TEE-BLK-M"]
        assert level(connection, "TEE-BLK-M", "LA").reserved == 2 * ORDERS
        assert stock_problems(connection) == []


def test_reimport_with_a_line_gone_updates_it(database, tmp_path):
    apply_workspace_file(database, write_workspace(tmp_path / "workspace.yaml", stock=STOCK))
    import_file(database, scattered_file(tmp_path / "scattered.csv"), channel="wholesale", batch_size=4)

    edited = scattered_file(tmp_path / "edited.csv", without_tee=frozenset({"S3"}))
    again = import_file(database, edited, channel="wholesale", batch_size=4)

    assert (again.created, again.updated, again.unchanged) == (0, 1, ORDERS - 1)
    with database.read() as connection:
        assert [row.sku for row in line_rows(connection, order(connection, "S3").id)] == ["MUG-WHT"]
        assert [row.sku for row in line_rows(connection, order(connection, "S4").id)] == ["MUG-WHT", "TEE-BLK-M"]
        assert level(connection, "TEE-BLK-M", "LA").reserved == 2 * (ORDERS - 1)
        assert stock_problems(connection) == []


def test_many_waiting_orders_are_written_early(database, tmp_path):
    # With batches of one order, more orders wait than the limit allows, so some are written before
    # their tee rows come.
    apply_workspace_file(database, write_workspace(tmp_path / "workspace.yaml", stock=STOCK))
    path = scattered_file(tmp_path / "scattered.csv")
    import_file(database, path, channel="wholesale", batch_size=1)

    again = import_file(database, path, channel="wholesale", batch_size=1)

    assert again.created == 0
    assert again.updated > 0
    assert again.updated + again.unchanged == ORDERS
    with database.read() as connection:
        for index in range(ORDERS):
            skus = [row.sku for row in line_rows(connection, order(connection, f"S{index}").id)]
            assert skus == ["MUG-WHT", "TEE-BLK-M"], index
        assert level(connection, "TEE-BLK-M", "LA").reserved == 2 * ORDERS
        assert level(connection, "MUG-WHT", "LA").reserved == ORDERS
        assert stock_problems(connection) == []
