"""Turning a parsed channel order into stored values, without a database."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from ordertower.catalog.snapshot import CatalogSnapshot, ProductInfo
from ordertower.channels.model import ChannelOrderState, FinancialStatus, ParsedAddress, ParsedLine, ParsedOrder
from ordertower.orders.model import HoldReason, OrderStatus
from ordertower.orders.preparation import PreparedLine, content_hash, merge_fragments, prepare_order

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


LINE_HASH_KEYS = (
    "line_number", "external_line_id", "channel_sku", "name", "quantity", "cancelled_quantity",
    "unit_price", "discount", "tax",
)  # fmt: skip


def reference_hash(values: dict, lines: list[PreparedLine]) -> str:
    """The fingerprint's definition, which stored orders were hashed with."""
    order_part = [(key, values[key]) for key in sorted(values) if key not in ("hold_reasons", "address_problems")]
    line_parts = [[(key, line.values[key]) for key in LINE_HASH_KEYS] for line in lines]
    return hashlib.sha256(repr((order_part, line_parts)).encode()).hexdigest()


def test_hash_matches_repr_definition():
    prepared = prepare_order(parsed(), channel_id=CHANNEL_ID, catalog=catalog())

    assert prepared.content_hash == reference_hash(prepared.values, prepared.lines)


def test_hash_of_awkward_values_matches_repr():
    tricky_texts = ["it's", 'say "hi"', "{name}", "100 %s %%", "back\\slash", "tab\there", "张伟", "\x00", ""]
    values = {f"key {text}": text for text in tricky_texts}
    values.update(
        {
            "hold_reasons": ["unpaid"],
            "address_problems": [{"field": "city"}],
            "none": None,
            "flag": True,
            "count": -12,
            "placed_at": datetime(2024, 5, 1, 10, 0, 0, 250, tzinfo=UTC),
            "%(key)s {0}": 1,
        }
    )
    line_values = dict.fromkeys(LINE_HASH_KEYS, "")
    lines = [
        PreparedLine(1, {**line_values, "line_number": 1, "name": "50 % {off}", "quantity": 2}, None, 2),
        PreparedLine(2, {**line_values, "line_number": 2, "channel_sku": "A'B", "tax": -5, "sku": "X"}, 1, 0),
    ]

    assert content_hash(values, lines) == reference_hash(values, lines)
    assert content_hash(values, []) == reference_hash(values, [])
    assert content_hash({}, []) == reference_hash({}, [])
    assert content_hash({"only": 1}, lines[:1]) == reference_hash({"only": 1}, lines[:1])


def test_hash_independent_of_key_order():
    values = {"b": 1, "a": "x", "hold_reasons": []}
    reordered = {"hold_reasons": ["unpaid"], "a": "x", "b": 1}

    assert content_hash(values, []) == content_hash(reordered, [])


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
