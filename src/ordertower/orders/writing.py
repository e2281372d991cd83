"""Bulk writes of the import pipeline: new orders, changed orders, and routing of both."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, update

from ordertower.catalog.snapshot import CatalogSnapshot
from ordertower.channels.model import ChannelOrderState, FinancialStatus, ParsedAddress, ParsedLine, ParsedOrder
from ordertower.customers.service import match_customers
from ordertower.kernel.bulk import append_rows, insert_rows, reserve_ids
from ordertower.kernel.db import utc_now
from ordertower.kernel.money import from_minor
from ordertower.orders.allocation import AllocationOutcome, OrderWork, release_order_allocations
from ordertower.orders.model import OPEN_STATUSES, HoldReason, InvalidTransitionError, OrderStatus, check_transition
from ordertower.orders.preparation import PreparedOrder
from ordertower.orders.tables import order_events, order_lines, order_number_sequence, orders

logger = logging.getLogger(__name__)

ORDER_NUMBER_PREFIX = "OT"
FIRST_ORDER_NUMBER = 100001


def allocate_numbers(connection: Connection, count: int) -> list[str]:
    """Reserve `count` consecutive order numbers; the row lock makes concurrent importers take turns."""
    if count == 0:
        return []
    updated = connection.execute(
        update(order_number_sequence)
        .where(order_number_sequence.c.name == "orders")
        .values(next_value=order_number_sequence.c.next_value + count)
        .returning(order_number_sequence.c.next_value)
    ).scalar()
    if updated is None:
        connection.execute(insert(order_number_sequence).values(name="orders", next_value=FIRST_ORDER_NUMBER + count))
        start = FIRST_ORDER_NUMBER
    else:
        start = int(updated) - count
    return [f"{ORDER_NUMBER_PREFIX}{value}" for value in range(start, start + count)]


@dataclass
class NewOrders:
    """New orders of a batch with their ids taken but nothing written, so routing can run before the insert."""

    rows: list[dict[str, Any]]
    line_rows: list[dict[str, Any]]
    prepared: list[PreparedOrder]
    works: list[OrderWork]


def stage_new_orders(
    connection: Connection, prepared: Sequence[PreparedOrder], catalog: CatalogSnapshot, import_id: int | None = None
) -> NewOrders:
    """Match customers and take ids and numbers for new orders and their lines; return what routing should fill."""
    if not prepared:
        return NewOrders([], [], [], [])
    customer_ids = match_customers(connection, [order.buyer for order in prepared])
    numbers = allocate_numbers(connection, len(prepared))
    order_ids = _required_ids(connection, orders, len(prepared))
    line_ids = iter(_required_ids(connection, order_lines, sum(len(order.lines) for order in prepared)))
    now = utc_now()
    rows: list[dict[str, Any]] = []
    line_rows: list[dict[str, Any]] = []
    grouped_line_ids: list[list[int]] = []
    for order, number, order_id in zip(prepared, numbers, order_ids, strict=True):
        rows.append(
            {
                **order.values,
                "id": order_id,
                "number": number,
                "status": order.target_status.value,
                "content_hash": order.content_hash,
                "customer_id": customer_ids.get(order.customer_key),
                "routing": None,
                "created_at": now,
                "updated_at": now,
                "last_import_id": import_id,
            }
        )
        ids = [next(line_ids) for _ in order.lines]
        grouped_line_ids.append(ids)
        line_rows.extend(
            {**line.values, "id": line_id, "order_id": order_id} for line_id, line in zip(ids, order.lines, strict=True)
        )
    works = _works(
        order_ids, numbers, list(prepared), grouped_line_ids, [OrderStatus.PENDING] * len(prepared), "import"
    )
    return NewOrders(rows, line_rows, list(prepared), works)


def _required_ids(connection: Connection, table: Any, count: int) -> list[int]:
    ids = reserve_ids(connection, table, count)
    if ids is None:
        raise RuntimeError("stage_new_orders called outside Database.write: SQLite ids need its write lock")
    return ids


def insert_staged(connection: Connection, staged: NewOrders, outcomes: Mapping[int, AllocationOutcome]) -> None:
    """Insert staged orders with the status and routing that `outcomes` gives them, their lines and first event."""
    if not staged.rows:
        return
    for row in staged.rows:
        outcome = outcomes.get(row["id"])
        if outcome is not None:
            row["status"] = outcome.status.value
            row["routing"] = outcome.decision.record
    append_rows(connection, orders, staged.rows)
    append_rows(connection, order_lines, staged.line_rows)
    append_rows(
        connection,
        order_events,
        [
            {
                "order_id": row["id"],
                "kind": "imported",
                "from_status": None,
                # Routing's own event records the step from pending to the routed status.
                "to_status": OrderStatus.PENDING.value if row["id"] in outcomes else row["status"],
                "cause": "import",
                "data": _event_data(order),
                "created_at": row["created_at"],
            }
            for row, order in zip(staged.rows, staged.prepared, strict=True)
        ],
    )


def mark_imported(connection: Connection, order_ids: Sequence[int], import_id: int) -> None:
    """Record that the import `import_id` has read these stored orders, so later rows of theirs join them."""
    if order_ids:
        connection.execute(update(orders).where(orders.c.id.in_(order_ids)).values(last_import_id=import_id))


def _insert_lines(
    connection: Connection, order_ids: Sequence[int], prepared: Sequence[PreparedOrder]
) -> list[list[int]]:
    rows = [
        {**line.values, "order_id": order_id}
        for order_id, order in zip(order_ids, prepared, strict=True)
        for line in order.lines
    ]
    if not rows:
        return [[] for _ in prepared]
    ids = insert_rows(connection, order_lines, rows, key=("order_id", "line_number"))
    grouped, position = [], 0
    for order in prepared:
        grouped.append(ids[position : position + len(order.lines)])
        position += len(order.lines)
    return grouped


def _works(
    order_ids: Sequence[int],
    numbers: Sequence[str],
    prepared: Sequence[PreparedOrder],
    line_ids: Sequence[list[int]],
    statuses: Sequence[OrderStatus],
    cause: str,
) -> list[OrderWork]:
    works = []
    for order_id, number, order, ids, status in zip(order_ids, numbers, prepared, line_ids, statuses, strict=True):
        if order.target_status is not OrderStatus.PENDING:
            continue
        lines = [
            (line_id, line.product_id, line.open_quantity)
            for line_id, line in zip(ids, order.lines, strict=True)
            if line.product_id is not None and line.open_quantity > 0
        ]
        works.append(OrderWork(order_id, number, status, order.destination, lines, cause))
    return works


def _event_data(order: PreparedOrder) -> dict[str, Any]:
    data: dict[str, Any] = {"hold_reasons": [reason.value for reason in order.hold_reasons]}
    if order.address_problems:
        data["address_problems"] = order.address_problems
    return data


def update_orders(
    connection: Connection,
    changed: Sequence[tuple[Row[Any], PreparedOrder]],
    catalog: CatalogSnapshot,
    released: list[int] | None = None,
) -> list[OrderWork]:
    """Apply a newer version of stored orders; open ones are re-evaluated from scratch and re-routed.

    A manual hold stays until an operator releases it, unless the new version cancels or ships the order.

    The ids of orders that the channel cancelled, and whose reservation was
    given back, are appended to `released`.
    """
    if not changed:
        return []
    now = utc_now()
    open_rows = _keep_manual_holds(
        connection, [(row, order) for row, order in changed if OrderStatus(row.status) in OPEN_STATUSES]
    )
    closed_rows = [(row, order) for row, order in changed if OrderStatus(row.status) not in OPEN_STATUSES]

    kept = _keep_allocations(connection, open_rows)
    if kept:
        _update_in_place(connection, kept, now)
        kept_ids = {row.id for row, _ in kept}
        open_rows = [(row, order) for row, order in open_rows if row.id not in kept_ids]

    works: list[OrderWork] = []
    if open_rows:
        open_ids = [row.id for row, _ in open_rows]
        units = release_order_allocations(connection, open_ids)
        if units and released is not None:
            released.extend(row.id for row, order in open_rows if order.target_status is OrderStatus.CANCELLED)
        connection.execute(delete(order_lines).where(order_lines.c.order_id.in_(open_ids)))
        customer_ids = match_customers(connection, [order.buyer for _, order in open_rows])
        connection.execute(
            update(orders)
            .where(orders.c.id == bindparam("b_id"))
            .values(
                {
                    name: bindparam(f"b_{name}")
                    for name in (
                        *open_rows[0][1].values,
                        "status",
                        "content_hash",
                        "customer_id",
                        "routing",
                        "updated_at",
                    )
                }
            ),
            [
                {
                    **{f"b_{k}": v for k, v in order.values.items()},
                    "b_id": row.id,
                    "b_status": order.target_status.value,
                    "b_content_hash": order.content_hash,
                    "b_customer_id": customer_ids.get(order.customer_key),
                    "b_routing": None,
                    "b_updated_at": now,
                }
                for row, order in open_rows
            ],
        )
        prepared = [order for _, order in open_rows]
        line_ids = _insert_lines(connection, open_ids, prepared)
        append_rows(
            connection,
            order_events,
            [
                {
                    "order_id": row.id,
                    "kind": "updated",
                    "from_status": row.status,
                    "to_status": order.target_status.value,
                    "cause": "import",
                    "data": _event_data(order),
                    "created_at": now,
                }
                for row, order in open_rows
            ],
        )
        works = _works(
            open_ids,
            [row.number for row, _ in open_rows],
            prepared,
            line_ids,
            [OrderStatus.PENDING] * len(prepared),
            "import",
        )

    for row, order in closed_rows:
        _update_closed_order(connection, row, order, now)
    return works


def _keep_manual_holds(
    connection: Connection, open_rows: list[tuple[Row[Any], PreparedOrder]]
) -> list[tuple[Row[Any], PreparedOrder]]:
    """Carry the manual hold of stored orders over to their new version, unless the channel cancelled or shipped it.

    Only an operator ends a manual hold, so a newer version from the channel must not route the order. The
    other hold reasons are those of the new version, checked from scratch.
    """
    held_ids = [row.id for row, _ in open_rows if row.status == OrderStatus.ON_HOLD.value]
    if not held_ids:
        return open_rows
    manual_ids = {
        order_id
        for order_id, reasons in connection.execute(
            select(orders.c.id, orders.c.hold_reasons).where(orders.c.id.in_(held_ids))
        )
        if HoldReason.MANUAL.value in (reasons or [])
    }
    return [(row, _with_manual_hold(order) if row.id in manual_ids else order) for row, order in open_rows]


def _with_manual_hold(order: PreparedOrder) -> PreparedOrder:
    if order.target_status not in (OrderStatus.PENDING, OrderStatus.ON_HOLD):
        # The channel's cancellation or shipment wins, because a closed order has no holds.
        return order
    reasons = [*order.hold_reasons, HoldReason.MANUAL]
    return replace(
        order,
        hold_reasons=reasons,
        values={**order.values, "hold_reasons": [reason.value for reason in reasons]},
        target_status=OrderStatus.ON_HOLD,
        destination=None,
    )


_ADDRESS_COLUMNS = ("ship_line1", "ship_line2", "ship_city", "ship_region", "ship_postal_code", "ship_country_code")
_LINE_PRICE_COLUMNS = ("external_line_id", "name", "unit_price", "discount", "tax")


def _keep_allocations(
    connection: Connection, open_rows: Sequence[tuple[Row[Any], PreparedOrder]]
) -> list[tuple[Row[Any], PreparedOrder]]:
    """Pick allocated orders whose new version ships the same units to the same address.

    Re-routing those would release and reserve the same stock again, and
    could move a shipment a warehouse has already started to pick.
    """
    candidates = [
        (row, order)
        for row, order in open_rows
        if row.status == OrderStatus.ALLOCATED.value and order.target_status is OrderStatus.PENDING
    ]
    if not candidates:
        return []
    stored_lines: dict[int, list[tuple[Any, ...]]] = {}
    for line in connection.execute(
        select(
            order_lines.c.order_id,
            order_lines.c.channel_sku,
            order_lines.c.product_id,
            order_lines.c.quantity,
            order_lines.c.cancelled_quantity,
        )
        .where(order_lines.c.order_id.in_([row.id for row, _ in candidates]))
        .order_by(order_lines.c.order_id, order_lines.c.line_number)
    ):
        stored_lines.setdefault(line.order_id, []).append(tuple(line)[1:])
    kept = []
    for row, order in candidates:
        new_lines = [
            (line.values["channel_sku"], line.product_id, line.values["quantity"], line.values["cancelled_quantity"])
            for line in order.lines
        ]
        same_address = all(getattr(row, name) == order.values[name] for name in _ADDRESS_COLUMNS)
        if same_address and stored_lines.get(row.id, []) == new_lines:
            kept.append((row, order))
    return kept


def _update_in_place(connection: Connection, kept: Sequence[tuple[Row[Any], PreparedOrder]], now: Any) -> None:
    columns = [name for name in kept[0][1].values if name not in _ADDRESS_COLUMNS]
    connection.execute(
        update(orders)
        .where(orders.c.id == bindparam("b_id"))
        .values({name: bindparam(f"b_{name}") for name in (*columns, "content_hash", "updated_at")}),
        [
            {
                **{f"b_{name}": order.values[name] for name in columns},
                "b_id": row.id,
                "b_content_hash": order.content_hash,
                "b_updated_at": now,
            }
            for row, order in kept
        ],
    )
    connection.execute(
        update(order_lines)
        .where(order_lines.c.order_id == bindparam("b_order"), order_lines.c.line_number == bindparam("b_line"))
        .values({name: bindparam(f"b_{name}") for name in _LINE_PRICE_COLUMNS}),
        [
            {
                "b_order": row.id,
                "b_line": line.line_number,
                **{f"b_{name}": line.values[name] for name in _LINE_PRICE_COLUMNS},
            }
            for row, order in kept
            for line in order.lines
        ],
    )
    append_rows(
        connection,
        order_events,
        [
            {
                "order_id": row.id,
                "kind": "updated",
                "from_status": row.status,
                "to_status": row.status,
                "cause": "import",
                "data": {**_event_data(order), "allocation_kept": True},
                "created_at": now,
            }
            for row, order in kept
        ],
    )


def _update_closed_order(connection: Connection, row: Row[Any], order: PreparedOrder, now: Any) -> None:
    """Store the channel's update of an order we already shipped or cancelled; only payment data changes."""
    target = order.target_status
    data = _event_data(order)
    new_status = row.status
    try:
        check_transition(row.number, OrderStatus(row.status), target)
        if target in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED):
            new_status = target.value
    except InvalidTransitionError as error:
        # The order event keeps the rejection for the operator; one log line per order would flood
        # the terminal when a whole export is imported again.
        data["rejected"] = error.to_dict("en")
        logger.info("order %s: channel update to %s ignored: %s", row.number, target.value, error.render("en"))
    connection.execute(
        update(orders)
        .where(orders.c.id == row.id)
        .values(
            financial_status=order.values["financial_status"],
            content_hash=order.content_hash,
            status=new_status,
            updated_at=now,
        )
    )
    connection.execute(
        insert(order_events).values(
            order_id=row.id,
            kind="updated",
            from_status=row.status,
            to_status=new_status,
            cause="import",
            data=data,
            created_at=now,
        )
    )


