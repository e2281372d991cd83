"""Held orders keep their reason, Amazon-fulfilled orders never touch stock, statuses follow the table."""

from __future__ import annotations

import itertools

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
    line_rows,
    order,
    status_changes_without_event,
    stock_problems,
    write_generic_csv,
    write_tsv,
    write_workspace,
)

from ordertower.demo.amazon_tsv import AMAZON_ALL_ORDERS_HEADER
from ordertower.inventory.tables import stock_ledger
from ordertower.orders.model import InvalidTransitionError
from ordertower.orders.service import (
    OrderNotOpenError,
    cancel_line,
    cancel_order,
    release_unmapped_holds,
    reroute_order,
)
from ordertower.orders.tables import allocations

STOCK = """
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 20}
  - {sku: TEE-BLK-M, location: LA, on_hand: 20}
"""


@pytest.fixture
def stocked(database, tmp_path):
    apply_workspace_file(database, write_workspace(tmp_path / "workspace.yaml", stock=STOCK))
    return database


def event_chain_problems(connection, order_id: int) -> list[str]:
    """Each event must start where the previous one ended, and the last must end at the order's status."""
    events = events_of(connection, order_id)
    problems = []
    for previous, current in itertools.pairwise(events):
        if current.from_status != previous.to_status:
            problems.append(f"{current.kind} starts at {current.from_status}, previous ended at {previous.to_status}")
    return problems


def test_unmapped_amazon_sku_held_then_released(stocked, tmp_path):
    report_file = write_tsv(
        tmp_path / "unshipped.txt",
        AMAZON_UNSHIPPED_HEADER,
        [amazon_unshipped_row("112-0000001-0000001", "AMZ-MUG-NEW", 2)],
    )
    report = import_file(stocked, report_file)
    with stocked.read() as connection:
        held = order(connection, "112-0000001-0000001")
        assert report.created == 1
        assert held.status == "on_hold"
        assert held.hold_reasons == ["unmapped_sku"]
        assert [line.product_id for line in line_rows(connection, held.id)] == [None]
        assert count_rows(connection, allocations) == 0

    mapping = write_workspace(
        tmp_path / "workspace.yaml",
        stock=STOCK,
        extra="""
sku_mappings:
  - {channel: amazon-us, channel_sku: AMZ-MUG-NEW, sku: MUG-WHT}
""",
    )
    from ordertower.catalog.service import apply_workspace
    from ordertower.catalog.workspace import load_workspace_file

    with stocked.write() as connection:
        result = apply_workspace(connection, load_workspace_file(mapping), source=str(mapping))
        released = release_unmapped_holds(connection)

    assert result.mapped_channel_skus != []
    assert released == 1
    with stocked.read() as connection:
        routed = order(connection, "112-0000001-0000001")
        assert routed.status == "allocated"
        assert routed.hold_reasons == []
        assert [line.sku for line in line_rows(connection, routed.id)] == ["MUG-WHT"]
        assert allocated_units(connection, routed.id) == {("MUG-WHT", "LA"): 2}
        kinds = [(event.kind, event.from_status, event.to_status) for event in events_of(connection, routed.id)]
        assert kinds == [
            ("imported", None, "on_hold"),
            ("hold_released", "on_hold", "pending"),
            ("routed", "pending", "allocated"),
        ]
        assert stock_problems(connection) == []

    # The channel's data did not change, so importing the same report again writes nothing.
    again = import_file(stocked, report_file)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    with stocked.read() as connection:
        assert len(events_of(connection, routed.id)) == 3


def test_mapping_without_stock_backorders(stocked, tmp_path):
    import_file(
        stocked,
        write_tsv(
            tmp_path / "unshipped.txt",
            AMAZON_UNSHIPPED_HEADER,
            [amazon_unshipped_row("112-0000002-0000002", "AMZ-CAP", 1)],
        ),
    )
    mapping = write_workspace(
        tmp_path / "workspace.yaml",
        stock=STOCK,
        extra="""
sku_mappings:
  - {channel: amazon-us, channel_sku: AMZ-CAP, sku: CAP-BLK}
""",
    )
    apply_workspace_file(stocked, mapping)
    with stocked.write() as connection:
        assert order(connection, "112-0000002-0000002").status == "on_hold"
        released = release_unmapped_holds(connection)

    assert released == 1
    with stocked.read() as connection:
        assert order(connection, "112-0000002-0000002").status == "backordered"
        assert stock_problems(connection) == []


