"""Write orders as Amazon Seller Central's All Orders report (tab-separated flat file)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import timedelta
from typing import TextIO

from ordertower.demo.orders import DemoOrder, DemoOrderState

# The report's columns in Amazon's order. Buyer name and street are not in this
# report: Amazon gives them only in the Unshipped Orders report and the API.
AMAZON_ALL_ORDERS_HEADER = (
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level",
    "product-name", "sku", "asin", "item-status", "quantity", "currency", "item-price", "item-tax",
    "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount",
    "ship-promotion-discount", "ship-city", "ship-state", "ship-postal-code", "ship-country",
    "ship-promotion-id", "promotion-ids", "is-business-order", "purchase-order-number",
    "price-designation", "customized-url", "customized-page", "is-heavy-or-bulky",
    "is-replacement-order",
)  # fmt: skip

_ORDER_STATUS = {
    DemoOrderState.OPEN: "Unshipped",
    DemoOrderState.PENDING_PAYMENT: "Pending",
    DemoOrderState.CANCELLED: "Cancelled",
    DemoOrderState.SHIPPED: "Shipped",
}
_ITEM_STATUS = {
    DemoOrderState.OPEN: "Unshipped",
    DemoOrderState.PENDING_PAYMENT: "Unshipped",
    DemoOrderState.CANCELLED: "Cancelled",
    DemoOrderState.SHIPPED: "Shipped",
}
_ASIN_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def amazon_order_id(order: DemoOrder) -> str:
    """Return an id like 113-1234567-1234567, unique for the first ten million orders."""
    # 7,654,321 is coprime with 10**7, so the middle group never repeats.
    middle = (order.index * 7_654_321 + 4_820_339) % 10_000_000
    check = zlib.crc32(f"amazon:{order.index}".encode())
    return f"11{1 + check % 4}-{middle:07d}-{check % 10_000_000:07d}"


def asin_for(channel_sku: str) -> str:
    number = zlib.crc32(channel_sku.encode())
    letters = []
    for _ in range(8):
        number, digit = divmod(number, len(_ASIN_ALPHABET))
        letters.append(_ASIN_ALPHABET[digit])
    return "B0" + "".join(letters)


def write_amazon_tsv(handle: TextIO, orders: Iterable[DemoOrder]) -> None:
    """Write the header line, then one row per order item, without quoting or escaping as Amazon does."""
    handle.write("\t".join(AMAZON_ALL_ORDERS_HEADER) + "\n")
    for order in orders:
        for values in _order_rows(order):
            handle.write("\t".join(values) + "\n")


def _order_rows(order: DemoOrder) -> list[tuple[str, ...]]:
    order_id = amazon_order_id(order)
    purchased = order.placed_at.isoformat()
    updated = (order.placed_at + timedelta(hours=2, minutes=order.index % 60)).isoformat()
    # Amazon leaves prices blank while the payment is still pending.
    priced = order.state is not DemoOrderState.PENDING_PAYMENT
    ship_to = order.ship_to
    service_level = "Expedited" if order.index % 7 == 0 else "Standard"
    rows: list[tuple[str, ...]] = []
    for position, line in enumerate(order.lines):
        shipping = order.shipping_total if position == 0 else 0
        rows.append(
            (
                order_id,
                "",
                purchased,
                updated,
                _ORDER_STATUS[order.state],
                "Amazon" if order.fulfilled_by_channel else "Merchant",
                "Amazon.com",
                "",
                "",
                service_level,
                line.product.name,
                line.channel_sku,
                asin_for(line.channel_sku),
                _ITEM_STATUS[order.state],
                str(line.quantity),
                order.currency,
                f"{line.gross:.2f}" if priced else "",
                f"{line.tax:.2f}" if priced else "",
                f"{shipping:.2f}" if priced else "",
                "0.00" if priced else "",
                "",
                "",
                f"{line.discount:.2f}" if priced else "",
                "0.00" if priced else "",
                ship_to.city,
                ship_to.region_code,
                ship_to.postal_code,
                ship_to.country_code,
                "",
                "WELCOME10" if line.discount else "",
                "false",
                "",
                "",
                "",
                "",
                "false",
                "false",
            )
        )
    return rows


# The Unshipped Orders report: the merchant-fulfilled orders still to ship, with the
# buyer's name and street address but no prices.
AMAZON_UNSHIPPED_HEADER = (
    "order-id", "order-item-id", "purchase-date", "payments-date", "reporting-date", "promise-date",
    "days-past-promise", "buyer-email", "buyer-phone-number", "sku", "product-name", "quantity-purchased",
    "quantity-shipped", "quantity-to-ship", "ship-service-level", "recipient-name", "ship-address-1",
    "ship-address-2", "ship-address-3", "ship-city", "ship-state", "ship-postal-code", "ship-country",
    "is-business-order", "purchase-order-number", "price-designation", "is-prime",
)  # fmt: skip


def write_amazon_unshipped_tsv(handle: TextIO, orders: Iterable[DemoOrder]) -> None:
    """Write the Unshipped Orders report for the open merchant-fulfilled orders among `orders`."""
    handle.write("\t".join(AMAZON_UNSHIPPED_HEADER) + "\n")
    for order in orders:
        if order.state is not DemoOrderState.OPEN or order.fulfilled_by_channel:
            continue
        for values in _unshipped_rows(order):
            handle.write("\t".join(values) + "\n")


def _unshipped_rows(order: DemoOrder) -> list[tuple[str, ...]]:
    order_id = amazon_order_id(order)
    purchased = order.placed_at.isoformat()
    promised = (order.placed_at + timedelta(days=3)).isoformat()
    ship_to = order.ship_to
    rows: list[tuple[str, ...]] = []
    for position, line in enumerate(order.lines, start=1):
        item_id = f"{zlib.crc32(f'{order_id}/{position}'.encode()):014d}"
        rows.append(
            (
                order_id, item_id, purchased, purchased, purchased, promised, "0", order.buyer.email,
                ship_to.phone, line.channel_sku, line.product.name, str(line.quantity), "0", str(line.quantity),
                "Standard", ship_to.name, ship_to.line1, ship_to.line2, "", ship_to.city, ship_to.region_code,
                ship_to.postal_code, ship_to.country_code, "false", "", "", "false",
            )
        )  # fmt: skip
    return rows
