"""Shopify order JSON as the Admin REST API and the orders/* webhooks send it.

Amounts come from `*_set.presentment_money` when the order has them, because
that is what the buyer saw and paid. Old payloads without `*_set` fall back to
the plain amount strings in the shop currency.
"""

from __future__ import annotations

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

# Top-level keys of Shopify Admin API files that contain no orders, with an English and a Chinese description.
NON_ORDER_KEYS = {
    "fulfillment_orders": ("Shopify fulfillment orders", "Shopify 履约订单"),
    "fulfillments": ("Shopify fulfillments", "Shopify 发货记录"),
    "fulfillment": ("a Shopify fulfillment", "Shopify 发货记录"),
    "fulfillment_events": ("Shopify fulfillment events", "Shopify 物流事件"),
    "fulfillment_event": ("a Shopify fulfillment event", "Shopify 物流事件"),
    "refunds": ("Shopify refunds", "Shopify 退款记录"),
    "refund": ("a Shopify refund", "Shopify 退款记录"),
    "transactions": ("Shopify transactions", "Shopify 交易记录"),
    "transaction": ("a Shopify transaction", "Shopify 交易记录"),
}
ORDER_KEYS = frozenset({"line_items", "financial_status", "total_price", "order_number"})
FINANCIAL_STATUSES = {
    **{status.value: status for status in FinancialStatus},
    # Shopify values outside our enum: a partly paid order still waits for money, an expired
    # authorization can no longer be captured.
    "partially_paid": FinancialStatus.PENDING,
    "expired": FinancialStatus.VOIDED,
}


def parse_shopify_json(stream: io.RawIOBase) -> Iterator[ParsedOrder | RowError]:
    """Yield the orders of a Shopify order object, {"order": ...}, {"orders": [...]}, a list or JSON Lines."""
    for document in iter_json_documents(stream):
        if isinstance(document, RowError):
            yield document
            continue
        index, value = document
        if not isinstance(value, dict) or not ORDER_KEYS & value.keys():
            yield _not_an_order(index, value)
            continue
        yield from _OrderReader(index, value).results()


def _not_an_order(index: int, value: Any) -> RowError:
    first_key = next(iter(value), "") if isinstance(value, dict) else ""
    what, what_zh = NON_ORDER_KEYS.get(first_key, ("an object without line_items", "没有 line_items 的对象"))
    return row_error(index, first_key, "", "not_an_order", what=what, what_zh=what_zh)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


