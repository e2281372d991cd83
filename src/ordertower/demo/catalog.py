"""The part of a workspace file the demo order generator needs: SKUs, listings and locations."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from ordertower.demo.places import UsPlace, build_us_places

# Demo prices follow the weight, and electronics (HS chapter 85) cost twice as
# much as a textile or home item of the same weight.
_BASE_PRICE_USD = 6.0
_PRICE_PER_GRAM_USD = 0.05
_ELECTRONICS_FACTOR = 2.0
_BUNDLE_FACTOR = 0.85

# Popularity falls with the product's position in the workspace file (Zipf
# exponent), so the first products are the best sellers.
_POPULARITY_EXPONENT = 0.7
_BUNDLE_POPULARITY = 0.25


class DemoCatalogError(ValueError):
    """A workspace file that lacks what the demo generator needs."""


@dataclass(frozen=True, slots=True)
class DemoProduct:
    """A sellable SKU: a product, or a bundle with its components."""

    sku: str
    name: str
    weight_grams: int
    list_price_usd: Decimal
    components: tuple[tuple[str, int], ...] = ()
    title: str = ""  # the name without the variant ("Classic Cotton Tee")
    variant_title: str = ""  # "Black / M", or "" for a product without variants

    def __post_init__(self) -> None:
        title, _, variant = self.name.partition(" - ")
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "variant_title", variant)


@dataclass(frozen=True, slots=True)
class ChannelListing:
    """One SKU as a channel sells it, with its relative popularity."""

    channel_sku: str
    product: DemoProduct
    popularity: float


@dataclass(frozen=True, slots=True)
class DemoLocation:
    code: str
    name: str
    country_code: str


@dataclass(frozen=True, slots=True)
class DemoCatalog:
    """SKUs, listings per channel and locations of a workspace, plus the US ZIP codes to ship to."""

    products: dict[str, DemoProduct]
    channel_kinds: dict[str, str]  # channel code -> kind ("shopify", "amazon", ...)
    listings: dict[str, tuple[ChannelListing, ...]]  # channel code -> listings
    locations: tuple[DemoLocation, ...]
    us_places: tuple[UsPlace, ...]

    def channel_for_kind(self, kind: str) -> str:
        """Return the code of the first channel of `kind`, or raise DemoCatalogError."""
        for code, channel_kind in self.channel_kinds.items():
            if channel_kind == kind:
                return code
        raise DemoCatalogError(f"the workspace has no channel of kind {kind!r}. Add one under `channels`.")


def load_demo_catalog(workspace_file: Path) -> DemoCatalog:
    """Read the products, bundles, channels, SKU mappings and locations of a workspace file."""
    document = yaml.safe_load(workspace_file.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise DemoCatalogError(f"{workspace_file} is not a workspace file: expected a YAML mapping")

    products = _read_products(document)
    products.update(_read_bundles(document, products))
    if not products:
        raise DemoCatalogError(f"{workspace_file} has no products. Add some under `products`.")

    channel_kinds = {str(row["code"]): str(row["kind"]) for row in _rows(document, "channels")}
    listings = _build_listings(document, products, channel_kinds)
    locations = tuple(
        DemoLocation(
            code=str(row["code"]),
            name=str(row.get("name", row["code"])),
            country_code=str(row.get("address", {}).get("country_code", "")),
        )
        for row in _rows(document, "locations")
    )
    return DemoCatalog(
        products=products,
        channel_kinds=channel_kinds,
        listings=listings,
        locations=locations,
        us_places=build_us_places(),
    )


def _rows(document: dict[str, Any], key: str) -> list[dict[str, Any]]:
    rows = document.get(key) or []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise DemoCatalogError(f"`{key}` must be a list of mappings")
    return rows


def _read_products(document: dict[str, Any]) -> dict[str, DemoProduct]:
    products: dict[str, DemoProduct] = {}
    for row in _rows(document, "products"):
        weight = int(row.get("weight_grams") or 0)
        hs_code = str(row.get("hs_code") or "")
        price = _BASE_PRICE_USD + _PRICE_PER_GRAM_USD * weight
        if hs_code.startswith("85"):
            price *= _ELECTRONICS_FACTOR
        sku = str(row["sku"])
        products[sku] = DemoProduct(
            sku=sku,
            name=str(row.get("name") or sku),
            weight_grams=weight,
            list_price_usd=charm_price(price),
        )
    return products


def _read_bundles(document: dict[str, Any], products: dict[str, DemoProduct]) -> dict[str, DemoProduct]:
    bundles: dict[str, DemoProduct] = {}
    for row in _rows(document, "bundles"):
        sku = str(row["sku"])
        components = tuple((str(part["sku"]), int(part["quantity"])) for part in row["components"])
        missing = [component for component, _ in components if component not in products]
        if missing:
            raise DemoCatalogError(f"bundle {sku} uses unknown SKUs {missing}. List them under `products`.")

        weight = sum(products[component].weight_grams * quantity for component, quantity in components)
        price = sum(float(products[component].list_price_usd) * quantity for component, quantity in components)
        name = row.get("name") or " + ".join(products[component].title for component, _ in components) + " Set"
        bundles[sku] = DemoProduct(
            sku=sku,
            name=str(name),
            weight_grams=weight,
            list_price_usd=charm_price(price * _BUNDLE_FACTOR),
            components=components,
        )
    return bundles


def _build_listings(
    document: dict[str, Any], products: dict[str, DemoProduct], channel_kinds: dict[str, str]
) -> dict[str, tuple[ChannelListing, ...]]:
    popularity: dict[str, float] = {}
    for position, product in enumerate(products.values()):
        weight = 1.0 / (position + 1) ** _POPULARITY_EXPONENT
        popularity[product.sku] = weight * (_BUNDLE_POPULARITY if product.components else 1.0)

    mapped: dict[str, dict[str, str]] = {code: {} for code in channel_kinds}
    for row in _rows(document, "sku_mappings"):
        channel, sku = str(row["channel"]), str(row["sku"])
        if channel not in mapped or sku not in products:
            raise DemoCatalogError(
                f"SKU mapping {row} names an unknown channel or SKU. Check `channels` and `products`."
            )
        mapped[channel][sku] = str(row["channel_sku"])

    return {
        code: tuple(
            ChannelListing(channel_sku=mapped[code].get(sku, sku), product=product, popularity=popularity[sku])
            for sku, product in products.items()
        )
        for code in channel_kinds
    }


def charm_price(amount: float) -> Decimal:
    """Round a price to the nearest whole unit minus one cent (15.19 -> 14.99), at least 4.99."""
    return Decimal(max(5, math.floor(amount + 0.5))) - Decimal("0.01")
