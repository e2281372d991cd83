"""Cut a channel file's orders into import batches, in this process or a second one.

A batch contains up to `batch_size` distinct orders in file order. Rows of
one order within a batch are merged here. A row that arrives in a later
batch is merged by the import with the stored order.

Parsing, address validation and fingerprinting need no database and take
about half of an import's time. For a large file a second process does them
(`read_ahead`) while this one routes and writes the batch before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ordertower.catalog.snapshot import CatalogSnapshot
from ordertower.channels.model import ParsedOrder, RowError
from ordertower.kernel.heap import collected_between_batches
from ordertower.kernel.i18n import Message
from ordertower.orders.preparation import PreparedOrder, merge_fragments, needs_stored_version, prepare_order

logger = logging.getLogger(__name__)

MAX_EXTERNAL_ID_LENGTH = 128  # the width of orders.external_id

# A file this large is read by a second process; below it, starting one costs more than it saves.
READ_AHEAD_MIN_BYTES = 2 * 1024 * 1024
# Prepared batches the second process may hold while the writer has not taken them; bounds its memory.
READ_AHEAD_BATCHES = 8
# Orders in the second process's first batch. The writer waits for it while that process starts and loads
# the geocoding data of each new country, so a short first batch lets the writer start sooner.
READ_AHEAD_FIRST_BATCH = 100
# How long the second process may take to exit once it has sent its last batch or been killed.
READ_AHEAD_EXIT_SECONDS = 10.0

# The column or key that contains the channel's order id, to name it in an error.
ORDER_ID_FIELDS = {
    "shopify-csv": "Id",
    "shopify-json": "id",
    "amazon-tsv": "order-id",
    "woocommerce-json": "id",
    "generic-csv": "order_id",
}

TOO_LONG_ID = Message(
    "the order id has {length} characters, more than the {limit} that are stored; the order was skipped. "
    "Shorten the id in the file.",
    "订单号有 {length} 个字符，超过可保存的 {limit} 个；该订单已跳过。请在文件中缩短订单号。",
)


class PickledOrders:
    """The parsed orders of a batch from the read-ahead process, kept pickled until one is read.

    The import reads a parsed order of such a batch only to merge it with a
    stored version of it, so most of these batches are never loaded. With the
    collector off, as the import runs, loading 2,000 parsed orders took about
    11 ms, and loading their prepared form 18 ms.
    """

    def __init__(self, data: bytes, count: int) -> None:
        self._data = data
        self._count = count
        self._orders: list[ParsedOrder] | None = None

    @classmethod
    def of(cls, orders: list[ParsedOrder]) -> PickledOrders:
        return cls(pickle.dumps(orders, protocol=pickle.HIGHEST_PROTOCOL), len(orders))

    def __reduce__(self) -> tuple[type[PickledOrders], tuple[bytes, int]]:
        return (PickledOrders, (self._data, self._count))

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, position: int) -> ParsedOrder:
        return self._loaded()[position]

    def __setitem__(self, position: int, order: ParsedOrder) -> None:
        self._loaded()[position] = order

    def __iter__(self) -> Iterator[ParsedOrder]:
        return iter(self._loaded())

    def copy(self) -> PickledOrders:
        if self._orders is None:
            return PickledOrders(self._data, self._count)
        copied = PickledOrders(b"", self._count)
        copied._orders = list(self._orders)
        return copied

    def _loaded(self) -> list[ParsedOrder]:
        if self._orders is None:
            self._orders = pickle.loads(self._data)
            self._data = b""
        return self._orders


@dataclass
class Batch:
    """Orders of one import transaction, the row errors read before them, and how far the file was read."""

    orders: list[ParsedOrder] | PickledOrders
    # The prepared form of each order when a second process made it; None where the import must prepare it.
    # An order that needs its stored version to be complete (needs_stored_version) is never prepared ahead.
    prepared: list[PreparedOrder | None]
    errors: list[RowError] = field(default_factory=list)
    position_bytes: int | None = None

    def copy(self) -> Batch:
        """Return a copy whose order lists may change without changing this batch's."""
        return Batch(self.orders.copy(), list(self.prepared), self.errors, self.position_bytes)

    def external_id(self, position: int) -> str:
        ready = self.prepared[position]
        return ready.external_id if ready is not None else self.orders[position].external_id

    def needs_stored_version(self, position: int) -> bool:
        return self.prepared[position] is None and needs_stored_version(self.orders[position])


