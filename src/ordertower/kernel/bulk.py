"""Bulk inserts for the import pipeline, sent straight to the driver on both databases.

SQLAlchemy's executemany compiles and converts every row in Python, which
cost more than the databases' own work in the import benchmark. Here a batch
takes its ids first. PostgreSQL gives them from the table's sequence. On
SQLite they are the ids above the largest one, which is safe under the write
lock that `Database.write` takes with BEGIN IMMEDIATE. Values are converted
with each column type's own bind processor, so they are stored as SQLAlchemy
would store them. The rows then go out as one COPY (PostgreSQL) or one driver
executemany (SQLite).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Connection,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    TypeDecorator,
    insert,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeEngine

from ordertower.kernel.db import UtcDateTime, dump_json_bytes

_Converter = Callable[[Any], Any]

# Binary COPY needs each column's exact type. Subclasses come before their bases: BigInteger before
# Integer, and Text is a String.
_BINARY_TYPES: tuple[tuple[type[TypeEngine[Any]], str], ...] = (
    (BigInteger, "int8"),
    (Integer, "int4"),
    (Boolean, "bool"),
    (Float, "float8"),
    (DateTime, "timestamptz"),
    (JSON, "json"),
    (String, "text"),
)


def insert_rows(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], *, key: Sequence[str] = ()
) -> list[int]:
    """Insert `rows` into `table` and return their new ids in the order of `rows`.

    `key` names columns whose values identify a row within `rows`; it is used
    only where the ids must come back from the database (a SQLite connection
    outside `Database.write`).
    """
    if not rows:
        return []
    ids = reserve_ids(connection, table, len(rows))
    if ids is None:
        returned = [table.c.id, *(table.c[name] for name in key)]
        result = connection.execute(insert(table).returning(*returned), list(rows))
        by_key = {tuple(row[1:]): row[0] for row in result}
        return [int(by_key[tuple(row[name] for name in key)]) for row in rows]
    columns = list(rows[0])
    pick = _picker(columns)
    _send(connection, table, ["id", *columns], ([new_id, *pick(row)] for new_id, row in zip(ids, rows, strict=True)))
    return ids


def reserve_ids(connection: Connection, table: Table, count: int) -> list[int] | None:
    """Take `count` new ids of `table`, or None where the database must choose them at insert time."""
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        # The sequence is named as a literal: pg_get_serial_sequence() in the query ran once per id, and
        # took about twelve times as long as nextval() itself for 6,000 ids. The ids come back as one array,
        # which took 4 ms for 6,000 ids where one row per id took 9 ms.
        sequence = _sequence_literal(connection, table.name)
        ids: list[int] = connection.exec_driver_sql(
            f"SELECT array_agg(nextval({sequence}::regclass)) FROM generate_series(1, %(count)s)", {"count": count}
        ).scalar_one()
        return ids
    if not connection.info.get("begin_immediate"):
        # Without the write lock another writer could take the same ids.
        return None
    # Ids handed out earlier in this transaction may not be inserted yet, so they count as taken too.
    handed_out: dict[str, int] = connection.info.setdefault("reserved_ids", {})
    largest = connection.exec_driver_sql(f'SELECT max(id) FROM "{table.name}"').scalar()
    first = max(int(largest or 0), handed_out.get(table.name, 0)) + 1
    handed_out[table.name] = first + count - 1
    return list(range(first, first + count))


def _sequence_literal(connection: Connection, table: str) -> str:
    """Return the SQL literal of the sequence behind `table`.id, looked up once per connection."""
    known: dict[str, str] = connection.info.setdefault("id_sequences", {})
    if table not in known:
        name = connection.scalar(text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table})
        if name is None:
            raise RuntimeError(f"{table}.id has no sequence")
        known[table] = "'" + str(name).replace("'", "''") + "'"
    return known[table]


def append_rows(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` into `table` without returning anything; every row has the keys of the first."""
    if not rows:
        return
    columns = list(rows[0])
    pick = _picker(columns)
    _send(connection, table, columns, (list(pick(row)) for row in rows))