def load_as_parsed(connection: Connection, order_id: int) -> ParsedOrder:
    """Rebuild the channel's view of a stored order, so a later fragment of the same file can join it."""
    row = connection.execute(select(orders).where(orders.c.id == order_id)).one()
    currency = row.currency
    lines = [
        ParsedLine(
            channel_sku=line.channel_sku,
            name=line.name,
            quantity=line.quantity,
            unit_price=from_minor(line.unit_price, currency),
            discount=from_minor(line.discount, currency),
            tax=from_minor(line.tax, currency),
            external_line_id=line.external_line_id,
            cancelled_quantity=line.cancelled_quantity,
        )
        for line in connection.execute(
            select(order_lines).where(order_lines.c.order_id == order_id).order_by(order_lines.c.line_number)
        )
    ]
    address = ParsedAddress(
        name=row.ship_name,
        company=row.ship_company,
        line1=row.ship_line1,
        line2=row.ship_line2,
        city=row.ship_city,
        region=row.ship_region,
        postal_code=row.ship_postal_code,
        country_code=row.ship_country_code,
        phone=row.ship_phone,
    )
    return ParsedOrder(
        external_id=row.external_id,
        external_number=row.external_number,
        placed_at=row.placed_at,
        currency=currency,
        state=ChannelOrderState(row.channel_state),
        financial_status=FinancialStatus(row.financial_status),
        subtotal=from_minor(row.subtotal, currency),
        discount_total=from_minor(row.discount_total, currency),
        shipping_total=from_minor(row.shipping_total, currency),
        tax_total=from_minor(row.tax_total, currency),
        total=from_minor(row.total, currency),
        lines=lines,
        email=row.email,
        phone="",
        customer_name=row.customer_name,
        shipping_address=address,
        updated_at=row.channel_updated_at,
        fulfilled_by_channel=row.fulfilled_by_channel,
    )