def cut_batches(
    source: Iterable[ParsedOrder | RowError], format_name: str, batch_size: int, *, first_batch_size: int | None = None
) -> Iterator[Batch]:
    """Group `source` into batches of distinct orders; errors travel with the batch they precede.

    `first_batch_size`, when given, cuts the first batch sooner.
    """
    orders: dict[str, ParsedOrder] = {}
    errors: list[RowError] = []
    limit = first_batch_size or batch_size
    for item in source:
        if isinstance(item, RowError):
            errors.append(item)
            continue
        if len(item.external_id) > MAX_EXTERNAL_ID_LENGTH:
            errors.append(_too_long_id(item, format_name))
            continue
        if item.external_id in orders:
            merge_fragments(orders[item.external_id], item)
            continue
        orders[item.external_id] = item
        if len(orders) >= limit:
            yield Batch(list(orders.values()), [None] * len(orders), errors)
            orders, errors, limit = {}, [], batch_size
    if orders or errors:
        yield Batch(list(orders.values()), [None] * len(orders), errors)


def _too_long_id(order: ParsedOrder, format_name: str) -> RowError:
    return RowError(
        line=order.source_line,
        field=ORDER_ID_FIELDS.get(format_name, "order_id"),
        value=order.external_id[:40] + "...",
        message=TOO_LONG_ID,
        params=(("length", len(order.external_id)), ("limit", MAX_EXTERNAL_ID_LENGTH)),
    )


class ReadAheadError(RuntimeError):
    """The second process stopped with an error that could not be passed back as it was."""


@dataclass
class _Job:
    path: str
    format_name: str
    channel_id: int
    catalog: CatalogSnapshot
    batch_size: int


@dataclass
class _Failure:
    error: BaseException | None
    trace: str


