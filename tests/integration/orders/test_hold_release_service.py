"""Releasing a hold by hand: the order is routed like a new one, and a re-import of the same file keeps it released."""

from __future__ import annotations

import threading

import pytest
from pipeline_helpers import (
    AMAZON_UNSHIPPED_HEADER,
    allocated_units,
    amazon_unshipped_row,
    apply_workspace_file,
    count_rows,
    events_of,
    generic_row,
    import_file,
    level,
    order,
    stock_problems,
    write_generic_csv,
    write_tsv,
    write_workspace,
)

from ordertower.inventory.tables import stock_ledger
from ordertower.kernel.db import Database
from ordertower.kernel.errors import NotFoundError
from ordertower.orders.model import (
    HoldNotReleasableError,
    HoldReason,
    NotHeldForReasonError,
    OrderClosedError,
    OrderNotHeldError,
)
from ordertower.orders.service import cancel_order, release_order_hold
from ordertower.orders.tables import allocations

STOCK = """
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 20}
  - {sku: MUG-WHT, location: NJ, on_hand: 20}
  - {sku: TEE-BLK-M, location: NJ, on_hand: 1}
"""

PRICE_COLUMNS = {"currency", "item-price", "item-tax", "shipping-price", "shipping-tax"}

# A Los Angeles address without its state: the address rules reject it, so the order is held as address_invalid.
NO_REGION = {"ship_region": ""}


@pytest.fixture
def stocked(database, tmp_path):
    apply_workspace_file(database, write_workspace(tmp_path / "workspace.yaml", stock=STOCK))
    return database


def event_kinds(connection, order_id: int) -> list[tuple[str, str | None, str, str]]:
    return [(event.kind, event.from_status, event.to_status, event.cause) for event in events_of(connection, order_id)]


def test_release_routes_like_new_order(stocked, tmp_path):
    rows = [
        generic_row("WH-HELD", "MUG-WHT", 2, **NO_REGION),
        generic_row("WH-FRESH", "MUG-WHT", 2),
    ]
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", rows))
    with stocked.read() as connection:
        held_order = order(connection, "WH-HELD")
        assert (held_order.status, held_order.hold_reasons) == ("on_hold", ["address_invalid"])
        assert allocated_units(connection, held_order.id) == {}

    with stocked.write() as connection:
        released = release_order_hold(connection, "WH-HELD", HoldReason.ADDRESS_INVALID, cause="cli")

    assert released.status == "allocated"
    assert released.hold_reasons == []
    with stocked.read() as connection:
        fresh = order(connection, "WH-FRESH")
        assert allocated_units(connection, released.id) == {("MUG-WHT", "LA"): 2}
        assert allocated_units(connection, released.id) == allocated_units(connection, fresh.id)
        assert released.routing["winner"] == fresh.routing["winner"]
        assert released.routing["rules"] == fresh.routing["rules"]
        assert level(connection, "MUG-WHT", "LA").reserved == 4
        assert event_kinds(connection, released.id) == [
            ("imported", None, "on_hold", "import"),
            ("hold_released", "on_hold", "pending", "cli"),
            ("routed", "pending", "allocated", "cli"),
        ]
        assert events_of(connection, released.id)[1].data == {"released": "address_invalid"}
        assert stock_problems(connection) == []


def test_release_without_stock_backorders(stocked, tmp_path):
    rows = [generic_row("WH-1", "TEE-BLK-M", 3, financial_status="pending")]
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", rows))

    with stocked.write() as connection:
        released = release_order_hold(connection, "WH-1", HoldReason.UNPAID, cause="api")

    assert released.status == "backordered"
    with stocked.read() as connection:
        assert allocated_units(connection, released.id) == {("TEE-BLK-M", "NJ"): 1}
        assert released.routing["shortages"] == {"TEE-BLK-M": 2}
        assert [event.cause for event in events_of(connection, released.id)][1:] == ["api", "api"]
        assert stock_problems(connection) == []


