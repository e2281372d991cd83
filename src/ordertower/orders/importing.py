"""Import a channel file: parse, deduplicate, store, reserve and route, in batches.

Each batch of orders (2,000 by default) is one write transaction, so a crash
loses at most the batch in flight and the rest of the file is kept. An order
is identified by its channel and the channel's order id: importing it again
either changes nothing (same content) or updates it and its reservations.
Rows of one order that are not consecutive in the file are merged into one
order, whichever batch they fall in.
"""

from __future__ import annotations

import gc
import logging
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ordertower.catalog.service import get_channel_or_raise, load_snapshot
from ordertower.catalog.snapshot import CatalogSnapshot, ChannelInfo
from ordertower.catalog.tables import channels
from ordertower.channels.formats import OrderSource
from ordertower.channels.model import ParsedOrder, RowError
from ordertower.kernel.db import Database, one_of, utc_now
from ordertower.kernel.errors import OrderTowerError
from ordertower.kernel.heap import collected_between_batches
from ordertower.kernel.i18n import Message, current_language
from ordertower.orders import writing
from ordertower.orders.allocation import apply_routing, open_units_by_location, route_orders
from ordertower.orders.batching import READ_AHEAD_MIN_BYTES, Batch, cut_batches
from ordertower.orders.batching import read_ahead as read_file_ahead
from ordertower.orders.overlap import OverlappedImport
from ordertower.orders.preparation import (
    PreparedOrder,
    complete_partial,
    merge_fragments,
    prepare_order,
)
from ordertower.orders.service import retry_backorders
from ordertower.orders.tables import order_imports, order_lines, orders

logger = logging.getLogger(__name__)

MAX_BATCH_ATTEMPTS = 3
# How long recording a failed import waits for the SQLite write lock, which an interrupted batch may still hold.
FAILURE_LOCK_SECONDS = 5.0
# New orders after which an import refreshes PostgreSQL's planner statistics, once. With figures from a
# table of this size the planner scales its estimates with the table's pages, so one refresh is enough.
ANALYZE_AFTER_CREATED = 20_000
# SQLSTATEs of a transaction PostgreSQL rolled back to resolve a lock conflict (deadlock_detected,
# serialization_failure); running the batch again succeeds.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
# Batches' worth of stored orders that may wait for more of their rows (see _flush) before they are written.
SHORTER_LIMIT_BATCHES = 5


class ChannelChoiceError(OrderTowerError):
    code = "channel_required"
    http_status = 422
    message = Message(
        "{file}: several {kind} channels exist ({codes}); choose one with --channel CODE.",
        "{file}：存在多个 {kind} 渠道（{codes}），请用 --channel CODE 指定一个。",
    )
    api_message = Message(
        "{file}: several {kind} channels exist ({codes}); choose one with the request's channel field.",
        "{file}：存在多个 {kind} 渠道（{codes}），请在请求的 channel 字段中指定一个。",
    )


class ImportInterruptedError(OrderTowerError):
    code = "import_interrupted"
    http_status = 503
    message = Message(
        "Import of {file} interrupted. Orders saved so far: created {created}, updated {updated}, "
        "unchanged {unchanged}. Import the same file again to finish: saved orders then count as unchanged.",
        "{file} 的导入已中断。已保存的订单：新建 {created}，更新 {updated}，无变化 {unchanged}。"
        "请重新导入同一文件以完成导入：已保存的订单届时计为无变化。",
    )


class ChannelKindError(OrderTowerError):
    code = "channel_kind_mismatch"
    http_status = 422
    message = Message(
        "{file} is a {format} file, but channel {channel} is a {kind} channel. Choose a {expected} channel.",
        "{file} 是 {format} 格式的文件，但渠道 {channel} 的类型是 {kind}。请选择 {expected} 类型的渠道。",
    )


class OrderStream(Protocol):
    """A source of parsed orders: its file name, format and channel kind, and the values in file order."""

    format: str
    channel_kind: str
    filename: str

    def __iter__(self) -> Iterator[ParsedOrder | RowError]: ...


