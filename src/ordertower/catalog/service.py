"""Use cases of the catalog: apply a workspace file, look up locations, products and channels."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from ordertower.catalog.snapshot import CatalogSnapshot, ChannelInfo, LocationInfo, ProductInfo
from ordertower.catalog.tables import (
    bundle_components,
    channels,
    locations,
    products,
    sku_mappings,
    workspace_settings,
)
from ordertower.catalog.workspace import KnownCodes, WorkspaceFileError, WorkspaceSpec, check_references
from ordertower.inventory import service as inventory_service
from ordertower.inventory.model import LedgerReason
from ordertower.kernel.errors import NotFoundError
from ordertower.routing.geo import Coordinates, geocode

logger = logging.getLogger(__name__)

DEFAULT_ROUTING = {"rules": ["fewest_splits", "closest", "rank"], "allow_split": True}


@dataclass
class ApplyResult:
    """How many rows of each kind a workspace apply created or changed; all zero on a second apply."""

    created: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    mapped_channel_skus: list[tuple[int, str]] = field(default_factory=list)
    stocked_products: set[int] = field(default_factory=set)

    def count(self, kind: str, *, created: bool) -> None:
        target = self.created if created else self.changed
        target[kind] = target.get(kind, 0) + 1

    @property
    def is_noop(self) -> bool:
        return not self.created and not self.changed


def apply_workspace(connection: Connection, spec: WorkspaceSpec, *, source: str) -> ApplyResult:
    """Upsert everything in `spec` in the caller's transaction; raise before writing if a reference is unknown."""
    problems = check_references(spec, known_codes(connection))
    if problems:
        raise WorkspaceFileError(file=source, problems=problems)

    result = ApplyResult()
    if spec.base_currency:
        _set_setting(connection, "base_currency", spec.base_currency.upper(), result)
    if spec.routing is not None:
        _set_setting(connection, "routing", spec.routing.model_dump(), result)
    for location in spec.locations:
        _upsert_location(connection, location.model_dump(), result)
    for product in spec.products:
        _upsert_product(connection, product.model_dump(), result)
    for bundle in spec.bundles:
        _upsert_bundle(connection, bundle.sku, bundle.name, [(c.sku, c.quantity) for c in bundle.components], result)
    for channel in spec.channels:
        _upsert_channel(connection, channel.code, channel.kind, channel.name or channel.code, result)
    for mapping in spec.sku_mappings:
        _upsert_mapping(connection, mapping.channel, mapping.channel_sku, mapping.sku, result)
    for row in spec.stock:
        changed = inventory_service.set_stock(
            connection,
            sku=row.sku,
            location=row.location,
            on_hand=row.on_hand,
            safety_stock=row.safety_stock,
            reason=LedgerReason.WORKSPACE,
            reference=source,
        )
        if changed:
            result.count("stock", created=False)
            result.stocked_products.add(get_product_or_raise(connection, row.sku).id)

    logger.info("workspace applied from %s: created=%s changed=%s", source, result.created, result.changed)
    return result


def known_codes(connection: Connection) -> KnownCodes:
    product_rows = connection.execute(select(products.c.sku, products.c.is_bundle)).all()
    return KnownCodes(
        products=frozenset(sku for sku, is_bundle in product_rows if not is_bundle),
        bundles=frozenset(sku for sku, is_bundle in product_rows if is_bundle),
        locations=frozenset(connection.scalars(select(locations.c.code)).all()),
        channels=frozenset(connection.scalars(select(channels.c.code)).all()),
    )


def _set_setting(connection: Connection, key: str, value: Any, result: ApplyResult) -> None:
    current = connection.scalar(select(workspace_settings.c.value).where(workspace_settings.c.key == key))
    if current == value:
        return
    if current is None:
        connection.execute(insert(workspace_settings).values(key=key, value=value))
    else:
        connection.execute(update(workspace_settings).where(workspace_settings.c.key == key).values(value=value))
    result.count("settings", created=current is None)


def _upsert_row(
    connection: Connection, table: Any, key_column: str, values: Mapping[str, Any], kind: str, result: ApplyResult
) -> int:
    existing = connection.execute(select(table).where(table.c[key_column] == values[key_column])).first()
    if existing is None:
        new_id = connection.execute(insert(table).values(**values)).inserted_primary_key[0]  # type: ignore[index]
        result.count(kind, created=True)
        return int(new_id)
    current = existing._mapping
    changes = {name: value for name, value in values.items() if current[name] != value}
    if changes:
        connection.execute(update(table).where(table.c.id == current["id"]).values(**changes))
        result.count(kind, created=False)
    return int(current["id"])


