"""A large import on PostgreSQL refreshes the planner's statistics of the tables it looks orders up in."""

from __future__ import annotations

import pytest
from pipeline_helpers import EXAMPLE_WORKSPACE, apply_workspace_file
from sqlalchemy import text

from ordertower.channels.formats import read_orders_file
from ordertower.demo.catalog import load_demo_catalog
from ordertower.demo.generator import write_orders
from ordertower.orders import importing


def analyzed_tables(database) -> set[str]:
    with database.read() as connection:
        rows = connection.execute(
            text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL AND relname = ANY(:names)"),
            {"names": ["orders", "customers"]},
        ).scalars()
        return set(rows)


@pytest.mark.postgres_only
def test_import_analyzes_grown_tables(database, tmp_path, monkeypatch):
    apply_workspace_file(database, EXAMPLE_WORKSPACE)
    with database.write() as connection:
        # Statistics of an earlier test of this run would hide whether this import refreshed them.
        connection.execute(text("SELECT pg_stat_reset()"))
    path = tmp_path / "orders.csv"
    write_orders(path, format="shopify-csv", count=60, catalog=load_demo_catalog(EXAMPLE_WORKSPACE), seed=5)
    monkeypatch.setattr(importing, "ANALYZE_AFTER_CREATED", 25)

    assert analyzed_tables(database) == set()
    with read_orders_file(path) as source:
        report = importing.import_orders(database, source, batch_size=20)

    assert report.created == 60
    assert analyzed_tables(database) == {"orders", "customers"}
