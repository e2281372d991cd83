"""REST endpoints of products, locations and channels."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy import Connection, select

from ordertower.catalog import service
from ordertower.catalog.tables import bundle_components, products
from ordertower.kernel.web import ERROR_RESPONSES, PathCode, read_connection

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


def _product(row: Any, components: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "sku": row.sku,
        "name": row.name,
        "weight_grams": row.weight_grams,
        "hs_code": row.hs_code,
        "origin_country": row.origin_country,
        "is_bundle": bool(row.is_bundle),
        "components": components.get(row.id, []),
    }


def _components(connection: Connection) -> dict[int, list[dict[str, Any]]]:
    component = products.alias("component")
    rows = connection.execute(
        select(bundle_components.c.bundle_id, component.c.sku, bundle_components.c.quantity).join(
            component, component.c.id == bundle_components.c.component_id
        )
    )
    grouped: dict[int, list[dict[str, Any]]] = {}
    for bundle_id, sku, quantity in rows:
        grouped.setdefault(bundle_id, []).append({"sku": sku, "quantity": quantity})
    return grouped


@router.get("/products", tags=["products"])
def list_products(connection: Annotated[Connection, Depends(read_connection)]) -> list[dict[str, Any]]:
    """List products and bundles by SKU; a bundle lists its components."""
    components = _components(connection)
    return [_product(row, components) for row in service.list_products(connection)]


@router.get("/products/{sku}", tags=["products"])
def get_product(sku: PathCode, connection: Annotated[Connection, Depends(read_connection)]) -> dict[str, Any]:
    """Get one product or bundle by SKU."""
    return _product(service.get_product_or_raise(connection, sku), _components(connection))


def _location(row: Any) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "address": {
            "line1": row.line1,
            "line2": row.line2,
            "city": row.city,
            "region": row.region,
            "postal_code": row.postal_code,
            "country_code": row.country_code,
        },
        "latitude": row.latitude,
        "longitude": row.longitude,
        "rank": row.rank,
        "daily_capacity": row.daily_capacity,
    }


@router.get("/locations", tags=["locations"])
def list_locations(connection: Annotated[Connection, Depends(read_connection)]) -> list[dict[str, Any]]:
    """List locations: warehouses, 3PLs, overseas warehouses and stores."""
    return [_location(row) for row in service.list_locations(connection)]


@router.get("/locations/{code}", tags=["locations"])
def get_location(code: PathCode, connection: Annotated[Connection, Depends(read_connection)]) -> dict[str, Any]:
    """Get one location by code."""
    return _location(service.get_location_or_raise(connection, code))


@router.get("/channels", tags=["channels"])
def list_channels(connection: Annotated[Connection, Depends(read_connection)]) -> list[dict[str, Any]]:
    """List sales channels."""
    return [{"code": row.code, "kind": row.kind, "name": row.name} for row in service.list_channels(connection)]
