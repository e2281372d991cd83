"""An import stopped from outside leaves no process behind, and the same file then imports completely."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import WORKSPACE_FILE, ordertower_executable
from ordertower.demo.catalog import load_demo_catalog
from ordertower.demo.generator import write_orders
from ordertower.inventory.tables import stock_levels
from ordertower.kernel.db import Database
from ordertower.orders.tables import allocations, order_imports, orders

ORDERS = 20_000
STARTED = re.compile(r"read-ahead process (\d+) started")
WAIT_SECONDS = 60


def start_import(
    database: Database, path: Path, log: Path, *, options: tuple[str, ...] = (), output: Path | None = None
) -> subprocess.Popen[bytes]:
    # INFO shows the log line that names the read-ahead process.
    environment = {
        **os.environ,
        "ORDERTOWER_DATABASE_URL": database.url,
        "LANG": "C.UTF-8",
        "ORDERTOWER_LOG_LEVEL": "INFO",
    }
    with log.open("wb") as stderr, (output or Path(os.devnull)).open("wb") as stdout:
        # A session of its own, so that a signal to its group reaches the import and nothing else.
        return subprocess.Popen(
            [ordertower_executable(), "--lang", "en", "import", str(path), *options],
            stdout=stdout,
            stderr=stderr,
            env=environment,
            start_new_session=True,
        )


def read_ahead_pid(log: Path) -> int:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = STARTED.search(log.read_text(encoding="utf-8", errors="replace"))
        if found:
            return int(found.group(1))
        time.sleep(0.1)
    pytest.fail(f"no read-ahead process was started within {WAIT_SECONDS} s:\n{log.read_text()}")


def has_ended(pid: int) -> bool:
    """Tell whether `pid` is gone or a zombie (ended, waiting for a parent to collect it)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


def ends_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if has_ended(pid):
            return True
        time.sleep(0.1)
    return has_ended(pid)


def reserved_matches_allocations(database: Database) -> bool:
    with database.read() as connection:
        reserved = {
            (row.product_id, row.location_id): row.reserved
            for row in connection.execute(select(stock_levels)).all()
            if row.reserved
        }
        allocated = {
            (product, location): int(total)
            for product, location, total in connection.execute(
                select(allocations.c.product_id, allocations.c.location_id, func.sum(allocations.c.quantity)).group_by(
                    allocations.c.product_id, allocations.c.location_id
                )
            )
        }
    return reserved == allocated


def assert_stop_recorded(database: Database, log: Path) -> None:
    """Check that the import printed that it was interrupted and recorded that with the count of orders saved."""
    assert "Import of orders.csv interrupted" in log.read_text()
    assert "Traceback" not in log.read_text()
    with database.read() as connection:
        record = connection.execute(select(order_imports)).one()
        saved = connection.scalar(select(func.count()).select_from(orders))
    assert record.status == "interrupted"
    assert record.created == saved


@pytest.mark.parametrize(
    ("signal_number", "whole_group"),
    [
        pytest.param(signal.SIGKILL, False, id="import-killed"),
        pytest.param(signal.SIGTERM, False, id="kill-command"),
        pytest.param(signal.SIGINT, True, id="ctrl-c"),
    ],
)
def test_stopped_import_leaves_no_process(workspace, run_cli, tmp_path, signal_number, whole_group):
    path = tmp_path / "orders.csv"
    write_orders(path, format="shopify-csv", count=ORDERS, catalog=load_demo_catalog(WORKSPACE_FILE), seed=11)
    log = tmp_path / "import.log"

    process = start_import(workspace, path, log)
    helper = read_ahead_pid(log)
    time.sleep(2)  # let some batches commit
    if whole_group:
        os.killpg(process.pid, signal_number)
    else:
        os.kill(process.pid, signal_number)
    status = process.wait(timeout=WAIT_SECONDS)

    assert ends_within(helper, 15), f"read-ahead process {helper} still runs after the import stopped"
    if signal_number != signal.SIGKILL:
        assert status == 128 + signal_number, log.read_text()
        assert_stop_recorded(workspace, log)

    again = run_cli("import", path, "--json", timeout=600)
    assert again.returncode == 0, again.stderr
    report = again.json()
    assert report["errors"] == []
    assert report["created"] + report["updated"] + report["unchanged"] == ORDERS
    with workspace.read() as connection:
        assert connection.scalar(select(func.count()).select_from(orders)) == ORDERS
    assert reserved_matches_allocations(workspace)


def test_stopped_json_import_prints_saved_counts(workspace, tmp_path):
    path = tmp_path / "orders.csv"
    write_orders(path, format="shopify-csv", count=ORDERS, catalog=load_demo_catalog(WORKSPACE_FILE), seed=12)
    log = tmp_path / "import.log"
    output = tmp_path / "report.json"

    process = start_import(workspace, path, log, options=("--json",), output=output)
    read_ahead_pid(log)
    time.sleep(2)  # let some batches commit
    os.killpg(process.pid, signal.SIGINT)
    status = process.wait(timeout=WAIT_SECONDS)

    assert status == 130, log.read_text()
    error = json.loads(output.read_text())["error"]
    assert error["code"] == "import_interrupted"
    with workspace.read() as connection:
        saved = connection.scalar(select(func.count()).select_from(orders))
    assert error["params"]["created"] == saved


def test_repeated_signals_still_record_the_stop(workspace, tmp_path):
    path = tmp_path / "orders.csv"
    write_orders(path, format="shopify-csv", count=ORDERS, catalog=load_demo_catalog(WORKSPACE_FILE), seed=13)
    log = tmp_path / "import.log"

    process = start_import(workspace, path, log)
    read_ahead_pid(log)
    time.sleep(2)  # let some batches commit
    # The later signals land while a batch is written or while the import records how far it got.
    for pause, signal_number in (
        (0.0, signal.SIGTERM),
        (0.3, signal.SIGTERM),
        (0.05, signal.SIGINT),
        (0.5, signal.SIGTERM),
    ):
        time.sleep(pause)
        if process.poll() is None:
            os.kill(process.pid, signal_number)
    status = process.wait(timeout=WAIT_SECONDS)

    assert status == 128 + signal.SIGTERM, log.read_text()
    assert_stop_recorded(workspace, log)
    assert reserved_matches_allocations(workspace)
