"""The generic order CSV template: columns, defaults and errors."""

from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from ordertower.channels.formats import read_orders, read_orders_file
from ordertower.channels.generic.template_csv import TEMPLATE_COLUMNS
from ordertower.channels.messages import row_error_code
from ordertower.channels.model import FinancialStatus, ParsedOrder, RowError

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "generic-order-template.csv"
HEADER = "order_id,order_date,currency,sku,quantity,unit_price,ship_name,ship_country"


def parse(text: str, encoding: str = "utf-8") -> tuple[list[ParsedOrder], list[RowError]]:
    source = read_orders(BytesIO(text.encode(encoding)), filename="orders.csv")
    assert source.format == "generic-csv"
    results = list(source)
    return (
        [item for item in results if isinstance(item, ParsedOrder)],
        [item for item in results if isinstance(item, RowError)],
    )


def test_example_file_has_template_columns():
    with EXAMPLE.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    assert tuple(header) == TEMPLATE_COLUMNS


def test_example_file_parses():
    with read_orders_file(EXAMPLE) as source:
        results = list(source)

    assert all(isinstance(item, ParsedOrder) for item in results)
    first, second = results
    assert isinstance(first, ParsedOrder)
    assert isinstance(second, ParsedOrder)
    assert first.external_id == "WH-1001"
    assert first.channel_kind == "generic"
    assert first.placed_at == datetime(2024, 5, 1, 1, 30, tzinfo=UTC)
    assert [(line.channel_sku, line.quantity) for line in first.lines] == [
        ("TEE-BLK-M", 10),
        ("TEE-WHT-M", 5),
    ]
    assert first.subtotal == Decimal("620.00")  # 10 x 45.00 - 20.00 + 5 x 38.00
    assert first.discount_total == Decimal("20.00")
    assert first.total == Decimal("635.00")  # subtotal + shipping 15.00
    assert first.shipping_address is not None
    assert first.shipping_address.name == "张伟"
    assert first.shipping_address.country_code == "CN"
    assert first.shipping_address.city == "杭州市"
    assert first.extra["note"] == "Wholesale order; deliver on weekdays"

    assert second.placed_at == datetime(2024, 5, 3, tzinfo=UTC)  # a date without zone is UTC midnight
    assert second.financial_status is FinancialStatus.PENDING
    assert second.total == Decimal("32.09")  # 25.00 + shipping 5.99 + tax 2.10 - order discount 1.00
    assert second.shipping_address is not None
    assert second.shipping_address.postal_code == "98101"


def test_defaults_paid_and_line_tax_sum():
    text = HEADER + ",line_tax\nA1,2024-01-02T03:04:05Z,EUR,SKU-1,2,10.00,Ann Lee,DE,1.90\nA1,,,SKU-2,1,5.00,,,0.95\n"
    orders, errors = parse(text)

    assert errors == []
    order = orders[0]
    assert order.financial_status is FinancialStatus.PAID
    assert order.tax_total == Decimal("2.85")
    assert order.total == Decimal("27.85")


def test_missing_sku_is_an_error_not_a_hold():
    orders, errors = parse(HEADER + "\nA1,2024-01-02,EUR,,2,10.00,Ann Lee,DE\nA2,2024-01-02,EUR,S,1,1.00,Bo,DE\n")

    assert [order.external_id for order in orders] == ["A2"]
    assert [(error.line, error.field, row_error_code(error)) for error in errors] == [(2, "sku", "missing_field")]


def test_row_errors_name_column_and_value():
    text = (
        HEADER + "\n"
        "A1,2024-13-45,EUR,S,1,1.00,Ann,DE\n"
        "A2,2024-01-02,EURO,S,1,1.00,Ann,DE\n"
        "A3,2024-01-02,EUR,S,1.5,1.00,Ann,DE\n"
        "A4,2024-01-02,EUR,S,1,€1.00,Ann,DE\n"
        "A5,2024-01-02,EUR,S,1,1.00,,Atlantis\n"
    )
    orders, errors = parse(text)

    assert orders == []
    assert [(error.line, error.field, error.value, row_error_code(error)) for error in errors] == [
        (2, "order_date", "2024-13-45", "invalid_date"),
        (3, "currency", "EURO", "unknown_currency"),
        (4, "quantity", "1.5", "invalid_quantity"),
        (5, "unit_price", "€1.00", "invalid_amount"),
        (6, "ship_name", "", "missing_field"),
        (6, "ship_country", "Atlantis", "invalid_country"),
    ]


def test_currency_mismatch_within_order():
    orders, errors = parse(HEADER + "\nA1,2024-01-02,EUR,S,1,1.00,Ann,DE\nA1,,USD,T,1,1.00,,\n")

    assert orders == []
    assert [(error.line, row_error_code(error)) for error in errors] == [(3, "currency_mismatch")]


def test_country_names_and_email():
    orders, _ = parse(HEADER + ",email\nA1,2024-01-02,USD,S,1,1.00,Ann,United States, Ann@Example.COM \n")

    assert orders[0].shipping_address is not None
    assert orders[0].shipping_address.country_code == "US"
    assert orders[0].email == "ann@example.com"


def test_missing_required_column():
    orders, errors = parse(
        "order_id,order_date,currency,sku,quantity,unit_price,ship_name\nA1,2024-01-02,EUR,S,1,1,A\n"
    )

    assert orders == []
    assert [(error.line, error.field, row_error_code(error)) for error in errors] == [
        (1, "ship_country", "missing_column")
    ]
