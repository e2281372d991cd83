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

    found = _select_ids(connection, wanted)
    # Key order, so that importers sharing buyers take the unique-index locks in the same order
    # and cannot deadlock on PostgreSQL.
    missing = sorted(key for key in wanted if key not in found)
    if missing:
        now = utc_now()
        # A concurrent import may create the same buyer first, and then its row is kept.
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
                for key in missing
            ],
            unique=["match_key"],
            returning=["match_key", "id"],
        )
        found.update(inserted)
        # Buyers another import created first, and on SQLite every new buyer.
        unreported = [key for key in missing if key not in found]
        if unreported:
            found.update(_select_ids(connection, unreported))
    return found


def _select_ids(connection: Connection, wanted: Collection[str]) -> dict[str, int]:
    rows = connection.execute(
        select(customers.c.match_key, customers.c.id).where(one_of(connection, customers.c.match_key, wanted))
    )
    return {key: customer_id for key, customer_id in rows}
