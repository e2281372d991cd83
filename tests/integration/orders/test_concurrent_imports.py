"""Importers running at the same time never store an order twice and never reserve a unit twice."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest
from import_worker import import_in_process
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

from ordertower.customers.tables import customers
from ordertower.demo.catalog import load_demo_catalog
from ordertower.demo.generator import write_orders
from ordertower.inventory.service import list_stock
from ordertower.kernel.db import Database
from ordertower.orders.importing import ImportReport
from ordertower.orders.tables import allocations, order_events, orders

GENERATED_ORDERS = 300
PROCESSES = 8
UNITS_PER_PROCESS = 20


@pytest.mark.parametrize("format_name", ["shopify-csv", "amazon-tsv"])
def test_same_file_imported_twice_at_once(database, tmp_path, format_name):
    apply_workspace_file(database, EXAMPLE_WORKSPACE)
    path = tmp_path / f"orders.{format_name}"
    write_orders(path, format=format_name, count=GENERATED_ORDERS, catalog=load_demo_catalog(EXAMPLE_WORKSPACE), seed=5)
    barrier = threading.Barrier(2, timeout=60)
    reports: list[ImportReport] = []
    failures: list[BaseException] = []

    def run() -> None:
        importer = Database(database.url)
        try:
            barrier.wait()
            reports.append(import_file(importer, path, batch_size=40))
        except BaseException as error:
            failures.append(error)
        finally:
            importer.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert len(reports) == 2
    assert sum(report.created for report in reports) == GENERATED_ORDERS
    for report in reports:
        assert report.created + report.updated + report.unchanged == GENERATED_ORDERS
        assert report.errors == []
    with database.read() as connection:
        assert count_rows(connection, orders) == GENERATED_ORDERS
        assert connection.scalar(select(func.count(func.distinct(orders.c.external_id)))) == GENERATED_ORDERS
        imported_events = connection.execute(
            select(order_events.c.order_id, func.count())
            .where(order_events.c.kind == "imported")
            .group_by(order_events.c.order_id)
        ).all()
        assert len(imported_events) == GENERATED_ORDERS
        assert {count for _, count in imported_events} == {1}
        assert stock_problems(connection) == []


@pytest.mark.postgres_only
def test_processes_compete_for_scarce_stock(database, tmp_path):
    # Sellable: 30 - 5 safety at LA plus 25 at NJ = 50 units, against 8 x 20 units demanded.
    apply_workspace_file(
        database,
        write_workspace(
            tmp_path / "workspace.yaml",
            stock="""
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 30, safety_stock: 5}
  - {sku: MUG-WHT, location: NJ, on_hand: 25}
""",
        ),
    )
    paths = []
    for process in range(PROCESSES):
        rows = [
            generic_row(f"P{process}-A", "MUG-WHT", 7, order_date=f"2024-05-01T10:{process:02d}:00+00:00"),
            generic_row(
                f"P{process}-B", "MUG-WHT", UNITS_PER_PROCESS - 7, order_date=f"2024-05-01T11:{process:02d}:00+00:00"
            ),
        ]
        paths.append(str(write_generic_csv(tmp_path / f"wholesale-{process}.csv", rows)))
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [
        context.Process(target=import_in_process, args=(database.url, path, barrier, results, 1)) for path in paths
    ]
    for worker in workers:
        worker.start()
    outcomes = dict(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)

    assert sorted(outcomes) == sorted(paths)
    for path, outcome in outcomes.items():
        assert outcome == {"created": 2, "updated": 0, "unchanged": 0, "errors": 0}, (path, outcome)
    with database.read() as connection:
        levels = list_stock(connection, sku="MUG-WHT")
        assert sum(level.reserved for level in levels) == 50
        for level in levels:
            assert level.available >= 0, level
        statuses = dict(connection.execute(select(orders.c.status, func.count()).group_by(orders.c.status)).all())
        assert sum(statuses.values()) == 2 * PROCESSES
        assert set(statuses) <= {"allocated", "backordered"}
        assert statuses.get("backordered", 0) >= 1
        assert connection.scalar(select(func.sum(allocations.c.quantity))) == 50
        assert stock_problems(connection) == []


@pytest.mark.postgres_only
def test_shared_buyers_in_opposite_order(database, tmp_path):
    # Two channels' files name the same new buyers in opposite orders; creating the customers must not deadlock.
    apply_workspace_file(
        database,
        write_workspace(
            tmp_path / "workspace.yaml",
            stock="""
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 2000}
""",
        ),
    )
    buyers_per_round = 200
    for round_number in range(3):
        buyers = [f"round{round_number}-buyer{index:03d}@example.com" for index in range(buyers_per_round)]
        forward = write_generic_csv(
            tmp_path / f"a{round_number}.csv",
            [generic_row(f"A{round_number}-{index}", "MUG-WHT", 1, email=buyer) for index, buyer in enumerate(buyers)],
        )
        backward = write_generic_csv(
            tmp_path / f"b{round_number}.csv",
            [
                generic_row(f"B{round_number}-{index}", "MUG-WHT", 1, email=buyer)
                for index, buyer in enumerate(reversed(buyers))
            ],
        )
        barrier = threading.Barrier(2, timeout=60)
        failures: list[BaseException] = []

        def run(
            path: Path, channel: str, barrier: threading.Barrier = barrier, failures: list[BaseException] = failures
        ) -> None:
            importer = Database(database.url)
            try:
                barrier.wait()
                import_file(importer, path, channel=channel)
            except BaseException as error:
                failures.append(error)
            finally:
                importer.dispose()

        threads = [
            threading.Thread(target=run, args=(forward, "wholesale")),
            threading.Thread(target=run, args=(backward, "shopify-us")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        assert failures == [], round_number
    with database.read() as connection:
        assert count_rows(connection, customers) == 3 * buyers_per_round
        assert count_rows(connection, orders) == 6 * buyers_per_round
        shared = connection.execute(select(orders.c.customer_id, func.count()).group_by(orders.c.customer_id)).all()
        assert {count for _, count in shared} == {2}
        assert stock_problems(connection) == []
