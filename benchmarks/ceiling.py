"""The insert ceiling: the rows one import wrote, inserted again with bare driver executemany calls.

The import pipeline is compared against this rate. Both runs write the same
rows (the copy keeps every column value, ids included) into the same schema,
one transaction per batch of orders. The ceiling leaves out everything
else the pipeline does: parsing, preparation, routing, SELECTs, the
reservation UPDATE of stock_levels and the status UPDATE of orders. Only the
executemany calls and the COMMITs are timed, not the reads of the source rows.

On PostgreSQL the import sends its rows by COPY, so a second ceiling sends the
same rows by COPY (`method="copy"`), formatted by psycopg's `write_row` as the
import's are.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

# Parents before children, so that every foreign key finds its row.
# The SQL selects the rows of one batch by the range of order ids.
BATCH_QUERIES = {
    "customers": "SELECT * FROM customers WHERE id IN "
    "(SELECT customer_id FROM orders WHERE id BETWEEN {low} AND {high}) ORDER BY id",
    "orders": "SELECT * FROM orders WHERE id BETWEEN {low} AND {high} ORDER BY id",
    "order_lines": "SELECT * FROM order_lines WHERE order_id BETWEEN {low} AND {high} ORDER BY id",
    "shipments": "SELECT * FROM shipments WHERE order_id BETWEEN {low} AND {high} ORDER BY id",
    "allocations": "SELECT * FROM allocations WHERE order_id BETWEEN {low} AND {high} ORDER BY id",
    "stock_ledger": "SELECT * FROM stock_ledger WHERE order_id BETWEEN {low} AND {high} ORDER BY id",
    "order_events": "SELECT * FROM order_events WHERE order_id BETWEEN {low} AND {high} ORDER BY id",
}


@dataclass
class CeilingResult:
    """Seconds spent in executemany and COMMIT, and the rows written per table."""

    seconds: float = 0.0
    transactions: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    # CPU seconds of the PostgreSQL backend that received the rows, when the server runs on this machine.
    server_cpu_s: float | None = None

    def to_dict(self, orders: int) -> dict[str, Any]:
        rate = orders / self.seconds if self.seconds else 0.0
        return {
            "wall_s": round(self.seconds, 3),
            "orders_per_s": round(rate, 1),
            "transactions": self.transactions,
            "rows": self.rows,
            "server_cpu_s": None if self.server_cpu_s is None else round(self.server_cpu_s, 2),
        }


class _Driver:
    """A bare DB-API connection with the parameter style and transaction commands of its database."""

    def __init__(self, connection: Any, placeholder: str, begin: str) -> None:
        self.connection = connection
        self.placeholder = placeholder
        self.begin = begin

    def fetch(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self.connection.cursor()
        cursor.execute(sql)
        rows = cursor.fetchall()
        columns = [column[0] for column in cursor.description]
        cursor.close()
        return columns, rows

    def close(self) -> None:
        self.connection.close()

    def backend_cpu_seconds(self) -> float | None:
        """Return the CPU seconds of this connection's PostgreSQL backend, or None off PostgreSQL or this machine."""
        if self.placeholder != "%s":
            return None
        _, rows = self.fetch("SELECT pg_backend_pid()")
        try:
            stat = Path(f"/proc/{rows[0][0]}/stat").read_text()
        except OSError:
            return None
        return process_cpu_seconds(stat)


def process_cpu_seconds(stat: str) -> float:
    """Return user plus system CPU seconds from the text of a /proc/PID/stat file."""
    # The process name, in parentheses, may contain spaces, so the fields are counted after it.
    fields = stat[stat.rfind(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def _open(url: str) -> Iterator[_Driver]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        lite = sqlite3.connect(parsed.database or ":memory:", isolation_level=None)
        # The same settings as ordertower.kernel.db gives every SQLite connection.
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "busy_timeout=30000"):
            lite.execute(f"PRAGMA {pragma}")
        driver = _Driver(lite, "?", "BEGIN IMMEDIATE")
    else:
        import psycopg
        from psycopg.types.string import TextLoader

        conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        server = psycopg.connect(conninfo, autocommit=True)
        # JSON columns come back as their text, which goes back in unchanged.
        server.adapters.register_loader("json", TextLoader)
        server.adapters.register_loader("jsonb", TextLoader)
        driver = _Driver(server, "%s", "BEGIN")
    try:
        yield driver
    finally:
        driver.close()


def insert_ceiling(
    source_url: str, target_url: str, *, batch_orders: int = 500, method: str = "executemany"
) -> CeilingResult:
    """Copy the orders of `source_url` and every row that refers to them into `target_url`, timing the inserts.

    The target must be migrated and hold the same catalog (products, locations,
    channels) under the same ids as the source, and no orders yet. `method` is
    "executemany", or "copy" on PostgreSQL.
    """
    result = CeilingResult(rows=dict.fromkeys(BATCH_QUERIES, 0))
    copied_customers: set[int] = set()
    with _open(source_url) as source, _open(target_url) as target:
        _, bounds = source.fetch("SELECT MIN(id), MAX(id) FROM orders")
        first, last = bounds[0]
        if first is None:
            return result

        cpu_before = target.backend_cpu_seconds()
        for low in range(int(first), int(last) + 1, batch_orders):
            batch = _read_batch(source, low, low + batch_orders - 1, copied_customers)
            result.seconds += _write_batch(target, batch, method)
            result.transactions += 1
            for table, (_, rows) in batch.items():
                result.rows[table] += len(rows)
        cpu_after = target.backend_cpu_seconds()
        if cpu_before is not None and cpu_after is not None:
            result.server_cpu_s = cpu_after - cpu_before
    return result


def _read_batch(
    source: _Driver, low: int, high: int, copied_customers: set[int]
) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    batch = {table: source.fetch(sql.format(low=low, high=high)) for table, sql in BATCH_QUERIES.items()}

    # A repeat buyer's customer row was written with an earlier batch.
    columns, rows = batch["customers"]
    fresh = [row for row in rows if row[columns.index("id")] not in copied_customers]
    copied_customers.update(row[columns.index("id")] for row in fresh)
    batch["customers"] = (columns, fresh)
    return batch


def _write_batch(target: _Driver, batch: dict[str, tuple[list[str], list[tuple[Any, ...]]]], method: str) -> float:
    started = time.perf_counter()
    cursor = target.connection.cursor()
    cursor.execute(target.begin)
    for table, (columns, rows) in batch.items():
        if not rows:
            continue
        if method == "copy":
            names = ", ".join(f'"{name}"' for name in columns)
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(_insert_sql(table, columns, target.placeholder), rows)
    cursor.execute("COMMIT")
    cursor.close()
    return time.perf_counter() - started


def _insert_sql(table: str, columns: Sequence[str], placeholder: str) -> str:
    names = ", ".join(f'"{name}"' for name in columns)
    values = ", ".join([placeholder] * len(columns))
    return f'INSERT INTO "{table}" ({names}) VALUES ({values})'
