"""Turning a parsed channel order into stored values, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from ordertower.catalog.snapshot import CatalogSnapshot, ProductInfo
from ordertower.channels.model import ChannelOrderState, FinancialStatus, ParsedAddress, ParsedLine, ParsedOrder
from ordertower.orders.model import HoldReason, OrderStatus
from ordertower.orders.preparation import merge_fragments, prepare_order

CHANNEL_ID = 7


def catalog() -> CatalogSnapshot:
    snapshot = CatalogSnapshot()
    snapshot.products[1] = ProductInfo(1, "MUG-WHT", "Mug", False)
    snapshot.product_ids_by_sku["MUG-WHT"] = 1
    snapshot.mappings[CHANNEL_ID] = {"AMZ-MUG": 1}
    return snapshot


def parsed(*, currency: str = "USD", lines: list[ParsedLine] | None = None, **values) -> ParsedOrder:
    order = ParsedOrder(
        external_id="1001",
        external_number="#1001",
        placed_at=datetime(2024, 5, 1, 10, tzinfo=UTC),
        currency=currency,
        state=ChannelOrderState.OPEN,
        financial_status=FinancialStatus.PAID,
        subtotal=Decimal("25.00"),
        discount_total=Decimal(0),
        shipping_total=Decimal("4.99"),
        tax_total=Decimal(0),
        total=Decimal("29.99"),
        lines=lines if lines is not None else [ParsedLine("MUG-WHT", "Mug", 2, Decimal("12.50"))],
        email="buyer@example.com",
        shipping_address=ParsedAddress(
            name="Sam Fakename",
            line1="1 Sample Road",
            city="Seattle",
            region="WA",
            postal_code="98101",
            country_code="US",
        ),
    )
    return replace(order, **values)


def test_amounts_in_minor_units():
    prepared = prepare_order(parsed(), channel_id=CHANNEL_ID, catalog=catalog())

    assert prepared.values["total"] == 2999
    assert prepared.values["shipping_total"] == 499
    assert prepared.lines[0].values["unit_price"] == 1250
    assert prepared.target_status is OrderStatus.PENDING
    assert prepared.hold_reasons == []


def test_yen_has_no_minor_unit():
    order = parsed(
        currency="JPY",
        subtotal=Decimal(1990),
        shipping_total=Decimal(0),
        total=Decimal(1990),
        lines=[ParsedLine("MUG-WHT", "Mug", 1, Decimal(1990))],
    )

    prepared = prepare_order(order, channel_id=CHANNEL_ID, catalog=catalog())

    assert prepared.values["total"] == 1990
    assert prepared.lines[0].values["unit_price"] == 1990


def test_mapped_and_unmapped_lines():
    order = parsed(lines=[ParsedLine("AMZ-MUG", "Mug", 1, Decimal(10)), ParsedLine("AMZ-NEW", "New", 1, Decimal(10))])

    prepared = prepare_order(order, channel_id=CHANNEL_ID, catalog=catalog())

    assert [line.product_id for line in prepared.lines] == [1, None]
    assert prepared.hold_reasons == [HoldReason.UNMAPPED_SKU]
    assert prepared.target_status is OrderStatus.ON_HOLD


def test_fully_cancelled_unmapped_line_not_held():
    order = parsed(
        lines=[
            ParsedLine("MUG-WHT", "Mug", 1, Decimal(10)),
            ParsedLine("AMZ-NEW", "New", 2, Decimal(10), cancelled_quantity=2),
        ]
    )

    prepared = prepare_order(order, channel_id=CHANNEL_ID, catalog=catalog())

    assert prepared.hold_reasons == []


def test_hash_ignores_mapping_but_not_content():
    unmapped = prepare_order(
        parsed(lines=[ParsedLine("AMZ-X", "Mug", 1, Decimal(10))]), channel_id=CHANNEL_ID, catalog=catalog()
    )
    later_catalog = catalog()
    later_catalog.mappings[CHANNEL_ID]["AMZ-X"] = 1
    mapped = prepare_order(
        parsed(lines=[ParsedLine("AMZ-X", "Mug", 1, Decimal(10))]), channel_id=CHANNEL_ID, catalog=later_catalog
    )
    more = prepare_order(
        parsed(lines=[ParsedLine("AMZ-X", "Mug", 2, Decimal(10))]), channel_id=CHANNEL_ID, catalog=later_catalog
    )

    assert unmapped.content_hash == mapped.content_hash
    assert more.content_hash != mapped.content_hash


def test_merge_fragments_appends_lines():
    first = parsed(email="", lines=[ParsedLine("MUG-WHT", "Mug", 1, Decimal(10))])
    later = parsed(
        email="later@example.com", shipping_address=None, lines=[ParsedLine("AMZ-MUG", "Mug", 3, Decimal(10))]
    )

    merged = merge_fragments(first, later)

    assert [(line.channel_sku, line.quantity) for line in merged.lines] == [("MUG-WHT", 1), ("AMZ-MUG", 3)]
    assert merged.email == "later@example.com"
    assert merged.shipping_address is not None
    assert merged.shipping_address.city == "Seattle"
