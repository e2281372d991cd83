"""OrderTower's generic order CSV: one row per line, for manual and wholesale orders.

The template is documented in docs/import-formats.md and shipped as
examples/generic-order-template.csv.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ordertower.channels.messages import row_error
from ordertower.channels.model import (
    ChannelOrderState,
    FinancialStatus,
    ParsedAddress,
    ParsedLine,
    ParsedOrder,
    RowError,
)
from ordertower.channels.reader import (
    CsvRow,
    OrderProblems,
    RecentOrders,
    clean_email,
    clean_excel_text,
    group_consecutive,
    read_csv,
)
from ordertower.kernel.i18n import Message
from ordertower.kernel.money import quantize

REQUIRED_COLUMNS = (
    "order_id",
    "order_date",
    "currency",
    "sku",
    "quantity",
    "unit_price",
    "ship_name",
    "ship_country",
)
OPTIONAL_COLUMNS = (
    "email",
    "customer_name",
    "phone",
    "ship_company",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_region",
    "ship_postal_code",
    "ship_phone",
    "line_discount",
    "line_tax",
    "shipping",
    "order_discount",
    "tax",
    "total",
    "financial_status",
    "product_name",
    "note",
)
TEMPLATE_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
FINANCIAL_STATUSES = {status.value: status for status in FinancialStatus}
DATE_FORM = Message(
    "ISO 8601, such as 2024-05-01 or 2024-05-01T10:00:00+08:00",
    "ISO 8601 格式，例如 2024-05-01 或 2024-05-01T10:00:00+08:00",
)


@dataclass(slots=True)
class OrderDetails:
    """Order-level values of an order, kept for a later fragment of the same order id."""

    currency: str
    placed_at: datetime
    financial_status: FinancialStatus


def parse_generic_csv(text: Iterable[str]) -> Iterator[ParsedOrder | RowError]:
    """Yield the orders of a generic CSV, grouping consecutive rows by order_id."""
    header, rows = read_csv(text, ",")
    if header is None:
        return
    missing = header.missing(REQUIRED_COLUMNS)
    if missing:
        for name in missing:
            yield row_error(1, name, "", "missing_column")
        return

    recent = RecentOrders()
    for group in group_consecutive(rows, "order_id"):
        if isinstance(group, RowError):
            yield group
        else:
            yield from _read_order(group, recent)


def _first_value(rows: list[CsvRow], column: str) -> tuple[int, str]:
    """Return (line, value) of the order's first row with a value in `column`, else (first line, "")."""
    for row in rows:
        if row.get(column):
            return row.line, row.get(column)
    return rows[0].line, ""


def _read_order(rows: list[CsvRow], recent: RecentOrders) -> Iterator[ParsedOrder | RowError]:
    problems = OrderProblems()
    first = rows[0]
    order_id = problems.required(first.line, "order_id", first.get("order_id"))
    earlier: OrderDetails | None = recent.get(order_id) if order_id else None
    details = _read_details(rows, problems, earlier)
    currency = details.currency if details else ""

    lines: list[ParsedLine] = []
    for row in rows:
        lines.append(_read_line(row, currency, problems))
        row_currency = row.get("currency")
        if row_currency and currency and row_currency.upper() != currency:
            problems.add(row.line, "currency", row_currency, "currency_mismatch", expected=currency)

    def order_amount(column: str) -> Decimal:
        line, value = _first_value(rows, column)
        return problems.amount(line, column, value, currency)

    shipping = order_amount("shipping")
    order_discount = order_amount("order_discount")
    line_discounts = sum((line.discount for line in lines), Decimal(0))
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal(0)) - line_discounts
    line_taxes = sum((line.tax for line in lines), Decimal(0))
    tax = order_amount("tax") if _first_value(rows, "tax")[1] else line_taxes
    computed_total = subtotal + shipping + tax - order_discount
    total = order_amount("total") if _first_value(rows, "total")[1] else computed_total

    address = _read_address(rows, problems, required=earlier is None)
    if problems.errors or details is None:
        yield from problems.errors
        return

    recent.remember(order_id, details)
    order = ParsedOrder(
        external_id=order_id,
        external_number=order_id,
        placed_at=details.placed_at,
        currency=currency,
        state=ChannelOrderState.OPEN,
        financial_status=details.financial_status,
        subtotal=quantize(subtotal, currency),
        discount_total=quantize(line_discounts + order_discount, currency),
        shipping_total=shipping,
        tax_total=quantize(tax, currency),
        total=quantize(total, currency),
        lines=lines,
        email=clean_email(_first_value(rows, "email")[1]),
        phone=clean_excel_text(_first_value(rows, "phone")[1]),
        customer_name=_first_value(rows, "customer_name")[1] or (address.name if address else ""),
        shipping_address=address,
        source_line=first.line,
    )
    if earlier is not None:
        order.extra["fragment"] = True
    note = _first_value(rows, "note")[1]
    if note:
        order.extra["note"] = note
    yield order


