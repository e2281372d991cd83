"""The migrations build the schema that the table definitions describe, on the database under test."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from ordertower.kernel.db import Database, metadata
from ordertower.kernel.migrate import alembic_config
from ordertower.kernel.tables import import_all_tables


def test_migrated_schema_matches_tables(database: Database) -> None:
    import_all_tables()

    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)

    assert differences == []


def test_each_migration_steps_down_and_up_again(database: Database) -> None:
    import_all_tables()
    config = alembic_config(database)
    revisions = [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()]

    with database.engine.connect() as connection:
        config.attributes["connection"] = connection
        for revision in revisions[1:]:
            command.downgrade(config, revision)
        command.upgrade(config, "head")
        connection.commit()

    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
