"""The Shopify admin "Export orders" CSV: one row per line item, order fields on the first row only."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

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
    RecentOrders,
    clean_email,
    clean_excel_text,
    country_code,
    group_consecutive,
    read_csv,
)
from ordertower.kernel.money import parse_amount

REQUIRED_COLUMNS = (
    "Name",
    "Created at",
    "Currency",
    "Financial Status",
    "Lineitem quantity",
    "Lineitem price",
)
FINANCIAL_STATUSES = {status.value: status for status in FinancialStatus}
EXTRA_COLUMNS = (
    ("Source", "source"),
    ("Tags", "tags"),
    ("Notes", "note"),
    ("Discount Code", "discount_code"),
)
# Shopify writes "-" in Zip when the checkout form had no postal code field.
EMPTY_POSTAL_CODES = frozenset({"-"})


@dataclass(slots=True)
class OrderDetails:
    """Order-level values from an order's first row, which a later fragment of the order reuses."""

    external_id: str
    currency: str
    financial_status: FinancialStatus
    state: ChannelOrderState
    placed_at: datetime


def parse_shopify_csv(text: Iterable[str]) -> Iterator[ParsedOrder | RowError]:
    """Yield the orders of a Shopify orders export, grouping consecutive rows by Name."""
    header, rows = read_csv(text, ",")
    if header is None:
        return
    missing = header.missing(REQUIRED_COLUMNS)
    if missing:
        for name in missing:
            yield row_error(1, name, "", "missing_column")
        return

    recent = RecentOrders()
    for group in group_consecutive(rows, "Name"):
        if isinstance(group, RowError):
            yield group
        else:
            yield from _read_order(group, header, recent)


def _read_order(rows: list[CsvRow], header: CsvHeader, recent: RecentOrders) -> Iterator[ParsedOrder | RowError]:
    first = rows[0]
    problems = OrderProblems()
    name = problems.required(first.line, header.column("Name"), first.get("Name"))
    if not name:
        yield from problems.errors
        return

    continues_earlier = not first.get("Currency") and not first.get("Financial Status")
    if continues_earlier:
        details = recent.get(name)
        if details is None:
            yield row_error(first.line, "Name", name, "order_details_missing", expected="Currency, Financial Status")
            return
    else:
        details = _read_details(first, header, problems)

    currency = details.currency if details else ""
    lines = [_read_line(row, currency, problems) for row in rows]
    if problems.errors or details is None:
        yield from problems.errors
        return

    recent.remember(name, details)
    order = _build_order(first, name, details, lines, problems, fragment=continues_earlier)
    if not problems.errors:
        yield order
    yield from problems.errors or problems.holds


def _read_details(first: CsvRow, header: CsvHeader, problems: OrderProblems) -> OrderDetails | None:
    line = first.line
    currency = problems.currency(line, header.column("Currency"), first.get("Currency"))
    placed_at = problems.timestamp(line, header.column("Created at"), first.get("Created at"))
    status_text = first.get("Financial Status").lower()
    financial_status = FINANCIAL_STATUSES.get(status_text)
    if financial_status is None:
        problems.add(
            line,
            header.column("Financial Status"),
            first.get("Financial Status"),
            "unknown_financial_status",
            expected=", ".join(FINANCIAL_STATUSES),
        )
    if first.get("Cancelled at"):
        state = ChannelOrderState.CANCELLED
    elif first.get("Fulfillment Status").lower() == "fulfilled":
        state = ChannelOrderState.FULFILLED
    else:
        state = ChannelOrderState.OPEN
    if not currency or placed_at is None or financial_status is None:
        return None
    external_id = first.get("Id") or first.get("Name")
    return OrderDetails(external_id, currency, financial_status, state, placed_at)


def _read_line(row: CsvRow, currency: str, problems: OrderProblems) -> ParsedLine:
    sku = row.get("Lineitem sku")
    if not sku:
        problems.hold_missing_sku(row.line, "Lineitem sku")
    return ParsedLine(
        channel_sku=sku,
        name=row.get("Lineitem name"),
        quantity=problems.quantity(row.line, "Lineitem quantity", row.get("Lineitem quantity")),
        unit_price=problems.amount(row.line, "Lineitem price", row.get("Lineitem price"), currency),
        discount=problems.amount(row.line, "Lineitem discount", row.get("Lineitem discount"), currency),
    )


