"""Route an import's next batch while the database server stores the one before (PostgreSQL).

On PostgreSQL most of a batch's time is the server's: storing about 13 rows
per order and their index entries. A serial import
waits for that before it routes the next batch. Here a writer thread with its
own connection writes one batch while this thread routes the next.

Routing needs the stock that the batches in flight leave behind, so this
thread carries it forward from its own plans. The writer then locks the stock
rows of its batch and compares them with the figures the plan started from.
Another process may have changed them in between: an order from the API, a
stock count, a second import. Then the writer routes the batch again against
the locked figures, as a serial import would. This thread waits for the
writer and reads the stock afresh. A decision is therefore always made
against the stock that is there when its reservation is written.

Only batches of new orders take this path. A batch with an order that is
stored already, or in a batch still in flight, or that needs its stored
version (a partial Amazon report), waits for the writer and goes the serial
way. So does a batch whose write failed on a conflict with another process,
together with the batches handed over after it, in file order.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ordertower.catalog.snapshot import CatalogSnapshot, ChannelInfo
from ordertower.inventory import service as inventory
from ordertower.kernel.db import Database, one_of
from ordertower.orders.allocation import (
    RoutingPlan,
    apply_routing,
    lock_stock,
    open_units_by_location,
    plan_routes,
    stocked_products,
)
from ordertower.orders.batching import Batch
from ordertower.orders.preparation import prepare_order
from ordertower.orders.tables import orders
from ordertower.orders.writing import NewOrders, insert_staged, stage_new_orders

logger = logging.getLogger(__name__)

# How often a wait for the writer checks that its thread is still alive, in seconds.
WRITER_POLL_SECONDS = 1.0


@dataclass
class PlannedBatch:
    """A batch of new orders with ids, numbers and buyers taken and routes planned, not written yet."""

    batch: Batch  # as read from the file, to write it the serial way if this write fails
    staged: NewOrders
    plan: RoutingPlan
    # Available units per (product id, location id) that the plan started from, for the rows the writer locks.
    expected: dict[tuple[int, int], int]
    # Open units per location id before the plan, to route the batch again from the same point.
    open_units: dict[int, int]
    external_ids: frozenset[str]


@dataclass
class WriteResult:
    planned: PlannedBatch
    rerouted: bool = False
    error: BaseException | None = None
    skipped: bool = False  # handed back unwritten because an earlier batch failed


class OverlappedImport:
    """Write each batch of an import in a writer thread while the next one is routed here."""

    def __init__(
        self,
        database: Database,
        channel: ChannelInfo,
        catalog: CatalogSnapshot,
        import_id: int,
        open_units: dict[int, int],
        *,
        write_serially: Callable[[Batch], None],
        on_written: Callable[[int], None],
        is_retryable: Callable[[BaseException], bool],
    ) -> None:
        self._database = database
        self._channel = channel
        self._catalog = catalog
        self._import_id = import_id
        self._open_units = open_units
        self._write_serially = write_serially
        self._on_written = on_written
        self._is_retryable = is_retryable
        # Available units per (product id, location id) once every batch handed over is written.
        self._predicted: dict[tuple[int, int], int] = {}
        self._in_flight: list[PlannedBatch] = []
        # One batch waits for the writer while it writes another, so at most three are in memory.
        self._jobs: queue.Queue[PlannedBatch | None] = queue.Queue(maxsize=1)
        self._results: queue.Queue[WriteResult] = queue.Queue()
        self._failed = threading.Event()
        self._thread = threading.Thread(target=self._write_loop, name=f"import-{import_id}-writer", daemon=True)
        self._thread.start()

    def flush(self, batch: Batch) -> None:
        """Hand `batch` to the writer once it is routed, or write it the serial way when it is not all new."""
        self._collect(wait=False)
        if not batch.orders:
            return
        planned = self._plan(batch)
        if planned is None:
            self._drain()
            self._write_serially(batch)
            # The serial write keeps the location loads up to date itself.
            self._forget_stock()
            return
        self._in_flight.append(planned)
        self._jobs.put(planned)

    def wait_idle(self) -> None:
        """Wait until every batch handed over is written, so that the caller may write one the serial way."""
        self._drain()
        self._forget_stock()

    def finish(self) -> None:
        """Wait until every batch handed over is written, then stop the writer."""
        try:
            self._drain()
        finally:
            self._stop()

    def abort(self) -> None:
        """Drop the batch waiting for the writer, let the writer finish the one it is writing, and stop it.

        A second Ctrl-C while it finishes stops the wait; the server then rolls that batch back.
        """
        try:
            waiting = self._jobs.get_nowait()
        except queue.Empty:
            waiting = None
        if waiting is not None:
            self._in_flight.remove(waiting)
        self._stop()
        # The writer has stopped, so every batch it took has its result queued; count those it committed.
        while self._in_flight:
            try:
                result = self._results.get_nowait()
            except queue.Empty:
                return
            self._in_flight.remove(result.planned)
            if result.error is None and not result.skipped:
                self._on_written(len(result.planned.staged.rows))

    def _plan(self, batch: Batch) -> PlannedBatch | None:
        in_flight = {external_id for planned in self._in_flight for external_id in planned.external_ids}
        positions = range(len(batch.orders))
        external_ids = frozenset(batch.external_id(position) for position in positions)
        if external_ids & in_flight or any(batch.needs_stored_version(position) for position in positions):
            return None

        try:
            staged, needed = self._stage(batch, external_ids)
        except (IntegrityError, OperationalError) as error:
            # A lock conflict with another writer. The serial way retries the batch.
            if not self._is_retryable(error):
                raise
            logger.info(
                "import %s: staging a batch conflicted with another writer (%s); writing it serially",
                self._import_id,
                error.orig,
            )
            return None
        if staged is None:
            return None

        expected = {key: units for key, units in self._predicted.items() if key[0] in needed}
        open_units = dict(self._open_units)
        plan = plan_routes(staged.works, self._catalog, expected, self._open_units)
        self._predicted.update(plan.remaining)
        return PlannedBatch(batch, staged, plan, expected, open_units, external_ids)

    def _stage(self, batch: Batch, external_ids: frozenset[str]) -> tuple[NewOrders | None, set[int]]:
        """Take buyers, numbers and ids for a batch of new orders; None when one of them is stored already."""
        with self._database.write() as connection:
            stored = connection.execute(
                select(orders.c.id)
                .where(orders.c.channel_id == self._channel.id, one_of(connection, orders.c.external_id, external_ids))
                .limit(1)
            ).first()
            if stored is not None:
                return None, set()
            prepared = [
                ready or prepare_order(batch.orders[position], channel_id=self._channel.id, catalog=self._catalog)
                for position, ready in enumerate(batch.prepared)
            ]
            # Buyers and order numbers are committed here, before the orders, so the writer has less to do.
            # Should the write fail, a number is skipped and a buyer is kept without orders.
            staged = stage_new_orders(connection, prepared, self._catalog, self._import_id)
            needed = stocked_products(staged.works, self._catalog)
            self._read_unknown_stock(connection, needed)
        return staged, needed

    def _read_unknown_stock(self, connection: Connection, needed: set[int]) -> None:
        # No batch in flight draws on a product missing here, so its committed figures are current.
        known = {product for product, _ in self._predicted}
        unknown = needed - known
        if not unknown:
            return
        inventory.ensure_levels(
            connection, [(product, location) for product in unknown for location in self._catalog.locations]
        )
        available = inventory.read_available(connection, unknown)
        self._predicted.update({key: units for key, units in available.items() if key[1] in self._catalog.locations})

    def _write_loop(self) -> None:
        while True:
            planned = self._jobs.get()
            if planned is None:
                return
            if self._failed.is_set():
                self._results.put(WriteResult(planned, skipped=True))
                continue
            try:
                rerouted = self._write(planned)
            except BaseException as error:  # handed to the importing thread, which decides
                self._failed.set()
                self._results.put(WriteResult(planned, error=error))
            else:
                self._results.put(WriteResult(planned, rerouted=rerouted))

    def _write(self, planned: PlannedBatch) -> bool:
        """Write one planned batch in one transaction; return whether its orders had to be routed again."""
        catalog = self._catalog
        staged = planned.staged
        with self._database.write() as connection:
            locked = lock_stock(connection, staged.works, catalog)
            actual = {key: units for key, units in locked.items() if key[1] in catalog.locations}
            plan = planned.plan
            rerouted = actual != planned.expected
            if rerouted:
                logger.info(
                    "import %s: stock changed while a batch of %d orders waited to be written; routing it again",
                    self._import_id,
                    len(staged.rows),
                )
                plan = plan_routes(staged.works, catalog, actual, dict(planned.open_units))
            insert_staged(connection, staged, plan.outcomes)
            apply_routing(connection, staged.works, plan, catalog, inserted={work.order_id for work in staged.works})
        return rerouted

    def _collect(self, *, wait: bool) -> None:
        """Take the writer's results: count written orders, and after a change of stock or a failure, catch up."""
        while self._in_flight:
            result = self._next_result(wait)
            if result is None:
                return
            self._in_flight.remove(result.planned)
            if result.error is not None or result.skipped:
                self._recover(result)
                continue
            self._on_written(len(result.planned.staged.rows))
            if result.rerouted:
                # The plans of the batches still in flight started from wrong figures, so the writer
                # checks and routes them again too. After them, stock and loads are read afresh.
                self._drain()
                self._forget_stock(reload_loads=True)

    def _recover(self, failed: WriteResult) -> None:
        """Write a failed batch, and the ones skipped after it, the serial way, or raise what stopped it."""
        error = failed.error
        skipped = [failed.planned.batch]
        while self._in_flight:
            result = self._next_result(wait=True)
            assert result is not None
            self._in_flight.remove(result.planned)
            skipped.append(result.planned.batch)
        self._failed.clear()
        if error is not None and not self._is_retryable(error):
            raise error
        logger.info(
            "import %s: a batch conflicted with another writer (%s); writing it and %d after it one at a time",
            self._import_id,
            error,
            len(skipped) - 1,
        )
        # The location loads counted the units of the batches that were planned but not written.
        self._forget_stock(reload_loads=True)
        for batch in skipped:
            self._write_serially(batch)
        self._forget_stock()

    def _drain(self) -> None:
        self._collect(wait=True)

    def _next_result(self, wait: bool) -> WriteResult | None:
        while True:
            try:
                return self._results.get(timeout=WRITER_POLL_SECONDS) if wait else self._results.get_nowait()
            except queue.Empty:
                if not wait:
                    return None
                if not self._thread.is_alive():
                    raise RuntimeError(
                        f"import {self._import_id}: the writer thread ended with batches unwritten"
                    ) from None

    def _forget_stock(self, *, reload_loads: bool = False) -> None:
        """Read stock afresh for the next batch, after writes that this thread did not plan.

        With `reload_loads`, the units open per location are read again too.
        """
        self._predicted.clear()
        if not reload_loads:
            return
        with self._database.read() as connection:
            fresh = open_units_by_location(connection)
        self._open_units.clear()
        self._open_units.update(fresh)

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
