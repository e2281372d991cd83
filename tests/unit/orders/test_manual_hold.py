"""The rule for putting an order on the manual hold: which statuses allow it, and the reasons and status that follow."""

from __future__ import annotations

import pytest

from ordertower.orders.model import (
    OPEN_STATUSES,
    TRANSITIONS,
    AlreadyHeldError,
    HoldReason,
    InvalidTransitionError,
    OrderClosedError,
    OrderNotHoldableError,
    OrderStatus,
    place_manual_hold,
)

NOT_HOLDABLE = [
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.CANCELLED,
    OrderStatus.RETURNED,
]


@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.BACKORDERED, OrderStatus.ALLOCATED])
def test_unheld_order_gets_manual_hold(status):
    reasons, target = place_manual_hold("OT1", status, [])

    assert reasons == [HoldReason.MANUAL]
    assert target is OrderStatus.ON_HOLD


def test_held_order_keeps_other_reasons():
    reasons, target = place_manual_hold("OT1", OrderStatus.ON_HOLD, ["unpaid", "address_invalid", "unmapped_sku"])

    assert reasons == [HoldReason.UNPAID, HoldReason.ADDRESS_INVALID, HoldReason.UNMAPPED_SKU, HoldReason.MANUAL]
    assert target is OrderStatus.ON_HOLD


def test_input_reasons_not_modified():
    hold_reasons = ["unpaid"]

    place_manual_hold("OT1", OrderStatus.ON_HOLD, hold_reasons)

    assert hold_reasons == ["unpaid"]


def test_manual_hold_twice_rejected():
    with pytest.raises(AlreadyHeldError) as raised:
        place_manual_hold("OT2", OrderStatus.ON_HOLD, ["unpaid", "manual"])

    error = raised.value
    assert error.code == "already_held"
    assert error.http_status == 409
    assert error.params["reasons"] == "unpaid, manual"
    assert error.render("en") == (
        "Order OT2 already has the manual hold. Its hold reasons are unpaid, manual. "
        "Release it with `ordertower orders release OT2 --reason manual`."
    )
    assert error.render("zh") == (
        "订单 OT2 已有 manual 暂停。当前的暂停原因：unpaid, manual。"
        "可用 `ordertower orders release OT2 --reason manual` 解除。"
    )


@pytest.mark.parametrize("status", NOT_HOLDABLE)
def test_order_past_open_rejected(status):
    with pytest.raises(OrderNotHoldableError) as raised:
        place_manual_hold("OT3", status, [])

    error = raised.value
    assert isinstance(error, OrderClosedError)
    assert error.code == "order_not_open"
    assert error.http_status == 409
    assert error.params == {"order": "OT3", "status": status.value}
    assert error.render("en") == (
        f"Order OT3 is {status.value}, so it cannot be put on hold. "
        "Only pending, on_hold, backordered and allocated orders can be held."
    )
    assert error.render("zh") == (
        f"订单 OT3 的状态为 {status.value}，不能暂停。只有待处理、暂停、缺货或已分配的订单可以暂停。"
    )


def test_every_status_covered():
    allowed = {OrderStatus.PENDING, OrderStatus.ON_HOLD, OrderStatus.BACKORDERED, OrderStatus.ALLOCATED}

    assert allowed == OPEN_STATUSES
    assert allowed | set(NOT_HOLDABLE) == set(OrderStatus)


def test_status_checked_before_reasons():
    # A closed order keeps no holds, but stale reasons must still not turn the error into already_held.
    with pytest.raises(OrderNotHoldableError):
        place_manual_hold("OT4", OrderStatus.CANCELLED, ["manual"])


def test_transition_table_enforced(monkeypatch):
    # Without the allocated -> on_hold edge, the hold must fail instead of writing the status.
    restricted = dict(TRANSITIONS)
    restricted[OrderStatus.ALLOCATED] = TRANSITIONS[OrderStatus.ALLOCATED] - {OrderStatus.ON_HOLD}
    monkeypatch.setattr("ordertower.orders.model.TRANSITIONS", restricted)

    with pytest.raises(InvalidTransitionError) as raised:
        place_manual_hold("OT6", OrderStatus.ALLOCATED, [])

    assert raised.value.params["current"] == "allocated"
    assert raised.value.params["target"] == "on_hold"
