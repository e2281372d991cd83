"""The order and import resources: one JSON shape for the CLI's `--json` output and the REST API."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, func, select

from ordertower.catalog.tables import channels, locations, products
from ordertower.customers.tables import customers
from ordertower.kernel.money import format_amount
from ordertower.kernel.paging import page
from ordertower.orders.tables import allocations, order_events, order_imports, order_lines, shipments
from ordertower.routing.description import describe_decision


def build_resources(
    connection: Connection, rows: Sequence[Row[Any]], *, with_events: bool = True
) -> list[dict[str, Any]]:
    """Build resources for order rows with a fixed number of queries, whatever the number of orders."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    channel_codes = {row.id: row.code for row in connection.execute(select(channels.c.id, channels.c.code))}
    customer_rows = {
        row.id: row
        for row in connection.execute(
            select(customers).where(customers.c.id.in_({r.customer_id for r in rows if r.customer_id}))
        )
    }
    lines = defaultdict(list)
    for line in connection.execute(
        select(order_lines)
        .where(order_lines.c.order_id.in_(ids))
        .order_by(order_lines.c.order_id, order_lines.c.line_number)
    ):
        lines[line.order_id].append(line)
    shipment_lines = _shipment_lines(connection, ids)
    events = defaultdict(list)
    if with_events:
        for event in connection.execute(
            select(order_events).where(order_events.c.order_id.in_(ids)).order_by(order_events.c.id)
        ):
            events[event.order_id].append(event)
    return [
        _resource(
            row,
            channel_codes,
            customer_rows.get(row.customer_id),
            lines[row.id],
            shipment_lines.get(row.id, []),
            events[row.id] if with_events else None,
        )
        for row in rows
    ]


def _shipment_lines(connection: Connection, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    query = (
        select(
            shipments.c.id,
            shipments.c.order_id,
            shipments.c.status,
            locations.c.code,
            products.c.sku,
            allocations.c.quantity,
        )
        .join(locations, locations.c.id == shipments.c.location_id)
        .join(allocations, allocations.c.shipment_id == shipments.c.id)
        .join(products, products.c.id == allocations.c.product_id)
        .where(shipments.c.order_id.in_(ids), allocations.c.order_id.in_(ids))
        .order_by(shipments.c.id, products.c.sku)
    )
    by_shipment: dict[int, dict[str, Any]] = {}
    by_order: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in connection.execute(query):
        shipment = by_shipment.get(row.id)
        if shipment is None:
            shipment = {"location": row.code, "status": row.status, "lines": []}
            by_shipment[row.id] = shipment
            by_order[row.order_id].append(shipment)
        existing = next((line for line in shipment["lines"] if line["sku"] == row.sku), None)
        if existing:
            existing["quantity"] += row.quantity
        else:
            shipment["lines"].append({"sku": row.sku, "quantity": row.quantity})
    return by_order


def _resource(
    row: Row[Any],
    channel_codes: dict[int, str],
    customer: Row[Any] | None,
    lines: list[Row[Any]],
    shipment_list: list[dict[str, Any]],
    events: list[Row[Any]] | None,
) -> dict[str, Any]:
    currency = row.currency
    resource: dict[str, Any] = {
        "number": row.number,
        "channel": channel_codes.get(row.channel_id, ""),
        "external_id": row.external_id,
        "external_number": row.external_number,
        "status": row.status,
        "financial_status": row.financial_status,
        "hold_reasons": list(row.hold_reasons or []),
        "currency": currency,
        "subtotal": format_amount(row.subtotal, currency),
        "discount_total": format_amount(row.discount_total, currency),
        "shipping_total": format_amount(row.shipping_total, currency),
        "tax_total": format_amount(row.tax_total, currency),
        "total": format_amount(row.total, currency),
        "placed_at": row.placed_at.isoformat(),
        "fulfilled_by_channel": bool(row.fulfilled_by_channel),
        "customer": {
            "email": customer.email if customer else row.email,
            "name": (customer.name if customer and customer.name else row.customer_name) or row.ship_name,
        },
        "shipping_address": {
            "name": row.ship_name,
            "company": row.ship_company,
            "line1": row.ship_line1,
            "line2": row.ship_line2,
            "city": row.ship_city,
            "region": row.ship_region,
            "postal_code": row.ship_postal_code,
            "country_code": row.ship_country_code,
            "phone": row.ship_phone,
        },
        "address_problems": list(row.address_problems or []),
        "lines": [
            {
                "sku": line.sku,
                "channel_sku": line.channel_sku,
                "name": line.name,
                "quantity": line.quantity,
                "cancelled_quantity": line.cancelled_quantity,
                "unit_price": format_amount(line.unit_price, currency),
                "discount": format_amount(line.discount, currency),
                "tax": format_amount(line.tax, currency),
            }
            for line in lines
        ],
        "shipments": shipment_list,
        "routing": {
            "rules": (row.routing or {}).get("rules", []),
            "explanation": describe_decision(row.routing),
        },
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }
    if events is not None:
        resource["events"] = [
            {
                "kind": event.kind,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "cause": event.cause,
                "data": event.data,
                "at": event.created_at.isoformat(),
            }
            for event in events
        ]
    return resource


def import_page(connection: Connection, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Read one page of imports, newest first, in the shape that the API and `imports list --json` print."""
    rows = connection.execute(
        select(order_imports).order_by(order_imports.c.id.desc()).limit(limit).offset(offset)
    ).all()
    total = connection.scalar(select(func.count()).select_from(order_imports)) or 0
    return page([import_resource(row) for row in rows], total=int(total), limit=limit, offset=offset)


def import_resource(row: Any) -> dict[str, Any]:
    """Return one import with its counts and per-row error report."""
    return {
        "id": row.id,
        "filename": row.filename,
        "format": row.format,
        "status": row.status,
        "created": row.created,
        "updated": row.updated,
        "unchanged": row.unchanged,
        "errors": row.errors,
        "started_at": row.started_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }
