"""WooCommerce REST API v3 orders: one order object, a list of them, or a webhook delivery of one."""

from __future__ import annotations

import html
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

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
    OrderProblems,
    clean_email,
    clean_excel_text,
    country_code,
    iter_json_documents,
)
from ordertower.kernel.i18n import Message

WOO_DATE_FORM = Message("ISO 8601, such as 2017-03-22T19:28:02", "ISO 8601 格式，例如 2017-03-22T19:28:02")

# WooCommerce order status -> our order state and payment status.
STATUSES: dict[str, tuple[ChannelOrderState, FinancialStatus]] = {
    "pending": (ChannelOrderState.OPEN, FinancialStatus.PENDING),
    "on-hold": (ChannelOrderState.OPEN, FinancialStatus.PENDING),
    "processing": (ChannelOrderState.OPEN, FinancialStatus.PAID),
    "completed": (ChannelOrderState.FULFILLED, FinancialStatus.PAID),
    "cancelled": (ChannelOrderState.CANCELLED, FinancialStatus.VOIDED),
    # A refunded order must not be shipped any more.
    "refunded": (ChannelOrderState.CANCELLED, FinancialStatus.REFUNDED),
    # The buyer can still pay a failed order, which WooCommerce then moves to processing.
    "failed": (ChannelOrderState.OPEN, FinancialStatus.VOIDED),
}


def parse_woocommerce_json(stream: io.RawIOBase) -> Iterator[ParsedOrder | RowError]:
    """Yield the orders of a WooCommerce order object, a list of them or JSON Lines."""
    for document in iter_json_documents(stream):
        if isinstance(document, RowError):
            yield document
            continue
        index, value = document
        problem = _not_an_order(index, value)
        if problem is not None:
            yield problem
            continue
        yield from _read_order(index, value)


def _not_an_order(index: int, value: Any) -> RowError | None:
    if isinstance(value, dict) and "line_items" in value and ("status" in value or "order_key" in value):
        return None
    keys = value.keys() if isinstance(value, dict) else set()
    if "refunded_by" in keys or "amount" in keys:
        what, what_zh = "a WooCommerce refund", "WooCommerce 退款记录"
    elif "delivery_url" in keys:
        what, what_zh = "a WooCommerce webhook definition", "WooCommerce Webhook 配置"
    else:
        what, what_zh = "an object without line_items and status", "没有 line_items 和 status 的对象"
    field = "" if not keys else next(iter(keys))
    return row_error(index, field, "", "not_an_order", what=what, what_zh=what_zh)


def _text(value: Any) -> str:
    return "" if value is None else html.unescape(str(value)).strip()


def _read_order(index: int, order: dict[str, Any]) -> Iterator[ParsedOrder | RowError]:
    problems = OrderProblems()
    currency = problems.currency(index, "currency", _text(order.get("currency")))
    external_id = problems.required(index, "id", _text(order.get("id")))

    # date_created is in the site's zone, which the order does not name, so it is read as UTC too.
    date_key = "date_created_gmt" if order.get("date_created_gmt") else "date_created"
    placed_at = problems.timestamp(index, date_key, _text(order.get(date_key)), naive_utc=True, expected=WOO_DATE_FORM)
    modified_key = "date_modified_gmt" if order.get("date_modified_gmt") else "date_modified"
    updated_at = None
    if order.get(modified_key):
        updated_at = problems.timestamp(
            index, modified_key, _text(order.get(modified_key)), naive_utc=True, expected=WOO_DATE_FORM
        )

    status_text = _text(order.get("status")).lower()
    state, financial_status = STATUSES.get(status_text, (ChannelOrderState.OPEN, FinancialStatus.PENDING))
    if status_text not in STATUSES:
        problems.add(index, "status", status_text, "unknown_order_status", expected=", ".join(STATUSES))

    items = order.get("line_items")
    if not isinstance(items, list) or not items:
        problems.add(index, "line_items", "", "no_lines")
        items = []
    lines: list[ParsedLine] = []
    subtotal = Decimal(0)
    for position, item in enumerate(items):
        line, line_subtotal = _read_line(index, position, item, currency, problems)
        lines.append(line)
        subtotal += line_subtotal

    billing = order.get("billing")
    if not isinstance(billing, dict):
        billing = {}
    parsed = ParsedOrder(
        external_id=external_id,
        external_number=_text(order.get("number")) or external_id,
        placed_at=placed_at,  # type: ignore[arg-type]  # None only together with an error
        currency=currency,
        state=state,
        financial_status=financial_status,
        subtotal=subtotal,
        discount_total=problems.amount(index, "discount_total", order.get("discount_total"), currency),
        shipping_total=problems.amount(index, "shipping_total", order.get("shipping_total"), currency),
        tax_total=problems.amount(index, "total_tax", order.get("total_tax"), currency),
        total=problems.amount(index, "total", order.get("total"), currency),
        lines=lines,
        email=clean_email(billing.get("email")),
        phone=clean_excel_text(_text(billing.get("phone"))),
        shipping_address=_read_address(index, order, "shipping", problems),
        billing_address=_read_address(index, order, "billing", None),
        updated_at=updated_at,
        source_line=index,
    )
    parsed.customer_name = (parsed.billing_address or ParsedAddress()).name or (
        parsed.shipping_address or ParsedAddress()
    ).name
    for key in ("payment_method", "customer_note", "created_via"):
        if _text(order.get(key)):
            parsed.extra[key] = _text(order.get(key))

    if problems.errors:
        yield from problems.errors
        return
    yield parsed
    yield from problems.holds


