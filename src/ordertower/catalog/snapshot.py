"""A read-only copy of the catalog that the import pipeline and routing consult without queries.

The catalog is small (hundreds of locations at most, thousands of SKUs), so one
snapshot per import keeps lookups per order out of the database.
`catalog.service.load_snapshot` reads it. This module imports no database
code, so that the import's read-ahead process, which receives a snapshot,
starts without loading SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
