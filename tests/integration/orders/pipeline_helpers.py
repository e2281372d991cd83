"""Builders of workspace and order files, and checks of the stock invariants, for the order pipeline tests.

Every helper goes through the same entry points as the CLI: a workspace file is
loaded with load_workspace_file and applied with apply_workspace, and an order
file is read with read_orders_file and imported with import_orders.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, Table, func, select

from ordertower.catalog.service import ApplyResult, apply_workspace
from ordertower.catalog.tables import locations, products
from ordertower.catalog.workspace import load_workspace_file
from ordertower.channels.formats import read_orders, read_orders_file
from ordertower.channels.generic.template_csv import TEMPLATE_COLUMNS
from ordertower.inventory.model import StockLevel
from ordertower.inventory.service import ledger_sums, list_stock
from ordertower.inventory.tables import stock_levels
from ordertower.kernel.db import Database
from ordertower.orders.importing import ImportReport, import_orders
from ordertower.orders.integrity import check_records
from ordertower.orders.model import OrderStatus
from ordertower.orders.service import get_order_or_raise
from ordertower.orders.tables import allocations, order_events, order_lines, orders

REPOSITORY = Path(__file__).resolve().parents[3]
EXAMPLE_WORKSPACE = REPOSITORY / "examples" / "workspace.yaml"
SAMPLES = REPOSITORY / ".." / "shared" / "samples"

# Two US locations with coordinates, a few products, a bundle and one channel of each kind.
# Tests add their own `stock:` section, so every quantity a test checks is visible in the test.
SMALL_WORKSPACE = """\
base_currency: USD
locations:
  - code: LA
    name: Los Angeles 3PL
    address: {line1: "4800 S Alameda St", city: Los Angeles, region: CA, postal_code: "90058", country_code: US}
    latitude: 34.0002
    longitude: -118.2391
    rank: 1
  - code: NJ
    name: Edison 3PL
    address: {line1: "300 Raritan Center Pkwy", city: Edison, region: NJ, postal_code: "08817", country_code: US}
    latitude: 40.5187
    longitude: -74.3521
    rank: 2
products:
  - {sku: MUG-WHT, name: "Stoneware Mug - White"}
  - {sku: TEE-BLK-M, name: "Cotton Tee - Black / M"}
  - {sku: CAP-BLK, name: "Baseball Cap - Black"}
bundles:
  - {sku: GIFT-SET, name: "Gift set", components: [{sku: TEE-BLK-M, quantity: 2}, {sku: MUG-WHT, quantity: 1}]}
channels:
  - {code: wholesale, kind: generic, name: "Wholesale"}
  - {code: amazon-us, kind: amazon, name: "Amazon US"}
  - {code: shopify-us, kind: shopify, name: "Shopify US"}
  - {code: woocommerce-eu, kind: woocommerce, name: "WooCommerce EU"}
routing:
  rules: [fewest_splits, closest, rank]
  allow_split: {allow_split}
