"""Random sequences of imports, changes, cancellations and stock counts keep the stock cache equal to the ledger."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from pipeline_helpers import (
    OPEN,
    apply_workspace_file,
    generic_csv,
    generic_row,
    import_text,
    status_changes_without_event,
    stock_problems,
    write_workspace,
)
from sqlalchemy import func, select, text

from ordertower.catalog.service import get_product_or_raise
from ordertower.inventory.model import StockBelowReservedError
from ordertower.inventory.service import adjust_stock, set_stock
from ordertower.kernel.db import Database, metadata
from ordertower.kernel.errors import ValidationError
from ordertower.kernel.tables import import_all_tables
from ordertower.orders.service import OrderNotOpenError, cancel_order, get_order_or_raise, retry_backorders
from ordertower.orders.tables import allocations, order_lines, orders

STOCK = """
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 5}
  - {sku: MUG-WHT, location: NJ, on_hand: 2}
  - {sku: TEE-BLK-M, location: LA, on_hand: 4, safety_stock: 1}
  - {sku: CAP-BLK, location: NJ, on_hand: 3}
"""
SELLABLE = ["MUG-WHT", "TEE-BLK-M", "CAP-BLK", "GIFT-SET"]
STOCKED = ["MUG-WHT", "TEE-BLK-M", "CAP-BLK"]
LOCATIONS = ["LA", "NJ"]

order_lines_strategy = st.lists(
    st.tuples(st.sampled_from(SELLABLE), st.integers(min_value=1, max_value=4)),
    min_size=1,
    max_size=3,
    unique_by=lambda line: line[0],
)


def empty(database: Database) -> None:
    import_all_tables()
    with database.engine.connect() as connection, connection.begin():
        for table in reversed(metadata.sorted_tables):
            connection.execute(text(f'DELETE FROM "{table.name}"'))


def order_problems(connection: Any) -> list[str]:
    """Allocations only for open orders, and an allocated order has every open unit reserved."""
    problems = []
    statuses = dict(connection.execute(select(orders.c.id, orders.c.status)).all())
    reserved_by_order = dict(
        connection.execute(
            select(allocations.c.order_id, func.sum(allocations.c.quantity)).group_by(allocations.c.order_id)
        ).all()
    )
    for order_id, units in reserved_by_order.items():
        if statuses[order_id] not in ("allocated", "backordered"):
            problems.append(f"order {order_id} is {statuses[order_id]} but holds {units} reserved units")
    return problems


def fully_reserved_problems(connection: Any, bundle_units: dict[int, int]) -> list[str]:
    """Compare the units an allocated order needs (bundles expanded) with what it has reserved."""
    problems = []
    needed: dict[int, int] = {}
    for line in connection.execute(
        select(order_lines).join(orders, orders.c.id == order_lines.c.order_id).where(orders.c.status == "allocated")
    ):
        units = line.quantity - line.cancelled_quantity
        needed[line.order_id] = needed.get(line.order_id, 0) + units * bundle_units.get(line.product_id, 1)
    reserved = dict(
        connection.execute(
            select(allocations.c.order_id, func.sum(allocations.c.quantity)).group_by(allocations.c.order_id)
        ).all()
    )
    for order_id, units in needed.items():
        if reserved.get(order_id, 0) != units:
            problems.append(f"allocated order {order_id} needs {units} units, has {reserved.get(order_id, 0)}")
    return problems


def make_machine(database: Database, workspace_file: Any) -> type[RuleBasedStateMachine]:
    class StockMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            empty(database)
            apply_workspace_file(database, workspace_file)
            with database.read() as connection:
                self.bundle_units = {get_product_or_raise(connection, "GIFT-SET").id: 3}
            self.numbers = itertools.count(1)
            self.orders: dict[str, list[tuple[str, int]]] = {}

        def _import(self, order_id: str, lines: list[tuple[str, int]], day: int) -> None:
            rows = [
                generic_row(order_id, sku, quantity, order_date=f"2024-05-{day:02d}T10:00:00+00:00")
                for sku, quantity in lines
            ]
            report = import_text(database, generic_csv(rows))
            assert report.errors == []
            self.orders[order_id] = lines

        @rule(lines=order_lines_strategy, day=st.integers(min_value=1, max_value=28))
        def import_order(self, lines: list[tuple[str, int]], day: int) -> None:
            self._import(f"WH-{next(self.numbers)}", lines, day)

        @rule(data=st.data(), quantity=st.integers(min_value=1, max_value=5))
        def change_quantity(self, data: st.DataObject, quantity: int) -> None:
            if not self.orders:
                return
            order_id = data.draw(st.sampled_from(sorted(self.orders)))
            lines = [
                (sku, quantity if position == 0 else units)
                for position, (sku, units) in enumerate(self.orders[order_id])
            ]
            self._import(order_id, lines, 1)

        @rule(data=st.data())
        def cancel(self, data: st.DataObject) -> None:
            if not self.orders:
                return
            order_id = data.draw(st.sampled_from(sorted(self.orders)))
            with database.read() as connection:
                status = get_order_or_raise(connection, order_id).status
            if status == "cancelled":
                # A second cancel is rejected and must leave stock as it was.
                with pytest.raises(OrderNotOpenError), database.write() as connection:
                    cancel_order(connection, order_id)
                return
            with database.write() as connection:
                cancelled = cancel_order(connection, order_id)
            assert cancelled.status == "cancelled"

        @rule(
            sku=st.sampled_from(STOCKED),
            location=st.sampled_from(LOCATIONS),
            delta=st.integers(min_value=-4, max_value=6),
        )
        def adjust(self, sku: str, location: str, delta: int) -> None:
            try:
                with database.write() as connection:
                    adjust_stock(connection, sku=sku, location=location, delta=delta, reason="count")
                    retry_backorders(connection, product_ids={get_product_or_raise(connection, sku).id})
            except (StockBelowReservedError, ValidationError):
                pass  # Rejected because on_hand would drop below reserved or zero, so the transaction rolled back.

        @rule(
            sku=st.sampled_from(STOCKED),
            location=st.sampled_from(LOCATIONS),
            on_hand=st.integers(min_value=0, max_value=9),
        )
        def set_counted(self, sku: str, location: str, on_hand: int) -> None:
            try:
                with database.write() as connection:
                    set_stock(connection, sku=sku, location=location, on_hand=on_hand)
                    retry_backorders(connection, product_ids={get_product_or_raise(connection, sku).id})
            except StockBelowReservedError:
                pass

        @invariant()
        def stock_matches_ledger_and_allocations(self) -> None:
            with database.read() as connection:
                assert stock_problems(connection) == []
                assert order_problems(connection) == []
                assert fully_reserved_problems(connection, self.bundle_units) == []
                assert status_changes_without_event(connection) == []
                statuses = set(connection.scalars(select(orders.c.status)).all())
            assert statuses <= OPEN | {"cancelled"}

    return StockMachine


def test_stock_invariants_hold(database, tmp_path):
    workspace_file = write_workspace(tmp_path / "workspace.yaml", stock=STOCK)
    machine = make_machine(database, workspace_file)

    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=25, stateful_step_count=8, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        ),
    )
