"""Write orders as the body of Shopify's REST Admin API `GET /orders.json` (version 2024-04)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, TextIO

from ordertower.demo.orders import DemoLine, DemoOrder, DemoOrderState
from ordertower.demo.people import ShipTo
from ordertower.demo.shopify_csv import (
    VENDOR,
    shopify_financial_status,
    shopify_order_id,
    shopify_order_number,
    shopify_time,
)

_LINE_ID_BASE = 15_600_000_000_000
_CUSTOMER_ID_BASE = 7_100_000_000_000
_LOCALES = {"JP": "ja", "KR": "ko", "HK": "zh-TW", "DE": "de", "FR": "fr", "IT": "it", "ES": "es", "NL": "nl"}

# Compact, like the API response, and one encoder for every order of a file.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def write_shopify_json(handle: TextIO, orders: Iterable[DemoOrder]) -> None:
    """Write `{"orders": [...]}` one order at a time."""
    handle.write('{"orders":[')
    for position, order in enumerate(orders):
        if position:
            handle.write(",\n")
        handle.write(_ENCODER.encode(order_object(order)))
    handle.write("]}\n")


@lru_cache(maxsize=4096)
def _money_set(amount: Decimal, currency: str) -> dict[str, Any]:
    # Cached because an order repeats the same few amounts many times; callers
    # only serialize the result, never change it.
    money = {"amount": str(amount), "currency_code": currency}
    return {"shop_money": money, "presentment_money": dict(money)}


def order_object(order: DemoOrder) -> dict[str, Any]:
    """Return one order as the REST Admin API shapes it."""
    order_id = shopify_order_id(order)
    currency = order.currency
    status = shopify_financial_status(order)
    created_at = shopify_time(order.placed_at, iso=True)
    cancelled = order.state is DemoOrderState.CANCELLED
    cancelled_at = shopify_time(order.placed_at + timedelta(hours=3), iso=True) if cancelled else None
    buyer = order.buyer
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "buyer_accepts_marketing": buyer.accepts_marketing,
        "cancel_reason": "customer" if cancelled else None,
        "cancelled_at": cancelled_at,
        "closed_at": None,
        "confirmation_number": f"{zlib.crc32(str(order_id).encode()):X}".rjust(9, "Q"),
        "confirmed": True,
        "contact_email": buyer.email,
        "created_at": created_at,
        "currency": currency,
        "current_subtotal_price": str(order.subtotal),
        "current_subtotal_price_set": _money_set(order.subtotal, currency),
        "current_total_discounts": str(order.discount_total),
        "current_total_discounts_set": _money_set(order.discount_total, currency),
        "current_total_price": str(order.total),
        "current_total_price_set": _money_set(order.total, currency),
        "current_total_tax": str(order.tax_total),
        "current_total_tax_set": _money_set(order.tax_total, currency),
        "customer_locale": _LOCALES.get(order.ship_to.country_code, "en"),
        "discount_codes": (
            [{"code": order.discount_code, "amount": str(order.discount_total), "type": "percentage"}]
            if order.discount_code
            else []
        ),
        "email": buyer.email,
        "estimated_taxes": False,
        "financial_status": status,
        "fulfillment_status": None,
        "name": f"#{shopify_order_number(order)}",
        "note": None,
        "note_attributes": [],
        "number": order.index + 1,
        "order_number": shopify_order_number(order),
        "payment_gateway_names": ["shopify_payments"],
        "phone": None,
        "presentment_currency": currency,
        "processed_at": created_at,
        "source_name": "web",
        "subtotal_price": str(order.subtotal),
        "subtotal_price_set": _money_set(order.subtotal, currency),
        "tags": "",
        "tax_lines": _tax_lines(order, order.tax_total),
        "taxes_included": False,
        "test": False,
        "total_discounts": str(order.discount_total),
        "total_discounts_set": _money_set(order.discount_total, currency),
        "total_line_items_price": str(order.line_items_total),
        "total_line_items_price_set": _money_set(order.line_items_total, currency),
        "total_outstanding": str(order.total) if status == "pending" else "0.00",
        "total_price": str(order.total),
        "total_price_set": _money_set(order.total, currency),
        "total_shipping_price_set": _money_set(order.shipping_total, currency),
        "total_tax": str(order.tax_total),
        "total_tax_set": _money_set(order.tax_total, currency),
        "total_weight": order.weight_grams,
        "updated_at": cancelled_at or created_at,
        "billing_address": _address(order.ship_to),
        "customer": {
            "id": _CUSTOMER_ID_BASE + zlib.crc32(buyer.email.encode()),
            "email": buyer.email,
            "first_name": buyer.first_name,
            "last_name": buyer.last_name,
            "state": "disabled",
            "verified_email": True,
            "currency": currency,
        },
        "fulfillments": [],
        "line_items": [_line_item(order, position, line) for position, line in enumerate(order.lines)],
        "payment_terms": None,
        "refunds": [],
        "shipping_address": _address(order.ship_to),
        "shipping_lines": [_shipping_line(order)],
    }


def _tax_lines(order: DemoOrder, amount: Decimal) -> list[dict[str, Any]]:
    if not order.tax_title:
        return []
    return [
        {
            "price": str(amount),
            "rate": float(order.tax_rate),
            "title": order.tax_title,
            "price_set": _money_set(amount, order.currency),
            "channel_liable": False,
        }
    ]


def _address(address: ShipTo) -> dict[str, Any]:
    return {
        "first_name": address.first_name,
        "address1": address.line1,
        "phone": address.phone,
        "city": address.city,
        "zip": address.postal_code or None,
        "province": address.region_name or None,
        "country": _COUNTRY_NAMES[address.country_code],
        "last_name": address.last_name,
        "address2": address.line2,
        "company": address.company or None,
        "latitude": None,
        "longitude": None,
        "name": address.name,
        "country_code": address.country_code,
        "province_code": address.region_code or None,
    }


def _line_item(order: DemoOrder, position: int, line: DemoLine) -> dict[str, Any]:
    line_id = _LINE_ID_BASE + order.index * 10 + position
    product_id = 8_000_000_000_000 + zlib.crc32(line.product.title.encode())
    currency = order.currency
    return {
        "id": line_id,
        "admin_graphql_api_id": f"gid://shopify/LineItem/{line_id}",
        "current_quantity": line.quantity,
        "fulfillable_quantity": 0 if order.state is DemoOrderState.CANCELLED else line.quantity,
        "fulfillment_service": "manual",
        "fulfillment_status": None,
        "gift_card": False,
        "grams": line.product.weight_grams,
        "name": line.product.name,
        "price": str(line.unit_price),
        "price_set": _money_set(line.unit_price, currency),
        "product_exists": True,
        "product_id": product_id,
        "properties": [],
        "quantity": line.quantity,
        "requires_shipping": True,
        "sku": line.channel_sku,
        "taxable": True,
        "title": line.product.title,
        "total_discount": str(line.discount),
        "total_discount_set": _money_set(line.discount, currency),
        "variant_id": 45_000_000_000_000 + zlib.crc32(line.product.sku.encode()),
        "variant_inventory_management": "shopify",
        "variant_title": line.product.variant_title or None,
        "vendor": VENDOR,
        "tax_lines": _tax_lines(order, line.tax),
        "duties": [],
        "discount_allocations": (
            [
                {
                    "amount": str(line.discount),
                    "amount_set": _money_set(line.discount, currency),
                    "discount_application_index": 0,
                }
            ]
            if line.discount
            else []
        ),
    }


def _shipping_line(order: DemoOrder) -> dict[str, Any]:
    title = "Standard" if order.ship_to.country_code == "US" else "International Shipping"
    return {
        "id": 4_900_000_000_000 + order.index,
        "code": title,
        "discounted_price": str(order.shipping_total),
        "discounted_price_set": _money_set(order.shipping_total, order.currency),
        "price": str(order.shipping_total),
        "price_set": _money_set(order.shipping_total, order.currency),
        "source": "shopify",
        "title": title,
        "tax_lines": [],
        "discount_allocations": [],
    }


_COUNTRY_NAMES = {
    "US": "United States", "GB": "United Kingdom", "DE": "Germany", "FR": "France", "NL": "Netherlands",
    "IT": "Italy", "ES": "Spain", "JP": "Japan", "KR": "South Korea", "SG": "Singapore",
    "HK": "Hong Kong SAR", "AU": "Australia",
}  # fmt: skip
