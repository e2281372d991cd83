"""Tables of the inventory area.

`stock_levels` caches the ledger's sums per SKU and location so that a
reservation is one conditional UPDATE; `stock_ledger` is the record and is
only ever appended to. Available stock is derived, never stored.
"""

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from ordertower.kernel.db import Id, UtcDateTime, metadata

stock_levels = Table(
    "stock_levels",
    metadata,
    Column("id", Id, primary_key=True),
    Column("product_id", Id, ForeignKey("products.id"), nullable=False),
    Column("location_id", Id, ForeignKey("locations.id"), nullable=False),
    Column("on_hand", Integer, nullable=False, default=0),
    Column("reserved", Integer, nullable=False, default=0),
    Column("safety_stock", Integer, nullable=False, default=0),
    UniqueConstraint("product_id", "location_id"),
    CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    CheckConstraint("safety_stock >= 0", name="safety_stock_not_negative"),
    # The last line of defence against overselling: no code path may reserve more than is on hand.
    CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
)

# An entry's stock level and order have no foreign key: entries are written only together with the UPDATE
# of their stock level, and they outlive any order they name. `db check` compares the sums and finds strays.
stock_ledger = Table(
    "stock_ledger",
    metadata,
    Column("id", Id, primary_key=True),
    Column("product_id", Id, nullable=False),
    Column("location_id", Id, nullable=False),
    Column("on_hand_delta", Integer, nullable=False, default=0),
    Column("reserved_delta", Integer, nullable=False, default=0),
    Column("reason", String(64), nullable=False),
    Column("order_id", Id, nullable=True),
    Column("reference", String(255), nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_stock_ledger_product_location", "product_id", "location_id"),
    Index("ix_stock_ledger_order", "order_id"),
)
