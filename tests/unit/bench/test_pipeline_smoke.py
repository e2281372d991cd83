"""Run the import benchmark on a few hundred orders and check what it stores, never how fast it is."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"
ORDERS = 300


@pytest.fixture(scope="module")
def pipeline() -> Iterator[ModuleType]:
    # pipeline.py imports its neighbour ceiling.py as a top-level module, as it does when run as a script.
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCHMARKS))
        spec = importlib.util.spec_from_file_location("benchmark_pipeline", BENCHMARKS / "pipeline.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module


@pytest.fixture(scope="module")
def results(pipeline: ModuleType) -> dict[str, Any]:
    arguments = ["--orders", str(ORDERS), "--small-orders", "0", "--no-tracemalloc", "--json"]
    if os.environ.get("ORDERTOWER_TEST_DATABASE", "sqlite") == "postgresql":
        admin_url = os.environ.get("ORDERTOWER_TEST_POSTGRES_ADMIN_URL", pipeline.DEFAULT_ADMIN_URL)
        arguments += ["--database", "postgresql", "--postgres-admin-url", admin_url]
    else:
        arguments += ["--database", "sqlite"]
    results: dict[str, Any] = pipeline.main(arguments)
    return results


def test_benchmark_run_stores_every_order(results: dict[str, Any]) -> None:
    run = results["runs"][0]
    assert run["mode"] == "timed"
    assert run["orders"] == ORDERS
    assert run["stored"]["orders"] == ORDERS
    assert run["import_report"]["created"] == ORDERS
    assert run["import_report"]["errors"] == 0


def test_benchmark_checks_pass(results: dict[str, Any]) -> None:
    checks = results["runs"][0]["checks"]
    assert checks["orders_stored_equal_orders_in_file"]
    assert checks["reserved_equals_sum_of_allocations"]
    assert checks["ledger_sums_equal_stock_levels"]
    assert results["checks_passed"]


def test_benchmark_routes_and_reserves(results: dict[str, Any]) -> None:
    run = results["runs"][0]
    assert run["stored"]["allocated_units"] > 0
    assert run["stored"]["statuses"].get("allocated", 0) > 0


def test_benchmark_statements_per_order(results: dict[str, Any]) -> None:
    run = results["runs"][0]
    assert run["statements"] > 0
    assert run["statements_per_order"] <= 15


def test_benchmark_ceiling_copies_rows(results: dict[str, Any]) -> None:
    ceiling = results["runs"][0]["ceiling"]
    assert ceiling["rows"]["orders"] == ORDERS
    assert ceiling["rows"]["order_lines"] == results["runs"][0]["lines"]
    assert ceiling["wall_s"] > 0


def test_copy_ceiling_on_postgresql_only(results: dict[str, Any]) -> None:
    run = results["runs"][0]
    if run["database"] == "sqlite":
        assert "copy_ceiling" not in run
        return
    assert run["copy_ceiling"]["rows"] == run["ceiling"]["rows"]
    assert run["copy_ceiling"]["wall_s"] > 0


def test_statement_kind_names_table(pipeline: ModuleType) -> None:
    assert pipeline.statement_kind('INSERT INTO "orders" (id) VALUES (?)') == "INSERT orders"
    assert pipeline.statement_kind("UPDATE stock_levels SET reserved=reserved + ?") == "UPDATE stock_levels"
    assert pipeline.statement_kind("SELECT a.id FROM allocations AS a") == "SELECT allocations"
    assert pipeline.statement_kind("BEGIN IMMEDIATE") == "BEGIN"
