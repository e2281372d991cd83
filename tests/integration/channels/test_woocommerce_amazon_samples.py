"""WooCommerce and Amazon sample files read end to end through read_orders_file."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ordertower.channels.formats import UnknownFormatError, read_orders_file
from ordertower.channels.messages import row_error_code
from ordertower.channels.model import ChannelOrderState, FinancialStatus, ParsedOrder, RowError

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples"
WOO_DIR = SAMPLES / "woocommerce_json"
AMAZON_DIR = SAMPLES / "amazon_flatfile_tsv"
SALE_REPORT = SAMPLES / "amazon_sale_report_in" / "amazon_in_sale_report_kaggle_cut.csv"


def read(path: Path, format_name: str | None = None) -> tuple[list[ParsedOrder], list[RowError], str]:
    with read_orders_file(path, format=format_name) as source:
        results = list(source)
        detected = source.format
    orders = [item for item in results if isinstance(item, ParsedOrder)]
    errors = [item for item in results if isinstance(item, RowError)]
    return orders, errors, detected


def test_woocommerce_single_order_response():
    orders, errors, detected = read(WOO_DIR / "woocommerce_v3_docs_create_order_response.json")

    assert detected == "woocommerce-json"
    assert len(orders) == 1
    order = orders[0]
    assert order.channel_kind == "woocommerce"
    assert order.external_id == "727"
    assert order.currency == "USD"
    assert order.total == Decimal("29.35")
    assert order.subtotal == Decimal("18.00")
    assert order.shipping_total == Decimal("10.00")
    assert order.tax_total == Decimal("1.35")
    assert order.placed_at == datetime(2017, 3, 22, 19, 28, 2, tzinfo=UTC)  # date_created_gmt
    assert order.state is ChannelOrderState.OPEN
    assert order.financial_status is FinancialStatus.PAID
    assert [(line.channel_sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("", 2, Decimal("3.00")),
        ("Bar3", 1, Decimal("12.00")),
    ]
    assert order.lines[1].name == "Ship Your Idea – Color: Black, Size: M Test"  # &ndash; unescaped
    assert [(error.line, error.field, row_error_code(error)) for error in errors] == [
        (1, "line_items[0].sku", "missing_sku")
    ]


def test_woocommerce_order_list():
    orders, errors, _ = read(WOO_DIR / "woocommerce_v3_docs_list_orders_response.json")

    assert [order.external_id for order in orders] == ["727", "723"]
    assert sum(len(order.lines) for order in orders) == 4
    completed = orders[1]
    assert completed.state is ChannelOrderState.FULFILLED
    assert completed.financial_status is FinancialStatus.PAID
    assert completed.total == Decimal("39.00")
    assert completed.customer_name == "João Silva"
    assert completed.shipping_address is not None
    assert completed.shipping_address.country_code == "BR"
    assert completed.shipping_address.postal_code == "12345-000"
    assert completed.email == "joao.silva@example.com"
    assert [(error.line, error.field) for error in errors] == [
        (1, "line_items[0].sku"),
        (2, "line_items[0].sku"),
        (2, "line_items[1].sku"),
    ]


def test_woocommerce_real_store_order():
    orders, errors, _ = read(WOO_DIR / "woocommerce_v3_order_real_store_anonymized.json")

    assert len(orders) == 1
    assert len(errors) == 1
    order = orders[0]
    assert order.external_id == "897"
    assert order.total == Decimal("28.44")
    assert order.shipping_total == Decimal("13.45")
    assert order.lines[0].unit_price == Decimal("14.99")
    assert order.placed_at == datetime(2021, 9, 6, 18, 5, 9, tzinfo=UTC)
    assert order.updated_at == datetime(2021, 9, 6, 18, 5, 12, tzinfo=UTC)
    assert order.billing_address is not None
    assert order.billing_address.company == "Example Company 01"
    assert order.shipping_address is not None
    assert order.shipping_address.city == "Lagos"  # kept as the buyer typed it, with state TX
    assert order.shipping_address.country_code == "US"


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("woocommerce_v3_docs_order_refund_response.json", "WooCommerce refund"),
        ("woocommerce_v3_docs_webhook_resource_order_updated.json", "WooCommerce webhook definition"),
    ],
)
def test_woocommerce_non_order_files(name, what):
    with pytest.raises(UnknownFormatError) as raised:
        read_orders_file(WOO_DIR / name)
    assert what in raised.value.render("en")

    orders, errors, _ = read(WOO_DIR / name, "woocommerce-json")
    assert orders == []
    assert [row_error_code(error) for error in errors] == ["not_an_order"]


@pytest.mark.parametrize(
    "name",
    [
        "airbyte_fixture_GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL_header_only.tsv",
        "airbyte_fixture_GET_FLAT_FILE_ARCHIVED_ORDERS_DATA_BY_ORDER_DATE_header_only.tsv",
    ],
)
def test_amazon_header_only_reports(name):
    orders, errors, detected = read(AMAZON_DIR / name)

    # The header is stored three times; the repeats are skipped, so no row is an error.
    assert detected == "amazon-tsv"
    assert orders == []
    assert errors == []


def test_amazon_actionable_report_without_prices(tmp_path):
    sample = AMAZON_DIR / "airbyte_fixture_GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING_header_only.tsv"
    orders, errors, detected = read(sample)

    # The header is stored three times and no data row follows.
    assert detected == "amazon-tsv"
    assert orders == []
    assert errors == []

    header = sample.read_text(encoding="utf-8").splitlines()[0].split("\t")
    values = {
        "order-id": "111-0000001-0000001",
        "order-item-id": "51234567890123",
        "purchase-date": "2026-11-27T08:15:02+00:00",
        "buyer-email": "Buyer@Example.com",
        "sku": "AMZ-TEE-B-M",
        "product-name": "Tee",
        "quantity-purchased": "2",
        "recipient-name": "Jane Doe",
        "ship-address-1": "1 Sample Road",
        "ship-city": "Seattle",
        "ship-state": "WA",
        "ship-postal-code": "98101",
        "ship-country": "US",
    }
    path = tmp_path / "unshipped.txt"
    path.write_text(
        "\t".join(header) + "\n" + "\t".join(values.get(name, "") for name in header) + "\n", encoding="utf-8"
    )
    orders, errors, detected = read(path)

    # No prices in this report, so the order carries the "no currency" code and a flag.
    assert errors == []
    assert len(orders) == 1
    assert orders[0].currency == "XXX"
    assert orders[0].extra["amounts_missing"] is True
    assert orders[0].shipping_address.line1 == "1 Sample Road"
    assert orders[0].shipping_address.postal_code == "98101"
    assert orders[0].lines[0].quantity == 2


def test_amazon_sale_report_counts():
    orders, errors, detected = read(SALE_REPORT)

    assert detected == "amazon-tsv"
    assert errors == []
    assert len(orders) == 21
    assert sum(len(order.lines) for order in orders) == 21
    assert {order.currency for order in orders} == {"INR"}
    assert sum(order.total for order in orders) == Decimal("10897.43")
    assert sum(order.state is ChannelOrderState.CANCELLED for order in orders) == 4
    assert sum(order.state is ChannelOrderState.FULFILLED for order in orders) == 17
    assert sum(order.fulfilled_by_channel for order in orders) == 16
    assert all(order.placed_at == datetime(2022, 4, 30, tzinfo=UTC) for order in orders)


def test_amazon_sale_report_rows():
    orders = {order.external_id: order for order in read(SALE_REPORT)[0]}

    first = orders["405-8078784-5731545"]
    assert first.state is ChannelOrderState.CANCELLED
    assert first.financial_status is FinancialStatus.VOIDED
    assert first.lines[0].quantity == 0
    assert first.total == Decimal("647.62")
    assert first.shipping_address is not None
    assert first.shipping_address.postal_code == "400081"
    assert first.shipping_address.city == "MUMBAI"
    assert first.shipping_address.country_code == "IN"
    assert first.source_line == 2

    # Cancelled with empty currency and amount: the currency of the file's other rows is used.
    no_currency = orders["407-5443024-5233168"]
    assert no_currency.currency == "INR"
    assert no_currency.total == Decimal("0.00")
    assert no_currency.fulfilled_by_channel is True

    shipped = orders["171-9198151-1101146"]
    assert shipped.state is ChannelOrderState.FULFILLED
    assert shipped.fulfilled_by_channel is False
    assert shipped.lines[0].channel_sku == "JNE3781-KR-XXXL"
    assert shipped.lines[0].unit_price == Decimal("406.00")
    assert shipped.extra["sales_channel"] == "Amazon.in"
