"""Amazon Seller Central order reports: the tab-separated flat files and the "Amazon Sale Report" CSV.

All share one row per order item, rows of one order sharing the order id. The
report kind is recognised from the header, and each kind maps its own column names
onto the same concepts (see REPORT_COLUMNS).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from ordertower.channels.amazon.columns import REPORT_COLUMNS, ReportKind, report_kind
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
    CsvHeader,
    CsvRow,
    OrderProblems,
    clean_email,
    clean_excel_text,
    country_code,
    divide_amount,
    group_consecutive,
    peek_first_line,
    read_csv,
)
from ordertower.kernel.i18n import Message
from ordertower.kernel.money import UnknownCurrencyError, normalize_currency

NO_CURRENCY = "XXX"

logger = logging.getLogger(__name__)

FBA_CHANNELS = frozenset({"amazon", "afn"})
SALE_REPORT_DATE_FORM = Message("MM-DD-YY, such as 04-30-22", "月-日-年（MM-DD-YY），例如 04-30-22")
# Orders kept back while the file has not yet named a currency that their cancelled rows can use.
# NOTE: past this many orders the waiting ones are reported as errors instead of buffered further.
MAX_ORDERS_WAITING_FOR_CURRENCY = 1000
POSTAL_CODE_AS_FLOAT = re.compile(r"^(\d+)\.0+$")


# Marketplaces whose item-price and shipping-price leave out sales tax, which item-tax and shipping-tax add.
# Elsewhere (amazon.co.uk, .de, .fr, .co.jp, .in, .com.au, .com.mx, ...) prices include VAT or GST, and
# the tax columns show the part of the price that is tax.
TAX_EXCLUSIVE_MARKETPLACES = frozenset({"amazon.com", "amazon.ca"})
TAX_EXCLUSIVE_CURRENCIES = frozenset({"USD", "CAD"})


def _prices_include_tax(sales_channel: str, currency: str) -> bool:
    """Tell whether the report's prices include the tax, by marketplace, else by currency."""
    marketplace = sales_channel.strip().lower()
    if marketplace.startswith("amazon."):
        return marketplace not in TAX_EXCLUSIVE_MARKETPLACES
    # Reports without a sales-channel column, and orders from other channels (sales-channel "Non-Amazon").
    return currency not in TAX_EXCLUSIVE_CURRENCIES


def parse_amazon_report(text: Iterable[str]) -> Iterator[ParsedOrder | RowError]:
    """Yield the orders of an Amazon order report of any kind that report_kind recognises."""
    try:
        first_line, lines = peek_first_line(text)
    except UnicodeDecodeError:
        yield row_error(1, "", "", "invalid_encoding", encoding=getattr(text, "encoding", "utf-8"))
        return
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    header, rows = read_csv(lines, delimiter, encoding=getattr(text, "encoding", "utf-8"))
    if header is None:
        return
    kind = report_kind(header.names)
    columns = REPORT_COLUMNS[kind]
    missing = header.missing(columns.required())
    if missing:
        for name in missing:
            yield row_error(1, name, "", "missing_column")
        return

    waiting: list[list[CsvRow] | RowError] = []
    file_currency = ""
    for group in group_consecutive(rows, columns.order_id):
        if isinstance(group, list):
            file_currency = _known_currency(group, columns.currency) or file_currency
        if not file_currency and (waiting or _needs_file_currency(group, kind)):
            waiting.append(group)
            if len(waiting) >= MAX_ORDERS_WAITING_FOR_CURRENCY:
                for held in waiting:
                    yield from _read(held, kind, header, file_currency)
                waiting = []
            continue
        for held in waiting:
            yield from _read(held, kind, header, file_currency)
        waiting = []
        yield from _read(group, kind, header, file_currency)
    for held in waiting:
        yield from _read(held, kind, header, file_currency)


def _known_currency(rows: list[CsvRow], column: str) -> str:
    for row in rows:
        try:
            return normalize_currency(row.get(column))
        except UnknownCurrencyError:
            continue
    return ""


def _needs_file_currency(group: list[CsvRow] | RowError, kind: ReportKind) -> bool:
    if isinstance(group, RowError):
        return False
    columns = REPORT_COLUMNS[kind]
    cancelled = _status(group[0], kind)[0] is ChannelOrderState.CANCELLED
    return cancelled and not any(row.get(columns.currency) for row in group)