def test_release_one_of_two_keeps_hold(stocked, tmp_path):
    rows = [generic_row("WH-1", "MUG-WHT", 1, financial_status="pending", **NO_REGION)]
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", rows))

    with stocked.write() as connection:
        first = release_order_hold(connection, "WH-1", HoldReason.UNPAID)

    assert first.status == "on_hold"
    assert first.hold_reasons == ["address_invalid"]
    with stocked.read() as connection:
        assert count_rows(connection, allocations) == 0
        assert event_kinds(connection, first.id)[-1] == ("hold_released", "on_hold", "on_hold", "operator")

    with stocked.write() as connection:
        second = release_order_hold(connection, "WH-1", HoldReason.ADDRESS_INVALID)

    assert second.status == "allocated"
    assert second.hold_reasons == []
    with stocked.read() as connection:
        assert allocated_units(connection, second.id) == {("MUG-WHT", "LA"): 1}
        assert stock_problems(connection) == []


def test_unchanged_reimport_keeps_release(stocked, tmp_path):
    path = write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "MUG-WHT", 2, **NO_REGION)])
    import_file(stocked, path)
    with stocked.write() as connection:
        released = release_order_hold(connection, "WH-1", HoldReason.ADDRESS_INVALID)
    with stocked.read() as connection:
        events_before = len(events_of(connection, released.id))
        ledger_before = count_rows(connection, stock_ledger)

    again = import_file(stocked, path)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    with stocked.read() as connection:
        reimported = order(connection, "WH-1")
        assert reimported.status == "allocated"
        assert reimported.hold_reasons == []
        assert allocated_units(connection, reimported.id) == {("MUG-WHT", "LA"): 2}
        assert len(events_of(connection, reimported.id)) == events_before
        assert count_rows(connection, stock_ledger) == ledger_before
        assert stock_problems(connection) == []


def test_unchanged_amazon_reimport_keeps_release(stocked, tmp_path):
    # A report without prices takes them from the stored order before the import compares the two versions.
    header = [name for name in AMAZON_UNSHIPPED_HEADER if name not in PRICE_COLUMNS]
    path = write_tsv(
        tmp_path / "unshipped.txt",
        header,
        [amazon_unshipped_row("112-0000001-0000001", "MUG-WHT", 1, **{"ship-state": ""})],
    )
    import_file(stocked, path)
    with stocked.write() as connection:
        assert order(connection, "112-0000001-0000001").hold_reasons == ["address_invalid"]
        release_order_hold(connection, "112-0000001-0000001", HoldReason.ADDRESS_INVALID)

    again = import_file(stocked, path)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    with stocked.read() as connection:
        reimported = order(connection, "112-0000001-0000001")
        assert (reimported.status, reimported.hold_reasons) == ("allocated", [])
        assert stock_problems(connection) == []


def test_changed_version_checked_again(stocked, tmp_path):
    import_file(stocked, write_generic_csv(tmp_path / "v1.csv", [generic_row("WH-1", "MUG-WHT", 2, **NO_REGION)]))
    with stocked.write() as connection:
        release_order_hold(connection, "WH-1", HoldReason.ADDRESS_INVALID)

    changed = import_file(
        stocked, write_generic_csv(tmp_path / "v2.csv", [generic_row("WH-1", "MUG-WHT", 3, **NO_REGION)])
    )

    assert changed.updated == 1
    with stocked.read() as connection:
        held_again = order(connection, "WH-1")
        assert (held_again.status, held_again.hold_reasons) == ("on_hold", ["address_invalid"])
        assert allocated_units(connection, held_again.id) == {}
        assert level(connection, "MUG-WHT", "LA").reserved == 0
        assert stock_problems(connection) == []

    fixed = import_file(stocked, write_generic_csv(tmp_path / "v3.csv", [generic_row("WH-1", "MUG-WHT", 3)]))

    assert fixed.updated == 1
    with stocked.read() as connection:
        routed = order(connection, "WH-1")
        assert (routed.status, routed.hold_reasons) == ("allocated", [])
        assert allocated_units(connection, routed.id) == {("MUG-WHT", "LA"): 3}


