"""Alembic migrations of the OrderTower schema."""
