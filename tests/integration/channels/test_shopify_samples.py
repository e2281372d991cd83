"""Shopify sample exports and API payloads read end to end through read_orders_file."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ordertower.channels.formats import UnknownFormatError, read_orders_file
from ordertower.channels.messages import is_hold, row_error_code
from ordertower.channels.model import ChannelOrderState, FinancialStatus, ParsedOrder, RowError

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples"
CSV_DIR = SAMPLES / "shopify_orders_export_csv"
JSON_DIR = SAMPLES / "shopify_webhook_json"


def read(path: Path, format_name: str | None = None) -> tuple[list[ParsedOrder], list[RowError]]:
    with read_orders_file(path, format=format_name) as source:
        results = list(source)
    orders = [item for item in results if isinstance(item, ParsedOrder)]
    errors = [item for item in results if isinstance(item, RowError)]
    return orders, errors


def by_number(orders: list[ParsedOrder]) -> dict[str, ParsedOrder]:
    return {order.external_number: order for order in orders}


def test_bd_export_counts_and_cod_orders():
    orders, errors = read(CSV_DIR / "shopify_orders_export_BD_BDT_cod_multiline_note_attributes.csv")

    assert len(orders) == 5
    assert sum(len(order.lines) for order in orders) == 6
    assert {order.currency for order in orders} == {"BDT"}
    assert all(order.financial_status is FinancialStatus.PENDING for order in orders)
    assert all(order.state is ChannelOrderState.OPEN for order in orders)
    # Every line lacks a SKU: each is a hold that comes with its order, never a blocking error.
    assert len(errors) == 6
    assert all(is_hold(error) for error in errors)
    assert all(line.channel_sku == "" for order in orders for line in order.lines)


def test_bd_export_line_numbers_follow_multiline_notes():
    orders, errors = read(CSV_DIR / "shopify_orders_export_BD_BDT_cod_multiline_note_attributes.csv")

    # Each order's Note Attributes cell spans 10 physical lines.
    assert [order.source_line for order in orders] == [2, 12, 22, 32, 42]
    assert [error.line for error in errors] == [2, 12, 22, 32, 42, 52]


def test_bd_export_order_with_two_lines():
    orders, _ = read(CSV_DIR / "shopify_orders_export_BD_BDT_cod_multiline_note_attributes.csv")
    order = by_number(orders)["#71737"]

    assert order.external_id == "16718821261681"
    assert order.total == Decimal("1700.00")
    assert order.subtotal == Decimal("1600.00")
    assert order.discount_total == Decimal("400.00")
    assert order.shipping_total == Decimal("100.00")
    assert [line.unit_price for line in order.lines] == [Decimal("600.00"), Decimal("1400.00")]
    assert order.placed_at == datetime(2026, 4, 5, 21, 48, 3, tzinfo=UTC)
    assert order.shipping_address is not None
    assert order.shipping_address.postal_code == ""  # the export writes "-" for no postal code
    assert order.shipping_address.country_code == "BD"


def test_ca_export_multi_line_orders():
    orders, errors = read(CSV_DIR / "shopify_orders_export_CA_CAD_hst_multi_line_items.csv")

    assert len(orders) == 20
    assert sum(len(order.lines) for order in orders) == 64
    assert {order.currency for order in orders} == {"CAD"}
    assert len(errors) == 64
    assert {row_error_code(error) for error in errors} == {"missing_sku"}

    first = by_number(orders)["#1058"]
    assert len(first.lines) == 6
    assert first.total == Decimal("220.06")
    assert first.tax_total == Decimal("25.31")
    assert first.placed_at == datetime(2025, 3, 20, 12, 20, 57, tzinfo=UTC)
    assert first.shipping_address is not None
    assert first.shipping_address.postal_code == "P1H 1L6"
    assert first.shipping_address.region == "ON"
    assert first.email == "customer001@example.com"


def test_ca_export_line_discounts_and_refund():
    orders = by_number(read(CSV_DIR / "shopify_orders_export_CA_CAD_hst_multi_line_items.csv")[0])

    bulk = orders["#1103"].lines[0]
    assert bulk.quantity == 23
    assert bulk.unit_price == Decimal("7.49")
    assert bulk.discount == Decimal("17.02")
    # One line and no shipping: the order's tax is that line's tax.
    assert bulk.tax == Decimal("7.76")
    assert orders["#1095"].financial_status is FinancialStatus.PARTIALLY_REFUNDED
    assert orders["#1087"].billing_address is not None
    assert orders["#1087"].billing_address.country_code == "US"


def test_gb_export_cancelled_and_fulfilled():
    orders, errors = read(CSV_DIR / "shopify_orders_export_GB_GBP_tiktok_shop_channel.csv")

    assert len(orders) == 60
    assert sum(len(order.lines) for order in orders) == 61
    assert {order.currency for order in orders} == {"GBP"}
    cancelled = [order for order in orders if order.state is ChannelOrderState.CANCELLED]
    assert len(cancelled) == 8
    assert all(order.financial_status is FinancialStatus.REFUNDED for order in cancelled)
    assert sum(order.state is ChannelOrderState.FULFILLED for order in orders) == 46
    assert [(error.line, error.field) for error in errors] == [
        (32, "Lineitem sku"),
        (47, "Lineitem sku"),
        (82, "Lineitem sku"),
    ]


def test_gb_export_order_details():
    orders = by_number(read(CSV_DIR / "shopify_orders_export_GB_GBP_tiktok_shop_channel.csv")[0])

    two_lines = orders["#1050"]
    assert [line.channel_sku for line in two_lines.lines] == ["53075587-pink-m", "53075587-pink-s"]
    assert two_lines.total == Decimal("64.40")
    assert two_lines.discount_total == Decimal("9.56")
    summer_time = orders["#1006"]
    assert summer_time.placed_at == datetime(2025, 10, 25, 18, 54, 58, tzinfo=UTC)
    assert summer_time.shipping_address is not None
    assert summer_time.shipping_address.postal_code == "LA9 7BB"
    assert summer_time.shipping_address.region == "ENG"
    assert summer_time.phone == "(+44)07000000053"
    assert summer_time.email == "fake-relay-0053@scs.tiktok.example"
    assert summer_time.shipping_address.name == "Lee Placeholder53"  # "Lee Placeholder53 " in the file
    assert orders["#1060"].lines[0].name == "Women’s Sparkle Off-Shoulder Maxi Dress - WHITE / S"


def test_za_export_postal_codes_and_voided():
    orders, errors = read(CSV_DIR / "shopify_orders_export_ZA_ZAR_vat_inclusive_2021.csv")

    assert errors == []
    assert len(orders) == 50
    assert sum(len(order.lines) for order in orders) == 101
    assert {order.currency for order in orders} == {"ZAR"}
    postal_codes = [order.shipping_address.postal_code for order in orders if order.shipping_address]
    assert len(postal_codes) == 49
    assert all(code.isdigit() and len(code) == 4 for code in postal_codes)

    numbered = by_number(orders)
    assert numbered["#13520"].shipping_address is not None
    assert numbered["#13520"].shipping_address.postal_code == "0183"
    assert numbered["#13519"].shipping_address is not None
    assert numbered["#13519"].shipping_address.line1 == "1 Sample Road"  # trailing space stripped
    for voided in ("#13549", "#13554"):
        assert numbered[voided].state is ChannelOrderState.CANCELLED
        assert numbered[voided].financial_status is FinancialStatus.VOIDED
    assert numbered["#13562"].shipping_address is None  # a gift voucher ships nowhere


def test_za_export_totals():
    orders = by_number(read(CSV_DIR / "shopify_orders_export_ZA_ZAR_vat_inclusive_2021.csv")[0])

    big = orders["#13531"]
    assert len(big.lines) == 6
    assert big.total == Decimal("33017.00")
    assert big.tax_total == Decimal("4306.57")
    assert big.placed_at == datetime(2021, 5, 14, 7, 10, 4, tzinfo=UTC)
    assert orders["#13521"].source_line == 4
    assert orders["#13522"].source_line == 17  # after the 13-line gift note of #13521
    # Shipping is charged, so the order's tax cannot be put on its single line.
    assert orders["#13519"].lines[0].tax == Decimal("0")


def test_orders_list_uses_presentment_money():
    orders, errors = read(JSON_DIR / "shopify_api_js_mock_rest_2024-04_orders_list_with_refund_and_fulfillment.json")

    assert errors == []
    assert len(orders) == 1
    order = orders[0]
    assert order.external_id == "450789469"
    assert order.external_number == "#1001"
    assert order.currency == "USD"
    assert order.subtotal == Decimal("597.00")
    assert order.discount_total == Decimal("10.00")
    assert order.shipping_total == Decimal("0.00")
    assert order.tax_total == Decimal("11.94")
    assert order.total == Decimal("598.94")
    assert order.financial_status is FinancialStatus.PARTIALLY_REFUNDED
    assert order.state is ChannelOrderState.OPEN
    assert order.placed_at == datetime(2008, 1, 10, 16, 0, tzinfo=UTC)
    assert order.email == "bob.norman@mail.example.com"


def test_orders_list_lines_and_address():
    orders, _ = read(JSON_DIR / "shopify_api_js_mock_rest_2024-04_orders_list_with_refund_and_fulfillment.json")
    order = orders[0]

    assert [line.external_line_id for line in order.lines] == ["466157049", "518995019", "703073504"]
    assert [line.tax for line in order.lines] == [Decimal("3.98")] * 3
    # current_quantity 0 on the refunded green and black iPods.
    assert [line.cancelled_quantity for line in order.lines] == [1, 0, 1]
    assert order.shipping_address is not None
    assert order.shipping_address.name == "Bob Norman"
    assert order.shipping_address.country_code == "US"
    assert order.shipping_address.region == "KY"
    assert order.shipping_address.postal_code == "40202"


def test_old_order_fixture_without_money_sets():
    orders, errors = read(JSON_DIR / "shopify_python_api_fixture_order.json")

    assert errors == []
    assert len(orders) == 1
    order = orders[0]
    assert order.financial_status is FinancialStatus.AUTHORIZED
    assert order.total == Decimal("409.94")
    assert order.subtotal == Decimal("398.00")
    assert len(order.lines) == 3
    assert all(line.discount == Decimal("0") for line in order.lines)


def test_orders_fixture_without_line_items():
    orders, errors = read(JSON_DIR / "shopify_python_api_fixture_orders.json")

    assert orders == []
    assert [(error.line, error.field, row_error_code(error)) for error in errors] == [(1, "line_items", "no_lines")]


def test_minimal_order_lacks_date_and_currency():
    orders, errors = read(JSON_DIR / "shopify_api_js_mock_rest_2024-04_order_minimal_response.json")

    assert orders == []
    assert {(error.field, row_error_code(error)) for error in errors} == {
        ("currency", "missing_field"),
        ("created_at", "missing_field"),
    }


NON_ORDER_FILES = [
    "shopify_api_js_mock_rest_2024-04_fulfillment_events_list.json",
    "shopify_api_js_mock_rest_2024-04_fulfillment_orders_list.json",
    "shopify_api_js_mock_rest_2024-04_fulfillments_list.json",
    "shopify_api_js_mock_rest_2024-04_refunds_list.json",
    "shopify_api_js_mock_rest_2024-04_transactions_list.json",
    "shopify_python_api_fixture_fulfillment.json",
    "shopify_python_api_fixture_fulfillment_event.json",
    "shopify_python_api_fixture_refund.json",
    "shopify_python_api_fixture_transaction.json",
]


@pytest.mark.parametrize("name", NON_ORDER_FILES)
def test_non_order_file_rejected_on_detection(name):
    with pytest.raises(UnknownFormatError) as raised:
        read_orders_file(JSON_DIR / name)

    assert raised.value.code == "unknown_format"
    assert "not orders" in raised.value.render("en")
    assert name in raised.value.render("zh")


@pytest.mark.parametrize("name", NON_ORDER_FILES)
def test_non_order_file_forced_yields_error(name):
    orders, errors = read(JSON_DIR / name, "shopify-json")

    assert orders == []
    assert len(errors) == 1
    assert row_error_code(errors[0]) == "not_an_order"
