"""Fixtures shared by every test: the database under test, migrated once per run, emptied per test.

ORDERTOWER_TEST_DATABASE selects the engine. With "sqlite" (the default) the
database is a file in a temporary folder. With "postgresql" a throw-away
database is created on the server named by ORDERTOWER_TEST_POSTGRES_ADMIN_URL
and dropped at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ordertower.kernel.db import Database, metadata
from ordertower.kernel.migrate import upgrade
from ordertower.kernel.tables import import_all_tables

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
DEFAULT_ADMIN_URL = "postgresql+psycopg://root@127.0.0.1:5432/postgres"


def database_kind() -> str:
    return os.environ.get("ORDERTOWER_TEST_DATABASE", "sqlite")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database for this test run."""
    if database_kind() == "postgresql":
        admin_url = os.environ.get("ORDERTOWER_TEST_POSTGRES_ADMIN_URL", DEFAULT_ADMIN_URL)
        name = f"ordertower_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        try:
            _migrate(url)
            yield url
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'ordertower.db'}"
        _migrate(url)
        yield url


def _migrate(url: str) -> None:
    database = Database(url)
    try:
        upgrade(database)
    finally:
        database.dispose()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The run's database, emptied before the test."""
    database = Database(database_url)
    _empty(database)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def empty_again(database: Database) -> Callable[[], None]:
    """Empty the test's database once more, for a test that compares two runs on the same data."""
    return lambda: _empty(database)


def _empty(database: Database) -> None:
    import_all_tables()
    tables = [table.name for table in reversed(metadata.sorted_tables)]
    with database.engine.connect() as connection, connection.begin():
        if database.is_sqlite:
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))
        else:
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.fail(f"sample files not found at {SAMPLES}; the checkout must sit beside shared/")
    return SAMPLES
