"""Write orders as Shopify's admin "Export orders" CSV (the 79-column layout of 2025 exports)."""

from __future__ import annotations

import csv
import zlib
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from ordertower.demo.orders import DemoOrder, DemoOrderState
from ordertower.demo.people import ShipTo

SHOP_TIMEZONE = ZoneInfo("America/Los_Angeles")
VENDOR = "Harbor & Pine"

SHOPIFY_CSV_HEADER = (
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
    "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name",
    "Lineitem price", "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
    "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Billing Street",
    "Billing Address1", "Billing Address2", "Billing Company", "Billing City", "Billing Zip",
    "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
    "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
    "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes",
    "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount", "Vendor",
    "Outstanding Balance", "Employee", "Location", "Device ID", "Id", "Tags", "Risk Level", "Source",
    "Lineitem discount", "Tax 1 Name", "Tax 1 Value", "Tax 2 Name", "Tax 2 Value", "Tax 3 Name",
    "Tax 3 Value", "Tax 4 Name", "Tax 4 Value", "Tax 5 Name", "Tax 5 Value", "Phone",
    "Receipt Number", "Duties", "Billing Province Name", "Shipping Province Name", "Payment ID",
    "Payment Terms Name", "Next Payment Due At", "Payment References",
)  # fmt: skip

_COLUMN = {name: position for position, name in enumerate(SHOPIFY_CSV_HEADER)}
_FIRST_ORDER_NUMBER = 1001
_ORDER_ID_BASE = 6_300_000_000_000


def shopify_order_number(order: DemoOrder) -> int:
    return _FIRST_ORDER_NUMBER + order.index


def shopify_order_id(order: DemoOrder) -> int:
    # Shopify ids grow with time but are not consecutive.
    return _ORDER_ID_BASE + order.index * 1_000 + zlib.crc32(str(order.index).encode()) % 1_000


def shopify_financial_status(order: DemoOrder) -> str:
    if order.state is DemoOrderState.PENDING_PAYMENT:
        return "pending"
    if order.state is DemoOrderState.CANCELLED:
        return "refunded" if order.index % 2 else "voided"
    return "paid"


def shopify_time(moment: datetime, *, iso: bool) -> str:
    local = moment.astimezone(SHOP_TIMEZONE)
    return local.isoformat() if iso else local.strftime("%Y-%m-%d %H:%M:%S %z")


def payment_token(order: DemoOrder) -> str:
    return f"r{zlib.crc32(f'payment:{order.index}'.encode()):010d}x"


def write_shopify_csv(handle: TextIO, orders: Iterable[DemoOrder]) -> None:
    """Write the header, then one row per line item, with order columns on the first row only."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(SHOPIFY_CSV_HEADER)
    for order in orders:
        for row in _order_rows(order):
            writer.writerow(row)


def _order_rows(order: DemoOrder) -> list[list[str]]:
    name = f"#{shopify_order_number(order)}"
    created_at = shopify_time(order.placed_at, iso=False)
    rows = []
    for line in order.lines:
        row = [""] * len(SHOPIFY_CSV_HEADER)
        row[_COLUMN["Name"]] = name
        row[_COLUMN["Email"]] = order.buyer.email
        row[_COLUMN["Created at"]] = created_at
        row[_COLUMN["Lineitem quantity"]] = str(line.quantity)
        row[_COLUMN["Lineitem name"]] = line.product.name
        row[_COLUMN["Lineitem price"]] = str(line.unit_price)
        row[_COLUMN["Lineitem sku"]] = line.channel_sku
        row[_COLUMN["Lineitem requires shipping"]] = "true"
        row[_COLUMN["Lineitem taxable"]] = "true"
        row[_COLUMN["Lineitem fulfillment status"]] = "pending"
        row[_COLUMN["Vendor"]] = VENDOR
        row[_COLUMN["Lineitem discount"]] = str(line.discount)
        rows.append(row)

    _fill_order_columns(rows[0], order)
    return rows


def _fill_order_columns(row: list[str], order: DemoOrder) -> None:
    status = shopify_financial_status(order)
    cancelled = order.state is DemoOrderState.CANCELLED
    paid = status in ("paid", "refunded")
    values = {
        "Financial Status": status,
        "Paid at": shopify_time(order.placed_at, iso=False) if paid else "",
        "Fulfillment Status": "unfulfilled",
        "Accepts Marketing": "yes" if order.buyer.accepts_marketing else "no",
        "Currency": order.currency,
        "Subtotal": str(order.subtotal),
        "Shipping": str(order.shipping_total),
        "Taxes": str(order.tax_total),
        "Total": str(order.total),
        "Discount Code": order.discount_code,
        "Discount Amount": str(order.discount_total),
        "Shipping Method": "Standard" if order.ship_to.country_code == "US" else "International Shipping",
        "Notes": "",
        "Cancelled at": shopify_time(order.placed_at.replace(second=0), iso=False) if cancelled else "",
        "Payment Method": "Shopify Payments" if order.index % 5 else "PayPal Express Checkout",
        "Payment Reference": f"c{shopify_order_id(order)}.1",
        "Refunded Amount": str(order.total) if status == "refunded" else "0.00",
        "Outstanding Balance": str(order.total) if status == "pending" else "0.00",
        "Id": str(shopify_order_id(order)),
        "Risk Level": "Low",
        "Source": "web",
        "Tax 1 Name": f"{order.tax_title} {_percent(order)}%" if order.tax_title else "",
        "Tax 1 Value": str(order.tax_total) if order.tax_title else "",
        "Phone": "",
        "Payment ID": payment_token(order) if paid else "",
        "Payment References": payment_token(order) if paid else "",
    }
    for column, value in values.items():
        row[_COLUMN[column]] = value
    _fill_address(row, "Billing", order.ship_to)
    _fill_address(row, "Shipping", order.ship_to)


def _fill_address(row: list[str], prefix: str, address: ShipTo) -> None:
    street = address.line1 if not address.line2 else f"{address.line1}, {address.line2}"
    values = {
        "Name": address.name,
        "Street": street,
        "Address1": address.line1,
        "Address2": address.line2,
        "Company": address.company,
        "City": address.city,
        "Zip": address.postal_code,
        "Province": address.region_code,
        "Country": address.country_code,
        "Phone": address.phone,
        "Province Name": address.region_name,
    }
    for field, value in values.items():
        row[_COLUMN[f"{prefix} {field}"]] = value


def _percent(order: DemoOrder) -> str:
    text = f"{order.tax_rate * 100:f}".rstrip("0").rstrip(".")
    return text or "0"
