"""A read-only copy of the catalog that the import pipeline and routing consult without queries.

The catalog is small (hundreds of locations at most, thousands of SKUs), so one
snapshot per import keeps lookups per order out of the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from ordertower.catalog.service import get_routing_config, get_setting
from ordertower.catalog.tables import bundle_components, channels, locations, products, sku_mappings
from ordertower.routing.geo import Coordinates


@dataclass(frozen=True, slots=True)
class ProductInfo:
    id: int
    sku: str
    name: str
    is_bundle: bool


@dataclass(frozen=True, slots=True)
class LocationInfo:
    id: int
    code: str
    coordinates: Coordinates | None
    rank: int | None
    daily_capacity: int | None


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    id: int
    code: str
    kind: str
    name: str


@dataclass
class CatalogSnapshot:
    products: dict[int, ProductInfo] = field(default_factory=dict)
    product_ids_by_sku: dict[str, int] = field(default_factory=dict)
    components: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    mappings: dict[int, dict[str, int]] = field(default_factory=dict)
    locations: dict[int, LocationInfo] = field(default_factory=dict)
    channels: dict[str, ChannelInfo] = field(default_factory=dict)
    routing: dict[str, Any] = field(default_factory=dict)
    base_currency: str = "USD"

    def resolve(self, channel_id: int, channel_sku: str) -> int | None:
        """Map a channel SKU to a product id: an explicit mapping first, else our own SKU spelled the same."""
        if not channel_sku:
            return None
        mapped = self.mappings.get(channel_id, {}).get(channel_sku)
        if mapped is not None:
            return mapped
        return self.product_ids_by_sku.get(channel_sku)

    def stocked_units(self, product_id: int, quantity: int) -> list[tuple[int, int]]:
        """Expand a product into the stocked products and units it takes (a bundle into its components)."""
        if product_id in self.components:
            return [(component, per_bundle * quantity) for component, per_bundle in self.components[product_id]]
        return [(product_id, quantity)]


def load_snapshot(connection: Connection) -> CatalogSnapshot:
    snapshot = CatalogSnapshot()
    for row in connection.execute(select(products.c.id, products.c.sku, products.c.name, products.c.is_bundle)):
        snapshot.products[row.id] = ProductInfo(row.id, row.sku, row.name, bool(row.is_bundle))
        snapshot.product_ids_by_sku[row.sku] = row.id
    for row in connection.execute(select(bundle_components).order_by(bundle_components.c.id)):
        snapshot.components.setdefault(row.bundle_id, []).append((row.component_id, row.quantity))
    for row in connection.execute(select(sku_mappings)):
        snapshot.mappings.setdefault(row.channel_id, {})[row.channel_sku] = row.product_id
    for row in connection.execute(select(locations).where(locations.c.active.is_(True))):
        coordinates = None
        if row.latitude is not None and row.longitude is not None:
            coordinates = Coordinates(row.latitude, row.longitude)
        snapshot.locations[row.id] = LocationInfo(row.id, row.code, coordinates, row.rank, row.daily_capacity)
    for row in connection.execute(select(channels)):
        snapshot.channels[row.code] = ChannelInfo(row.id, row.code, row.kind, row.name)
    snapshot.routing = get_routing_config(connection)
    snapshot.base_currency = str(get_setting(connection, "base_currency", "USD"))
    return snapshot