def read_ahead(
    path: Path, *, format_name: str, channel_id: int, catalog: CatalogSnapshot, batch_size: int
) -> Iterator[Batch]:
    """Yield the batches of the file at `path`, parsed and prepared by a second process.

    The process is a new interpreter that imports this module, so it works whatever
    the caller's main module does. Batches come back pickled through a pipe. The
    pipe and a queue of READ_AHEAD_BATCHES batches bound how far ahead the process
    runs. An error in that process is raised here, as the same exception when it
    can be passed between processes. Leaving the loop early stops the process.
    """
    package_root = str(Path(__file__).resolve().parents[2])
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])),
    }
    process = subprocess.Popen(
        # Not `-m`: classes pickled by a __main__ module could not be found by name in this process.
        [sys.executable, "-c", f"from {__name__} import serve_read_ahead; serve_read_ahead()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=environment,
    )
    logger.info("read-ahead process %s started for %s", process.pid, path.name)
    assert process.stdin is not None and process.stdout is not None
    try:
        pickle.dump(_Job(str(path), format_name, channel_id, catalog, batch_size), process.stdin)
        process.stdin.close()
        while (item := _next_item(process)) is not None:
            if isinstance(item, _Failure):
                if item.error is not None:
                    raise item.error
                raise ReadAheadError(f"reading {path.name} failed in the read-ahead process:\n{item.trace}")
            yield item
            # Dropped before the next batch is loaded, so that only one batch is in memory at a time.
            del item
        process.wait(READ_AHEAD_EXIT_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(READ_AHEAD_EXIT_SECONDS)
        process.stdout.close()


def _next_item(process: subprocess.Popen[bytes]) -> Batch | _Failure | None:
    assert process.stdout is not None
    try:
        item: Batch | _Failure | None = pickle.load(process.stdout)
    except EOFError:
        code = process.wait(READ_AHEAD_EXIT_SECONDS)
        raise ReadAheadError(
            f"the read-ahead process {process.pid} ended with exit code {code} before it sent every batch"
        ) from None
    return item


def serve_read_ahead() -> None:
    """Body of the second process: read the job from stdin, send its batches to stdout, then None."""
    _serve()
    # The importing process waits for this exit, and the interpreter's own shutdown would first free
    # the geocoding data object by object, which took about half a second.
    sys.stderr.flush()
    os._exit(0)


def _serve() -> None:
    # The importing process decides when to stop, and kills this one on Ctrl-C, so only it acts on SIGINT.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    output = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    # Anything else printed goes to stderr, so it cannot break the stream of batches.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sender = _Sender(output)
    try:
        job: _Job = pickle.load(sys.stdin.buffer)
        _produce(job, sender)
        sender.send(None)
    except _ReaderGoneError:
        # The importing process has ended, so no one reads a report.
        return
    except BaseException as error:
        with contextlib.suppress(_ReaderGoneError):
            sender.send(_Failure(error if _passes(error) else None, traceback.format_exc()))
    sender.close()


def _produce(job: _Job, sender: _Sender) -> None:
    from ordertower.channels.formats import read_orders_file

    with (
        read_orders_file(Path(job.path), format=job.format_name) as source,
        collected_between_batches(f"read-ahead of {job.path}") as collect_garbage,
    ):
        first_batch_size = min(READ_AHEAD_FIRST_BATCH, job.batch_size)
        for batch in cut_batches(source, job.format_name, job.batch_size, first_batch_size=first_batch_size):
            parsed = list(batch.orders)
            batch.prepared = [
                None
                if needs_stored_version(order)
                else prepare_order(order, channel_id=job.channel_id, catalog=job.catalog)
                for order in parsed
            ]
            batch.orders = PickledOrders.of(parsed)
            batch.position_bytes = source.position_bytes
            sender.send(batch)
            collect_garbage()


class _ReaderGoneError(Exception):
    """The importing process closed its end of the pipe, or ended."""


class _Sender:
    """Pickle items and write them to the pipe from a thread of their own.

    With the writes in a thread, the process prepares the next batch while
    the last one is written. Written from the preparing thread, each batch
    would stall until the importing process had read the one before.
    """

    def __init__(self, output: BinaryIO) -> None:
        self._output = output
        self._pending: queue.Queue[bytes | None] = queue.Queue(maxsize=READ_AHEAD_BATCHES)
        self._writer = threading.Thread(target=self._write_all, name="read-ahead-writer", daemon=True)
        self._writer.start()

    def send(self, item: Batch | _Failure | None) -> None:
        """Queue `item` for the pipe; raise _ReaderGoneError once the writer has stopped on a closed pipe."""
        self._put(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))

    def close(self) -> None:
        """Wait until everything sent is written, or until the reader goes away."""
        with contextlib.suppress(_ReaderGoneError):
            self._put(None)
        self._writer.join()
        self._output.close()

    def _put(self, data: bytes | None) -> None:
        # Checked once a second, so a reader that went away ends this process instead of leaving it waiting.
        while True:
            try:
                self._pending.put(data, timeout=1.0)
                return
            except queue.Full:
                if not self._writer.is_alive():
                    raise _ReaderGoneError from None

    def _write_all(self) -> None:
        try:
            while (data := self._pending.get()) is not None:
                self._output.write(data)
                self._output.flush()
        except (OSError, ValueError):
            # The importing process ended or closed the pipe. send() then finds this thread ended and stops.
            return


def _passes(error: BaseException) -> bool:
    """Tell whether `error` survives the trip to the other process as the same exception."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return False
    return True
