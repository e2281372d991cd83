"""Stock changes through the inventory service: every change is a ledger entry, and no unit is promised twice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ordertower.catalog.service import apply_workspace, get_location_or_raise, get_product_or_raise
from ordertower.catalog.workspace import load_workspace_file
from ordertower.inventory.model import InsufficientStockError, LedgerReason, StockBelowReservedError
from ordertower.inventory.service import (
    ReservationRequest,
    adjust_stock,
    count_ledger,
    ensure_levels,
    ledger_sums,
    list_ledger,
    list_stock,
    release,
    reserve,
    set_stock,
)
from ordertower.inventory.tables import stock_ledger, stock_levels
from ordertower.kernel.errors import NotFoundError, ValidationError

WORKSPACE = """\
locations:
  - {code: LA, address: {line1: "4800 S Alameda St", city: Los Angeles, region: CA, postal_code: "90058",
                         country_code: US}, latitude: 34.0, longitude: -118.24}
  - {code: NJ, address: {line1: "300 Raritan Center Pkwy", city: Edison, region: NJ, postal_code: "08817",
                         country_code: US}, latitude: 40.52, longitude: -74.35}
products:
  - {sku: MUG-WHT}
  - {sku: CAP-BLK}
bundles:
  - {sku: MUG-PAIR, components: [{sku: MUG-WHT, quantity: 2}]}
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 10, safety_stock: 2}
  - {sku: CAP-BLK, location: NJ, on_hand: 4}
