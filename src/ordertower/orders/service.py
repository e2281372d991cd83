"""Order use cases outside the import: look up, list, cancel, re-route, place and release holds, wake waiting orders."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, String, cast, func, insert, or_, select, update

from ordertower.catalog.service import get_product_or_raise, load_snapshot
from ordertower.catalog.snapshot import CatalogSnapshot
from ordertower.catalog.tables import channels
from ordertower.kernel.db import utc_now
from ordertower.kernel.errors import NotFoundError, ValidationError
from ordertower.kernel.i18n import Message
from ordertower.orders.allocation import OrderWork, allocate_orders, release_order_allocations
from ordertower.orders.model import (
    MAX_HOLD_NOTE_LENGTH,
    OPEN_STATUSES,
    HoldReason,
    OrderClosedError,
    OrderStatus,
    check_transition,
    place_manual_hold,
    release_hold,
)
from ordertower.orders.tables import order_events, order_lines, orders
from ordertower.routing.geo import geocode

logger = logging.getLogger(__name__)


class OrderNotFoundError(NotFoundError):
    def __init__(self, ref: str) -> None:
        super().__init__(entity="order", ref=ref, command="orders list")


class OrderNotOpenError(ValidationError):
    code = "order_not_open"
    http_status = 409


NOT_OPEN = Message(
    "the order is {status}; only pending, on_hold, backordered or allocated orders can be changed",
    "订单状态为 {status}；只有待处理、暂停、缺货或已分配的订单可以修改",
)


ALREADY_CANCELLED = Message("order {number} is already cancelled", "订单 {number} 已经取消")


def get_order_or_raise(connection: Connection, ref: str) -> Row[Any]:
    """Find an order by our number, the channel's order number, or the channel's order id."""
    ref = ref.strip()
    for column in (orders.c.number, orders.c.external_number, orders.c.external_id):
        found = connection.execute(select(orders).where(column == ref).order_by(orders.c.id).limit(1)).first()
        if found is not None:
            return found
    if ref.isdigit():
        # Shopify numbers carry a "#" that operators often leave out.
        rows = connection.execute(select(orders).where(orders.c.external_number == f"#{ref}").limit(1)).all()
        if rows:
            return rows[0]
    raise OrderNotFoundError(ref)


@dataclass(frozen=True)
class OrderFilter:
    status: str | None = None
    channel: str | None = None
    search: str | None = None
    hold_reason: str | None = None


def list_orders(
    connection: Connection, filters: OrderFilter, *, limit: int = 50, offset: int = 0, newest_first: bool = True
) -> tuple[list[Row[Any]], int]:
    """Return one page of orders matching `filters` and the total count of matches."""
    query = select(orders)
    if filters.status:
        query = query.where(orders.c.status == filters.status)
    if filters.channel:
        channel_id = connection.scalar(select(channels.c.id).where(channels.c.code == filters.channel))
        if channel_id is None:
            raise NotFoundError(entity="channel", ref=filters.channel, command="channels list")
        query = query.where(orders.c.channel_id == channel_id)
    if filters.hold_reason:
        query = query.where(cast(orders.c.hold_reasons, String).contains(f'"{filters.hold_reason}"'))
    if filters.search:
        pattern = f"%{filters.search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(orders.c.number).like(pattern),
                func.lower(orders.c.external_id).like(pattern),
                func.lower(orders.c.external_number).like(pattern),
                func.lower(orders.c.email).like(pattern),
                func.lower(orders.c.ship_name).like(pattern),
                func.lower(orders.c.customer_name).like(pattern),
                func.lower(orders.c.ship_city).like(pattern),
                func.lower(orders.c.ship_postal_code).like(pattern),
            )
        )
    total = connection.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordering = (orders.c.placed_at.desc(), orders.c.id.desc()) if newest_first else (orders.c.placed_at, orders.c.id)
    rows = connection.execute(query.order_by(*ordering).limit(limit).offset(offset)).all()
    return list(rows), int(total)


def count_by_status(connection: Connection) -> dict[str, int]:
    rows = connection.execute(select(orders.c.status, func.count()).group_by(orders.c.status))
    return dict(sorted(rows))


def _record(
    connection: Connection,
    order: Row[Any],
    kind: str,
    target: OrderStatus,
    cause: str,
    data: dict[str, Any] | None = None,
) -> None:
    connection.execute(
        insert(order_events).values(
            order_id=order.id,
            kind=kind,
            from_status=order.status,
            to_status=target.value,
            cause=cause,
            data=data,
            created_at=utc_now(),
        )
    )


def cancel_order(connection: Connection, ref: str, *, cause: str = "operator") -> Row[Any]:
    """Cancel an open order and release its reservation; then serve waiting orders from the freed stock."""
    order = get_order_or_raise(connection, ref)
    if order.status == OrderStatus.CANCELLED.value:
        raise OrderNotOpenError(field="status", value=order.status, problem=ALREADY_CANCELLED, number=order.number)
    check_transition(order.number, OrderStatus(order.status), OrderStatus.CANCELLED)
    released = release_order_allocations(connection, [order.id])
    connection.execute(
        update(orders)
        .where(orders.c.id == order.id)
        .values(status=OrderStatus.CANCELLED.value, hold_reasons=[], routing=None, updated_at=utc_now())
    )
    _record(connection, order, "cancelled", OrderStatus.CANCELLED, cause, {"released_units": released})
    logger.info("order %s cancelled by %s; %d units released", order.number, cause, released)
    if released:
        retry_backorders(connection)
    return get_order_or_raise(connection, order.number)


def cancel_line(
    connection: Connection, ref: str, line_number: int, *, quantity: int | None = None, cause: str = "operator"
) -> Row[Any]:
    """Cancel all or part of one line, release what it had reserved and re-route the rest of the order."""
    order = get_order_or_raise(connection, ref)
    if OrderStatus(order.status) not in OPEN_STATUSES:
        raise OrderNotOpenError(field="status", value=order.status, problem=NOT_OPEN, status=order.status)
    line = connection.execute(
        select(order_lines).where(order_lines.c.order_id == order.id, order_lines.c.line_number == line_number)
    ).first()
    if line is None:
        raise NotFoundError(entity="order line", ref=f"{order.number}/{line_number}", command=f"orders show {ref}")
    open_quantity = line.quantity - line.cancelled_quantity
    to_cancel = open_quantity if quantity is None else quantity
    if to_cancel <= 0 or to_cancel > open_quantity:
        raise ValidationError(
            field="quantity",
            value=quantity,
            problem=Message(
                "must be between 1 and the line's open quantity {open}", "必须在 1 与该行未取消数量 {open} 之间"
            ),
            open=open_quantity,
        )
    connection.execute(
        update(order_lines)
        .where(order_lines.c.id == line.id)
        .values(cancelled_quantity=line.cancelled_quantity + to_cancel)
    )
    _record(
        connection,
        order,
        "line_cancelled",
        OrderStatus(order.status),
        cause,
        {"line_number": line_number, "quantity": to_cancel},
    )
    remaining = (
        connection.scalar(
            select(func.sum(order_lines.c.quantity - order_lines.c.cancelled_quantity)).where(
                order_lines.c.order_id == order.id
            )
        )
        or 0
    )
    if remaining == 0:
        return cancel_order(connection, order.number, cause=cause)
    if OrderStatus(order.status) is OrderStatus.ON_HOLD:
        # A held order has nothing reserved, and routing waits until the hold is resolved.
        return get_order_or_raise(connection, order.number)
    return reroute_order(connection, order.number, cause="line_cancelled")


def reroute_order(
    connection: Connection, ref: str, *, cause: str = "operator", catalog: CatalogSnapshot | None = None
) -> Row[Any]:
    """Release an unshipped order's reservation and route it again with today's stock and rules."""
    order = get_order_or_raise(connection, ref)
    status = OrderStatus(order.status)
    if status not in OPEN_STATUSES:
        raise OrderNotOpenError(field="status", value=order.status, problem=NOT_OPEN, status=order.status)
    if status is OrderStatus.ON_HOLD:
        raise OrderNotOpenError(
            field="hold_reasons",
            value=",".join(order.hold_reasons),
            problem=Message(
                "the order is on hold ({reasons}); resolve the hold first",
                "订单处于暂停状态（{reasons}），请先解除暂停",
            ),
            reasons=", ".join(order.hold_reasons),
        )
    catalog = catalog or load_snapshot(connection)
    released = release_order_allocations(connection, [order.id])
    allocate_orders(connection, [_work_for(connection, order, catalog, cause)], catalog)
    logger.info("order %s re-routed by %s; %d units released first", order.number, cause, released)
    return get_order_or_raise(connection, order.number)


def _work_for(connection: Connection, order: Row[Any], catalog: CatalogSnapshot, cause: str) -> OrderWork:
    lines = [
        (line.id, line.product_id, line.quantity - line.cancelled_quantity)
        for line in connection.execute(select(order_lines).where(order_lines.c.order_id == order.id))
        if line.product_id is not None and line.quantity > line.cancelled_quantity
    ]
    found = geocode(order.ship_country_code, order.ship_postal_code, order.ship_city, order.ship_region)
    return OrderWork(
        order.id, order.number, OrderStatus(order.status), found.coordinates if found else None, lines, cause
    )


def retry_backorders(
    connection: Connection, catalog: CatalogSnapshot | None = None, product_ids: Iterable[int] | None = None
) -> int:
    """Route backordered orders again, oldest first, so new stock serves those who waited longest."""
    catalog = catalog or load_snapshot(connection)
    waiting = connection.execute(
        select(orders).where(orders.c.status == OrderStatus.BACKORDERED.value).order_by(orders.c.placed_at, orders.c.id)
    ).all()
    if product_ids is not None:
        wanted = set(product_ids)
        ids_with_product = (
            set(
                connection.scalars(
                    select(order_lines.c.order_id).where(
                        order_lines.c.order_id.in_([o.id for o in waiting]),
                        order_lines.c.product_id.in_(_with_bundles(catalog, wanted)),
                    )
                )
            )
            if waiting
            else set()
        )
        waiting = [order for order in waiting if order.id in ids_with_product]
    if not waiting:
        return 0
    release_order_allocations(connection, [order.id for order in waiting])
    works = [_work_for(connection, order, catalog, "stock_arrived") for order in waiting]
    outcomes = allocate_orders(connection, works, catalog)
    filled = sum(1 for outcome in outcomes.values() if outcome.status is OrderStatus.ALLOCATED)
    logger.info("retried %d backordered orders; %d now fully allocated", len(waiting), filled)
    return filled


def retry_backorders_for_sku(connection: Connection, sku: str, *, available_before: int, available_after: int) -> int:
    """Route again the backordered orders short of `sku` when its available units rose; return how many filled.

    A count that changes nothing, or a decrease, leaves the backorders as they are.
    """
    if available_after <= available_before:
        return 0
    return retry_backorders(connection, product_ids={get_product_or_raise(connection, sku).id})


def _with_bundles(catalog: CatalogSnapshot, product_ids: set[int]) -> set[int]:
    bundles = {bundle for bundle, parts in catalog.components.items() if any(p in product_ids for p, _ in parts)}
    return product_ids | bundles


def release_unmapped_holds(connection: Connection, catalog: CatalogSnapshot | None = None) -> int:
    """Map the lines of orders held for unknown SKUs again; route those with no hold left."""
    catalog = catalog or load_snapshot(connection)
    held = [
        order
        for order in connection.execute(select(orders).where(orders.c.status == OrderStatus.ON_HOLD.value))
        if HoldReason.UNMAPPED_SKU.value in (order.hold_reasons or [])
    ]
    works: list[OrderWork] = []
    for order in held:
        still_unmapped = False
        for line in connection.execute(select(order_lines).where(order_lines.c.order_id == order.id)):
            if line.product_id is not None:
                continue
            product_id = catalog.resolve(order.channel_id, line.channel_sku)
            if product_id is None:
                still_unmapped = still_unmapped or line.quantity > line.cancelled_quantity
                continue
            connection.execute(
                update(order_lines)
                .where(order_lines.c.id == line.id)
                .values(product_id=product_id, sku=catalog.products[product_id].sku)
            )
        if still_unmapped:
            continue
        reasons = [reason for reason in order.hold_reasons if reason != HoldReason.UNMAPPED_SKU.value]
        target = OrderStatus.ON_HOLD if reasons else OrderStatus.PENDING
        _write_released_hold(connection, order, HoldReason.UNMAPPED_SKU, reasons, target, "sku_mapped")
        if target is OrderStatus.PENDING:
            refreshed = get_order_or_raise(connection, order.number)
            works.append(_work_for(connection, refreshed, catalog, "sku_mapped"))
    allocate_orders(connection, works, catalog)
    logger.info("released unmapped_sku holds and routed %d orders", len(works))
    return len(works)


def release_order_hold(
    connection: Connection,
    ref: str,
    reason: HoldReason,
    *,
    cause: str = "operator",
    catalog: CatalogSnapshot | None = None,
) -> Row[Any]:
    """Release one hold reason that a person has checked, and route and reserve the order once no hold is left.

    The order is routed the way a new order of an import is. A re-import of the
    unchanged order leaves the release in place, because the content hash that
    identifies an unchanged order excludes hold reasons. A changed version is
    checked again from scratch.
    """
    order = _lock_order(connection, get_order_or_raise(connection, ref).id)
    if OrderStatus(order.status) not in OPEN_STATUSES:
        raise OrderClosedError(order=order.number, status=order.status)

    remaining, target = release_hold(order.number, OrderStatus(order.status), order.hold_reasons or [], reason)
    _write_released_hold(connection, order, reason, [item.value for item in remaining], target, cause)
    logger.info("order %s: %s hold released by %s; now %s", order.number, reason.value, cause, target.value)

    if target is OrderStatus.PENDING:
        catalog = catalog or load_snapshot(connection)
        released = get_order_or_raise(connection, order.number)
        allocate_orders(connection, [_work_for(connection, released, catalog, cause)], catalog)
    return get_order_or_raise(connection, order.number)


def hold_order(connection: Connection, ref: str, *, note: str = "", cause: str = "operator") -> Row[Any]:
    """Put an open order on the manual hold, release its reservation, and serve waiting orders from the freed stock.

    The order keeps its other hold reasons, and routing waits until every hold is released.
    `orders release REF --reason manual` ends this one. A re-import of the unchanged order
    leaves the hold in place, because the content hash that identifies an unchanged order
    excludes hold reasons. A changed version keeps the manual hold too, unless the channel
    cancelled or shipped the order.
    """
    _check_note(note)
    order = _lock_order(connection, get_order_or_raise(connection, ref).id)
    reasons, target = place_manual_hold(order.number, OrderStatus(order.status), order.hold_reasons or [])

    released = release_order_allocations(connection, [order.id])
    connection.execute(
        update(orders)
        .where(orders.c.id == order.id)
        .values(status=target.value, hold_reasons=[item.value for item in reasons], routing=None, updated_at=utc_now())
    )
    _record(connection, order, "hold_placed", target, cause, {"reason": HoldReason.MANUAL.value, "note": note})
    logger.info("order %s: manual hold placed by %s; %d units released", order.number, cause, released)
    if released:
        retry_backorders(connection)
    return get_order_or_raise(connection, order.number)


NOTE_TOO_LONG = Message(
    "must be at most {maximum} characters, but has {length}; shorten the note",
    "最多允许 {maximum} 个字符，当前为 {length} 个；请缩短备注",
)
NOTE_HAS_NUL = Message("must not contain the NUL character (U+0000)", "不能包含 NUL 字符（U+0000）")


def _check_note(note: str) -> None:
    # The API schema checks the same limits; the CLI and other callers reach the service directly.
    if len(note) > MAX_HOLD_NOTE_LENGTH:
        truncated = note[:60] + "..."
        raise ValidationError(
            field="note", value=truncated, problem=NOTE_TOO_LONG, maximum=MAX_HOLD_NOTE_LENGTH, length=len(note)
        )
    if "\x00" in note:
        raise ValidationError(field="note", value=note, problem=NOTE_HAS_NUL)


def _lock_order(connection: Connection, order_id: int) -> Row[Any]:
    # Two operators releasing the same order at once would otherwise both route it and reserve its stock twice,
    # and two holding it at once would both release its reservation. On SQLite the write transaction's
    # BEGIN IMMEDIATE already serialises them.
    return connection.execute(select(orders).where(orders.c.id == order_id).with_for_update()).one()


def _write_released_hold(
    connection: Connection,
    order: Row[Any],
    released: HoldReason,
    remaining: list[str],
    target: OrderStatus,
    cause: str,
) -> None:
    connection.execute(
        update(orders)
        .where(orders.c.id == order.id)
        .values(hold_reasons=remaining, status=target.value, updated_at=utc_now())
    )
    _record(connection, order, "hold_released", target, cause, {"released": released.value})