def _read_line(
    index: int, position: int, item: Any, currency: str, problems: OrderProblems
) -> tuple[ParsedLine, Decimal]:
    """Read one line item; return it with its subtotal before discounts."""
    path = f"line_items[{position}]."
    if not isinstance(item, dict):
        problems.add(index, path.rstrip("."), item, "invalid_value", expected="an object")
        return ParsedLine(channel_sku="", name="", quantity=0, unit_price=Decimal(0)), Decimal(0)
    quantity = problems.quantity(index, f"{path}quantity", item.get("quantity"))
    sku = _text(item.get("sku"))
    if not sku:
        problems.hold_missing_sku(index, f"{path}sku")

    # `price` is the line total after discounts divided by the quantity, so the unit price
    # before discounts comes from `subtotal` when the line has one.
    if item.get("subtotal") not in (None, ""):
        line_subtotal = problems.amount(index, f"{path}subtotal", item.get("subtotal"), currency)
        unit_price = line_subtotal / quantity if quantity else line_subtotal
        unit_price = problems.amount(index, f"{path}subtotal", unit_price, currency)
    else:
        unit_price = problems.amount(index, f"{path}price", item.get("price"), currency)
        line_subtotal = unit_price * quantity
    line_total = problems.amount(index, f"{path}total", item.get("total"), currency)
    discount = line_subtotal - line_total if item.get("total") not in (None, "") else Decimal(0)
    line = ParsedLine(
        channel_sku=sku,
        name=_text(item.get("name")),
        quantity=quantity,
        unit_price=unit_price,
        discount=max(discount, Decimal(0)),
        tax=problems.amount(index, f"{path}total_tax", item.get("total_tax"), currency),
        external_line_id=_text(item.get("id")),
    )
    return line, line_subtotal


def _read_address(index: int, order: dict[str, Any], key: str, problems: OrderProblems | None) -> ParsedAddress | None:
    """Read billing or shipping; a bad shipping country is an error, an unknown billing one becomes ""."""
    data = order.get(key)
    if not isinstance(data, dict):
        return None
    country_text = _text(data.get("country"))
    if problems is not None:
        country = problems.country(index, f"{key}.country", country_text)
    else:
        country = (country_code(country_text) or "") if country_text else ""
    address = ParsedAddress(
        name=" ".join(part for part in (_text(data.get("first_name")), _text(data.get("last_name"))) if part),
        company=_text(data.get("company")),
        line1=_text(data.get("address_1")),
        line2=_text(data.get("address_2")),
        city=_text(data.get("city")),
        region=_text(data.get("state")),
        postal_code=clean_excel_text(_text(data.get("postcode"))),
        country_code=country,
        phone=clean_excel_text(_text(data.get("phone"))),
    )
    if address.is_empty() and not address.name:
        return None
    return address
