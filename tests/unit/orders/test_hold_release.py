"""The rule for releasing a hold by hand: which reasons may go, what is left, and the status that follows."""

from __future__ import annotations

import pytest

from ordertower.orders.model import (
    RELEASABLE_HOLD_REASONS,
    TRANSITIONS,
    HoldNotReleasableError,
    HoldReason,
    InvalidTransitionError,
    NotHeldForReasonError,
    OrderNotHeldError,
    OrderStatus,
    release_hold,
)


@pytest.mark.parametrize("reason", RELEASABLE_HOLD_REASONS)
def test_last_reason_released_makes_pending(reason):
    remaining, target = release_hold("OT1", OrderStatus.ON_HOLD, [reason.value], reason)

    assert remaining == []
    assert target is OrderStatus.PENDING


def test_other_reasons_stay_in_order():
    hold_reasons = ["unpaid", "address_invalid", "unmapped_sku"]

    remaining, target = release_hold("OT1", OrderStatus.ON_HOLD, hold_reasons, HoldReason.ADDRESS_INVALID)

    assert remaining == [HoldReason.UNPAID, HoldReason.UNMAPPED_SKU]
    assert target is OrderStatus.ON_HOLD


def test_input_reasons_not_modified():
    hold_reasons = ["unpaid", "address_invalid"]

    release_hold("OT1", OrderStatus.ON_HOLD, hold_reasons, HoldReason.UNPAID)

    assert hold_reasons == ["unpaid", "address_invalid"]


def test_unmapped_sku_not_releasable():
    with pytest.raises(HoldNotReleasableError) as raised:
        release_hold("OT7", OrderStatus.ON_HOLD, ["unmapped_sku"], HoldReason.UNMAPPED_SKU)

    error = raised.value
    assert error.code == "hold_not_releasable"
    assert error.http_status == 422
    english = error.render("en")
    assert "OT7" in english
    assert "unmapped_sku" in english
    assert "sku_mappings" in english
    assert "ordertower workspace apply FILE" in english
    chinese = error.render("zh")
    assert "不能手动解除" in chinese
    assert "sku_mappings" in chinese


def test_unmapped_sku_not_in_releasable_reasons():
    assert HoldReason.UNMAPPED_SKU not in RELEASABLE_HOLD_REASONS
    assert set(RELEASABLE_HOLD_REASONS) == set(HoldReason) - {HoldReason.UNMAPPED_SKU}


def test_reason_not_held_names_current_reasons():
    with pytest.raises(NotHeldForReasonError) as raised:
        release_hold("OT3", OrderStatus.ON_HOLD, ["unpaid", "unmapped_sku"], HoldReason.ADDRESS_INVALID)

    error = raised.value
    assert type(error) is NotHeldForReasonError
    assert error.code == "not_held_for_reason"
    assert error.http_status == 409
    assert error.params["reasons"] == "unpaid, unmapped_sku"
    assert error.render("en") == "Order OT3 is not held for address_invalid. Its hold reasons are unpaid, unmapped_sku."
    assert error.render("zh") == "订单 OT3 没有因 address_invalid 暂停。当前的暂停原因：unpaid, unmapped_sku。"


@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.ALLOCATED, OrderStatus.BACKORDERED])
def test_order_without_hold_rejected(status):
    with pytest.raises(OrderNotHeldError) as raised:
        release_hold("OT4", status, [], HoldReason.UNPAID)

    error = raised.value
    assert error.code == "not_held_for_reason"
    assert error.http_status == 409
    assert status.value in error.render("en")
    assert "OT4" in error.render("zh")


def test_closed_order_rejected():
    with pytest.raises(OrderNotHeldError):
        release_hold("OT5", OrderStatus.SHIPPED, [], HoldReason.ADDRESS_INVALID)


def test_unmapped_checked_before_status():
    # A shipped order has no holds, but the error for unmapped_sku is the same whatever the order.
    with pytest.raises(HoldNotReleasableError):
        release_hold("OT6", OrderStatus.SHIPPED, [], HoldReason.UNMAPPED_SKU)


def test_transition_table_allows_release():
    assert OrderStatus.PENDING in TRANSITIONS[OrderStatus.ON_HOLD]


def test_transition_table_enforced(monkeypatch):
    # Without the on_hold -> pending edge, releasing the last reason must fail instead of writing the status.
    restricted = dict(TRANSITIONS)
    restricted[OrderStatus.ON_HOLD] = TRANSITIONS[OrderStatus.ON_HOLD] - {OrderStatus.PENDING}
    monkeypatch.setattr("ordertower.orders.model.TRANSITIONS", restricted)

    with pytest.raises(InvalidTransitionError) as raised:
        release_hold("OT8", OrderStatus.ON_HOLD, ["unpaid"], HoldReason.UNPAID)

    assert raised.value.params["current"] == "on_hold"
    assert raised.value.params["target"] == "pending"