class _OrderReader:
    """Reads one Shopify order object, collecting its problems."""

    def __init__(self, index: int, order: dict[str, Any]) -> None:
        self.index = index
        self.order = order
        self.problems = OrderProblems()
        presentment = (order.get("total_price_set") or {}).get("presentment_money")
        self.use_presentment = isinstance(presentment, dict)
        self.shop_currency = _text(order.get("currency"))
        currency_key = "presentment_currency" if self.use_presentment else "currency"
        currency_text = order.get(currency_key) or (presentment or {}).get("currency_code")
        self.currency = self.problems.currency(index, currency_key, currency_text)

    def results(self) -> Iterator[ParsedOrder | RowError]:
        order = self.order
        problems = self.problems
        external_id = problems.required(self.index, "id", _text(order.get("id")))
        has_created_at = bool(order.get("created_at"))
        date_key = "processed_at" if order.get("processed_at") and not has_created_at else "created_at"
        placed_at = problems.timestamp(self.index, date_key, order.get(date_key))

        updated_at = None
        if order.get("updated_at"):
            updated_at = problems.timestamp(self.index, "updated_at", order.get("updated_at"))
        financial_status = self._financial_status()
        lines = self._lines()
        shipping_total = self._shipping_total()

        parsed = ParsedOrder(
            external_id=external_id,
            external_number=_text(order.get("name")) or _text(order.get("order_number")) or external_id,
            placed_at=placed_at,  # type: ignore[arg-type]  # None only together with an error
            currency=self.currency,
            state=self._state(),
            financial_status=financial_status,
            subtotal=self.money(order, "subtotal_price"),
            discount_total=self.money(order, "total_discounts"),
            shipping_total=shipping_total,
            tax_total=self.money(order, "total_tax"),
            total=self.money(order, "total_price"),
            lines=lines,
            email=clean_email(order.get("email") or order.get("contact_email") or self._customer("email")),
            phone=clean_excel_text(_text(order.get("phone") or self._customer("phone"))),
            customer_name=self._customer_name(),
            shipping_address=self._address("shipping_address", strict=True),
            billing_address=self._address("billing_address", strict=False),
            updated_at=updated_at,
            source_line=self.index,
        )
        for key in ("source_name", "tags", "note"):
            if _text(order.get(key)):
                parsed.extra[key] = _text(order.get(key))

        if problems.errors:
            yield from problems.errors
            return
        yield parsed
        yield from problems.holds

    def money(self, owner: dict[str, Any], key: str, path: str = "") -> Decimal:
        """Return owner[key] in the order currency, preferring owner[key + "_set"].presentment_money."""
        money_set = owner.get(f"{key}_set")
        if self.use_presentment and isinstance(money_set, dict):
            presentment = money_set.get("presentment_money")
            if isinstance(presentment, dict):
                field = f"{path}{key}_set.presentment_money.amount"
                return self.problems.amount(self.index, field, presentment.get("amount"), self.currency)
        plain = owner.get(key)
        if self.use_presentment and self.shop_currency not in ("", self.currency) and _text(plain):
            # The plain amount is in the shop currency, which must not be mixed into a presentment order.
            self.problems.add(
                self.index, f"{path}{key}", plain, "invalid_value", expected=f"{key}_set.presentment_money"
            )
            return Decimal(0)
        if isinstance(plain, dict | list):
            self.problems.add(self.index, f"{path}{key}", plain, "invalid_amount")
            return Decimal(0)
        return self.problems.amount(self.index, f"{path}{key}", plain, self.currency)

    def _financial_status(self) -> FinancialStatus:
        # Old payloads may lack the key; nothing is known to be paid then.
        text = _text(self.order.get("financial_status")).lower()
        if not text:
            return FinancialStatus.PENDING
        status = FINANCIAL_STATUSES.get(text)
        if status is None:
            self.problems.add(
                self.index,
                "financial_status",
                text,
                "unknown_financial_status",
                expected=", ".join(FINANCIAL_STATUSES),
            )
            return FinancialStatus.PENDING
        return status

    def _state(self) -> ChannelOrderState:
        if self.order.get("cancelled_at"):
            return ChannelOrderState.CANCELLED
        if _text(self.order.get("fulfillment_status")).lower() == "fulfilled":
            return ChannelOrderState.FULFILLED
        return ChannelOrderState.OPEN

    def _lines(self) -> list[ParsedLine]:
        items = self.order.get("line_items")
        if not isinstance(items, list) or not items:
            self.problems.add(self.index, "line_items", "", "no_lines")
            return []
        return [self._line(position, item) for position, item in enumerate(items)]

    def _line(self, position: int, item: Any) -> ParsedLine:
        path = f"line_items[{position}]."
        if not isinstance(item, dict):
            self.problems.add(self.index, path.rstrip("."), item, "invalid_value", expected="an object")
            return ParsedLine(channel_sku="", name="", quantity=0, unit_price=Decimal(0))
        quantity = self.problems.quantity(self.index, f"{path}quantity", item.get("quantity"))
        sku = _text(item.get("sku"))
        if not sku:
            self.problems.hold_missing_sku(self.index, f"{path}sku")
        tax = Decimal(0)
        for tax_index, tax_line in enumerate(item.get("tax_lines") or []):
            tax += self.money(tax_line, "price", f"{path}tax_lines[{tax_index}].")
        cancelled = 0
        current = item.get("current_quantity")
        if isinstance(current, int) and 0 <= current <= quantity:
            cancelled = quantity - current
        return ParsedLine(
            channel_sku=sku,
            name=_text(item.get("name") or item.get("title")),
            quantity=quantity,
            unit_price=self.money(item, "price", path),
            discount=self.money(item, "total_discount", path),
            tax=tax,
            external_line_id=_text(item.get("id")),
            cancelled_quantity=cancelled,
        )

    def _shipping_total(self) -> Decimal:
        if isinstance(self.order.get("total_shipping_price_set"), dict):
            return self.money(self.order, "total_shipping_price")
        total = Decimal(0)
        for position, shipping_line in enumerate(self.order.get("shipping_lines") or []):
            total += self.money(shipping_line, "price", f"shipping_lines[{position}].")
        return total

    def _customer(self, key: str) -> Any:
        customer = self.order.get("customer")
        return customer.get(key) if isinstance(customer, dict) else None

    def _customer_name(self) -> str:
        parts = (_text(self._customer("first_name")), _text(self._customer("last_name")))
        full = " ".join(part for part in parts if part)
        for key in ("shipping_address", "billing_address"):
            address = self.order.get(key)
            if not full and isinstance(address, dict):
                full = _text(address.get("name"))
        return full

    def _address(self, key: str, *, strict: bool) -> ParsedAddress | None:
        """Read an address; an invalid shipping country is an error, an unknown billing one becomes ""."""
        data = self.order.get(key)
        if not isinstance(data, dict):
            return None
        name = _text(data.get("name")) or " ".join(
            part for part in (_text(data.get("first_name")), _text(data.get("last_name"))) if part
        )
        country_text = _text(data.get("country_code")) or _text(data.get("country"))
        if strict:
            country = self.problems.country(self.index, f"{key}.country_code", country_text)
        else:
            country = (country_code(country_text) or "") if country_text else ""
        return ParsedAddress(
            name=name,
            company=_text(data.get("company")),
            line1=_text(data.get("address1")),
            line2=_text(data.get("address2")),
            city=_text(data.get("city")),
            region=_text(data.get("province_code")) or _text(data.get("province")),
            postal_code=clean_excel_text(_text(data.get("zip"))),
            country_code=country,
            phone=clean_excel_text(_text(data.get("phone"))),
        )
