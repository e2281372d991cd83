"""The manual hold: it releases the order's stock, and only a release or the channel's cancel or shipment ends it."""

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
    status_changes_without_event,
    stock_problems,
    write_generic_csv,
    write_tsv,
    write_workspace,
)
from sqlalchemy import select

from ordertower.demo.amazon_tsv import AMAZON_ALL_ORDERS_HEADER
from ordertower.inventory.tables import stock_ledger
from ordertower.kernel.db import Database
from ordertower.kernel.errors import NotFoundError, ValidationError
from ordertower.orders.model import AlreadyHeldError, HoldReason, OrderNotHoldableError
from ordertower.orders.service import cancel_order, hold_order, release_order_hold
from ordertower.orders.tables import allocations, shipments

STOCK = """
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 20}
  - {sku: MUG-WHT, location: NJ, on_hand: 20}
  - {sku: TEE-BLK-M, location: NJ, on_hand: 1}
"""

AMAZON_ID = "112-0000001-0000001"


@pytest.fixture
def stocked(database, tmp_path):
    apply_workspace_file(database, write_workspace(tmp_path / "workspace.yaml", stock=STOCK))
    return database


def event_kinds(connection, order_id: int) -> list[tuple[str, str | None, str, str]]:
    return [(event.kind, event.from_status, event.to_status, event.cause) for event in events_of(connection, order_id)]


def shipment_count(connection, order_id: int) -> int:
    return len(connection.execute(select(shipments.c.id).where(shipments.c.order_id == order_id)).all())


def ledger_releases(connection, order_id: int) -> list[tuple[int, int]]:
    rows = connection.execute(
        select(stock_ledger.c.on_hand_delta, stock_ledger.c.reserved_delta).where(
            stock_ledger.c.order_id == order_id, stock_ledger.c.reason == "release"
        )
    )
    return [tuple(row) for row in rows]


def all_orders_row(order_id: str, status: str) -> dict[str, str]:
    """One item of an All Orders report that moves a merchant-fulfilled order to `status`."""
    return {
        "amazon-order-id": order_id,
        "purchase-date": "2024-05-01T10:00:00+00:00",
        "last-updated-date": "2024-05-03T10:00:00+00:00",
        "order-status": status,
        "fulfillment-channel": "Merchant",
        "sku": "MUG-WHT",
        "item-status": status,
        "quantity": "2",
        "currency": "USD",
        "item-price": "40.00",
        "ship-country": "US",
    }


def test_hold_releases_reservation(stocked, tmp_path):
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "MUG-WHT", 2)]))
    with stocked.read() as connection:
        routed = order(connection, "WH-1")
        assert routed.status == "allocated"
        assert allocated_units(connection, routed.id) == {("MUG-WHT", "LA"): 2}
        assert shipment_count(connection, routed.id) == 1

    with stocked.write() as connection:
        held = hold_order(connection, "WH-1", note="customer asked to wait", cause="cli")

    assert held.status == "on_hold"
    assert held.hold_reasons == ["manual"]
    assert held.routing is None
    with stocked.read() as connection:
        assert allocated_units(connection, held.id) == {}
        assert shipment_count(connection, held.id) == 0
        assert level(connection, "MUG-WHT", "LA").reserved == 0
        assert level(connection, "MUG-WHT", "LA").on_hand == 20
        assert ledger_releases(connection, held.id) == [(0, -2)]
        assert event_kinds(connection, held.id)[-1] == ("hold_placed", "allocated", "on_hold", "cli")
        assert events_of(connection, held.id)[-1].data == {"reason": "manual", "note": "customer asked to wait"}
        assert stock_problems(connection) == []
        assert status_changes_without_event(connection) == []