def test_unknown_order_not_found(stocked):
    with pytest.raises(NotFoundError) as raised, stocked.write() as connection:
        release_order_hold(connection, "WH-NOPE", HoldReason.UNPAID)

    assert raised.value.http_status == 404
    assert raised.value.params["ref"] == "WH-NOPE"


def test_rejections_change_nothing(stocked, tmp_path):
    rows = [
        generic_row("WH-UNPAID", "MUG-WHT", 1, financial_status="pending"),
        generic_row("WH-UNMAPPED", "NO-SUCH-SKU", 1),
        generic_row("WH-ROUTED", "MUG-WHT", 1),
    ]
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", rows))
    with stocked.read() as connection:
        events_before = {
            ref: len(events_of(connection, order(connection, ref).id)) for ref in ("WH-UNPAID", "WH-ROUTED")
        }
        ledger_before = count_rows(connection, stock_ledger)

    with pytest.raises(NotHeldForReasonError) as not_held, stocked.write() as connection:
        release_order_hold(connection, "WH-UNPAID", HoldReason.ADDRESS_INVALID)
    with pytest.raises(HoldNotReleasableError) as unmapped, stocked.write() as connection:
        release_order_hold(connection, "WH-UNMAPPED", HoldReason.UNMAPPED_SKU)
    with pytest.raises(OrderNotHeldError) as routed, stocked.write() as connection:
        release_order_hold(connection, "WH-ROUTED", HoldReason.UNPAID)

    assert not_held.value.params["reasons"] == "unpaid"
    assert unmapped.value.http_status == 422
    assert routed.value.params["status"] == "allocated"
    with stocked.read() as connection:
        assert order(connection, "WH-UNPAID").hold_reasons == ["unpaid"]
        assert order(connection, "WH-UNMAPPED").hold_reasons == ["unmapped_sku"]
        assert order(connection, "WH-ROUTED").status == "allocated"
        for ref, count in events_before.items():
            assert len(events_of(connection, order(connection, ref).id)) == count, ref
        assert count_rows(connection, stock_ledger) == ledger_before


def test_cancelled_order_not_open(stocked, tmp_path):
    rows = [generic_row("WH-1", "MUG-WHT", 1, financial_status="pending")]
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", rows))
    with stocked.write() as connection:
        cancel_order(connection, "WH-1")

    with pytest.raises(OrderClosedError) as raised, stocked.write() as connection:
        release_order_hold(connection, "WH-1", HoldReason.UNPAID)

    assert raised.value.code == "order_not_open"
    assert raised.value.http_status == 409
    assert (
        raised.value.render("en") == f"Order {raised.value.params['order']} is cancelled, so it has no hold to release."
    )


def test_concurrent_releases_reserve_once(stocked, tmp_path):
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "MUG-WHT", 2, **NO_REGION)]))
    started = threading.Event()
    outcomes: list[str] = []

    def release_again() -> None:
        other = Database(stocked.url)
        try:
            started.set()
            with other.write() as connection:
                release_order_hold(connection, "WH-1", HoldReason.ADDRESS_INVALID)
            outcomes.append("released")
        except NotHeldForReasonError as error:
            outcomes.append(error.code)
        finally:
            other.dispose()

    second = threading.Thread(target=release_again)
    with stocked.write() as connection:
        release_order_hold(connection, "WH-1", HoldReason.ADDRESS_INVALID)
        second.start()
        assert started.wait(timeout=30)
        # The second release must wait for this transaction instead of reading the order as still held.
        second.join(timeout=1)
        assert second.is_alive()
    second.join(timeout=60)

    assert not second.is_alive()
    assert outcomes == ["not_held_for_reason"]
    with stocked.read() as connection:
        assert level(connection, "MUG-WHT", "LA").reserved == 2
        assert stock_problems(connection) == []
