"""Order states, the transitions between them and the rules that choose a status.

Pure domain: no framework imports. The transition table is the single place
that defines which status may follow which. Every change goes through
`check_transition`, and the service records each one as an order event.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from ordertower.channels.model import ChannelOrderState, FinancialStatus
from ordertower.kernel.errors import OrderTowerError
from ordertower.kernel.i18n import Message

__all__ = [
    "MAX_HOLD_NOTE_LENGTH",
    "RELEASABLE_HOLD_REASONS",
    "TRANSITIONS",
    "AlreadyHeldError",
    "FinancialStatus",
    "HoldNotReleasableError",
    "HoldReason",
    "InvalidTransitionError",
    "NotHeldForReasonError",
    "OrderClosedError",
    "OrderNotHeldError",
    "OrderNotHoldableError",
    "OrderStatus",
    "check_transition",
    "decide_status",
    "hold_reasons_for",
    "place_manual_hold",
    "release_hold",
]


class OrderStatus(StrEnum):
    PENDING = "pending"  # captured, not yet looked at by routing
    ON_HOLD = "on_hold"  # needs a person: see hold_reasons
    BACKORDERED = "backordered"  # routed, but not every unit could be reserved
    ALLOCATED = "allocated"  # every unit reserved at one or more locations
    PARTIALLY_SHIPPED = "partially_shipped"  # some shipments left the warehouse
    SHIPPED = "shipped"  # every shipment left; also orders the channel fulfilled itself
    DELIVERED = "delivered"  # the carrier confirmed delivery
    CANCELLED = "cancelled"  # cancelled by the channel or an operator; reservations released
    RETURNED = "returned"  # delivered, then returned


class HoldReason(StrEnum):
    UNPAID = "unpaid"  # payment neither captured nor authorized
    ADDRESS_INVALID = "address_invalid"  # the ship-to address failed offline validation
    UNMAPPED_SKU = "unmapped_sku"  # a line's channel SKU maps to no product
    MANUAL = "manual"  # an operator put it on hold


# Holds an operator may release after checking the order. unmapped_sku ends only when every line maps to a
# product, so a SKU mapping releases it instead.
RELEASABLE_HOLD_REASONS = (HoldReason.UNPAID, HoldReason.ADDRESS_INVALID, HoldReason.MANUAL)

# Characters of the note an operator may give when putting an order on the manual hold.
MAX_HOLD_NOTE_LENGTH = 255


_OPEN = {
    OrderStatus.PENDING,
    OrderStatus.ON_HOLD,
    OrderStatus.BACKORDERED,
    OrderStatus.ALLOCATED,
}

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset(_OPEN | {OrderStatus.CANCELLED, OrderStatus.SHIPPED}),
    OrderStatus.ON_HOLD: frozenset(_OPEN | {OrderStatus.CANCELLED, OrderStatus.SHIPPED}),
    OrderStatus.BACKORDERED: frozenset(_OPEN | {OrderStatus.CANCELLED, OrderStatus.SHIPPED}),
    OrderStatus.ALLOCATED: frozenset(
        _OPEN | {OrderStatus.CANCELLED, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED}
    ),
    OrderStatus.PARTIALLY_SHIPPED: frozenset({OrderStatus.SHIPPED, OrderStatus.DELIVERED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED, OrderStatus.RETURNED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.RETURNED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.RETURNED: frozenset(),
}

OPEN_STATUSES = frozenset(_OPEN)


class InvalidTransitionError(OrderTowerError):
    code = "invalid_transition"
    http_status = 409
    message = Message(
        "Order {order} cannot go from {current} to {target}. Allowed next statuses: {allowed}.",
        "订单 {order} 不能从 {current} 变为 {target}。允许的下一个状态：{allowed}。",
    )


def check_transition(order: str, current: OrderStatus, target: OrderStatus) -> None:
    """Raise InvalidTransitionError unless `target` may follow `current`; staying put is allowed."""
    if current == target or target in TRANSITIONS[current]:
        return
    allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
    raise InvalidTransitionError(order=order, current=current.value, target=target.value, allowed=allowed)


def hold_reasons_for(
    *,
    financial_status: FinancialStatus,
    address_valid: bool,
    has_unmapped_lines: bool,
    fulfilled_by_channel: bool,
    manual_hold: bool = False,
) -> list[HoldReason]:
    """List why an order needs a person before it can be routed, in a stable order."""
    if fulfilled_by_channel:
        return []

    reasons: list[HoldReason] = []
    if financial_status not in (FinancialStatus.PAID, FinancialStatus.AUTHORIZED, FinancialStatus.PARTIALLY_REFUNDED):
        reasons.append(HoldReason.UNPAID)
    if not address_valid:
        reasons.append(HoldReason.ADDRESS_INVALID)
    if has_unmapped_lines:
        reasons.append(HoldReason.UNMAPPED_SKU)
    if manual_hold:
        reasons.append(HoldReason.MANUAL)
    return reasons


def decide_status(
    *,
    channel_state: ChannelOrderState,
    fulfilled_by_channel: bool,
    hold_reasons: Iterable[HoldReason],
    fully_allocated: bool | None,
) -> OrderStatus:
    """Choose the status an open order should have now.

    `fully_allocated` is None when routing did not run (the order is held).
    """
    if channel_state is ChannelOrderState.CANCELLED:
        return OrderStatus.CANCELLED
    if channel_state is ChannelOrderState.FULFILLED or fulfilled_by_channel:
        return OrderStatus.SHIPPED
    if any(True for _ in hold_reasons):
        return OrderStatus.ON_HOLD
    if fully_allocated is None:
        return OrderStatus.PENDING
    return OrderStatus.ALLOCATED if fully_allocated else OrderStatus.BACKORDERED


class HoldNotReleasableError(OrderTowerError):
    code = "hold_not_releasable"
    http_status = 422
    message = Message(
        "Order {order}: the {reason} hold cannot be released by hand. It ends when every line's channel SKU maps to "
        "a product, so add the mapping under sku_mappings in the workspace file and run "
        "`ordertower workspace apply FILE`.",
        "订单 {order}：{reason} 暂停不能手动解除，每个订单行的渠道 SKU 都映射到商品后才会解除。"
        "请在工作区文件的 sku_mappings 中添加映射，然后运行 `ordertower workspace apply FILE`。",
    )
    api_message = Message(
        "Order {order}: the {reason} hold cannot be released by hand. It ends when every line's channel SKU maps to "
        "a product, so add the mapping under sku_mappings in the workspace file and apply that file again.",
        "订单 {order}：{reason} 暂停不能手动解除，每个订单行的渠道 SKU 都映射到商品后才会解除。"
        "请在工作区文件的 sku_mappings 中添加映射，然后重新应用该工作区文件。",
    )


class OrderClosedError(OrderTowerError):
    """A release requested for an order that is no longer open: cancelled, shipped, delivered or returned."""

    code = "order_not_open"
    http_status = 409
    message = Message(
        "Order {order} is {status}, so it has no hold to release.",
        "订单 {order} 的状态为 {status}，没有可解除的暂停。",
    )


class NotHeldForReasonError(OrderTowerError):
    code = "not_held_for_reason"
    http_status = 409
    message = Message(
        "Order {order} is not held for {reason}. Its hold reasons are {reasons}.",
        "订单 {order} 没有因 {reason} 暂停。当前的暂停原因：{reasons}。",
    )


class OrderNotHeldError(NotHeldForReasonError):
    """The same conflict for an open order that has no hold at all, so there are no reasons to name."""

    message = Message(
        "Order {order} is not on hold (status {status}), so it has no {reason} hold to release.",
        "订单 {order} 未处于暂停状态（状态为 {status}），没有可解除的 {reason} 暂停。",
    )


def release_hold(
    order: str, status: OrderStatus, hold_reasons: Sequence[str], reason: HoldReason
) -> tuple[list[HoldReason], OrderStatus]:
    """Remove `reason` from a held order's hold reasons and return the reasons left and the status that follows.

    The status stays on_hold while a reason is left, else it becomes pending, and the caller then routes
    the order. Raises HoldNotReleasableError for unmapped_sku, OrderNotHeldError or
    NotHeldForReasonError when the order is not held for `reason`, and InvalidTransitionError when the
    transition table forbids the new status.
    """
    if reason not in RELEASABLE_HOLD_REASONS:
        raise HoldNotReleasableError(order=order, reason=reason.value)

    current = [HoldReason(value) for value in hold_reasons]
    if status is not OrderStatus.ON_HOLD or not current:
        raise OrderNotHeldError(order=order, reason=reason.value, status=status.value, reasons="")
    if reason not in current:
        raise NotHeldForReasonError(order=order, reason=reason.value, reasons=", ".join(current))

    remaining = [item for item in current if item is not reason]
    target = OrderStatus.ON_HOLD if remaining else OrderStatus.PENDING
    check_transition(order, status, target)
    return remaining, target


class OrderNotHoldableError(OrderClosedError):
    """The same conflict for a hold requested on an order that has shipped in part or in full, or is closed."""

    message = Message(
        "Order {order} is {status}, so it cannot be put on hold. Only pending, on_hold, backordered and "
        "allocated orders can be held.",
        "订单 {order} 的状态为 {status}，不能暂停。只有待处理、暂停、缺货或已分配的订单可以暂停。",
    )


class AlreadyHeldError(OrderTowerError):
    code = "already_held"
    http_status = 409
    message = Message(
        "Order {order} already has the manual hold. Its hold reasons are {reasons}. "
        "Release it with `ordertower orders release {order} --reason manual`.",
        "订单 {order} 已有 manual 暂停。当前的暂停原因：{reasons}。"
        "可用 `ordertower orders release {order} --reason manual` 解除。",
    )
    api_message = Message(
        "Order {order} already has the manual hold. Its hold reasons are {reasons}. "
        'Release it with POST /api/v1/orders/{order}/release and the body {{"reason": "manual"}}.',
        "订单 {order} 已有 manual 暂停。当前的暂停原因：{reasons}。"
        '可用 POST /api/v1/orders/{order}/release 解除，请求体为 {{"reason": "manual"}}。',
    )


def place_manual_hold(
    order: str, status: OrderStatus, hold_reasons: Sequence[str]
) -> tuple[list[HoldReason], OrderStatus]:
    """Add the manual hold to an open order's hold reasons and return the new reasons and the status on_hold.

    Other hold reasons stay, and manual comes last, where hold_reasons_for puts it. Raises
    OrderNotHoldableError unless the order is pending, on_hold, backordered or allocated,
    AlreadyHeldError when it has the manual hold already, and InvalidTransitionError when the
    transition table forbids on_hold.
    """
    if status not in OPEN_STATUSES:
        raise OrderNotHoldableError(order=order, status=status.value)

    current = [HoldReason(value) for value in hold_reasons]
    if HoldReason.MANUAL in current:
        raise AlreadyHeldError(order=order, reasons=", ".join(current))

    check_transition(order, status, OrderStatus.ON_HOLD)
    return [*current, HoldReason.MANUAL], OrderStatus.ON_HOLD