def test_release_routes_held_order_again(stocked, tmp_path):
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "MUG-WHT", 2)]))
    with stocked.read() as connection:
        routing_before = order(connection, "WH-1").routing
    with stocked.write() as connection:
        hold_order(connection, "WH-1")

    with stocked.write() as connection:
        released = release_order_hold(connection, "WH-1", HoldReason.MANUAL, cause="api")

    assert released.status == "allocated"
    assert released.hold_reasons == []
    assert released.routing["winner"] == routing_before["winner"]
    with stocked.read() as connection:
        assert allocated_units(connection, released.id) == {("MUG-WHT", "LA"): 2}
        assert shipment_count(connection, released.id) == 1
        assert level(connection, "MUG-WHT", "LA").reserved == 2
        assert event_kinds(connection, released.id) == [
            ("imported", None, "pending", "import"),
            ("routed", "pending", "allocated", "import"),
            ("hold_placed", "allocated", "on_hold", "operator"),
            ("hold_released", "on_hold", "pending", "api"),
            ("routed", "pending", "allocated", "api"),
        ]
        assert events_of(connection, released.id)[2].data == {"reason": "manual", "note": ""}
        assert stock_problems(connection) == []


def test_freed_stock_serves_backorders(stocked, tmp_path):
    rows = [
        generic_row("WH-FIRST", "TEE-BLK-M", 1, order_date="2024-05-01T10:00:00+00:00"),
        generic_row("WH-WAITING", "TEE-BLK-M", 1, order_date="2024-05-02T10:00:00+00:00"),
    ]
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", rows))
    with stocked.read() as connection:
        assert order(connection, "WH-FIRST").status == "allocated"
        assert order(connection, "WH-WAITING").status == "backordered"

    with stocked.write() as connection:
        hold_order(connection, "WH-FIRST")

    with stocked.read() as connection:
        waiting = order(connection, "WH-WAITING")
        assert waiting.status == "allocated"
        assert allocated_units(connection, waiting.id) == {("TEE-BLK-M", "NJ"): 1}
        assert allocated_units(connection, order(connection, "WH-FIRST").id) == {}
        assert stock_problems(connection) == []

    with stocked.write() as connection:
        released = release_order_hold(connection, "WH-FIRST", HoldReason.MANUAL)

    assert released.status == "backordered"
    with stocked.read() as connection:
        assert allocated_units(connection, released.id) == {}
        assert level(connection, "TEE-BLK-M", "NJ").reserved == 1
        assert stock_problems(connection) == []
        assert status_changes_without_event(connection) == []


def test_backordered_order_releases_partial_reservation(stocked, tmp_path):
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "TEE-BLK-M", 3)]))
    with stocked.read() as connection:
        waiting = order(connection, "WH-1")
        assert waiting.status == "backordered"
        assert allocated_units(connection, waiting.id) == {("TEE-BLK-M", "NJ"): 1}

    with stocked.write() as connection:
        held = hold_order(connection, "WH-1")

    assert (held.status, held.hold_reasons) == ("on_hold", ["manual"])
    with stocked.read() as connection:
        assert allocated_units(connection, held.id) == {}
        assert level(connection, "TEE-BLK-M", "NJ").reserved == 0
        assert event_kinds(connection, held.id)[-1] == ("hold_placed", "backordered", "on_hold", "operator")
        assert stock_problems(connection) == []


def test_held_order_gets_manual_too(stocked, tmp_path):
    rows = [generic_row("WH-1", "MUG-WHT", 1, financial_status="pending")]
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", rows))

    with stocked.write() as connection:
        held = hold_order(connection, "WH-1", note="check the buyer")

    assert (held.status, held.hold_reasons) == ("on_hold", ["unpaid", "manual"])
    with stocked.read() as connection:
        assert event_kinds(connection, held.id)[-1] == ("hold_placed", "on_hold", "on_hold", "operator")

    with stocked.write() as connection:
        first = release_order_hold(connection, "WH-1", HoldReason.MANUAL)

    assert (first.status, first.hold_reasons) == ("on_hold", ["unpaid"])
    with stocked.read() as connection:
        assert count_rows(connection, allocations) == 0

    with stocked.write() as connection:
        second = release_order_hold(connection, "WH-1", HoldReason.UNPAID)

    assert (second.status, second.hold_reasons) == ("allocated", [])
    with stocked.read() as connection:
        assert allocated_units(connection, second.id) == {("MUG-WHT", "LA"): 1}
        assert stock_problems(connection) == []


