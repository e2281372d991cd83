"""Backorders wait for stock and are served oldest first, and bundles reserve their components."""

from __future__ import annotations

from pipeline_helpers import (
    AMAZON_UNSHIPPED_HEADER,
    allocated_units,
    amazon_unshipped_row,
    apply_workspace_file,
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

from ordertower.catalog.service import get_product_or_raise
from ordertower.demo.amazon_tsv import AMAZON_ALL_ORDERS_HEADER
from ordertower.inventory.service import adjust_stock, list_ledger, set_stock
from ordertower.orders.service import cancel_order, retry_backorders, retry_backorders_for_sku


def stock_arrives(database, sku: str, location: str, delta: int) -> int:
    """Add units and serve waiting orders in one transaction, as `stock adjust` does."""
    with database.write() as connection:
        adjust_stock(connection, sku=sku, location=location, delta=delta, reason="receipt")
        product_id = get_product_or_raise(connection, sku).id
        return retry_backorders(connection, product_ids={product_id})


def test_short_stock_backorders_with_partial_reservation(database, tmp_path):
    apply_workspace_file(
        database,
        write_workspace(
            tmp_path / "workspace.yaml",
            stock="""
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 3}
""",
        ),
    )
    import_file(database, write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "MUG-WHT", 5)]))

    with database.read() as connection:
        waiting = order(connection, "WH-1")
        assert waiting.status == "backordered"
        assert allocated_units(connection, waiting.id) == {("MUG-WHT", "LA"): 3}
        assert level(connection, "MUG-WHT", "LA").reserved == 3
        routed = events_of(connection, waiting.id)[-1]
        assert routed.kind == "routed"
        assert sum(routed.data["shortages"].values()) == 2
        assert stock_problems(connection) == []


def test_no_split_reserves_nothing_when_no_location_ships_all(database, tmp_path):
    apply_workspace_file(
        database,
        write_workspace(
            tmp_path / "workspace.yaml",
            allow_split=False,
            stock="""
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 3}
  - {sku: MUG-WHT, location: NJ, on_hand: 3}
""",
        ),
    )
    import_file(database, write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "MUG-WHT", 5)]))

    with database.read() as connection:
        waiting = order(connection, "WH-1")
        assert waiting.status == "backordered"
        assert allocated_units(connection, waiting.id) == {}
        assert stock_problems(connection) == []


def test_split_fills_from_two_locations(database, tmp_path):
    apply_workspace_file(
        database,
        write_workspace(
            tmp_path / "workspace.yaml",
            stock="""
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 3}
  - {sku: MUG-WHT, location: NJ, on_hand: 3}
""",
        ),
    )
    import_file(database, write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "MUG-WHT", 5)]))

    with database.read() as connection:
        split = order(connection, "WH-1")
        assert split.status == "allocated"
        units = allocated_units(connection, split.id)
        assert sum(units.values()) == 5
        assert set(units) == {("MUG-WHT", "LA"), ("MUG-WHT", "NJ")}
        assert stock_problems(connection) == []


def test_new_stock_fills_backorder(database, tmp_path):
    apply_workspace_file(
        database,
        write_workspace(
            tmp_path / "workspace.yaml",
            stock="""
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 3}
""",
        ),
    )
    import_file(database, write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "MUG-WHT", 5)]))

    not_yet = stock_arrives(database, "MUG-WHT", "LA", 1)
    with database.read() as connection:
        assert order(connection, "WH-1").status == "backordered"
        assert level(connection, "MUG-WHT", "LA").reserved == 4
    filled = stock_arrives(database, "MUG-WHT", "LA", 1)

    assert not_yet == 0
    assert filled == 1
    with database.read() as connection:
        served = order(connection, "WH-1")
        assert served.status == "allocated"
        assert allocated_units(connection, served.id) == {("MUG-WHT", "LA"): 5}
        assert [(event.from_status, event.to_status, event.cause) for event in events_of(connection, served.id)][
            -1
        ] == ("backordered", "allocated", "stock_arrived")
        assert stock_problems(connection) == []
        assert status_changes_without_event(connection) == []


