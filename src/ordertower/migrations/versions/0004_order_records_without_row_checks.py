"""Drop the foreign keys that PostgreSQL checked row by row inside an order's own records.

An order's lines, events, shipments and allocations, and the ledger entries
and allocations of a stock level, are written only by the code that writes
their parent, in the same transaction. On PostgreSQL every inserted row ran
one key check per key, and these checks were about half of the server's work
in an import. `ordertower db check` finds records whose parent is missing.
The keys to the catalog (channels, products, locations) and to customers stay.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 07:00:00.000000
"""

from alembic import op


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (table, constraint name, local columns, referred table, referred columns, on delete)
_KEYS = (
    ("order_lines", "fk_order_lines_order_id_orders", ["order_id"], "orders", ["id"], "CASCADE"),
    ("order_events", "fk_order_events_order_id_orders", ["order_id"], "orders", ["id"], "CASCADE"),
    ("shipments", "fk_shipments_order_id_orders", ["order_id"], "orders", ["id"], "CASCADE"),
    ("allocations", "fk_allocations_order_id_orders", ["order_id"], "orders", ["id"], "CASCADE"),
    ("allocations", "fk_allocations_order_line_id_order_lines", ["order_line_id"], "order_lines", ["id"], "CASCADE"),
    ("allocations", "fk_allocations_shipment_id_shipments", ["shipment_id"], "shipments", ["id"], "CASCADE"),
    (
        "allocations",
        "fk_allocations_product_id_stock_levels",
        ["product_id", "location_id"],
        "stock_levels",
        ["product_id", "location_id"],
        None,
    ),
    ("stock_ledger", "fk_stock_ledger_order_id_orders", ["order_id"], "orders", ["id"], None),
    (
        "stock_ledger",
        "fk_stock_ledger_product_id_stock_levels",
        ["product_id", "location_id"],
        "stock_levels",
        ["product_id", "location_id"],
        None,
    ),
)


def upgrade() -> None:
    for table in dict.fromkeys(key[0] for key in _KEYS):
        with op.batch_alter_table(table) as batch_op:
            for _, name, *_rest in (key for key in _KEYS if key[0] == table):
                batch_op.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    for table in dict.fromkeys(key[0] for key in _KEYS):
        with op.batch_alter_table(table) as batch_op:
            for _, name, local, referred, remote, on_delete in (key for key in _KEYS if key[0] == table):
                batch_op.create_foreign_key(name, referred, local, remote, ondelete=on_delete)
