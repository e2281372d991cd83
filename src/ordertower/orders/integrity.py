"""Check that the stored orders and stock agree with themselves.

The records of an order (lines, events, shipments, allocations) and the
ledger entries carry no foreign key to their parent, because the writer
stores both in one transaction. These checks find what a key would have
refused, and compare the stock levels with the ledger and the allocations.
`ordertower db check` runs them; so do the tests and the benchmark.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, Table, and_, exists, func, or_, select

from ordertower.catalog.tables import locations, products
from ordertower.inventory.service import ledger_sums
from ordertower.inventory.tables import stock_ledger, stock_levels
from ordertower.kernel.i18n import Language, Message
from ordertower.orders.tables import allocations, order_events, order_lines, orders, shipments

logger = logging.getLogger(__name__)

# Records named as examples per failed check. Finding.count gives the total.
EXAMPLES = 5


@dataclass(frozen=True)
class Finding:
    """One check that failed: how many records break it, and a few of them."""

    check: str
    message: Message
    count: int
    examples: list[str] = field(default_factory=list)

    def to_dict(self, language: Language) -> dict[str, object]:
        return {
            "check": self.check,
            "message": self.message.render(language),
            "count": self.count,
            "examples": self.examples,
        }


STRAY_LINES = Message("order lines whose order is missing", "所属订单不存在的订单行")
STRAY_EVENTS = Message("order events whose order is missing", "所属订单不存在的订单事件")
STRAY_SHIPMENTS = Message("shipments whose order is missing", "所属订单不存在的发货单")
STRAY_ALLOCATIONS = Message(
    "allocations whose order, line or shipment is missing or belongs to another order",
    "所属订单、订单行或发货单不存在或属于其他订单的库存分配",
)
UNSTOCKED_ALLOCATIONS = Message(
    "allocations of a SKU and location that have no stock level", "SKU 与仓库没有库存记录的库存分配"
)
UNSTOCKED_ENTRIES = Message(
    "ledger entries of a SKU and location that have no stock level", "SKU 与仓库没有库存记录的库存流水"
)
ENTRIES_OF_MISSING_ORDERS = Message("ledger entries that name a missing order", "引用了不存在订单的库存流水")
LEDGER_DIFFERS = Message(
    "stock levels whose on_hand or reserved differ from the sums of their ledger entries",
    "on_hand 或 reserved 与库存流水合计不一致的库存记录",
)
RESERVED_DIFFERS = Message(
    "stock levels whose reserved differs from the units allocated to orders",
    "reserved 与订单已分配数量不一致的库存记录",
)


def check_records(connection: Connection) -> list[Finding]:
    """Run every check and return the ones that failed, in the order they ran."""
    checks: list[Callable[[Connection], Finding | None]] = [
        _stray_lines,
        _stray_events,
        _stray_shipments,
        _stray_allocations,
        _allocations_without_stock_level,
        _entries_without_stock_level,
        _entries_of_missing_orders,
        _ledger_differs,
        _reserved_differs,
    ]
    findings = [finding for check in checks if (finding := check(connection)) is not None]
    for finding in findings:
        logger.info("record check %s failed for %d records, e.g. %s", finding.check, finding.count, finding.examples)
    return findings


def _stray_lines(connection: Connection) -> Finding | None:
    missing = ~exists().where(orders.c.id == order_lines.c.order_id)
    return _count_ids(connection, "stray_lines", STRAY_LINES, order_lines, missing)


def _stray_events(connection: Connection) -> Finding | None:
    missing = ~exists().where(orders.c.id == order_events.c.order_id)
    return _count_ids(connection, "stray_events", STRAY_EVENTS, order_events, missing)


def _stray_shipments(connection: Connection) -> Finding | None:
    missing = ~exists().where(orders.c.id == shipments.c.order_id)
    return _count_ids(connection, "stray_shipments", STRAY_SHIPMENTS, shipments, missing)


def _stray_allocations(connection: Connection) -> Finding | None:
    # An allocation is sound when its order exists and its line and shipment belong to that same order.
    own_line = exists().where(
        and_(order_lines.c.id == allocations.c.order_line_id, order_lines.c.order_id == allocations.c.order_id)
    )
    own_shipment = exists().where(
        and_(shipments.c.id == allocations.c.shipment_id, shipments.c.order_id == allocations.c.order_id)
    )
    order_exists = exists().where(orders.c.id == allocations.c.order_id)
    broken = or_(~order_exists, ~own_line, ~own_shipment)
    details = ("order_id", "order_line_id", "shipment_id")
    return _count_ids(connection, "stray_allocations", STRAY_ALLOCATIONS, allocations, broken, details=details)


def _allocations_without_stock_level(connection: Connection) -> Finding | None:
    return _without_stock_level(connection, "allocations_without_stock_level", UNSTOCKED_ALLOCATIONS, allocations)


def _entries_without_stock_level(connection: Connection) -> Finding | None:
    return _without_stock_level(connection, "ledger_entries_without_stock_level", UNSTOCKED_ENTRIES, stock_ledger)


def _without_stock_level(connection: Connection, check: str, message: Message, table: Table) -> Finding | None:
    missing = ~exists().where(
        and_(
            stock_levels.c.product_id == table.c.product_id,
            stock_levels.c.location_id == table.c.location_id,
        )
    )
    return _count_ids(connection, check, message, table, missing, details=("product_id", "location_id"))


def _entries_of_missing_orders(connection: Connection) -> Finding | None:
    missing = and_(stock_ledger.c.order_id.is_not(None), ~exists().where(orders.c.id == stock_ledger.c.order_id))
    return _count_ids(connection, "ledger_entries_of_missing_orders", ENTRIES_OF_MISSING_ORDERS, stock_ledger, missing)


def _ledger_differs(connection: Connection) -> Finding | None:
    sums = ledger_sums(connection)
    examples = []
    for level in connection.execute(_levels()):
        on_hand, reserved = sums.get((level.product_id, level.location_id), (0, 0))
        if (on_hand, reserved) != (level.on_hand, level.reserved):
            examples.append(
                f"{_level_name(level)}: on_hand {level.on_hand}, ledger {on_hand}; "
                f"reserved {level.reserved}, ledger {reserved}"
            )
    return _level_finding("ledger_differs_from_stock_levels", LEDGER_DIFFERS, examples)


def _reserved_differs(connection: Connection) -> Finding | None:
    allocated = {
        (product_id, location_id): int(units)
        for product_id, location_id, units in connection.execute(
            select(allocations.c.product_id, allocations.c.location_id, func.sum(allocations.c.quantity)).group_by(
                allocations.c.product_id, allocations.c.location_id
            )
        )
    }
    examples = []
    for level in connection.execute(_levels()):
        units = allocated.get((level.product_id, level.location_id), 0)
        if units != level.reserved:
            examples.append(f"{_level_name(level)}: reserved {level.reserved}, allocated {units}")
    return _level_finding("reserved_differs_from_allocations", RESERVED_DIFFERS, examples)


def _levels() -> Select[tuple[int, int, int, int, str | None, str | None]]:
    # Outer joins, so that a level whose product or location is gone still shows, named by its ids.
    return (
        select(
            stock_levels.c.product_id,
            stock_levels.c.location_id,
            stock_levels.c.on_hand,
            stock_levels.c.reserved,
            products.c.sku,
            locations.c.code,
        )
        .outerjoin(products, products.c.id == stock_levels.c.product_id)
        .outerjoin(locations, locations.c.id == stock_levels.c.location_id)
        .order_by(stock_levels.c.id)
    )


def _level_name(level: Row[Any]) -> str:
    sku = level.sku or f"product {level.product_id}"
    code = level.code or f"location {level.location_id}"
    return f"{sku}@{code}"


def _level_finding(check: str, message: Message, examples: list[str]) -> Finding | None:
    """Return the finding of stock levels described by `examples`, one each, or None when there are none."""
    if not examples:
        return None
    return Finding(check, message, len(examples), examples[:EXAMPLES])


def _count_ids(
    connection: Connection,
    check: str,
    message: Message,
    table: Table,
    condition: ColumnElement[bool],
    *,
    details: tuple[str, ...] = ("order_id",),
) -> Finding | None:
    """Count the rows of `table` that meet `condition`, and name a few by id and their `details` columns."""
    count = connection.scalar(select(func.count()).select_from(table).where(condition)) or 0
    if not count:
        return None
    columns = [table.c.id, *(table.c[name] for name in details)]
    rows = connection.execute(select(*columns).where(condition).order_by(table.c.id).limit(EXAMPLES)).all()
    examples = []
    for row in rows:
        pointers = ", ".join(f"{name}={value}" for name, value in zip(details, row[1:], strict=True))
        examples.append(f"{table.name}.id={row[0]} ({pointers})")
    return Finding(check, message, int(count), examples)
