"""Write orders as the body of WooCommerce's REST API v3 `GET /wp-json/wc/v3/orders`."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from ordertower.demo.orders import DemoOrder, DemoOrderState
from ordertower.kernel.money import quantize

SITE_TIMEZONE = ZoneInfo("Europe/Berlin")
WOOCOMMERCE_VERSION = "9.4.2"
_FIRST_ORDER_ID = 20_001

_STATUS = {
    DemoOrderState.OPEN: "processing",
    DemoOrderState.PENDING_PAYMENT: "pending",
    DemoOrderState.ON_HOLD: "on-hold",
    DemoOrderState.CANCELLED: "cancelled",
    DemoOrderState.SHIPPED: "completed",
}
_PAYMENT = {
    DemoOrderState.ON_HOLD: ("bacs", "Direct bank transfer"),
    DemoOrderState.PENDING_PAYMENT: ("paypal", "PayPal"),
}
_VAT_RATE_IDS = {"GB": 1, "DE": 2, "FR": 3, "NL": 4, "IT": 5, "ES": 6}


def woocommerce_order_id(order: DemoOrder) -> int:
    return _FIRST_ORDER_ID + order.index


# Compact, like the API response, and one encoder for every order of a file.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def write_woocommerce_json(handle: TextIO, orders: Iterable[DemoOrder]) -> None:
    """Write a JSON list of orders, one at a time."""
    handle.write("[")
    for position, order in enumerate(orders):
        if position:
            handle.write(",\n")
        handle.write(_ENCODER.encode(order_object(order)))
    handle.write("]\n")


def _site_time(moment: datetime) -> str:
    return moment.astimezone(SITE_TIMEZONE).replace(tzinfo=None).isoformat()


def _gmt_time(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat()


def order_object(order: DemoOrder) -> dict[str, Any]:
    """Return one order as WooCommerce's REST API v3 shapes it."""
    order_id = woocommerce_order_id(order)
    ship_to = order.ship_to
    buyer = order.buyer
    paid = order.state in (DemoOrderState.OPEN, DemoOrderState.SHIPPED, DemoOrderState.CANCELLED)
    modified = order.placed_at + timedelta(minutes=5)
    method, method_title = _PAYMENT.get(order.state, ("stripe", "Credit Card (Stripe)"))
    address = {
        "first_name": ship_to.first_name,
        "last_name": ship_to.last_name,
        "company": ship_to.company,
        "address_1": ship_to.line1,
        "address_2": ship_to.line2,
        "city": ship_to.city,
        "state": ship_to.woo_state,
        "postcode": ship_to.postal_code,
        "country": ship_to.country_code,
    }
    return {
        "id": order_id,
        "parent_id": 0,
        "number": str(order_id),
        "order_key": f"wc_order_{zlib.crc32(str(order_id).encode()):x}{order.index % 97:02d}",
        "created_via": "checkout",
        "version": WOOCOMMERCE_VERSION,
        "status": _STATUS[order.state],
        "currency": order.currency,
        "date_created": _site_time(order.placed_at),
        "date_created_gmt": _gmt_time(order.placed_at),
        "date_modified": _site_time(modified),
        "date_modified_gmt": _gmt_time(modified),
        "discount_total": str(order.discount_total),
        "discount_tax": "0.00",
        "shipping_total": str(order.shipping_total),
        "shipping_tax": str(order.shipping_tax),
        "cart_tax": str(order.line_tax_total),
        "total": str(order.total),
        "total_tax": str(order.tax_total),
        "prices_include_tax": False,
        "customer_id": buyer.customer_number,  # 0 for guest checkout
        "customer_ip_address": "",
        "customer_user_agent": "",
        "customer_note": "",
        "billing": {**address, "email": buyer.email, "phone": ship_to.phone},
        "shipping": address,
        "payment_method": method,
        "payment_method_title": method_title,
        "transaction_id": f"pi_{zlib.crc32(f'woo:{order_id}'.encode()):x}" if paid else "",
        "date_paid": _site_time(order.placed_at) if paid else None,
        "date_paid_gmt": _gmt_time(order.placed_at) if paid else None,
        "date_completed": None,
        "date_completed_gmt": None,
        "cart_hash": "",
        "meta_data": [],
        "line_items": [_line_item(order, position) for position in range(len(order.lines))],
        "tax_lines": _tax_lines(order),
        "shipping_lines": [
            {
                "id": 900_000 + order.index,
                "method_title": "Free shipping" if not order.shipping_total else "Flat rate",
                "method_id": "free_shipping" if not order.shipping_total else "flat_rate",
                "total": str(order.shipping_total),
                "total_tax": str(order.shipping_tax),
                "taxes": [],
                "meta_data": [],
            }
        ],
        "fee_lines": [],
        "coupon_lines": (
            [
                {
                    "id": 800_000 + order.index,
                    "code": order.discount_code.lower(),
                    "discount": str(order.discount_total),
                    "discount_tax": "0.00",
                    "meta_data": [],
                }
            ]
            if order.discount_code
            else []
        ),
        "refunds": [],
    }


def _line_item(order: DemoOrder, position: int) -> dict[str, Any]:
    line = order.lines[position]
    rate_id = _VAT_RATE_IDS[order.ship_to.country_code]
    subtotal_tax = quantize(line.gross * order.tax_rate, order.currency)
    return {
        "id": 500_000 + order.index * 10 + position,
        "name": line.product.name,
        "product_id": 100 + zlib.crc32(line.product.sku.encode()) % 9_000,
        "variation_id": 0,
        "quantity": line.quantity,
        "tax_class": "",
        "subtotal": str(line.gross),
        "subtotal_tax": str(subtotal_tax),
        "total": str(line.gross - line.discount),
        "total_tax": str(line.tax),
        "taxes": [{"id": rate_id, "total": str(line.tax), "subtotal": str(subtotal_tax)}],
        "meta_data": [],
        "sku": line.channel_sku,
        # WooCommerce sends the unit price as a JSON number, unlike every other amount.
        "price": float(line.unit_price),
    }


def _tax_lines(order: DemoOrder) -> list[dict[str, Any]]:
    country = order.ship_to.country_code
    percent = (order.tax_rate * 100).normalize()
    return [
        {
            "id": 700_000 + order.index,
            "rate_code": f"{country}-{order.tax_title.upper().rstrip('.')} {percent}%-1",
            "rate_id": _VAT_RATE_IDS[country],
            "label": order.tax_title,
            "compound": False,
            "tax_total": str(order.line_tax_total),
            "shipping_tax_total": str(order.shipping_tax),
            "rate_percent": float(percent),
            "meta_data": [],
        }
    ]
