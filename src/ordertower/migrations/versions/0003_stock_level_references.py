"""Point ledger entries and allocations at their stock level instead of at the product and the location.

A ledger entry or an allocation always belongs to the stock level of its
product and location. One foreign key to that pair states this directly, and
PostgreSQL checks one key per inserted row instead of two: in the import
benchmark the key checks of these two tables were the largest part of the
server's work.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 01:00:00.000000
"""

from alembic import op


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TABLES = ("stock_ledger", "allocations")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_product_id_products", type_="foreignkey")
            batch_op.drop_constraint(f"fk_{table}_location_id_locations", type_="foreignkey")
            batch_op.create_foreign_key(
                f"fk_{table}_product_id_stock_levels",
                "stock_levels",
                ["product_id", "location_id"],
                ["product_id", "location_id"],
            )


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_product_id_stock_levels", type_="foreignkey")
            batch_op.create_foreign_key(f"fk_{table}_product_id_products", "products", ["product_id"], ["id"])
            batch_op.create_foreign_key(f"fk_{table}_location_id_locations", "locations", ["location_id"], ["id"])