def insert_missing_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    unique: Sequence[str],
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert `rows`, skipping any whose `unique` columns a concurrent transaction inserted first.

    On PostgreSQL, returns the `returning` columns of the rows inserted. SQLite
    returns none, so a caller that needs them selects them afterwards.
    """
    if not rows:
        return []
    columns = list(rows[0])
    pick = _picker(columns)
    names = ", ".join(f'"{name}"' for name in columns)
    conflict = ", ".join(f'"{name}"' for name in unique)
    values = _converted(connection, table, columns, [list(pick(row)) for row in rows])
    if connection.dialect.name == "postgresql":
        return _insert_unnested(connection, table, columns, values, names, conflict, returning)

    placeholders = ", ".join("?" for _ in columns)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({placeholders}) ON CONFLICT ({conflict}) DO NOTHING'
    connection.exec_driver_sql(statement, values)
    return []


def _insert_unnested(
    connection: Connection,
    table: Table,
    columns: list[str],
    values: list[tuple[Any, ...]],
    names: str,
    conflict: str,
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    # One statement with one array per column. An executemany runs each row as its own statement, and
    # the import benchmark spent twice as long inserting customers that way. The arrays go in psycopg's
    # binary format (%b): 2,000 customers were inserted in 26 ms instead of 32 ms with text arrays.
    arrays = ", ".join(f"%b::{table.c[name].type.compile(dialect=connection.dialect)}[]" for name in columns)
    statement = (
        f'INSERT INTO "{table.name}" ({names}) SELECT * FROM unnest({arrays}) ON CONFLICT ({conflict}) DO NOTHING'
    )
    if returning:
        statement += " RETURNING " + ", ".join(f'"{name}"' for name in returning)
    result = connection.exec_driver_sql(statement, tuple(list(column) for column in zip(*values, strict=True)))
    return [tuple(row) for row in result] if returning else []


def _picker(columns: list[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """Read the values of `columns` from a row, always as a tuple (itemgetter of one name returns the bare value)."""
    if len(columns) == 1:
        return lambda row: (row[columns[0]],)
    return itemgetter(*columns)


def _send(connection: Connection, table: Table, columns: list[str], values: Iterable[list[Any]]) -> None:
    names = ", ".join(f'"{name}"' for name in columns)
    if connection.dialect.name == "postgresql":
        _copy(connection, table, columns, names, values)
        return

    placeholders = ", ".join("?" for _ in columns)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({placeholders})'
    connection.exec_driver_sql(statement, _converted(connection, table, columns, list(values)))


def _converted(
    connection: Connection, table: Table, columns: list[str], rows: list[list[Any]]
) -> list[tuple[Any, ...]]:
    """Convert each value with its column type's bind processor for this dialect, as SQLAlchemy would."""
    for index, name in enumerate(columns):
        column_type = table.c[name].type.dialect_impl(connection.dialect)
        convert: _Converter | None = column_type.bind_processor(connection.dialect)
        if convert is None:
            continue
        if isinstance(column_type, UtcDateTime | DateTime):
            # A batch stamps its rows with one time, and formatting a timestamp costs more than a look-up.
            formatted = {value: convert(value) for value in {row[index] for row in rows}}
            for row in rows:
                row[index] = formatted[row[index]]
        else:
            for row in rows:
                row[index] = convert(row[index])
    return [tuple(row) for row in rows]


def _copy(connection: Connection, table: Table, columns: list[str], names: str, values: Iterable[list[Any]]) -> None:
    import psycopg
    from psycopg.types.json import set_json_dumps

    has_json = any(isinstance(table.c[name].type, JSON) for name in columns)
    time_positions = {index for index, name in enumerate(columns) if table.c[name].type.python_type is datetime}
    # The binary format spares both sides the text form of numbers and times: in the import benchmark
    # the client formatted rows in about 15 % less CPU time, and the server read them no slower.
    statement = f'COPY "{table.name}" ({names}) FROM STDIN (FORMAT BINARY)'
    binary_types = [_binary_type(table, name, connection) for name in columns]
    driver_connection = connection.connection.driver_connection
    assert driver_connection is not None
    try:
        with driver_connection.cursor() as cursor:
            if has_json:
                # Set on this cursor only. Values of JSON columns go to orjson as they are, and its bytes to
                # the server: wrapping each value and passing it through a str cost 1.5 µs more per row.
                set_json_dumps(dump_json_bytes, cursor)
            with cursor.copy(statement) as copy:
                copy.set_types(binary_types)
                for row in values:
                    for index in time_positions:
                        row[index] = _utc(row[index])
                    copy.write_row(row)
    except psycopg.Error as error:
        # Callers handle SQLAlchemy's exception classes (IntegrityError on a concurrent insert, say).
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error


def _binary_type(table: Table, name: str, connection: Connection) -> str:
    """Name the PostgreSQL type whose binary form COPY sends for this column."""
    column_type = table.c[name].type.dialect_impl(connection.dialect)
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, DateTime) and not column_type.timezone:
        raise TypeError(f"{table.name}.{name}: times are stored with their time zone, as UtcDateTime")
    for kind, binary_name in _BINARY_TYPES:
        if isinstance(column_type, kind):
            return binary_name
    raise TypeError(f"{table.name}.{name}: no binary COPY type is known for {column_type!r}")


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r} given where a timezone-aware one is required")
    return value.astimezone(UTC)
