"""Database engine, metadata and transactions for SQLite (embedded default) and PostgreSQL.

Services use SQLAlchemy Core on the tables declared in each area's
`tables.py`. Write transactions on SQLite start with BEGIN IMMEDIATE, so the
write lock is held before the first read and a reservation can never be
computed from rows another writer is about to change.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    any_,
    bindparam,
    create_engine,
    event,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeDecorator

logger = logging.getLogger(__name__)

# How long a SQLite writer waits for another writer's lock before failing with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 30000
# Pages the SQLite write-ahead log may hold before a commit copies them into the database file (about
# 80 MB at the default page size). A batch of 2,000 imported orders wrote about 1,200 pages, so with
# SQLite's default of 1,000 every batch ended with a copy. Timed alternately on 100,000 orders, imports
# ran at 5,844 to 6,012 orders/s with 1,000 pages and at 6,041 to 6,324 with this value.
SQLITE_WAL_CHECKPOINT_PAGES = 20000

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments INTEGER PRIMARY KEY, PostgreSQL wants BIGINT identity.
Id = BigInteger().with_variant(Integer(), "sqlite")
JsonType = JSON().with_variant(JSON(none_as_null=True), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given where a timezone-aware one is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def one_of(connection: Connection, column: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """Return the condition `column` equals one of `values`, as one array parameter on PostgreSQL.

    An IN list of 500 values is 500 placeholders that psycopg parses on the
    client for every batch of an import; `= ANY(array)` is one parameter.
    """
    listed = list(values)
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam(None, listed, type_=ARRAY(column.type)))
    return column.in_(listed)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Database:
    """An engine plus the two kinds of transaction the services use."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = create_database_engine(url, echo=echo)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def write(self, *, lock_timeout: float | None = None) -> Iterator[Connection]:
        """Open a write transaction; on SQLite, `lock_timeout` seconds replaces the wait for the write lock."""
        with self.engine.connect() as connection:
            if lock_timeout is not None and self.is_sqlite:
                driver = connection.connection.driver_connection
                assert driver is not None
                # Set on the driver's connection, so that SQLAlchemy does not begin a transaction first.
                driver.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
            connection.info["begin_immediate"] = True
            try:
                with connection.begin():
                    yield connection
            finally:
                connection.info["begin_immediate"] = False
                if lock_timeout is not None and self.is_sqlite:
                    driver = connection.connection.driver_connection
                    assert driver is not None
                    driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
                # Ids that kernel.bulk handed out in this transaction; see reserve_ids.
                connection.info.pop("reserved_ids", None)

    def dispose(self) -> None:
        self.engine.dispose()


def dump_json(value: Any) -> str:
    """Serialise a JSON column's value: compact UTF-8 text, keys that are not strings written as strings.

    orjson took 1.6 µs where the standard library took 10 µs for a routing
    explanation, which every imported order stores.
    """
    return dump_json_bytes(value).decode()


def dump_json_bytes(value: Any) -> bytes:
    """Serialise a JSON column's value as `dump_json` does, as UTF-8 bytes for a driver that sends bytes."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def create_database_engine(url: str, *, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # psycopg prepares a statement on the server after five runs, and a plan made while a
        # table was nearly empty (a sequential scan) then stays in use as the table grows.
        return create_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            connect_args={"prepare_threshold": None},
            json_serializer=dump_json,
        )

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"timeout": 30}, json_serializer=dump_json)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event issue BEGIN itself, so it can choose IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_CHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        immediate = connection.info.get("begin_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
