"""Tables of the catalog area."""

from sqlalchemy import Boolean, CheckConstraint, Column, Float, ForeignKey, Integer, String, Table, UniqueConstraint

from ordertower.kernel.db import Id, JsonType, metadata

locations = Table(
    "locations",
    metadata,
    Column("id", Id, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    Column("line1", String(255), nullable=False, default=""),
    Column("line2", String(255), nullable=False, default=""),
    Column("city", String(128), nullable=False, default=""),
    Column("region", String(128), nullable=False, default=""),
    Column("postal_code", String(32), nullable=False, default=""),
    Column("country_code", String(2), nullable=False),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("rank", Integer, nullable=True),
    Column("daily_capacity", Integer, nullable=True),
    Column("active", Boolean, nullable=False, default=True),
)

products = Table(
    "products",
    metadata,
    Column("id", Id, primary_key=True),
    Column("sku", String(128), nullable=False, unique=True),
    Column("name", String(512), nullable=False),
    Column("weight_grams", Integer, nullable=True),
    Column("hs_code", String(32), nullable=False, default=""),
    Column("origin_country", String(2), nullable=False, default=""),
    Column("is_bundle", Boolean, nullable=False, default=False),
)

bundle_components = Table(
    "bundle_components",
    metadata,
    Column("id", Id, primary_key=True),
    Column("bundle_id", Id, ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
    Column("component_id", Id, ForeignKey("products.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    UniqueConstraint("bundle_id", "component_id"),
    CheckConstraint("quantity > 0", name="positive_quantity"),
)

channels = Table(
    "channels",
    metadata,
    Column("id", Id, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("name", String(255), nullable=False),
)

sku_mappings = Table(
    "sku_mappings",
    metadata,
    Column("id", Id, primary_key=True),
    Column("channel_id", Id, ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    Column("channel_sku", String(255), nullable=False),
    Column("product_id", Id, ForeignKey("products.id"), nullable=False),
    UniqueConstraint("channel_id", "channel_sku"),
)

workspace_settings = Table(
    "workspace_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JsonType, nullable=False),
)