@dataclass
class ImportReport:
    """Counts and per-row errors of one import, in the shape `import --json` prints."""

    filename: str
    format: str
    channel: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    import_id: int | None = None
    cancelled_with_stock: int = 0  # orders the channel cancelled whose reserved stock was released
    for_api: bool = False  # whether row errors are worded for a REST client (see RowError.render_for_api)

    def add_error(self, error: RowError) -> None:
        language = current_language()
        self.errors.append(
            {
                "line": error.line,
                "field": error.field,
                "value": error.value,
                "message": error.render_for_api(language) if self.for_api else error.render(language),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "errors": self.errors}


def resolve_channel(connection: Connection, source: OrderStream, channel_code: str | None) -> ChannelInfo:
    """Pick the workspace channel the file belongs to; create one named after the kind if there is none."""
    if channel_code:
        row = get_channel_or_raise(connection, channel_code)
        if source.channel_kind not in ("generic", row.kind):
            raise ChannelKindError(
                file=source.filename,
                format=source.format,
                channel=row.code,
                kind=row.kind,
                expected=source.channel_kind,
            )
        return ChannelInfo(row.id, row.code, row.kind, row.name)

    rows = connection.execute(
        select(channels).where(channels.c.kind == source.channel_kind).order_by(channels.c.code)
    ).all()
    if len(rows) > 1:
        raise ChannelChoiceError(
            file=source.filename, kind=source.channel_kind, codes=", ".join(row.code for row in rows)
        )
    if rows:
        return ChannelInfo(rows[0].id, rows[0].code, rows[0].kind, rows[0].name)

    code = source.channel_kind
    new_id = connection.execute(insert(channels).values(code=code, kind=code, name=code)).inserted_primary_key[0]  # type: ignore[index]
    logger.info("created channel %s for %s", code, source.filename)
    return ChannelInfo(int(new_id), code, code, code)


def import_orders(
    database: Database,
    source: OrderStream,
    *,
    channel_code: str | None = None,
    batch_size: int = 2000,
    on_progress: Callable[[OrderStream], None] | None = None,
    read_ahead: bool | None = None,
    overlap: bool | None = None,
    stop_requested: Callable[[], bool] | None = None,
    for_api: bool = False,
) -> ImportReport:
    """Import every order of `source` and return the report; bad rows are reported and skipped.

    `read_ahead` chooses whether a second process parses and prepares the file
    while this one writes; by default it does when the source is a file on
    disk of at least READ_AHEAD_MIN_BYTES. `overlap` chooses whether a writer
    thread stores each batch while the next one is routed (orders/overlap.py);
    by default it does on PostgreSQL. `stop_requested` is asked after every
    batch. When it returns True the import stops there and raises
    ImportInterruptedError, so a stop never cuts a batch's transaction short.
    With `for_api` the report's row errors, which the import also stores, are
    worded for a REST client.
    """
    with database.write() as connection:
        channel = resolve_channel(connection, source, channel_code)
        import_id = connection.execute(
            insert(order_imports).values(
                filename=source.filename[:512],
                format=source.format,
                channel_id=channel.id,
                status="running",
                created=0,
                updated=0,
                unchanged=0,
                errors=[],
                started_at=utc_now(),
                note="",
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    report = ImportReport(
        filename=source.filename,
        format=source.format,
        channel=channel.code,
        import_id=int(import_id),
        for_api=for_api,
    )
    logger.info(
        "import %s started: file=%s format=%s channel=%s", import_id, source.filename, source.format, channel.code
    )

    with database.read() as connection:
        catalog = load_snapshot(connection)
        open_units = open_units_by_location(connection)
    analyzed = False  # whether this import has refreshed the planner's statistics

    def refresh_statistics_once() -> None:
        nonlocal analyzed
        if not analyzed and report.created >= ANALYZE_AFTER_CREATED and not database.is_sqlite:
            _refresh_statistics(database, int(import_id))
            analyzed = True

    # Stored orders that this file gives with fewer lines so far, by channel order id; see _flush.
    shorter: dict[str, ParsedOrder] = {}

    def write_shorter() -> None:
        if overlapped is not None:
            overlapped.wait_idle()
        waiting = Batch(list(shorter.values()), [None] * len(shorter))
        shorter.clear()
        _flush_with_retry(database, waiting, channel, catalog, report, open_units)

    batches = _read_batches(source, channel, catalog, batch_size, read_ahead)
    overlapped = (
        _start_overlap(database, channel, catalog, report, open_units, shorter) if overlap is not False else None
    )
    try:
        with collected_between_batches(f"import {import_id}") as collect_garbage:
            for batch in batches:
                for error in batch.errors:
                    report.add_error(error)
                if batch.position_bytes is not None and isinstance(source, OrderSource):
                    source.position_bytes = batch.position_bytes
                if overlapped is None:
                    _flush_with_retry(database, batch, channel, catalog, report, open_units, shorter)
                else:
                    overlapped.flush(batch)
                if len(shorter) >= SHORTER_LIMIT_BATCHES * batch_size:
                    # Bounds memory. Their later rows, if any, then join the orders as written.
                    write_shorter()
                collect_garbage()
                refresh_statistics_once()
                if on_progress is not None:
                    on_progress(source)
                if stop_requested is not None and stop_requested():
                    raise KeyboardInterrupt
                # Dropped before the next batch is read, so that only the batches being written stay in memory.
                del batch
            if shorter:
                write_shorter()
            if overlapped is not None:
                overlapped.finish()
                # The writer counts orders as it commits them, so the last batches are counted only here.
                refresh_statistics_once()
    except KeyboardInterrupt as interrupt:
        _stop_writer(overlapped, int(import_id))
        _free_interrupted_statement(interrupt)
        # Ctrl-C, SIGTERM or a stop request: the committed batches stay, so the error reports how far it got.
        _record_failure(database, int(import_id), report, status="interrupted")
        # Info, not warning: the exception carries the same news to the caller, who shows it once.
        logger.info("import %s interrupted after created=%d updated=%d", import_id, report.created, report.updated)
        raise ImportInterruptedError(
            file=source.filename, created=report.created, updated=report.updated, unchanged=report.unchanged
        ) from interrupt
    except BaseException:
        _stop_writer(overlapped, int(import_id))
        # The batches before the failure are committed: record what they did and that the import stopped.
        _record_failure(database, int(import_id), report)
        logger.exception("import %s failed after created=%d updated=%d", import_id, report.created, report.updated)
        raise
    finally:
        # Ends the read-ahead process now, not when the generator is collected.
        close = getattr(batches, "close", None)
        if close is not None:
            close()

    if report.cancelled_with_stock:
        # Stock that the channel's cancellations gave back goes to the orders waiting longest.
        with database.write() as connection:
            retry_backorders(connection)
    _finish(database, int(import_id), report, status="finished")
    logger.info(
        "import %s finished: created=%d updated=%d unchanged=%d errors=%d",
        import_id,
        report.created,
        report.updated,
        report.unchanged,
        len(report.errors),
    )
    return report


def _stop_writer(overlapped: OverlappedImport | None, import_id: int) -> None:
    """Let the writer thread finish its batch and stop; a second Ctrl-C or signal cuts the wait short."""
    if overlapped is None:
        return
    try:
        overlapped.abort()
    except KeyboardInterrupt:
        # The batch being written commits or, when this process ends first, the server rolls it back.
        # The count of saved orders is read from the database, so it is right in both cases.
        logger.info("import %s: stopped without waiting for the batch being written", import_id)


def _free_interrupted_statement(interrupt: KeyboardInterrupt) -> None:
    """Let go of the statement that a signal cut short, so that SQLite ends its transaction.

    A signal inside SQLite's executemany leaves the statement running, and the
    frames of the traceback keep its cursor. Its connection stays open until
    the statement is freed, with the database's write lock, and the import
    could not record its stop: "database is locked".
    """
    traceback.clear_frames(interrupt.__traceback__)
    # The cursor is also part of a reference cycle with its execution context, which only a collection frees.
    gc.collect()


def _record_failure(database: Database, import_id: int, report: ImportReport, *, status: str = "failed") -> None:
    """Mark the import failed (or interrupted) with the orders it created, as far as the database still lets us.

    An interrupt between a batch's COMMIT and the count that follows it would
    leave `report.created` one batch short, so the orders are counted again.
    Nothing here may hide the error that stopped the import.
    """
    try:
        with database.write(lock_timeout=FAILURE_LOCK_SECONDS) as connection:
            report.created = (
                connection.scalar(
                    select(func.count())
                    .select_from(orders)
                    .where(
                        orders.c.last_import_id == import_id,
                        orders.c.created_at
                        >= select(order_imports.c.started_at).where(order_imports.c.id == import_id).scalar_subquery(),
                    )
                )
                or 0
            )
        _finish(database, import_id, report, status=status, lock_timeout=FAILURE_LOCK_SECONDS)
    except (Exception, KeyboardInterrupt):
        # A further Ctrl-C or signal while recording lands here too, so that the caller still reports the stop.
        logger.warning("import %s: could not record that it failed; its status stays running", import_id, exc_info=True)


def _start_overlap(
    database: Database,
    channel: ChannelInfo,
    catalog: CatalogSnapshot,
    report: ImportReport,
    open_units: dict[int, int],
    shorter: dict[str, ParsedOrder],
) -> OverlappedImport | None:
    """Start the writer thread of an import on PostgreSQL; SQLite has one writer at a time, so it writes serially."""
    if database.is_sqlite:
        return None
    assert report.import_id is not None

    def write_serially(batch: Batch) -> None:
        _flush_with_retry(database, batch, channel, catalog, report, open_units, shorter)

    def count_written(created: int) -> None:
        report.created += created

    return OverlappedImport(
        database,
        channel,
        catalog,
        report.import_id,
        open_units,
        write_serially=write_serially,
        on_written=count_written,
        is_retryable=lambda error: isinstance(error, IntegrityError | OperationalError) and _is_retryable(error),
    )


def _refresh_statistics(database: Database, import_id: int) -> None:
    """Refresh PostgreSQL's statistics of the tables each batch looks orders and buyers up in.

    Planned from the figures of a small table, the look-up of a batch's orders
    scans the whole table: in a 100,000-order import it took ten times longer
    by the end. Autovacuum refreshes the figures only a minute or more later, or
    never where it is off, so a large import does it itself. ANALYZE reads a
    sample and blocks no reader or writer.
    """
    with database.write() as connection:
        connection.exec_driver_sql("ANALYZE orders, customers")
    logger.info("import %s refreshed the planner statistics of orders and customers", import_id)


def _finish(
    database: Database, import_id: int, report: ImportReport, *, status: str, lock_timeout: float | None = None
) -> None:
    with database.write(lock_timeout=lock_timeout) as connection:
        connection.execute(
            order_imports.update()
            .where(order_imports.c.id == import_id)
            .values(
                status=status,
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
                errors=report.errors,
                finished_at=utc_now(),
            )
        )


def _read_batches(
    source: OrderStream, channel: ChannelInfo, catalog: CatalogSnapshot, batch_size: int, read_ahead: bool | None
) -> Iterator[Batch]:
    path = source.path if isinstance(source, OrderSource) else None
    if read_ahead is None and isinstance(source, OrderSource):
        read_ahead = (source.size_bytes or 0) >= READ_AHEAD_MIN_BYTES
    if not read_ahead or path is None:
        return cut_batches(source, source.format, batch_size)
    return read_file_ahead(
        path, format_name=source.format, channel_id=channel.id, catalog=catalog, batch_size=batch_size
    )


def _flush_with_retry(
    database: Database,
    batch: Batch,
    channel: ChannelInfo,
    catalog: CatalogSnapshot,
    report: ImportReport,
    open_units: dict[int, int],
    shorter: dict[str, ParsedOrder] | None = None,
) -> None:
    """Write one batch in one transaction, again after a conflict with another importer.

    `shorter` collects the stored orders that this file gives with fewer lines
    so far; see `_flush`. Without it, every order is written as it comes.
    """
    assert report.import_id is not None
    for attempt in range(1, MAX_BATCH_ATTEMPTS + 1):
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        # A failed attempt must leave neither the batch nor the location loads changed.
        attempt_units = dict(open_units)
        attempt_cancelled: list[int] = []
        attempt_shorter = None if shorter is None else dict(shorter)
        try:
            with database.write() as connection:
                _flush(
                    connection,
                    batch.copy(),
                    channel,
                    catalog,
                    report.import_id,
                    counts,
                    attempt_units,
                    attempt_cancelled,
                    attempt_shorter,
                )
        except (IntegrityError, OperationalError) as error:
            # Another process stored some of these orders between our read and our insert, or
            # PostgreSQL ended a deadlock with it. The next attempt finds them and updates instead.
            if not _is_retryable(error):
                raise
            # Info: the retry handles it, and the operator has nothing to do.
            logger.info(
                "import batch of %d orders for channel %s conflicted (attempt %d); retrying",
                len(batch.orders),
                channel.code,
                attempt,
            )
            if attempt == MAX_BATCH_ATTEMPTS:
                raise
            continue
        open_units.update(attempt_units)
        if shorter is not None and attempt_shorter is not None:
            shorter.clear()
            shorter.update(attempt_shorter)
        report.cancelled_with_stock += len(attempt_cancelled)
        report.created += counts["created"]
        report.updated += counts["updated"]
        report.unchanged += counts["unchanged"]
        return


def _is_retryable(error: IntegrityError | OperationalError) -> bool:
    if isinstance(error, IntegrityError):
        return True
    return getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def _join_shorter(batch: Batch, shorter: dict[str, ParsedOrder]) -> None:
    """Add the orders of `batch` that continue an order waiting in `shorter` to it, and take them out of `batch`."""
    remaining_positions: list[int] = []
    for position in range(len(batch.orders)):
        external_id = batch.external_id(position)
        waiting = shorter.get(external_id)
        if waiting is None:
            remaining_positions.append(position)
            continue
        # A copy, so that an attempt that fails leaves the waiting order as it was.
        shorter[external_id] = merge_fragments(replace(waiting, lines=list(waiting.lines)), batch.orders[position])
    batch.orders = [batch.orders[position] for position in remaining_positions]
    batch.prepared = [batch.prepared[position] for position in remaining_positions]


def _flush(
    connection: Connection,
    batch: Batch,
    channel: ChannelInfo,
    catalog: CatalogSnapshot,
    import_id: int,
    counts: dict[str, int],
    open_units: dict[int, int],
    cancelled_with_stock: list[int],
    shorter: dict[str, ParsedOrder] | None = None,
) -> None:
    """Store, update or skip each order of `batch`, then route and reserve the new and changed ones.

    A stored order that this file gives with fewer lines than it has may be
    the first rows of an order whose other rows come later in the file. With
    `shorter`, such an order waits there, unwritten, and later rows of it join
    it; the import writes what has gathered once the file ends. A re-import of
    an unchanged file then finds it unchanged, and its stock is not released
    and reserved again in between.
    """
    if shorter:
        _join_shorter(batch, shorter)
    ids = [batch.external_id(position) for position in range(len(batch.orders))]
    existing = {
        row.external_id: row
        for row in connection.execute(
            select(
                orders.c.id,
                orders.c.external_id,
                orders.c.number,
                orders.c.status,
                orders.c.content_hash,
                orders.c.last_import_id,
                orders.c.ship_line1,
                orders.c.ship_line2,
                orders.c.ship_city,
                orders.c.ship_region,
                orders.c.ship_postal_code,
                orders.c.ship_country_code,
                select(func.count()).where(order_lines.c.order_id == orders.c.id).scalar_subquery().label("line_count"),
            ).where(orders.c.channel_id == channel.id, one_of(connection, orders.c.external_id, ids))
        )
    }

    for position, external_id in enumerate(ids):
        row = existing.get(external_id)
        if row is not None and row.last_import_id == import_id:
            # A later fragment of an order stored by an earlier batch of this file adds its lines to it.
            written = writing.load_as_parsed(connection, row.id)
            batch.orders[position] = merge_fragments(written, batch.orders[position])
            batch.prepared[position] = None
        elif batch.needs_stored_version(position):
            stored = writing.load_as_parsed(connection, row.id) if row is not None else None
            batch.orders[position] = complete_partial(
                batch.orders[position], stored, base_currency=catalog.base_currency
            )
            batch.prepared[position] = None

    prepared = [
        ready or prepare_order(batch.orders[position], channel_id=channel.id, catalog=catalog)
        for position, ready in enumerate(batch.prepared)
    ]
    new: list[PreparedOrder] = []
    changed: list[tuple[Any, PreparedOrder]] = []
    unchanged: list[int] = []
    for position, order in enumerate(prepared):
        row = existing.get(order.external_id)
        # An order this import already wrote was counted with its first fragment.
        counted = row is not None and row.last_import_id == import_id
        if row is None:
            new.append(order)
        elif row.content_hash == order.content_hash:
            unchanged.append(row.id)
            counts["unchanged"] += 0 if counted else 1
        elif shorter is not None and not counted and len(order.lines) < row.line_count:
            shorter[order.external_id] = batch.orders[position]
        else:
            changed.append((row, order))
            counts["updated"] += 0 if counted else 1
    counts["created"] += len(new)

    staged = writing.stage_new_orders(connection, new, catalog, import_id)
    works = staged.works + writing.update_orders(connection, changed, catalog, cancelled_with_stock)
    plan = route_orders(connection, works, catalog, open_units)
    writing.insert_staged(connection, staged, plan.outcomes)
    apply_routing(connection, works, plan, catalog, inserted={work.order_id for work in staged.works})
    writing.mark_imported(connection, [row.id for row, _ in changed] + unchanged, import_id)
