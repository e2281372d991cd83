"""The import writes in bulk, so it runs a bounded number of SQL statements per order."""

from __future__ import annotations

import pytest
from pipeline_helpers import EXAMPLE_WORKSPACE, apply_workspace_file, count_rows, import_file, stock_problems
from sqlalchemy import event

from ordertower.demo.catalog import load_demo_catalog
from ordertower.demo.generator import write_orders
from ordertower.orders.tables import order_lines, orders

ORDERS = 1000
# NOTE: SQLite runs INSERT ... RETURNING one row per statement when the ids must come back in
# parameter order, so it needs about 5 per order here, against well under 1 on PostgreSQL.
MAX_STATEMENTS_PER_ORDER = 15


@pytest.mark.parametrize("format_name", ["shopify-csv"])
def test_statements_per_order_bounded(database, tmp_path, format_name):
    apply_workspace_file(database, EXAMPLE_WORKSPACE)
    path = tmp_path / f"orders.{format_name}"
    write_orders(
        path, format=format_name, count=ORDERS, catalog=load_demo_catalog(EXAMPLE_WORKSPACE), seed=11, lines_mean=3.0
    )
    statements = []

    def count(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        report = import_file(database, path)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)

    ratio = len(statements) / ORDERS
    print(
        f"{format_name} on {database.engine.dialect.name}: {len(statements)} statements "
        f"for {ORDERS} orders, {ratio:.2f} per order"
    )
    assert report.created == ORDERS
    assert report.errors == []
    with database.read() as connection:
        assert count_rows(connection, orders) == ORDERS
        lines = count_rows(connection, order_lines)
        assert lines / ORDERS > 2.5
        assert stock_problems(connection) == []
    assert ratio <= MAX_STATEMENTS_PER_ORDER