"""


@pytest.fixture
def stocked(database, tmp_path):
    path = tmp_path / "workspace.yaml"
    path.write_text(WORKSPACE, encoding="utf-8")
    with database.write() as connection:
        apply_workspace(connection, load_workspace_file(path), source=str(path))
    return database


def ids(connection, sku: str, location: str) -> tuple[int, int]:
    return get_product_or_raise(connection, sku).id, get_location_or_raise(connection, location).id


def cache_problems(connection) -> list[str]:
    sums = ledger_sums(connection)
    problems = []
    for row in connection.execute(select(stock_levels)):
        key = (row.product_id, row.location_id)
        if sums.get(key, (0, 0)) != (row.on_hand, row.reserved):
            problems.append(f"{key}: level {(row.on_hand, row.reserved)} != ledger {sums.get(key)}")
    return problems


def test_adjust_writes_ledger_entry(stocked):
    with stocked.write() as connection:
        new_level = adjust_stock(connection, sku="MUG-WHT", location="LA", delta=5, reason="receipt", reference="PO-1")

    assert (new_level.on_hand, new_level.reserved, new_level.available) == (15, 0, 13)
    with stocked.read() as connection:
        newest = list_ledger(connection, sku="MUG-WHT", limit=1)[0]
        assert (newest["on_hand_delta"], newest["reason"], newest["reference"]) == (5, "receipt", "PO-1")
        assert cache_problems(connection) == []


def test_set_writes_difference(stocked):
    with stocked.write() as connection:
        changed = set_stock(connection, sku="MUG-WHT", location="LA", on_hand=7)
        unchanged = set_stock(connection, sku="MUG-WHT", location="LA", on_hand=7)

    assert changed is True
    assert unchanged is False
    with stocked.read() as connection:
        entries = list_ledger(connection, sku="MUG-WHT", location="LA")
        assert [(entry["on_hand_delta"], entry["reason"]) for entry in entries] == [(-3, "set"), (10, "workspace")]
        assert cache_problems(connection) == []


def test_new_location_starts_at_zero(stocked):
    with stocked.write() as connection:
        adjust_stock(connection, sku="MUG-WHT", location="NJ", delta=3, reason="receipt")

    with stocked.read() as connection:
        level = list_stock(connection, sku="MUG-WHT", location="NJ")[0]
        assert (level.on_hand, level.reserved, level.safety_stock) == (3, 0, 0)
        assert cache_problems(connection) == []


def test_reserve_and_release_balance(stocked):
    with stocked.write() as connection:
        product, location = ids(connection, "MUG-WHT", "LA")
        reserve(
            connection, [ReservationRequest(product, location, 3, None), ReservationRequest(product, location, 2, None)]
        )
    with stocked.read() as connection:
        assert list_stock(connection, sku="MUG-WHT", location="LA")[0].reserved == 5
        assert cache_problems(connection) == []

    with stocked.write() as connection:
        release(connection, [ReservationRequest(product, location, 5, None)])

    with stocked.read() as connection:
        assert list_stock(connection, sku="MUG-WHT", location="LA")[0].reserved == 0
        reasons = [entry["reason"] for entry in list_ledger(connection, sku="MUG-WHT", location="LA")]
        assert reasons == ["release", "reserve", "reserve", "workspace"]
        assert cache_problems(connection) == []


def test_reserve_beyond_available_names_sku(stocked):
    with stocked.write() as connection:
        product, location = ids(connection, "MUG-WHT", "LA")
        ledger_rows = len(list_ledger(connection))

    # 10 on hand less 2 safety stock leaves 8 available.
    with pytest.raises(InsufficientStockError) as raised, stocked.write() as connection:
        reserve(
            connection,
            [ReservationRequest(product, location, 9, None)],
            sku_names={product: "MUG-WHT"},
            location_codes={location: "LA"},
        )

    assert raised.value.params == {"sku": "MUG-WHT", "location": "LA", "requested": 9, "available": 8}
    assert str(raised.value) == "MUG-WHT at LA: 9 units requested but only 8 available."
    with stocked.read() as connection:
        assert list_stock(connection, sku="MUG-WHT", location="LA")[0].reserved == 0
        assert len(list_ledger(connection)) == ledger_rows


def test_reserve_one_short_line_reserves_nothing(stocked):
    with stocked.write() as connection:
        mug, la = ids(connection, "MUG-WHT", "LA")
        cap, nj = ids(connection, "CAP-BLK", "NJ")

    with pytest.raises(InsufficientStockError) as raised, stocked.write() as connection:
        reserve(
            connection,
            [ReservationRequest(mug, la, 2, None), ReservationRequest(cap, nj, 5, None)],
            sku_names={mug: "MUG-WHT", cap: "CAP-BLK"},
            location_codes={la: "LA", nj: "NJ"},
        )

    assert raised.value.params["sku"] == "CAP-BLK"
    assert raised.value.params["available"] == 4
    with stocked.read() as connection:
        assert [level.reserved for level in list_stock(connection)] == [0, 0]
        assert cache_problems(connection) == []


def test_release_more_than_reserved_rejected(stocked):
    with stocked.write() as connection:
        product, location = ids(connection, "CAP-BLK", "NJ")
        reserve(connection, [ReservationRequest(product, location, 1, None)])

    with pytest.raises(InsufficientStockError), stocked.write() as connection:
        release(connection, [ReservationRequest(product, location, 2, None)])

    with stocked.read() as connection:
        assert list_stock(connection, sku="CAP-BLK", location="NJ")[0].reserved == 1
        assert cache_problems(connection) == []


def test_on_hand_below_reserved_rejected(stocked):
    with stocked.write() as connection:
        product, location = ids(connection, "MUG-WHT", "LA")
        reserve(connection, [ReservationRequest(product, location, 6, None)])

    with pytest.raises(StockBelowReservedError) as raised, stocked.write() as connection:
        set_stock(connection, sku="MUG-WHT", location="LA", on_hand=5)
    with pytest.raises(StockBelowReservedError), stocked.write() as connection:
        adjust_stock(connection, sku="MUG-WHT", location="LA", delta=-5, reason="damage")

    assert raised.value.params["reserved"] == 6
    assert "MUG-WHT at LA" in str(raised.value)
    with stocked.read() as connection:
        assert list_stock(connection, sku="MUG-WHT", location="LA")[0].on_hand == 10
        assert cache_problems(connection) == []


def test_negative_values_rejected(stocked):
    with pytest.raises(ValidationError) as raised, stocked.write() as connection:
        set_stock(connection, sku="MUG-WHT", location="LA", on_hand=-1)
    with pytest.raises(ValidationError), stocked.write() as connection:
        adjust_stock(connection, sku="CAP-BLK", location="NJ", delta=-5, reason="damage")

    assert raised.value.params["field"] == "on_hand"
    with stocked.read() as connection:
        assert len(connection.execute(select(stock_ledger)).all()) == 2


@pytest.mark.parametrize(("sku", "location"), [("NOPE", "LA"), ("MUG-WHT", "PARIS"), ("MUG-PAIR", "LA")])
def test_unknown_or_bundle_sku_not_found(stocked, sku, location):
    with pytest.raises(NotFoundError) as raised, stocked.write() as connection:
        adjust_stock(connection, sku=sku, location=location, delta=1, reason=LedgerReason.ADJUST)

    assert raised.value.params["ref"] in (sku, location)


def test_empty_levels_left_out_on_request(stocked):
    with stocked.write() as connection:
        cap, la = ids(connection, "CAP-BLK", "LA")
        ensure_levels(connection, [(cap, la)])  # as routing does for every location it weighs
        set_stock(connection, sku="CAP-BLK", location="NJ", on_hand=0)  # counted empty
        set_stock(connection, sku="MUG-WHT", location="NJ", on_hand=0, safety_stock=3)

    with stocked.read() as connection:
        every_level = {(level.sku, level.location) for level in list_stock(connection)}
        with_units = {(level.sku, level.location) for level in list_stock(connection, include_empty=False)}
        one_empty = list_stock(connection, sku="CAP-BLK", location="LA", include_empty=False)

    assert every_level == {("CAP-BLK", "LA"), ("CAP-BLK", "NJ"), ("MUG-WHT", "LA"), ("MUG-WHT", "NJ")}
    # A safety stock alone keeps a level in the list, since it lowers what the level can promise.
    assert with_units == {("MUG-WHT", "LA"), ("MUG-WHT", "NJ")}
    assert one_empty == []


def test_ledger_count_matches_filters(stocked):
    with stocked.write() as connection:
        adjust_stock(connection, sku="MUG-WHT", location="LA", delta=5, reason="receipt")
        adjust_stock(connection, sku="MUG-WHT", location="NJ", delta=2, reason="receipt")
        product, location = ids(connection, "MUG-WHT", "LA")
        reserve(connection, [ReservationRequest(product, location, 1, None)])

    with stocked.read() as connection:
        for filters in ({}, {"sku": "MUG-WHT"}, {"location": "LA"}, {"sku": "CAP-BLK", "location": "LA"}):
            entries = list_ledger(connection, limit=1000, **filters)
            assert count_ledger(connection, **filters) == len(entries), filters
        assert count_ledger(connection) == 5
        assert count_ledger(connection, sku="MUG-WHT", location="LA") == 3
        assert len(list_ledger(connection, limit=2)) == 2


def test_ledger_entry_order_number(stocked):
    with stocked.write() as connection:
        product, location = ids(connection, "MUG-WHT", "LA")
        # Entries have no foreign key to orders, so an order id without an order row must still list.
        reserve(connection, [ReservationRequest(product, location, 1, 987_654)])

    with stocked.read() as connection:
        reserved, workspace_entry = list_ledger(connection, sku="MUG-WHT", location="LA")

    assert reserved["reason"] == "reserve"
    assert reserved["order_id"] == 987_654
    assert reserved["order_number"] is None
    assert workspace_entry["reason"] == "workspace"
    assert workspace_entry["order_id"] is None
    assert workspace_entry["order_number"] is None
