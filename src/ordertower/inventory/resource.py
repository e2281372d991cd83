"""The ledger page: one JSON shape for `stock ledger --json` and GET /api/v1/stock/ledger."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from ordertower.inventory import service
from ordertower.kernel.paging import LEDGER_PAGE, page


def ledger_page(
    connection: Connection,
    *,
    sku: str | None = None,
    location: str | None = None,
    limit: int = LEDGER_PAGE.default,
    offset: int = 0,
) -> dict[str, Any]:
    """Read one page of ledger entries, newest first, with `created_at` in ISO 8601.

    `total` counts the entries that match `sku` and `location` on every page.
    """
    entries = service.list_ledger(connection, sku=sku, location=location, limit=limit, offset=offset)
    items = [{**entry, "created_at": entry["created_at"].isoformat()} for entry in entries]
    total = service.count_ledger(connection, sku=sku, location=location)
    return page(items, total=total, limit=limit, offset=offset)