def _read(
    group: list[CsvRow] | RowError, kind: ReportKind, header: CsvHeader, file_currency: str
) -> Iterator[ParsedOrder | RowError]:
    if isinstance(group, RowError):
        yield group
    else:
        yield from _read_order(group, kind, header, file_currency)


def _status(row: CsvRow, kind: ReportKind) -> tuple[ChannelOrderState, FinancialStatus]:
    columns = REPORT_COLUMNS[kind]
    if kind is ReportKind.UNSHIPPED:
        return ChannelOrderState.OPEN, FinancialStatus.PAID
    if kind is ReportKind.SHIPMENTS:
        return ChannelOrderState.FULFILLED, FinancialStatus.PAID
    status = row.get(columns.status).lower()
    if status.startswith("cancel"):
        # Amazon charges the buyer at shipment, so a cancelled order was never paid.
        return ChannelOrderState.CANCELLED, FinancialStatus.VOIDED
    if status.startswith("shipped"):
        return ChannelOrderState.FULFILLED, FinancialStatus.PAID
    if status.startswith("pending"):
        return ChannelOrderState.OPEN, FinancialStatus.PENDING
    return ChannelOrderState.OPEN, FinancialStatus.PAID


def _read_order(
    rows: list[CsvRow], kind: ReportKind, header: CsvHeader, file_currency: str
) -> Iterator[ParsedOrder | RowError]:
    columns = REPORT_COLUMNS[kind]
    first = rows[0]
    problems = OrderProblems()
    column = header.column
    order_id = problems.required(first.line, column(columns.order_id), first.get(columns.order_id))
    state, financial_status = _status(first, kind)
    cancelled = state is ChannelOrderState.CANCELLED

    # ISO 4217 "XXX" (no currency) marks a report without prices. The importer then keeps the
    # amounts it already has for the order, or uses the workspace's base currency.
    amounts_missing = not header.has(columns.currency) and not header.has(columns.item_price)
    currency_row = next((row for row in rows if row.get(columns.currency)), None)
    if amounts_missing:
        currency = NO_CURRENCY
    elif currency_row is not None:
        currency = problems.currency(currency_row.line, column(columns.currency), currency_row.get(columns.currency))
    elif cancelled and file_currency:
        currency = file_currency
    elif cancelled:
        currency = ""
        problems.add(first.line, column(columns.currency), "", "no_currency_in_file")
    else:
        currency = problems.currency(first.line, column(columns.currency), "")

    if kind is ReportKind.SALE_REPORT:
        placed_at = problems.timestamp(
            first.line,
            column(columns.purchase_date),
            _sale_report_date(first.get(columns.purchase_date)),
            naive_utc=True,
            expected=SALE_REPORT_DATE_FORM,
        )
    else:
        placed_at = problems.timestamp(first.line, column(columns.purchase_date), first.get(columns.purchase_date))
    updated_at = None
    if columns.updated_date and first.get(columns.updated_date):
        updated_at = problems.timestamp(first.line, column(columns.updated_date), first.get(columns.updated_date))

    totals = _Totals(problems.amount(first.line, "", "", currency))
    lines = [
        _read_line(
            row,
            kind=kind,
            header=header,
            currency=currency,
            cancelled=cancelled,
            problems=problems,
            totals=totals,
        )
        for row in rows
    ]
    if problems.errors:
        yield from problems.errors
        return

    tax_included = _prices_include_tax(first.get(columns.extra.get("sales_channel", "")), currency)
    tax_on_top = Decimal(0) if tax_included else totals.tax
    order = ParsedOrder(
        external_id=order_id,
        external_number=order_id,
        placed_at=placed_at,  # type: ignore[arg-type]  # None only together with an error
        currency=currency,
        state=state,
        financial_status=financial_status,
        subtotal=totals.items,
        discount_total=totals.discounts,
        shipping_total=totals.shipping,
        tax_total=totals.tax,
        total=totals.items + totals.shipping + totals.gift_wrap - totals.discounts + tax_on_top,
        lines=lines,
        email=clean_email(first.get(columns.buyer_email)),
        phone=clean_excel_text(first.get(columns.buyer_phone)),
        customer_name=first.get(columns.buyer_name) or first.get(columns.recipient_name),
        shipping_address=_address(first, columns.ship, problems),
        billing_address=_address(first, columns.bill, None),
        updated_at=updated_at,
        fulfilled_by_channel=first.get(columns.fulfillment_channel).lower() in FBA_CHANNELS,
        source_line=first.line,
    )
    for key, name in columns.extra.items():
        if first.get(name):
            order.extra[key] = first.get(name)
    if amounts_missing:
        order.extra["amounts_missing"] = True
    if not header.has(columns.ship.get("line1", "")):
        # The All Orders and Sale reports give the ship-to city and postal code but never the street.
        order.extra["street_missing"] = True
    if problems.errors:
        yield from problems.errors
        return
    yield order
    yield from problems.holds


