"""Column names of the Amazon order reports, mapped onto the concepts the parser reads.

Names are those Seller Central writes in the report headers, compared after
stripping whitespace (the Sale Report has "Sales Channel " with a trailing space).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from ordertower.channels.reader import CsvRow


class ReportKind(StrEnum):
    UNSHIPPED = "unshipped"  # Unshipped / actionable orders: order-id, quantity-purchased
    ALL_ORDERS = "all_orders"  # All Orders, also archived: amazon-order-id, order-status
    SHIPMENTS = "shipments"  # Amazon Fulfilled Shipments: one row per shipped item, all fulfilled
    SALE_REPORT = "sale_report"  # "Amazon Sale Report" CSV (Amazon.in), Order ID / Qty / Amount


def report_kind(names: Iterable[str]) -> ReportKind:
    """Tell the report kind from its stripped header names."""
    present = set(names)
    if "Order ID" in present and "Qty" in present:
        return ReportKind.SALE_REPORT
    if "order-status" in present:
        return ReportKind.ALL_ORDERS
    if "quantity-shipped" in present and "shipment-id" in present:
        return ReportKind.SHIPMENTS
    return ReportKind.UNSHIPPED


def _ship(prefix: str) -> dict[str, str]:
    return {
        "line1": f"{prefix}-address-1",
        "line2": f"{prefix}-address-2",
        "line3": f"{prefix}-address-3",
        "city": f"{prefix}-city",
        "region": f"{prefix}-state",
        "postal_code": f"{prefix}-postal-code",
        "country": f"{prefix}-country",
    }


@dataclass(frozen=True, slots=True)
class ReportColumns:
    """Column names of one report kind per concept, "" where the report has no such column."""

    order_id: str
    purchase_date: str
    quantity: str
    sku: str = "sku"
    item_id: str = ""
    updated_date: str = ""
    status: str = ""
    item_status: str = ""
    fulfillment_channel: str = ""
    buyer_email: str = "buyer-email"
    buyer_name: str = "buyer-name"
    buyer_phone: str = "buyer-phone-number"
    recipient_name: str = "recipient-name"
    product_name: str = "product-name"
    currency: str = "currency"
    item_price: str = "item-price"
    item_tax: str = "item-tax"
    shipping_price: str = "shipping-price"
    shipping_tax: str = "shipping-tax"
    gift_wrap_price: str = "gift-wrap-price"
    gift_wrap_tax: str = "gift-wrap-tax"
    item_discount: str = "item-promotion-discount"
    ship_discount: str = "ship-promotion-discount"
    ship: dict[str, str] = field(default_factory=dict)
    bill: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    # Columns used to name a line when the report has no product name.
    description: tuple[str, ...] = ()

    def required(self) -> tuple[str, ...]:
        """Columns the header must have.

        The unshipped (actionable) orders report carries the buyer's address but
        no prices, so it needs no currency or item-price column.
        """
        if self.order_id == "order-id":
            return (self.order_id, self.purchase_date, self.quantity, self.sku)
        return (self.order_id, self.purchase_date, self.quantity, self.sku, self.currency, self.item_price)

    def describe(self, row: CsvRow) -> str:
        return " ".join(row.get(name) for name in self.description if row.get(name))


REPORT_COLUMNS: dict[ReportKind, ReportColumns] = {
    ReportKind.UNSHIPPED: ReportColumns(
        order_id="order-id",
        item_id="order-item-id",
        purchase_date="purchase-date",
        quantity="quantity-purchased",
        ship={**_ship("ship"), "name": "recipient-name", "phone": "ship-phone-number"},
        bill=_ship("bill"),
        extra={"sales_channel": "sales-channel", "is_business_order": "is-business-order"},
    ),
    ReportKind.ALL_ORDERS: ReportColumns(
        order_id="amazon-order-id",
        item_id="amazon-order-item-id",
        purchase_date="purchase-date",
        updated_date="last-updated-date",
        quantity="quantity",
        status="order-status",
        item_status="item-status",
        fulfillment_channel="fulfillment-channel",
        ship={**_ship("ship"), "name": "recipient-name", "phone": "ship-phone-number"},
        extra={
            "merchant_order_id": "merchant-order-id",
            "sales_channel": "sales-channel",
            "is_business_order": "is-business-order",
        },
    ),
    ReportKind.SHIPMENTS: ReportColumns(
        order_id="amazon-order-id",
        item_id="amazon-order-item-id",
        purchase_date="purchase-date",
        quantity="quantity-shipped",
        fulfillment_channel="fulfillment-channel",
        ship={**_ship("ship"), "name": "recipient-name", "phone": "ship-phone-number"},
        bill=_ship("bill"),
        extra={
            "merchant_order_id": "merchant-order-id",
            "sales_channel": "sales-channel",
            "carrier": "carrier",
            "tracking_number": "tracking-number",
        },
    ),
    ReportKind.SALE_REPORT: ReportColumns(
        order_id="Order ID",
        purchase_date="Date",
        quantity="Qty",
        sku="SKU",
        status="Status",
        item_status="Courier Status",
        fulfillment_channel="Fulfilment",
        buyer_email="",
        buyer_name="",
        buyer_phone="",
        recipient_name="",
        product_name="",
        item_price="Amount",
        item_tax="",
        shipping_price="",
        shipping_tax="",
        gift_wrap_price="",
        gift_wrap_tax="",
        item_discount="",
        ship_discount="",
        ship={
            "city": "ship-city",
            "region": "ship-state",
            "postal_code": "ship-postal-code",
            "country": "ship-country",
        },
        extra={"sales_channel": "Sales Channel", "is_business_order": "B2B", "asin": "ASIN"},
        description=("Category", "Size"),
    ),
}
