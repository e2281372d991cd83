"""Fixtures of the end-to-end tests: the example workspace, wholesale order files and the `ordertower` command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ordertower.catalog.service import apply_workspace
from ordertower.catalog.workspace import load_workspace_file
from ordertower.channels.formats import read_orders_file
from ordertower.kernel.db import Database
from ordertower.orders.importing import ImportReport, import_orders

REPO = Path(__file__).resolve().parents[2]
WORKSPACE_FILE = REPO / "examples" / "workspace.yaml"

# Three wholesale orders for SKUs of the example workspace, shipped to the US, the UK and Germany.
WHOLESALE_HEADER = (
    "order_id,order_date,currency,sku,quantity,unit_price,ship_name,ship_country,email,"
    "ship_line1,ship_city,ship_region,ship_postal_code,product_name"
)
WHOLESALE_ROWS = (
    "WH-2001,2024-05-01T09:30:00-07:00,USD,TEE-BLK-M,2,15.00,Jane Smith,US,jane@example.com,"
    "1 Sample Road,Seattle,WA,98101,Classic Cotton Tee",
    "WH-2001,,,MUG-WHT,1,9.50,,,,,,,,Stoneware Mug",
    "WH-2002,2024-05-02T10:00:00+01:00,GBP,CASE-IP15-CLR,1,12.00,Sam Fakename,GB,sam@example.com,"
    "2 Sample Road,London,,SW1A 1AA,MagSafe Case",
    "WH-2003,2024-05-03T11:00:00+02:00,EUR,TEE-BLK-L,3,20.00,Max Muster,DE,max@example.com,"
    "Sample Str. 1,Berlin,,10115,Classic Cotton Tee",
)


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def ordertower_executable() -> str:
    """Return the installed `ordertower` script of the interpreter running the tests."""
    beside = Path(sys.executable).parent / "ordertower"
    if beside.exists():
        return str(beside)
    found = shutil.which("ordertower")
    if found is None:
        pytest.fail("the `ordertower` command is not installed; run `pip install -e .`")
    return found


@pytest.fixture
def run_cli(database: Database, tmp_path: Path) -> Callable[..., CliResult]:
    """Run the real `ordertower` command on the test database, in English unless `env` sets another language."""
    executable = ordertower_executable()

    def run(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 120) -> CliResult:
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {"ORDERTOWER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"}
        }
        environment.update({"ORDERTOWER_DATABASE_URL": database.url, "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"})
        environment.update(env or {})
        completed = subprocess.run(
            [executable, *map(str, args)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=environment,
            cwd=tmp_path,
            timeout=timeout,
            check=False,
        )
        return CliResult(completed.returncode, completed.stdout, completed.stderr)

    return run


@pytest.fixture
def workspace(database: Database) -> Database:
    """The test database with examples/workspace.yaml applied."""
    with database.write() as connection:
        apply_workspace(connection, load_workspace_file(WORKSPACE_FILE), source=str(WORKSPACE_FILE))
    return database


def write_wholesale_csv(path: Path, rows: tuple[str, ...] = WHOLESALE_ROWS) -> Path:
    path.write_text("\n".join((WHOLESALE_HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def import_file(database: Database, path: Path, channel: str | None = None) -> ImportReport:
    with read_orders_file(path) as source:
        return import_orders(database, source, channel_code=channel)


@pytest.fixture
def wholesale_orders(workspace: Database, tmp_path: Path) -> Database:
    """The example workspace with the three wholesale orders imported and routed."""
    report = import_file(workspace, write_wholesale_csv(tmp_path / "wholesale.csv"))
    assert report.errors == []
    assert report.created == 3
    return workspace
