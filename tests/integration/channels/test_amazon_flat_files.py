"""Amazon flat-file reports written by the tests with the exact headers of Seller Central's reports."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from ordertower.channels.formats import read_orders_file
from ordertower.channels.messages import row_error_code
from ordertower.channels.model import ChannelOrderState, FinancialStatus, ParsedOrder, RowError

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples" / "amazon_flatfile_tsv"
PRICE_COLUMNS = ["currency", "item-price", "item-tax", "shipping-price", "shipping-tax"]


def header_of(name: str) -> list[str]:
    with (SAMPLES / name).open(encoding="utf-8") as handle:
        return handle.readline().rstrip("\r\n").split("\t")


ALL_ORDERS = header_of("airbyte_fixture_GET_FLAT_FILE_ARCHIVED_ORDERS_DATA_BY_ORDER_DATE_header_only.tsv")
SHIPMENTS = header_of("airbyte_fixture_GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL_header_only.tsv")
# The actionable report variant with prices, as Seller Central's Unshipped Orders report writes it.
UNSHIPPED = header_of("airbyte_fixture_GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING_header_only.tsv") + PRICE_COLUMNS


def write_report(path: Path, header: list[str], rows: list[dict[str, str]], *, repeat_header: bool = False) -> Path:
    lines = ["\t".join(header)]
    for row in rows:
        unknown = set(row) - set(header)
        assert not unknown, unknown
        lines.append("\t".join(row.get(name, "") for name in header))
        if repeat_header:
            lines.append("\t".join(header))
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def read(path: Path) -> tuple[list[ParsedOrder], list[RowError]]:
    with read_orders_file(path) as source:
        assert source.format == "amazon-tsv"
        results = list(source)
    return (
        [item for item in results if isinstance(item, ParsedOrder)],
        [item for item in results if isinstance(item, RowError)],
    )


def all_orders_row(order_id: str, **values: str) -> dict[str, str]:
    row = {
        "amazon-order-id": order_id,
        "merchant-order-id": "",
        "purchase-date": "2024-03-01T10:12:44+00:00",
        "last-updated-date": "2024-03-02T08:00:00+00:00",
        "order-status": "Shipped",
        "fulfillment-channel": "Amazon",
        "sales-channel": "Amazon.com",
        "product-name": "Ceramic Mug 350 ml",
        "sku": "MUG-350-WHT",
        "asin": "B0TESTMUG1",
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


def test_all_orders_fba_rows(tmp_path):
    path = write_report(
        tmp_path / "all-orders.txt",
        ALL_ORDERS,
        [
            all_orders_row("111-0000001-0000001"),
            all_orders_row("111-0000001-0000001", sku="MUG-350-BLK", quantity="1", **{"item-price": "12.50"}),
            all_orders_row("111-0000002-0000002", **{"order-status": "Pending", "fulfillment-channel": "Merchant"}),
        ],
    )
    orders, errors = read(path)

    assert errors == []
    assert [order.external_id for order in orders] == ["111-0000001-0000001", "111-0000002-0000002"]
    fba = orders[0]
    assert fba.fulfilled_by_channel is True
    assert fba.state is ChannelOrderState.FULFILLED
    assert fba.financial_status is FinancialStatus.PAID
    assert fba.channel_kind == "amazon"
    assert [(line.channel_sku, line.quantity, line.unit_price) for line in fba.lines] == [
        ("MUG-350-WHT", 2, Decimal("12.50")),
        ("MUG-350-BLK", 1, Decimal("12.50")),
    ]
    assert fba.subtotal == Decimal("37.50")
    assert fba.shipping_total == Decimal("9.98")
    assert fba.tax_total == Decimal("4.80")
    assert fba.total == Decimal("52.28")
    assert fba.placed_at == datetime(2024, 3, 1, 10, 12, 44, tzinfo=UTC)
    assert fba.updated_at == datetime(2024, 3, 2, 8, 0, tzinfo=UTC)
    # The All Orders report carries the ship-to country only; that is accepted.
    assert fba.shipping_address is not None
    assert fba.shipping_address.country_code == "US"
    assert fba.shipping_address.line1 == ""
    assert fba.shipping_address.city == ""
    assert orders[1].fulfilled_by_channel is False
    assert orders[1].financial_status is FinancialStatus.PENDING
    assert orders[1].state is ChannelOrderState.OPEN


def test_all_orders_unit_price_rounding_and_cancelled(tmp_path):
    path = write_report(
        tmp_path / "orders.tsv",
        ALL_ORDERS,
        [
            all_orders_row(
                "111-0000003-0000003", quantity="3", **{"item-price": "10.00", "fulfillment-channel": "MFN"}
            ),
            all_orders_row(
                "111-0000004-0000004",
                quantity="0",
                **{"order-status": "Cancelled", "item-status": "Cancelled", "item-price": "", "currency": ""},
            ),
        ],
    )
    orders, errors = read(path)

    assert errors == []
    assert orders[0].lines[0].unit_price == Decimal("3.33")
    assert orders[0].fulfilled_by_channel is False
    cancelled = orders[1]
    assert cancelled.state is ChannelOrderState.CANCELLED
    assert cancelled.currency == "USD"  # taken from the file's other rows
    assert cancelled.lines[0].quantity == 0


def test_cancelled_row_without_any_currency_in_file(tmp_path):
    path = write_report(
        tmp_path / "orders.tsv",
        ALL_ORDERS,
        [all_orders_row("111-0000005-0000005", quantity="0", currency="", **{"order-status": "Cancelled"})],
    )
    orders, errors = read(path)

    assert orders == []
    assert [(error.line, error.field, row_error_code(error)) for error in errors] == [
        (2, "currency", "no_currency_in_file")
    ]


def test_repeated_header_rows_skipped(tmp_path):
    rows = [all_orders_row("111-0000006-0000006"), all_orders_row("111-0000007-0000007")]
    path = write_report(tmp_path / "orders.tsv", ALL_ORDERS, rows, repeat_header=True)
    orders, errors = read(path)

    assert errors == []
    assert [order.source_line for order in orders] == [2, 4]


def test_bad_quantity_line_number(tmp_path):
    rows = [
        all_orders_row("111-0000008-0000008"),
        all_orders_row("111-0000009-0000009", quantity="two"),
        all_orders_row("111-0000010-0000010", quantity="0"),
    ]
    orders, errors = read(write_report(tmp_path / "orders.tsv", ALL_ORDERS, rows))

    assert [order.external_id for order in orders] == ["111-0000008-0000008"]
    assert [(error.line, error.field, error.value) for error in errors] == [
        (3, "quantity", "two"),
        (4, "quantity", "0"),
    ]


def test_missing_sku_is_a_hold(tmp_path):
    orders, errors = read(write_report(tmp_path / "orders.tsv", ALL_ORDERS, [all_orders_row("111-1", sku="")]))

    assert len(orders) == 1
    assert orders[0].lines[0].channel_sku == ""
    assert [(error.line, error.field, row_error_code(error)) for error in errors] == [(2, "sku", "missing_sku")]


def test_unshipped_report_full_address(tmp_path):
    row = {
        "order-id": "202-1234567-1234567",
        "order-item-id": "12345678901234",
        "purchase-date": "2024-05-01T23:59:59-07:00",
        "payments-date": "2024-05-01T23:59:59-07:00",
        "buyer-email": " Buyer01@Marketplace.Amazon.com ",
        "buyer-phone-number": "'0301234567",
        "sku": "TEA-GRN-100",
        "product-name": "绿茶 100g",
        "quantity-purchased": "4",
        "quantity-shipped": "0",
        "quantity-to-ship": "4",
        "recipient-name": "王芳",
        "ship-address-1": "1 Sample Road",
        "ship-address-2": "Flat 2",
        "ship-address-3": "Building B",
        "ship-city": "Berlin",
        "ship-state": "",
        "ship-postal-code": "'01067",
        "ship-country": "DE",
        "currency": "EUR",
        "item-price": "39.96",
        "item-tax": "6.38",
        "shipping-price": "0.00",
        "shipping-tax": "0.00",
    }
    orders, errors = read(write_report(tmp_path / "unshipped.txt", UNSHIPPED, [row]))

    assert errors == []
    order = orders[0]
    assert order.state is ChannelOrderState.OPEN
    assert order.financial_status is FinancialStatus.PAID
    assert order.fulfilled_by_channel is False
    assert order.placed_at == datetime(2024, 5, 2, 6, 59, 59, tzinfo=UTC)
    assert order.email == "buyer01@marketplace.amazon.com"
    assert order.phone == "0301234567"
    line = order.lines[0]
    assert (line.external_line_id, line.quantity, line.unit_price, line.tax) == (
        "12345678901234",
        4,
        Decimal("9.99"),
        Decimal("6.38"),
    )
    assert line.name == "绿茶 100g"
    address = order.shipping_address
    assert address is not None
    assert (address.name, address.line1, address.line2) == ("王芳", "1 Sample Road", "Flat 2, Building B")
    assert (address.postal_code, address.country_code) == ("01067", "DE")


def test_fulfilled_shipments_report(tmp_path):
    row = {
        "amazon-order-id": "113-0000001-0000001",
        "amazon-order-item-id": "55555555555555",
        "purchase-date": "2024-06-01T12:00:00+00:00",
        "buyer-email": "x@marketplace.amazon.com",
        "sku": "MUG-350-WHT",
        "quantity-shipped": "1",
        "currency": "USD",
        "item-price": "12.50",
        "ship-city": "Austin",
        "ship-country": "US",
        "fulfillment-channel": "AFN",
        "tracking-number": "TBA000000000001",
    }
    orders, errors = read(write_report(tmp_path / "shipments.tsv", SHIPMENTS, [row]))

    assert errors == []
    assert orders[0].state is ChannelOrderState.FULFILLED
    assert orders[0].fulfilled_by_channel is True
    assert orders[0].extra["tracking_number"] == "TBA000000000001"


def test_vat_inclusive_totals_add_no_tax(tmp_path):
    path = write_report(
        tmp_path / "orders.tsv",
        ALL_ORDERS,
        [
            all_orders_row("202-0000001-0000001", **{"sales-channel": "Amazon.co.uk", "currency": "GBP"}),
            all_orders_row("302-0000002-0000002", **{"sales-channel": "Amazon.de", "currency": "EUR"}),
            all_orders_row("702-0000003-0000003", **{"sales-channel": "Amazon.ca", "currency": "CAD"}),
            all_orders_row("111-0000004-0000004", **{"sales-channel": "Non-Amazon", "currency": "EUR"}),
        ],
    )
    orders, errors = read(path)

    assert errors == []
    # In the UK, in Germany and for EUR orders of other channels, item-price 25.00 and shipping-price 4.99
    # include VAT of 2.00 and 0.40. In Canada, as in the US, the tax comes on top.
    assert [(order.currency, order.tax_total, order.total) for order in orders] == [
        ("GBP", Decimal("2.40"), Decimal("29.99")),
        ("EUR", Decimal("2.40"), Decimal("29.99")),
        ("CAD", Decimal("2.40"), Decimal("32.39")),
        ("EUR", Decimal("2.40"), Decimal("29.99")),
    ]