def test_unchanged_reimport_keeps_hold(stocked, tmp_path):
    path = write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "MUG-WHT", 2)])
    import_file(stocked, path)
    with stocked.write() as connection:
        held = hold_order(connection, "WH-1")
    with stocked.read() as connection:
        events_before = len(events_of(connection, held.id))
        ledger_before = count_rows(connection, stock_ledger)

    again = import_file(stocked, path)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    with stocked.read() as connection:
        reimported = order(connection, "WH-1")
        assert (reimported.status, reimported.hold_reasons) == ("on_hold", ["manual"])
        assert allocated_units(connection, reimported.id) == {}
        assert len(events_of(connection, reimported.id)) == events_before
        assert count_rows(connection, stock_ledger) == ledger_before
        assert stock_problems(connection) == []


def test_changed_version_keeps_hold(stocked, tmp_path):
    import_file(stocked, write_generic_csv(tmp_path / "v1.csv", [generic_row("WH-1", "MUG-WHT", 2)]))
    with stocked.write() as connection:
        hold_order(connection, "WH-1")

    changed = import_file(
        stocked, write_generic_csv(tmp_path / "v2.csv", [generic_row("WH-1", "MUG-WHT", 3, ship_region="")])
    )

    assert changed.updated == 1
    with stocked.read() as connection:
        updated = order(connection, "WH-1")
        # The address check runs again on the new version, and the manual hold stays with it.
        assert (updated.status, updated.hold_reasons) == ("on_hold", ["address_invalid", "manual"])
        assert allocated_units(connection, updated.id) == {}
        assert level(connection, "MUG-WHT", "LA").reserved == 0
        last = events_of(connection, updated.id)[-1]
        assert (last.kind, last.from_status, last.to_status) == ("updated", "on_hold", "on_hold")
        assert last.data["hold_reasons"] == ["address_invalid", "manual"]
        assert stock_problems(connection) == []

    fixed = import_file(stocked, write_generic_csv(tmp_path / "v3.csv", [generic_row("WH-1", "MUG-WHT", 3)]))

    assert fixed.updated == 1
    with stocked.read() as connection:
        still_held = order(connection, "WH-1")
        assert (still_held.status, still_held.hold_reasons) == ("on_hold", ["manual"])
        assert allocated_units(connection, still_held.id) == {}

    with stocked.write() as connection:
        released = release_order_hold(connection, "WH-1", HoldReason.MANUAL)

    assert released.status == "allocated"
    with stocked.read() as connection:
        assert allocated_units(connection, released.id) == {("MUG-WHT", "LA"): 3}
        assert stock_problems(connection) == []


@pytest.mark.parametrize(("channel_status", "expected"), [("Cancelled", "cancelled"), ("Shipped", "shipped")])
def test_channel_closing_ends_hold(stocked, tmp_path, channel_status, expected):
    unshipped = [amazon_unshipped_row(AMAZON_ID, "MUG-WHT", 2)]
    import_file(stocked, write_tsv(tmp_path / "unshipped.txt", AMAZON_UNSHIPPED_HEADER, unshipped))
    with stocked.write() as connection:
        held = hold_order(connection, AMAZON_ID)
    assert held.hold_reasons == ["manual"]

    report = import_file(
        stocked,
        write_tsv(
            tmp_path / "all-orders.txt", list(AMAZON_ALL_ORDERS_HEADER), [all_orders_row(AMAZON_ID, channel_status)]
        ),
    )

    assert report.updated == 1
    with stocked.read() as connection:
        closed = order(connection, AMAZON_ID)
        assert closed.status == expected
        assert closed.hold_reasons == []
        assert allocated_units(connection, closed.id) == {}
        assert level(connection, "MUG-WHT", "LA").reserved == 0
        last = events_of(connection, closed.id)[-1]
        assert (last.kind, last.from_status, last.to_status) == ("updated", "on_hold", expected)
        assert stock_problems(connection) == []
        assert status_changes_without_event(connection) == []