def _upsert_location(connection: Connection, spec: dict[str, Any], result: ApplyResult) -> None:
    address = spec["address"]
    latitude, longitude = spec.get("latitude"), spec.get("longitude")
    if latitude is None or longitude is None:
        found = geocode(
            address["country_code"], address.get("postal_code", ""), address.get("city", ""), address.get("region", "")
        )
        if found is not None:
            latitude, longitude = found.coordinates.latitude, found.coordinates.longitude
        else:
            logger.warning("location %s could not be geocoded; the closest rule treats it as far", spec["code"])
    values = {
        "code": spec["code"],
        "name": spec.get("name") or spec["code"],
        "line1": address.get("line1", ""),
        "line2": address.get("line2", ""),
        "city": address.get("city", ""),
        "region": address.get("region", ""),
        "postal_code": address.get("postal_code", ""),
        "country_code": address["country_code"],
        "latitude": latitude,
        "longitude": longitude,
        "rank": spec.get("rank"),
        "daily_capacity": spec.get("daily_capacity"),
        "active": True,
    }
    _upsert_row(connection, locations, "code", values, "locations", result)


def _upsert_product(connection: Connection, spec: dict[str, Any], result: ApplyResult) -> None:
    values = {
        "sku": spec["sku"],
        "name": spec.get("name") or spec["sku"],
        "weight_grams": spec.get("weight_grams"),
        "hs_code": spec.get("hs_code") or "",
        "origin_country": (spec.get("origin_country") or "").upper(),
        "is_bundle": False,
    }
    _upsert_row(connection, products, "sku", values, "products", result)


def _upsert_bundle(
    connection: Connection, sku: str, name: str, components: list[tuple[str, int]], result: ApplyResult
) -> None:
    values = {
        "sku": sku,
        "name": name or sku,
        "weight_grams": None,
        "hs_code": "",
        "origin_country": "",
        "is_bundle": True,
    }
    bundle_id = _upsert_row(connection, products, "sku", values, "bundles", result)
    wanted = {get_product_or_raise(connection, component).id: quantity for component, quantity in components}
    current = dict(
        connection.execute(
            select(bundle_components.c.component_id, bundle_components.c.quantity).where(
                bundle_components.c.bundle_id == bundle_id
            )
        ).all()
    )
    if current == wanted:
        return
    connection.execute(delete(bundle_components).where(bundle_components.c.bundle_id == bundle_id))
    connection.execute(
        insert(bundle_components),
        [
            {"bundle_id": bundle_id, "component_id": component_id, "quantity": quantity}
            for component_id, quantity in wanted.items()
        ],
    )
    result.count("bundle_components", created=not current)


def _upsert_channel(connection: Connection, code: str, kind: str, name: str, result: ApplyResult) -> None:
    _upsert_row(connection, channels, "code", {"code": code, "kind": kind, "name": name}, "channels", result)


def _upsert_mapping(connection: Connection, channel_code: str, channel_sku: str, sku: str, result: ApplyResult) -> None:
    channel_id = get_channel_or_raise(connection, channel_code).id
    product_id = get_product_or_raise(connection, sku).id
    existing = connection.execute(
        select(sku_mappings.c.id, sku_mappings.c.product_id).where(
            sku_mappings.c.channel_id == channel_id, sku_mappings.c.channel_sku == channel_sku
        )
    ).first()
    if existing is not None and existing.product_id == product_id:
        return
    if existing is None:
        connection.execute(
            insert(sku_mappings).values(channel_id=channel_id, channel_sku=channel_sku, product_id=product_id)
        )
    else:
        connection.execute(update(sku_mappings).where(sku_mappings.c.id == existing.id).values(product_id=product_id))
    result.count("sku_mappings", created=existing is None)
    result.mapped_channel_skus.append((channel_id, channel_sku))


def get_setting(connection: Connection, key: str, default: Any = None) -> Any:
    value = connection.scalar(select(workspace_settings.c.value).where(workspace_settings.c.key == key))
    return default if value is None else value


def get_routing_config(connection: Connection) -> dict[str, Any]:
    return dict(get_setting(connection, "routing", DEFAULT_ROUTING))


def get_product_or_raise(connection: Connection, sku: str) -> Row[Any]:
    row = connection.execute(select(products).where(products.c.sku == sku)).first()
    if row is None:
        raise NotFoundError(entity="SKU", ref=sku, command="products list")
    return row


def get_location_or_raise(connection: Connection, code: str) -> Row[Any]:
    row = connection.execute(select(locations).where(locations.c.code == code)).first()
    if row is None:
        raise NotFoundError(entity="location", ref=code, command="locations list")
    return row


def get_channel_or_raise(connection: Connection, code: str) -> Row[Any]:
    row = connection.execute(select(channels).where(channels.c.code == code)).first()
    if row is None:
        raise NotFoundError(entity="channel", ref=code, command="channels list")
    return row


def list_locations(connection: Connection) -> list[Row[Any]]:
    return list(connection.execute(select(locations).order_by(locations.c.code)).all())


def list_products(connection: Connection) -> list[Row[Any]]:
    return list(connection.execute(select(products).order_by(products.c.sku)).all())


def list_channels(connection: Connection) -> list[Row[Any]]:
    return list(connection.execute(select(channels).order_by(channels.c.code)).all())


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