def _read_details(rows: list[CsvRow], problems: OrderProblems, earlier: OrderDetails | None) -> OrderDetails | None:
    """Read currency, date and payment status; a later fragment may leave them to its earlier part."""
    currency_line, currency_text = _first_value(rows, "currency")
    date_line, date_text = _first_value(rows, "order_date")
    status_line, status_text = _first_value(rows, "financial_status")
    if earlier is not None and not currency_text and not date_text and not status_text:
        return earlier

    currency = problems.currency(currency_line, "currency", currency_text)
    placed_at = problems.timestamp(date_line, "order_date", date_text, naive_utc=True, expected=DATE_FORM)
    financial_status = FINANCIAL_STATUSES.get(status_text.lower() or "paid")
    if financial_status is None:
        problems.add(
            status_line,
            "financial_status",
            status_text,
            "unknown_financial_status",
            expected=", ".join(FINANCIAL_STATUSES),
        )
    if not currency or placed_at is None or financial_status is None:
        return None
    return OrderDetails(currency, placed_at, financial_status)


def _read_line(row: CsvRow, currency: str, problems: OrderProblems) -> ParsedLine:
    # In this template the SKU is how the seller names the product, so an empty one is an error, not a hold.
    sku = problems.required(row.line, "sku", row.get("sku"))
    unit_price = problems.required(row.line, "unit_price", row.get("unit_price"))
    return ParsedLine(
        channel_sku=sku,
        name=row.get("product_name"),
        quantity=problems.quantity(row.line, "quantity", row.get("quantity")),
        unit_price=problems.amount(row.line, "unit_price", unit_price, currency),
        discount=problems.amount(row.line, "line_discount", row.get("line_discount"), currency),
        tax=problems.amount(row.line, "line_tax", row.get("line_tax"), currency),
    )


def _read_address(rows: list[CsvRow], problems: OrderProblems, *, required: bool) -> ParsedAddress | None:
    name_line, name = _first_value(rows, "ship_name")
    country_line, country_text = _first_value(rows, "ship_country")
    if required:
        problems.required(name_line, "ship_name", name)
        problems.required(country_line, "ship_country", country_text)
    address = ParsedAddress(
        name=name,
        company=_first_value(rows, "ship_company")[1],
        line1=_first_value(rows, "ship_line1")[1],
        line2=_first_value(rows, "ship_line2")[1],
        city=_first_value(rows, "ship_city")[1],
        region=_first_value(rows, "ship_region")[1],
        postal_code=clean_excel_text(_first_value(rows, "ship_postal_code")[1]),
        country_code=problems.country(country_line, "ship_country", country_text),
        phone=clean_excel_text(_first_value(rows, "ship_phone")[1]),
    )
    if address.is_empty() and not address.name:
        return None
    return address