class _Totals:
    """Order totals summed over the rows of one order."""

    def __init__(self, zero: Decimal) -> None:
        self.items = zero
        self.shipping = zero
        self.gift_wrap = zero
        self.tax = zero
        self.discounts = zero


def _read_line(
    row: CsvRow,
    *,
    kind: ReportKind,
    header: CsvHeader,
    currency: str,
    cancelled: bool,
    problems: OrderProblems,
    totals: _Totals,
) -> ParsedLine:
    columns = REPORT_COLUMNS[kind]
    column = header.column
    item_cancelled = cancelled or row.get(columns.item_status).lower().startswith("cancel")
    # Cancelled items are reported with quantity 0, so zero is accepted for them only.
    quantity = problems.quantity(
        row.line, column(columns.quantity), row.get(columns.quantity), allow_zero=item_cancelled
    )
    sku = row.get(columns.sku)
    if not sku:
        problems.hold_missing_sku(row.line, column(columns.sku))

    def amount(name: str) -> Decimal:
        # A column the report does not have reads as "", which is zero in the order currency.
        return problems.amount(row.line, column(name), row.get(name), currency)

    line_total = amount(columns.item_price)
    discount = abs(amount(columns.item_discount))
    tax = amount(columns.item_tax)
    totals.items += line_total
    totals.shipping += amount(columns.shipping_price)
    totals.gift_wrap += amount(columns.gift_wrap_price)
    totals.tax += tax + amount(columns.shipping_tax) + amount(columns.gift_wrap_tax)
    totals.discounts += discount + abs(amount(columns.ship_discount))
    name = row.get(columns.product_name) if columns.product_name else columns.describe(row)
    return ParsedLine(
        channel_sku=sku,
        name=name,
        quantity=quantity,
        # item-price is the total for the quantity; a cancelled item with quantity 0 has no unit price.
        unit_price=divide_amount(line_total, quantity, currency) if quantity else line_total - line_total,
        discount=discount,
        tax=tax,
        external_line_id=row.get(columns.item_id),
        cancelled_quantity=quantity if item_cancelled else 0,
    )


def _address(row: CsvRow, names: dict[str, str], problems: OrderProblems | None) -> ParsedAddress | None:
    """Read ship-* or bill-* columns; FBA and All Orders reports carry only part of an address."""
    if not names:
        return None
    country_text = row.get(names.get("country", ""))
    if problems is not None:
        country = problems.country(row.line, names.get("country", ""), country_text)
    else:
        country = (country_code(country_text) or "") if country_text else ""
    postal_code = clean_excel_text(row.get(names.get("postal_code", "")))
    float_match = POSTAL_CODE_AS_FLOAT.match(postal_code)
    if float_match:
        # Spreadsheet tools turn postal codes into floats (400081.0).
        postal_code = float_match.group(1)
    extra_lines = [row.get(names.get(key, "")) for key in ("line2", "line3")]
    address = ParsedAddress(
        name=row.get(names.get("name", "")),
        line1=row.get(names.get("line1", "")),
        line2=", ".join(part for part in extra_lines if part),
        city=row.get(names.get("city", "")),
        region=row.get(names.get("region", "")),
        postal_code=postal_code,
        country_code=country,
        phone=clean_excel_text(row.get(names.get("phone", ""))),
    )
    if address.is_empty() and not address.name:
        return None
    return address


def _sale_report_date(text: str) -> str:
    """Turn the Sale Report's MM-DD-YY into ISO 8601, or return the text unchanged when it is not that."""
    match = re.fullmatch(r"(\d{2})-(\d{2})-(\d{2})", text.strip())
    if not match:
        return text
    month, day, year = match.groups()
    return f"20{year}-{month}-{day}"