"""

# The header of Seller Central's Unshipped Orders report, which carries the buyer's full address,
# with the price columns the report has when it is requested with prices.
AMAZON_UNSHIPPED_HEADER = [
    "order-id",
    "order-item-id",
    "purchase-date",
    "payments-date",
    "reporting-date",
    "promise-date",
    "days-past-promise",
    "buyer-email",
    "buyer-phone-number",
    "sku",
    "product-name",
    "quantity-purchased",
    "quantity-shipped",
    "quantity-to-ship",
    "ship-service-level",
    "recipient-name",
    "ship-address-1",
    "ship-address-2",
    "ship-address-3",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "is-business-order",
    "purchase-order-number",
    "price-designation",
    "is-prime",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
]


def write_workspace(path: Path, *, stock: str = "", extra: str = "", allow_split: bool = True) -> Path:
    """Write SMALL_WORKSPACE plus `stock` and `extra` YAML sections to `path`."""
    text = SMALL_WORKSPACE.replace("{allow_split}", "true" if allow_split else "false")
    path.write_text(text + stock + extra, encoding="utf-8")
    return path


def apply_workspace_file(database: Database, path: Path) -> ApplyResult:
    """Load and apply a workspace file in one write transaction, as `workspace apply` does."""
    spec = load_workspace_file(path)
    with database.write() as connection:
        return apply_workspace(connection, spec, source=str(path))


def import_file(
    database: Database,
    path: Path,
    *,
    channel: str | None = None,
    batch_size: int = 500,
    read_ahead: bool | None = None,
) -> ImportReport:
    with read_orders_file(path) as source:
        return import_orders(database, source, channel_code=channel, batch_size=batch_size, read_ahead=read_ahead)


def import_text(
    database: Database, text: str, *, filename: str = "orders.csv", channel: str | None = None
) -> ImportReport:
    """Import an order file given as text, without writing it to disk."""
    with read_orders(io.BytesIO(text.encode("utf-8")), filename=filename) as source:
        return import_orders(database, source, channel_code=channel)


def generic_row(order_id: str, sku: str, quantity: int, **values: Any) -> dict[str, Any]:
    """One row of the generic order CSV: a paid USD order shipping to a valid Los Angeles address."""
    row: dict[str, Any] = {
        "order_id": order_id,
        "order_date": "2024-05-01T10:00:00+00:00",
        "currency": "USD",
        "sku": sku,
        "quantity": quantity,
        "unit_price": "10.00",
        "ship_name": "Sam Fakename",
        "ship_country": "US",
        "email": f"{order_id.lower()}@example.com",
        "ship_line1": "1 Sample Road",
        "ship_city": "Los Angeles",
        "ship_region": "CA",
        "ship_postal_code": "90012",
        "financial_status": "paid",
    }
    row.update(values)
    unknown = set(row) - set(TEMPLATE_COLUMNS)
    assert not unknown, f"not a generic CSV column: {unknown}"
    return row


def generic_csv(rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(TEMPLATE_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_generic_csv(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    path.write_text(generic_csv(rows), encoding="utf-8")
    return path


def amazon_unshipped_row(order_id: str, sku: str, quantity: int, **values: str) -> dict[str, str]:
    """One item of an Unshipped Orders report: a merchant-fulfilled order to a valid US address."""
    row = {
        "order-id": order_id,
        "order-item-id": f"{order_id[-7:]}01",
        "purchase-date": "2024-05-01T10:00:00+00:00",
        "payments-date": "2024-05-01T10:05:00+00:00",
        "buyer-email": "buyer01@marketplace.amazon.example",
        "sku": sku,
        "product-name": "Listing of " + sku,
        "quantity-purchased": str(quantity),
        "quantity-shipped": "0",
        "quantity-to-ship": str(quantity),
        "ship-service-level": "Standard",
        "recipient-name": "Sam Fakename",
        "ship-address-1": "1 Sample Road",
        "ship-city": "Seattle",
        "ship-state": "WA",
        "ship-postal-code": "98101",
        "ship-country": "US",
        "currency": "USD",
        "item-price": "20.00",
        "item-tax": "0.00",
        "shipping-price": "0.00",
        "shipping-tax": "0.00",
    }
    row.update(values)
    unknown = set(row) - set(AMAZON_UNSHIPPED_HEADER)
    assert not unknown, f"not an Unshipped report column: {unknown}"
    return row


def write_tsv(path: Path, header: list[str], rows: Iterable[dict[str, str]]) -> Path:
    lines = ["\t".join(header)] + ["\t".join(row.get(name, "") for name in header) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stock_problems(connection: Connection) -> list[str]:
    """List every stock level that breaks an invariant, so an empty list means the stock is consistent.

    The invariants: on_hand and reserved equal the sums of the ledger, reserved
    never exceeds on_hand, reserved equals the units allocated to orders, and
    no record of an order lacks its parent.
    """
    ledger = ledger_sums(connection)
    allocated = {
        (product_id, location_id): int(units)
        for product_id, location_id, units in connection.execute(
            select(allocations.c.product_id, allocations.c.location_id, func.sum(allocations.c.quantity)).group_by(
                allocations.c.product_id, allocations.c.location_id
            )
        )
    }
    problems = []
    seen = set()
    for row in connection.execute(
        select(stock_levels, products.c.sku, locations.c.code)
        .join(products, products.c.id == stock_levels.c.product_id)
        .join(locations, locations.c.id == stock_levels.c.location_id)
    ):
        key = (row.product_id, row.location_id)
        seen.add(key)
        name = f"{row.sku}@{row.code}"
        if ledger.get(key, (0, 0)) != (row.on_hand, row.reserved):
            problems.append(f"{name}: level {(row.on_hand, row.reserved)} != ledger {ledger.get(key)}")
        if row.reserved > row.on_hand:
            problems.append(f"{name}: reserved {row.reserved} > on_hand {row.on_hand}")
        if allocated.get(key, 0) != row.reserved:
            problems.append(f"{name}: reserved {row.reserved} != allocated {allocated.get(key, 0)}")
    for key in (set(ledger) | set(allocated)) - seen:
        problems.append(f"{key}: ledger or allocations without a stock level")
    # The product's own checks also find records whose order, line or shipment is missing.
    problems.extend(f"{finding.check}: {finding.count} {finding.examples}" for finding in check_records(connection))
    return problems


def level(connection: Connection, sku: str, location: str) -> StockLevel:
    return list_stock(connection, sku=sku, location=location)[0]


def order(connection: Connection, ref: str) -> Row[Any]:
    return get_order_or_raise(connection, ref)


def events_of(connection: Connection, order_id: int) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(order_events).where(order_events.c.order_id == order_id).order_by(order_events.c.id)
        ).all()
    )


def allocated_units(connection: Connection, order_id: int) -> dict[tuple[str, str], int]:
    """Units reserved for one order, per (SKU, location code)."""
    rows = connection.execute(
        select(products.c.sku, locations.c.code, func.sum(allocations.c.quantity))
        .join(products, products.c.id == allocations.c.product_id)
        .join(locations, locations.c.id == allocations.c.location_id)
        .where(allocations.c.order_id == order_id)
        .group_by(products.c.sku, locations.c.code)
    )
    return {(sku, code): int(units) for sku, code, units in rows}


def count_rows(connection: Connection, table: Table) -> int:
    return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def status_counts(connection: Connection) -> dict[str, int]:
    rows = connection.execute(select(orders.c.status, func.count()).group_by(orders.c.status))
    return {status: int(count) for status, count in rows}


def status_changes_without_event(connection: Connection) -> list[str]:
    """Orders whose current status is not the target of their newest event."""
    missing = []
    for row in connection.execute(select(orders.c.id, orders.c.number, orders.c.status)):
        events = events_of(connection, row.id)
        if not events or events[-1].to_status != row.status:
            missing.append(f"{row.number}: status {row.status}, events {[e.to_status for e in events]}")
    return missing


def line_rows(connection: Connection, order_id: int) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(order_lines).where(order_lines.c.order_id == order_id).order_by(order_lines.c.line_number)
        ).all()
    )


OPEN = {
    OrderStatus.PENDING.value,
    OrderStatus.ON_HOLD.value,
    OrderStatus.BACKORDERED.value,
    OrderStatus.ALLOCATED.value,
}
