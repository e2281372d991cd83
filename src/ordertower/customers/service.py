"""Find or create customers for a batch of orders in a constant number of statements."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import Connection, select

from ordertower.customers.model import match_key, normalize_email
from ordertower.customers.tables import customers
from ordertower.kernel.bulk import insert_missing_rows
from ordertower.kernel.db import one_of, utc_now


def match_customers(connection: Connection, buyers: Iterable[tuple[str, str, str]]) -> dict[str, int]:
    """Return customer ids by match key for (email, phone, name) triples, creating the missing ones."""
    wanted: dict[str, tuple[str, str, str]] = {}
    for email, phone, name in buyers:
        key = match_key(email, phone)
        if key and key not in wanted:
            wanted[key] = (normalize_email(email), phone or "", name or "")
    if not wanted:
        return {}

    now = utc_now()
    # Key order, so that importers sharing buyers take the unique-index locks in the same order and cannot
    # deadlock on PostgreSQL. The insert comes first because on PostgreSQL it returns the ids of new buyers,
    # so only stored ones are queried. A stored buyer, or one a concurrent import creates first, keeps its row.
    keys = sorted(wanted)
    inserted = insert_missing_rows(
        connection,
        customers,
        [
            {
                "match_key": key,
                "email": wanted[key][0],
                "phone": wanted[key][1][:64],
                "name": wanted[key][2][:255],
                "created_at": now,
            }
            for key in keys
        ],
        unique=["match_key"],
        returning=["match_key", "id"],
    )
    found: dict[str, int] = dict(inserted)
    # Buyers stored before, and on SQLite every buyer, because its insert reports no ids.
    unreported = [key for key in keys if key not in found]
    if unreported:
        found.update(_select_ids(connection, unreported))
    return found


def _select_ids(connection: Connection, wanted: Collection[str]) -> dict[str, int]:
    rows = connection.execute(
        select(customers.c.match_key, customers.c.id).where(one_of(connection, customers.c.match_key, wanted))
    )
    return {key: customer_id for key, customer_id in rows}