def test_oldest_backorder_served_first(database, tmp_path):
    apply_workspace_file(
        database,
        write_workspace(
            tmp_path / "workspace.yaml",
            stock="""
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 0}
""",
        ),
    )
    # The newer order comes first in the file, so the import routes it first.
    rows = [
        generic_row("WH-NEW", "MUG-WHT", 4, order_date="2024-05-03T09:00:00+00:00"),
        generic_row("WH-OLD", "MUG-WHT", 4, order_date="2024-05-01T09:00:00+00:00"),
    ]
    import_file(database, write_generic_csv(tmp_path / "orders.csv", rows))

    filled = stock_arrives(database, "MUG-WHT", "LA", 4)

    assert filled == 1
    with database.read() as connection:
        assert order(connection, "WH-OLD").status == "allocated"
        assert order(connection, "WH-NEW").status == "backordered"
        assert allocated_units(connection, order(connection, "WH-NEW").id) == {}
        assert stock_problems(connection) == []


def test_set_stock_then_retry_fills_all(database, tmp_path):
    apply_workspace_file(
        database,
        write_workspace(
            tmp_path / "workspace.yaml",
            stock="""
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 1}
""",
        ),
    )
    rows = [generic_row(f"WH-{index}", "MUG-WHT", 2) for index in range(3)]
    import_file(database, write_generic_csv(tmp_path / "orders.csv", rows))

    with database.write() as connection:
        set_stock(connection, sku="MUG-WHT", location="LA", on_hand=6)
        filled = retry_backorders(connection)

    assert filled == 3
    with database.read() as connection:
        assert {order(connection, f"WH-{index}").status for index in range(3)} == {"allocated"}
        assert level(connection, "MUG-WHT", "LA").reserved == 6
        assert stock_problems(connection) == []


def test_bundle_reserves_components(database, tmp_path):
    apply_workspace_file(
        database,
        write_workspace(
            tmp_path / "workspace.yaml",
            stock="""
stock:
  - {sku: TEE-BLK-M, location: LA, on_hand: 10}
  - {sku: MUG-WHT, location: LA, on_hand: 10}
""",
        ),
    )
    import_file(database, write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "GIFT-SET", 3)]))

    with database.read() as connection:
        gift = order(connection, "WH-1")
        assert gift.status == "allocated"
        assert allocated_units(connection, gift.id) == {("TEE-BLK-M", "LA"): 6, ("MUG-WHT", "LA"): 3}
        assert level(connection, "TEE-BLK-M", "LA").reserved == 6
        assert level(connection, "MUG-WHT", "LA").reserved == 3
        assert stock_problems(connection) == []

    with database.write() as connection:
        cancelled = cancel_order(connection, "WH-1")

    assert cancelled.status == "cancelled"
    with database.read() as connection:
        assert allocated_units(connection, gift.id) == {}
        assert level(connection, "TEE-BLK-M", "LA").reserved == 0
        assert level(connection, "MUG-WHT", "LA").reserved == 0
        last = events_of(connection, gift.id)[-1]
        assert (last.kind, last.from_status, last.to_status) == ("cancelled", "allocated", "cancelled")
        assert last.data == {"released_units": 9}
        assert stock_problems(connection) == []


def test_bundle_short_of_one_component_backorders(database, tmp_path):
    apply_workspace_file(
        database,
        write_workspace(
            tmp_path / "workspace.yaml",
            stock="""
stock:
  - {sku: TEE-BLK-M, location: LA, on_hand: 3}
  - {sku: MUG-WHT, location: LA, on_hand: 10}
""",
        ),
    )
    import_file(database, write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "GIFT-SET", 2)]))

    with database.read() as connection:
        gift = order(connection, "WH-1")
        assert gift.status == "backordered"
        assert level(connection, "TEE-BLK-M", "LA").reserved <= 3
        assert stock_problems(connection) == []


