"""Record on each order the import that last wrote it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 22:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("last_import_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("orders", "last_import_id")