def test_mapping_keeps_other_hold_reasons(stocked, tmp_path):
    rows = [generic_row("WH-1", "OLD-MUG-CODE", 1, financial_status="pending")]
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", rows))
    apply_workspace_file(
        stocked,
        write_workspace(
            tmp_path / "workspace.yaml",
            stock=STOCK,
            extra="""
sku_mappings:
  - {channel: wholesale, channel_sku: OLD-MUG-CODE, sku: MUG-WHT}
""",
        ),
    )

    with stocked.write() as connection:
        assert order(connection, "WH-1").hold_reasons == ["unpaid", "unmapped_sku"]
        released = release_unmapped_holds(connection)

    assert released == 0
    with stocked.read() as connection:
        still_held = order(connection, "WH-1")
        assert still_held.status == "on_hold"
        assert still_held.hold_reasons == ["unpaid"]
        assert count_rows(connection, allocations) == 0
        assert event_chain_problems(connection, still_held.id) == []


def fba_row(order_id: str, **values: str) -> dict[str, str]:
    row = {
        "amazon-order-id": order_id,
        "purchase-date": "2024-03-01T10:12:44+00:00",
        "last-updated-date": "2024-03-02T08:00:00+00:00",
        "order-status": "Shipped",
        "fulfillment-channel": "Amazon",
        "sales-channel": "Amazon.com",
        "product-name": "Stoneware Mug",
        "sku": "MUG-WHT",
        "item-status": "Shipped",
        "quantity": "2",
        "currency": "USD",
        "item-price": "25.00",
        "item-tax": "2.00",
        "shipping-price": "4.99",
        "shipping-tax": "0.40",
        "ship-country": "US",
    }
    row.update(values)
    return row


@pytest.mark.parametrize("fulfillment_channel", ["Amazon", "AFN"])
def test_fba_order_shipped_without_stock(stocked, tmp_path, fulfillment_channel):
    with stocked.read() as connection:
        ledger_rows = count_rows(connection, stock_ledger)
    rows = [fba_row("113-0000001-0000001", **{"fulfillment-channel": fulfillment_channel})]

    report = import_file(stocked, write_tsv(tmp_path / "all-orders.txt", list(AMAZON_ALL_ORDERS_HEADER), rows))

    assert report.created == 1
    assert report.errors == []
    with stocked.read() as connection:
        fba = order(connection, "113-0000001-0000001")
        assert fba.status == "shipped"
        assert fba.fulfilled_by_channel is True
        assert fba.hold_reasons == []
        assert fba.address_problems == []
        assert fba.ship_line1 == ""  # Amazon redacts the street of orders it ships itself
        assert fba.ship_country_code == "US"
        assert allocated_units(connection, fba.id) == {}
        assert count_rows(connection, stock_ledger) == ledger_rows
        assert [(event.kind, event.to_status) for event in events_of(connection, fba.id)] == [("imported", "shipped")]


def test_invalid_address_held_not_dropped(stocked, tmp_path):
    rows = [
        generic_row("WH-NO-STREET", "MUG-WHT", 1, ship_line1=""),
        generic_row("WH-BAD-ZIP", "MUG-WHT", 1, ship_postal_code="ABCDE"),
    ]
    report = import_file(stocked, write_generic_csv(tmp_path / "orders.csv", rows))

    assert report.created == 2
    with stocked.read() as connection:
        for number, field in [("WH-NO-STREET", "line1"), ("WH-BAD-ZIP", "postal_code")]:
            held = order(connection, number)
            assert held.status == "on_hold"
            assert held.hold_reasons == ["address_invalid"]
            assert [problem["field"] for problem in held.address_problems] == [field]
            assert len(line_rows(connection, held.id)) == 1
            assert allocated_units(connection, held.id) == {}


def test_payment_status_decides_hold(stocked, tmp_path):
    rows = [
        generic_row("WH-PENDING", "MUG-WHT", 1, financial_status="pending"),
        generic_row("WH-AUTHORIZED", "MUG-WHT", 1, financial_status="authorized"),
        generic_row("WH-PAID", "MUG-WHT", 1, financial_status="paid"),
    ]
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", rows))

    with stocked.read() as connection:
        unpaid = order(connection, "WH-PENDING")
        assert (unpaid.status, unpaid.hold_reasons) == ("on_hold", ["unpaid"])
        authorized = order(connection, "WH-AUTHORIZED")
        assert (authorized.status, authorized.hold_reasons) == ("allocated", [])
        assert order(connection, "WH-PAID").status == "allocated"
        assert stock_problems(connection) == []


