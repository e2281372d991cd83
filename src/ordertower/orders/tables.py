"""Tables of the orders area."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ordertower.kernel.db import Id, JsonType, UtcDateTime, metadata

orders = Table(
    "orders",
    metadata,
    Column("id", Id, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("channel_id", Id, ForeignKey("channels.id"), nullable=False),
    Column("external_id", String(128), nullable=False),
    Column("external_number", String(128), nullable=False, default=""),
    Column("status", String(32), nullable=False),
    Column("financial_status", String(32), nullable=False),
    Column("hold_reasons", JsonType, nullable=False, default=list),
    Column("currency", String(3), nullable=False),
    # Amounts in the currency's minor units, as the channel reported them.
    Column("subtotal", BigInteger, nullable=False),
    Column("discount_total", BigInteger, nullable=False),
    Column("shipping_total", BigInteger, nullable=False),
    Column("tax_total", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("customer_id", Id, ForeignKey("customers.id"), nullable=True),
    Column("email", String(320), nullable=False, default=""),
    Column("customer_name", String(255), nullable=False, default=""),
    Column("ship_name", String(255), nullable=False, default=""),
    Column("ship_company", String(255), nullable=False, default=""),
    Column("ship_line1", String(255), nullable=False, default=""),
    Column("ship_line2", String(255), nullable=False, default=""),
    Column("ship_city", String(128), nullable=False, default=""),
    Column("ship_region", String(128), nullable=False, default=""),
    Column("ship_postal_code", String(32), nullable=False, default=""),
    Column("ship_country_code", String(2), nullable=False, default=""),
    Column("ship_phone", String(64), nullable=False, default=""),
    Column("address_problems", JsonType, nullable=False, default=list),
    Column("fulfilled_by_channel", Boolean, nullable=False, default=False),
    Column("channel_state", String(16), nullable=False),  # open, cancelled or fulfilled, as the channel reports it
    Column("placed_at", UtcDateTime, nullable=False),
    Column("channel_updated_at", UtcDateTime, nullable=True),
    Column("content_hash", String(64), nullable=False),
    Column("routing", JsonType, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # The import that last wrote or checked the order. It has no foreign key: each bulk insert would lock the
    # import's row once per order.
    Column("last_import_id", BigInteger, nullable=True),
    UniqueConstraint("channel_id", "external_id"),
    Index("ix_orders_status", "status"),
    Index("ix_orders_placed_at", "placed_at"),
    Index("ix_orders_customer", "customer_id"),
)

# The order_id of lines, events, shipments and allocations has no foreign key, and neither have an
# allocation's line, shipment and stock level. The order writer stores them with their parent in one transaction, and
# PostgreSQL's check of each inserted row was about half of its work in an import. `db check` finds strays.
order_lines = Table(
    "order_lines",
    metadata,
    Column("id", Id, primary_key=True),
    Column("order_id", Id, nullable=False),
    Column("line_number", Integer, nullable=False),
    Column("external_line_id", String(128), nullable=False, default=""),
    Column("channel_sku", String(255), nullable=False, default=""),
    Column("product_id", Id, ForeignKey("products.id"), nullable=True),
    Column("sku", String(128), nullable=False, default=""),
    Column("name", String(512), nullable=False, default=""),
    Column("quantity", Integer, nullable=False),
    Column("cancelled_quantity", Integer, nullable=False, default=0),
    Column("unit_price", BigInteger, nullable=False),
    Column("discount", BigInteger, nullable=False, default=0),
    Column("tax", BigInteger, nullable=False, default=0),
    UniqueConstraint("order_id", "line_number"),
    CheckConstraint("quantity > 0", name="positive_quantity"),
    CheckConstraint("cancelled_quantity >= 0 AND cancelled_quantity <= quantity", name="cancelled_in_range"),
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", Id, primary_key=True),
    Column("order_id", Id, nullable=False),
    Column("location_id", Id, ForeignKey("locations.id"), nullable=False),
    Column("status", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_shipments_order", "order_id"),
    Index("ix_shipments_location_status", "location_id", "status"),
)

# One row per reserved quantity of one stocked SKU (a bundle line has one per component).
allocations = Table(
    "allocations",
    metadata,
    Column("id", Id, primary_key=True),
    Column("order_id", Id, nullable=False),
    Column("order_line_id", Id, nullable=False),
    Column("shipment_id", Id, nullable=False),
    Column("product_id", Id, nullable=False),
    Column("location_id", Id, nullable=False),
    Column("quantity", Integer, nullable=False),
    CheckConstraint("quantity > 0", name="positive_quantity"),
    # No index by shipment or line: every query for the allocations of a shipment or a line also filters by order.
    Index("ix_allocations_order", "order_id"),
)

order_events = Table(
    "order_events",
    metadata,
    Column("id", Id, primary_key=True),
    Column("order_id", Id, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("from_status", String(32), nullable=True),
    Column("to_status", String(32), nullable=True),
    Column("cause", String(255), nullable=False, default=""),
    Column("data", JsonType, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_order_events_order", "order_id"),
)

order_imports = Table(
    "order_imports",
    metadata,
    Column("id", Id, primary_key=True),
    Column("filename", String(512), nullable=False),
    Column("format", String(32), nullable=False),
    Column("channel_id", Id, ForeignKey("channels.id"), nullable=True),
    Column("status", String(16), nullable=False),
    Column("created", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("errors", JsonType, nullable=False, default=list),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("note", Text, nullable=False, default=""),
)

order_number_sequence = Table(
    "order_number_sequence",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("next_value", BigInteger, nullable=False),
)
