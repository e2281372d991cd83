"""The order transition table and the rules that choose a status and its hold reasons."""

from __future__ import annotations

import pytest

from ordertower.channels.model import ChannelOrderState, FinancialStatus
from ordertower.orders.model import (
    OPEN_STATUSES,
    TRANSITIONS,
    HoldReason,
    InvalidTransitionError,
    OrderStatus,
    check_transition,
    decide_status,
    hold_reasons_for,
)


def test_every_status_has_transitions():
    assert set(TRANSITIONS) == set(OrderStatus)


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
def test_open_order_can_be_cancelled(status):
    check_transition("OT1", status, OrderStatus.CANCELLED)


@pytest.mark.parametrize("status", [OrderStatus.CANCELLED, OrderStatus.RETURNED])
def test_final_statuses_have_no_exit(status):
    assert TRANSITIONS[status] == frozenset()


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
        (OrderStatus.DELIVERED, OrderStatus.ALLOCATED),
        (OrderStatus.CANCELLED, OrderStatus.PENDING),
        (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.CANCELLED),
    ],
)
def test_invalid_transition_names_both_statuses(current, target):
    with pytest.raises(InvalidTransitionError) as raised:
        check_transition("OT100001", current, target)

    message = raised.value.render("en")
    assert "OT100001" in message
    assert current.value in message
    assert target.value in message
    assert raised.value.to_dict("en")["code"] == "invalid_transition"


def test_allowed_list_in_message():
    with pytest.raises(InvalidTransitionError) as raised:
        check_transition("OT1", OrderStatus.SHIPPED, OrderStatus.CANCELLED)

    assert raised.value.params["allowed"] == "delivered, returned"


def test_staying_put_allowed():
    for status in OrderStatus:
        check_transition("OT1", status, status)


def test_hold_reasons_in_stable_order():
    reasons = hold_reasons_for(
        financial_status=FinancialStatus.PENDING,
        address_valid=False,
        has_unmapped_lines=True,
        fulfilled_by_channel=False,
        manual_hold=True,
    )

    assert reasons == [HoldReason.UNPAID, HoldReason.ADDRESS_INVALID, HoldReason.UNMAPPED_SKU, HoldReason.MANUAL]


@pytest.mark.parametrize(
    ("financial_status", "held"),
    [
        (FinancialStatus.PAID, False),
        (FinancialStatus.AUTHORIZED, False),
        (FinancialStatus.PARTIALLY_REFUNDED, False),
        (FinancialStatus.PENDING, True),
        (FinancialStatus.REFUNDED, True),
        (FinancialStatus.VOIDED, True),
    ],
)
def test_payment_hold(financial_status, held):
    reasons = hold_reasons_for(
        financial_status=financial_status, address_valid=True, has_unmapped_lines=False, fulfilled_by_channel=False
    )

    assert (reasons == [HoldReason.UNPAID]) is held


def test_channel_fulfilled_never_held():
    reasons = hold_reasons_for(
        financial_status=FinancialStatus.PENDING,
        address_valid=False,
        has_unmapped_lines=True,
        fulfilled_by_channel=True,
    )

    assert reasons == []


@pytest.mark.parametrize(
    ("state", "by_channel", "holds", "allocated", "expected"),
    [
        (ChannelOrderState.CANCELLED, False, [HoldReason.UNPAID], None, OrderStatus.CANCELLED),
        (ChannelOrderState.CANCELLED, True, [], None, OrderStatus.CANCELLED),
        (ChannelOrderState.FULFILLED, False, [HoldReason.UNPAID], None, OrderStatus.SHIPPED),
        (ChannelOrderState.OPEN, True, [], None, OrderStatus.SHIPPED),
        (ChannelOrderState.OPEN, False, [HoldReason.ADDRESS_INVALID], True, OrderStatus.ON_HOLD),
        (ChannelOrderState.OPEN, False, [], None, OrderStatus.PENDING),
        (ChannelOrderState.OPEN, False, [], True, OrderStatus.ALLOCATED),
        (ChannelOrderState.OPEN, False, [], False, OrderStatus.BACKORDERED),
    ],
)
def test_decide_status(state, by_channel, holds, allocated, expected):
    status = decide_status(
        channel_state=state, fulfilled_by_channel=by_channel, hold_reasons=holds, fully_allocated=allocated
    )

    assert status is expected