def test_paid_later_routes_held_order(stocked, tmp_path):
    import_file(
        stocked, write_generic_csv(tmp_path / "v1.csv", [generic_row("WH-1", "MUG-WHT", 2, financial_status="pending")])
    )
    report = import_file(stocked, write_generic_csv(tmp_path / "v2.csv", [generic_row("WH-1", "MUG-WHT", 2)]))

    assert report.updated == 1
    with stocked.read() as connection:
        paid = order(connection, "WH-1")
        assert paid.status == "allocated"
        assert paid.hold_reasons == []
        assert allocated_units(connection, paid.id) == {("MUG-WHT", "LA"): 2}
        assert event_chain_problems(connection, paid.id) == []
        assert stock_problems(connection) == []


def test_cancel_shipped_order_names_both_statuses(stocked, tmp_path):
    import_file(
        stocked,
        write_tsv(tmp_path / "all-orders.txt", list(AMAZON_ALL_ORDERS_HEADER), [fba_row("113-0000002-0000002")]),
    )

    with pytest.raises(InvalidTransitionError) as raised, stocked.write() as connection:
        cancel_order(connection, "113-0000002-0000002")

    message = str(raised.value)
    assert "shipped" in message
    assert "cancelled" in message
    assert raised.value.params["current"] == "shipped"
    assert raised.value.params["target"] == "cancelled"
    assert raised.value.code == "invalid_transition"
    with stocked.read() as connection:
        assert order(connection, "113-0000002-0000002").status == "shipped"


def test_cancel_of_cancelled_order_rejected(stocked, tmp_path):
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", [generic_row("WH-1", "MUG-WHT", 1)]))
    with stocked.write() as connection:
        cancel_order(connection, "WH-1")
    with stocked.read() as connection:
        ledger_rows = count_rows(connection, stock_ledger)

    with pytest.raises(OrderNotOpenError) as raised, stocked.write() as connection:
        cancel_order(connection, "WH-1")

    assert raised.value.code == "order_not_open"
    assert "already cancelled" in raised.value.render("en")
    with stocked.read() as connection:
        assert count_rows(connection, stock_ledger) == ledger_rows
        assert stock_problems(connection) == []


def test_every_status_change_has_event(stocked, tmp_path):
    rows = [
        generic_row("WH-ALLOCATED", "MUG-WHT", 1),
        generic_row("WH-HELD", "MUG-WHT", 1, financial_status="pending"),
        generic_row("WH-SHORT", "TEE-BLK-M", 50),
        generic_row("WH-CANCEL", "MUG-WHT", 2),
    ]
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", rows))
    with stocked.write() as connection:
        cancel_order(connection, "WH-CANCEL")
        reroute_order(connection, "WH-ALLOCATED")
    import_file(
        stocked,
        write_tsv(tmp_path / "all-orders.txt", list(AMAZON_ALL_ORDERS_HEADER), [fba_row("113-0000003-0000003")]),
    )

    with stocked.read() as connection:
        assert status_changes_without_event(connection) == []
        for number in ("WH-ALLOCATED", "WH-HELD", "WH-SHORT", "WH-CANCEL", "113-0000003-0000003"):
            assert event_chain_problems(connection, order(connection, number).id) == [], number
        assert stock_problems(connection) == []


def test_cancel_line_of_held_order(stocked, tmp_path):
    rows = [
        generic_row("WH-1", "MUG-WHT", 2, financial_status="pending"),
        generic_row("WH-1", "TEE-BLK-M", 1, financial_status="pending"),
    ]
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", rows))

    with stocked.write() as connection:
        changed = cancel_line(connection, "WH-1", 2)

    assert changed.status == "on_hold"
    with stocked.read() as connection:
        lines = line_rows(connection, changed.id)
        assert [(line.sku, line.cancelled_quantity) for line in lines] == [("MUG-WHT", 0), ("TEE-BLK-M", 1)]
        assert events_of(connection, changed.id)[-1].kind == "line_cancelled"
        assert event_chain_problems(connection, changed.id) == []


def test_cancel_line_of_allocated_order_releases_units(stocked, tmp_path):
    rows = [generic_row("WH-1", "MUG-WHT", 2), generic_row("WH-1", "TEE-BLK-M", 3)]
    import_file(stocked, write_generic_csv(tmp_path / "orders.csv", rows))

    with stocked.write() as connection:
        changed = cancel_line(connection, "WH-1", 2, quantity=2)

    assert changed.status == "allocated"
    with stocked.read() as connection:
        assert allocated_units(connection, changed.id) == {("MUG-WHT", "LA"): 2, ("TEE-BLK-M", "LA"): 1}
        assert stock_problems(connection) == []
        assert event_chain_problems(connection, changed.id) == []
