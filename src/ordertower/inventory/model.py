"""Stock arithmetic and the reasons a ledger entry may carry. Pure domain."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ordertower.kernel.errors import OrderTowerError
from ordertower.kernel.i18n import Message


class LedgerReason(StrEnum):
    WORKSPACE = "workspace"  # stock set by `workspace apply`
    SET = "set"  # an operator set on_hand to a counted value
    ADJUST = "adjust"  # an operator added or removed units (receipt, damage, count)
    RESERVE = "reserve"  # units reserved for an order
    RELEASE = "release"  # a reservation given back (cancel, re-route, line change)


@dataclass(frozen=True, slots=True)
class StockLevel:
    sku: str
    location: str
    on_hand: int
    reserved: int
    safety_stock: int

    @property
    def available(self) -> int:
        """Units that may still be promised: on hand, less reserved, less the safety stock."""
        return self.on_hand - self.reserved - self.safety_stock


class StockBelowReservedError(OrderTowerError):
    code = "stock_below_reserved"
    http_status = 409
    message = Message(
        "{sku} at {location}: on_hand cannot become {target} because {reserved} units are reserved for orders. "
        "Cancel or re-route those orders first, or set a value of at least {reserved}.",
        "{location} 的 {sku}：已有 {reserved} 件被订单预留，现有库存不能改为 {target}。"
        "请先取消或重新分配这些订单，或设置不少于 {reserved} 的数量。",
    )


class InsufficientStockError(OrderTowerError):
    code = "insufficient_stock"
    http_status = 409
    message = Message(
        "{sku} at {location}: {requested} units requested but only {available} available.",
        "{location} 的 {sku}：需要 {requested} 件，但只有 {available} 件可用。",
    )


def check_new_on_hand(level: StockLevel, target: int) -> None:
    """Raise unless on_hand may become `target` without un-reserving anyone's stock."""
    if target < level.reserved:
        raise StockBelowReservedError(sku=level.sku, location=level.location, target=target, reserved=level.reserved)
