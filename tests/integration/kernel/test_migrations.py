"""The migrations build the schema that the table definitions describe, on the database under test."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ordertower.kernel.db import Database, metadata
from ordertower.kernel.tables import import_all_tables


def test_migrated_schema_matches_tables(database: Database) -> None:
    import_all_tables()

    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)

    assert differences == []
