"""Stock arithmetic: available units and the rule that on_hand never drops below reserved."""

from __future__ import annotations

import pytest

from ordertower.inventory.model import StockBelowReservedError, StockLevel, check_new_on_hand


@pytest.mark.parametrize(
    ("on_hand", "reserved", "safety_stock", "available"),
    [(10, 0, 0, 10), (10, 4, 2, 4), (5, 5, 0, 0), (5, 4, 3, -2)],
)
def test_available(on_hand, reserved, safety_stock, available):
    assert StockLevel("MUG-WHT", "LA", on_hand, reserved, safety_stock).available == available


def test_on_hand_may_drop_to_reserved():
    check_new_on_hand(StockLevel("MUG-WHT", "LA", 10, 4, 0), 4)


def test_on_hand_below_reserved_rejected():
    with pytest.raises(StockBelowReservedError) as raised:
        check_new_on_hand(StockLevel("MUG-WHT", "LA", 10, 4, 0), 3)

    message = raised.value.render("en")
    assert message.startswith("MUG-WHT at LA: on_hand cannot become 3 because 4 units are reserved")
    assert raised.value.params == {"sku": "MUG-WHT", "location": "LA", "target": 3, "reserved": 4}
    assert raised.value.code == "stock_below_reserved"
