"""The body of one importing process, importable by name so that `spawn` children can run it."""

from __future__ import annotations

import traceback
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from ordertower.channels.formats import read_orders_file
from ordertower.kernel.db import Database
from ordertower.orders.importing import import_orders
from ordertower.routing.geo import geocode


def import_in_process(database_url: str, path: str, barrier: Barrier, results: Queue[Any], batch_size: int) -> None:
    """Wait until every process is ready, import `path`, and put the report's counts (or the error) on `results`."""
    database = Database(database_url)
    try:
        # Load the postal code tables before the barrier, so that the imports themselves overlap.
        geocode("US", "90012", "Los Angeles", "CA")
        barrier.wait(timeout=60)
        with read_orders_file(Path(path)) as source:
            report = import_orders(database, source, batch_size=batch_size)
        results.put(
            (
                path,
                {
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "errors": len(report.errors),
                },
            )
        )
    except Exception:
        results.put((path, traceback.format_exc()))
    finally:
        database.dispose()
