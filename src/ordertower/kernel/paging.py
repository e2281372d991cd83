"""Page sizes and offsets shared by the list endpoints and the CLI's list commands.

`orders list --json`, `imports list --json` and `stock ledger --json` print the page that
their endpoint returns for the same arguments, so the API and the CLI take the default
page size and the bounds of `limit` and `offset` from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The database reads and skips every row before an OFFSET, so a deeper page costs more.
MAX_OFFSET = 10_000_000


@dataclass(frozen=True, slots=True)
class PageSize:
    """Default and maximum number of items on one page of a list."""

    default: int
    maximum: int


ORDER_PAGE = PageSize(default=50, maximum=500)
IMPORT_PAGE = PageSize(default=50, maximum=500)
LEDGER_PAGE = PageSize(default=100, maximum=1000)


def page(items: list[dict[str, Any]], *, total: int, limit: int, offset: int) -> dict[str, Any]:
    """Wrap one page of resources in the envelope that list endpoints and `list --json` print.

    `total` counts every match, not only the items of this page.
    """
    return {"items": items, "total": total, "limit": limit, "offset": offset}