def test_cancel_frees_stock_for_backorder(database, tmp_path):
    apply_workspace_file(
        database,
        write_workspace(
            tmp_path / "workspace.yaml",
            stock="""
stock:
  - {sku: CAP-BLK, location: LA, on_hand: 2}
""",
        ),
    )
    rows = [
        generic_row("WH-FIRST", "CAP-BLK", 2, order_date="2024-05-01T09:00:00+00:00"),
        generic_row("WH-WAITING", "CAP-BLK", 2, order_date="2024-05-02T09:00:00+00:00"),
    ]
    import_file(database, write_generic_csv(tmp_path / "orders.csv", rows))

    with database.write() as connection:
        cancel_order(connection, "WH-FIRST")

    with database.read() as connection:
        assert order(connection, "WH-WAITING").status == "allocated"
        assert level(connection, "CAP-BLK", "LA").reserved == 2
        assert stock_problems(connection) == []
        assert status_changes_without_event(connection) == []


def test_channel_cancel_serves_backorders(database, tmp_path):
    apply_workspace_file(
        database,
        write_workspace(
            tmp_path / "workspace.yaml",
            stock="""
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 2}
""",
        ),
    )
    first = amazon_unshipped_row("111-0000001-0000001", "MUG-WHT", 2, **{"purchase-date": "2024-05-01T10:00:00+00:00"})
    second = amazon_unshipped_row("111-0000002-0000002", "MUG-WHT", 2, **{"purchase-date": "2024-05-02T10:00:00+00:00"})
    import_file(database, write_tsv(tmp_path / "unshipped.txt", AMAZON_UNSHIPPED_HEADER, [first, second]))
    cancelled = {
        "amazon-order-id": "111-0000001-0000001",
        "purchase-date": "2024-05-01T10:00:00+00:00",
        "last-updated-date": "2024-05-03T10:00:00+00:00",
        "order-status": "Cancelled",
        "fulfillment-channel": "Merchant",
        "sku": "MUG-WHT",
        "item-status": "Cancelled",
        "quantity": "2",
        "currency": "USD",
        "item-price": "40.00",
        "ship-country": "US",
    }

    report = import_file(database, write_tsv(tmp_path / "all-orders.txt", list(AMAZON_ALL_ORDERS_HEADER), [cancelled]))

    assert report.updated == 1
    assert report.cancelled_with_stock == 1
    with database.read() as connection:
        assert order(connection, "111-0000001-0000001").status == "cancelled"
        waiting = order(connection, "111-0000002-0000002")
        assert waiting.status == "allocated"
        assert allocated_units(connection, waiting.id) == {("MUG-WHT", "LA"): 2}
        assert level(connection, "MUG-WHT", "LA").reserved == 2
        assert stock_problems(connection) == []
        assert status_changes_without_event(connection) == []


def count_ledger(database) -> int:
    with database.read() as connection:
        return len(list_ledger(connection, limit=100_000))


def test_stock_that_does_not_rise_serves_no_backorder(database, tmp_path):
    apply_workspace_file(
        database,
        write_workspace(tmp_path / "workspace.yaml", stock="stock:\n  - {sku: MUG-WHT, location: LA, on_hand: 3}\n"),
    )
    import_file(database, write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "MUG-WHT", 5)]))
    entries = count_ledger(database)

    with database.write() as connection:
        unchanged = adjust_stock(connection, sku="MUG-WHT", location="LA", delta=0, reason="count")
        served_on_zero = retry_backorders_for_sku(connection, "MUG-WHT", available_before=0, available_after=0)
    assert unchanged.available == 0
    assert served_on_zero == 0
    assert count_ledger(database) == entries

    with database.write() as connection:
        served_on_rise = retry_backorders_for_sku(connection, "MUG-WHT", available_before=0, available_after=2)
    # The order was short of mugs, so it is routed again, though no unit has arrived.
    assert served_on_rise == 0
    assert count_ledger(database) > entries