def _build_order(
    first: CsvRow,
    name: str,
    details: OrderDetails,
    lines: list[ParsedLine],
    problems: OrderProblems,
    *,
    fragment: bool,
) -> ParsedOrder:
    currency = details.currency
    zero = parse_amount("", currency)
    order = ParsedOrder(
        external_id=details.external_id,
        external_number=name,
        placed_at=details.placed_at,
        currency=currency,
        state=details.state,
        financial_status=details.financial_status,
        subtotal=zero,
        discount_total=zero,
        shipping_total=zero,
        tax_total=zero,
        total=zero,
        lines=lines,
        email=clean_email(first.get("Email")),
        source_line=first.line,
    )
    if fragment:
        # Totals, addresses and customer details are on the order's first row, which an
        # earlier fragment carried; this fragment only adds lines.
        order.extra["fragment"] = True
        return order

    line = first.line
    order.subtotal = problems.amount(line, "Subtotal", first.get("Subtotal"), currency)
    order.discount_total = problems.amount(line, "Discount Amount", first.get("Discount Amount"), currency)
    order.shipping_total = problems.amount(line, "Shipping", first.get("Shipping"), currency)
    order.tax_total = problems.amount(line, "Taxes", first.get("Taxes"), currency)
    order.total = problems.amount(line, "Total", first.get("Total"), currency)
    if len(lines) == 1 and not order.shipping_total:
        # The export has no tax per line; with one line and no shipping all tax belongs to that line.
        lines[0].tax = order.tax_total

    order.shipping_address = _read_address(first, "Shipping", problems)
    order.billing_address = _read_address(first, "Billing", None)
    order.customer_name = first.get("Billing Name") or first.get("Shipping Name")
    phone = first.get("Phone") or first.get("Shipping Phone") or first.get("Billing Phone")
    order.phone = clean_excel_text(phone)
    for column, key in EXTRA_COLUMNS:
        value = first.get(column)
        if value:
            order.extra[key] = value
    return order


def _read_address(row: CsvRow, prefix: str, problems: OrderProblems | None) -> ParsedAddress | None:
    """Read the Shipping or Billing columns; only a bad shipping country is an error."""
    columns = _ADDRESS_COLUMNS[prefix]
    country_text = row.get(columns.country)
    if problems is not None:
        country = problems.country(row.line, columns.country, country_text)
    else:
        country = (country_code(country_text) or "") if country_text else ""
    postal_code = clean_excel_text(row.get(columns.zip))
    address = ParsedAddress(
        name=row.get(columns.name),
        company=row.get(columns.company),
        line1=row.get(columns.address1) or row.get(columns.street),
        line2=row.get(columns.address2),
        city=row.get(columns.city),
        region=row.get(columns.province) or row.get(columns.province_name),
        postal_code="" if postal_code in EMPTY_POSTAL_CODES else postal_code,
        country_code=country,
        phone=clean_excel_text(row.get(columns.phone)),
    )
    if address.is_empty() and not address.name:
        return None
    return address


class _AddressColumns(NamedTuple):
    """The column names of one address of the export, such as "Shipping Zip"."""

    name: str
    company: str
    address1: str
    street: str
    address2: str
    city: str
    province: str
    province_name: str
    zip: str
    country: str
    phone: str

    @classmethod
    def for_prefix(cls, prefix: str) -> _AddressColumns:
        return cls(
            name=f"{prefix} Name",
            company=f"{prefix} Company",
            address1=f"{prefix} Address1",
            street=f"{prefix} Street",
            address2=f"{prefix} Address2",
            city=f"{prefix} City",
            province=f"{prefix} Province",
            province_name=f"{prefix} Province Name",
            zip=f"{prefix} Zip",
            country=f"{prefix} Country",
            phone=f"{prefix} Phone",
        )


# Spelled out once, because two addresses are read for every order.
_ADDRESS_COLUMNS = {prefix: _AddressColumns.for_prefix(prefix) for prefix in ("Shipping", "Billing")}