def test_unknown_order_not_found(stocked):
    with pytest.raises(NotFoundError) as raised, stocked.write() as connection:
        hold_order(connection, "WH-NOPE")

    assert raised.value.http_status == 404
    assert raised.value.params["ref"] == "WH-NOPE"


def test_rejections_change_nothing(stocked, tmp_path):
    rows = [
        generic_row("WH-HELD", "MUG-WHT", 1),
        generic_row("WH-CANCELLED", "MUG-WHT", 1),
    ]
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", rows))
    with stocked.write() as connection:
        hold_order(connection, "WH-HELD")
        cancel_order(connection, "WH-CANCELLED")
    with stocked.read() as connection:
        events_before = {
            ref: len(events_of(connection, order(connection, ref).id)) for ref in ("WH-HELD", "WH-CANCELLED")
        }
        ledger_before = count_rows(connection, stock_ledger)

    with pytest.raises(AlreadyHeldError) as already, stocked.write() as connection:
        hold_order(connection, "WH-HELD")
    with pytest.raises(OrderNotHoldableError) as cancelled, stocked.write() as connection:
        hold_order(connection, "WH-CANCELLED")

    assert already.value.http_status == 409
    assert already.value.params["reasons"] == "manual"
    assert cancelled.value.http_status == 409
    assert cancelled.value.params["status"] == "cancelled"
    with stocked.read() as connection:
        assert order(connection, "WH-HELD").hold_reasons == ["manual"]
        assert order(connection, "WH-CANCELLED").status == "cancelled"
        assert order(connection, "WH-CANCELLED").hold_reasons == []
        for ref, count in events_before.items():
            assert len(events_of(connection, order(connection, ref).id)) == count, ref
        assert count_rows(connection, stock_ledger) == ledger_before


def test_note_length_checked(stocked, tmp_path):
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "MUG-WHT", 1)]))

    with pytest.raises(ValidationError) as raised, stocked.write() as connection:
        hold_order(connection, "WH-1", note="x" * 256)

    assert raised.value.http_status == 422
    assert raised.value.params["field"] == "note"
    assert "at most 255 characters, but has 256" in raised.value.render("en")
    assert "最多允许 255 个字符" in raised.value.render("zh")
    with stocked.read() as connection:
        assert order(connection, "WH-1").status == "allocated"
        assert level(connection, "MUG-WHT", "LA").reserved == 1

    with stocked.write() as connection:
        held = hold_order(connection, "WH-1", note="y" * 255)

    with stocked.read() as connection:
        assert events_of(connection, held.id)[-1].data["note"] == "y" * 255


def test_concurrent_holds_release_once(stocked, tmp_path):
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "MUG-WHT", 2)]))
    started = threading.Event()
    outcomes: list[str] = []

    def hold_again() -> None:
        other = Database(stocked.url)
        try:
            started.set()
            with other.write() as connection:
                hold_order(connection, "WH-1")
            outcomes.append("held")
        except AlreadyHeldError as error:
            outcomes.append(error.code)
        finally:
            other.dispose()

    second = threading.Thread(target=hold_again)
    with stocked.write() as connection:
        hold_order(connection, "WH-1")
        second.start()
        assert started.wait(timeout=30)
        # The second hold must wait for this transaction instead of releasing the same reservation again.
        second.join(timeout=1)
        assert second.is_alive()
    second.join(timeout=60)

    assert not second.is_alive()
    assert outcomes == ["already_held"]
    with stocked.read() as connection:
        held = order(connection, "WH-1")
        assert level(connection, "MUG-WHT", "LA").reserved == 0
        assert ledger_releases(connection, held.id) == [(0, -2)]
        assert stock_problems(connection) == []
