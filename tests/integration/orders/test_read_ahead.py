"""A second process that parses and prepares a file gives the import exactly what this process would."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from pipeline_helpers import (
    EXAMPLE_WORKSPACE,
    SAMPLES,
    apply_workspace_file,
    generic_row,
    line_rows,
    order,
    stock_problems,
    write_generic_csv,
    write_workspace,
)

from ordertower.catalog.service import load_snapshot
from ordertower.catalog.snapshot import CatalogSnapshot
from ordertower.channels.formats import read_orders_file
from ordertower.demo.catalog import load_demo_catalog
from ordertower.demo.generator import write_orders
from ordertower.kernel.db import Database
from ordertower.kernel.errors import NotFoundError, ValidationError
from ordertower.kernel.i18n import Message
from ordertower.orders.batching import Batch, PickledOrders, cut_batches, read_ahead
from ordertower.orders.importing import ImportReport, import_orders
from ordertower.orders.preparation import needs_stored_version, prepare_order

SAMPLE_FILES = [
    SAMPLES / "shopify_orders_export_csv" / "shopify_orders_export_CA_CAD_hst_multi_line_items.csv",
    SAMPLES / "shopify_orders_export_csv" / "shopify_orders_export_GB_GBP_tiktok_shop_channel.csv",
    SAMPLES / "amazon_sale_report_in" / "amazon_in_sale_report_kaggle_cut.csv",
    SAMPLES / "woocommerce_json" / "woocommerce_v3_docs_list_orders_response.json",
]


def catalog_of(database: Database) -> CatalogSnapshot:
    with database.read() as connection:
        return load_snapshot(connection)


def import_path(database: Database, path: Path, *, read_ahead: bool, batch_size: int = 500) -> ImportReport:
    with read_orders_file(path) as source:
        return import_orders(database, source, batch_size=batch_size, read_ahead=read_ahead)


def batches_here(path: Path, catalog: CatalogSnapshot, batch_size: int) -> list[Batch]:
    with read_orders_file(path) as source:
        batches = list(cut_batches(source, source.format, batch_size))
    for batch in batches:
        # An order that takes data from its stored version is prepared by the import, not ahead.
        batch.prepared = [
            None if needs_stored_version(parsed) else prepare_order(parsed, channel_id=1, catalog=catalog)
            for parsed in batch.orders
        ]
    return batches


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda path: path.name)
def test_read_ahead_batches_match_local_batches(database, path):
    apply_workspace_file(database, EXAMPLE_WORKSPACE)
    catalog = catalog_of(database)
    with read_orders_file(path) as source:
        format_name = source.format

    expected = batches_here(path, catalog, batch_size=1)
    received = list(read_ahead(path, format_name=format_name, channel_id=1, catalog=catalog, batch_size=1))

    assert len(received) == len(expected) > 1
    for got, want in zip(received, expected, strict=True):
        assert isinstance(got.orders, PickledOrders)
        assert list(got.orders) == want.orders
        assert got.prepared == want.prepared
        assert [(error.line, error.field, error.value) for error in got.errors] == [
            (error.line, error.field, error.value) for error in want.errors
        ]
    assert received[-1].position_bytes == path.stat().st_size


def test_read_ahead_import_then_local_import_unchanged(database, tmp_path):
    apply_workspace_file(database, EXAMPLE_WORKSPACE)
    path = tmp_path / "orders.csv"
    write_orders(path, format="shopify-csv", count=240, catalog=load_demo_catalog(EXAMPLE_WORKSPACE), seed=3)

    first = import_path(database, path, read_ahead=True, batch_size=50)
    again = import_path(database, path, read_ahead=False, batch_size=50)

    assert (first.created, first.updated, first.errors) == (240, 0, [])
    # The fingerprints the second process computed match the ones this process computes.
    assert (again.created, again.updated, again.unchanged) == (0, 0, 240)
    with database.read() as connection:
        assert stock_problems(connection) == []


@pytest.mark.parametrize("ahead", [True, False], ids=["read-ahead", "in-process"])
def test_row_errors_and_split_orders_across_batches(database, tmp_path, ahead):
    stock = "stock:\n  - {sku: MUG-WHT, location: LA, on_hand: 50}\n  - {sku: TEE-BLK-M, location: LA, on_hand: 50}\n"
    apply_workspace_file(database, write_workspace(tmp_path / "workspace.yaml", stock=stock))
    rows = [
        generic_row("W-1", "MUG-WHT", 1),
        generic_row("W-2", "MUG-WHT", 2),
        generic_row("W-3", "MUG-WHT", "two"),
        generic_row("W-4", "MUG-WHT", 1),
        generic_row("W-1", "TEE-BLK-M", 3),
    ]
    path = write_generic_csv(tmp_path / "orders.csv", rows)

    # W-1's second row comes in the second batch, which also creates W-4: both take new line ids.
    report = import_path(database, path, read_ahead=ahead, batch_size=2)

    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert [(error["line"], error["field"], error["value"]) for error in report.errors] == [(4, "quantity", "two")]
    with database.read() as connection:
        lines = line_rows(connection, order(connection, "W-1").id)
        assert [(line.sku, line.quantity) for line in lines] == [("MUG-WHT", 1), ("TEE-BLK-M", 3)]
        assert stock_problems(connection) == []


def test_read_ahead_error_raised_unchanged(database, tmp_path):
    apply_workspace_file(database, EXAMPLE_WORKSPACE)
    path = tmp_path / "orders.csv"
    write_orders(path, format="shopify-csv", count=5, catalog=load_demo_catalog(EXAMPLE_WORKSPACE), seed=3)

    with read_orders_file(path) as source:
        # The second process opens the file by its path, which is gone by then.
        path.unlink()
        with pytest.raises(FileNotFoundError, match=r"orders\.csv"):
            import_orders(database, source, read_ahead=True)


def test_operator_errors_pickle_round_trip():
    errors = [
        NotFoundError(entity="order", ref="#1001", command="orders list"),
        ValidationError(
            field="stock[0].on_hand", value=-1, problem=Message("must be {least} or more", "至少为 {least}"), least=0
        ),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))

        assert type(copy) is type(error)
        assert copy.params == error.params
        assert (copy.render("en"), copy.render("zh"), str(copy)) == (error.render("en"), error.render("zh"), str(error))


def test_read_ahead_process_starts_without_database_code():
    # The importing process waits while the second process starts. Loading SQLAlchemy, pydantic and YAML
    # there took about 0.35 s of the 0.6 s before the first batch arrived.
    modules = ("sqlalchemy", "pydantic", "yaml")
    script = (
        "import sys\n"
        "from ordertower.orders.batching import serve_read_ahead\n"
        "from ordertower.channels.formats import read_orders_file\n"
        f"print(sorted(name for name in {modules!r} if name in sys.modules))\n"
    )

    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)

    assert completed.stdout.strip() == "[]"
