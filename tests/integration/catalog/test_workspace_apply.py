"""Applying the workspace file: a second apply is a no-op, and a bad file changes nothing at all."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select, text
from typer.testing import CliRunner

from ordertower.catalog.service import apply_workspace
from ordertower.catalog.tables import products
from ordertower.catalog.workspace import WorkspaceFileError, load_workspace_file
from ordertower.cli import app
from ordertower.inventory.service import ledger_sums, list_stock
from ordertower.inventory.tables import stock_ledger, stock_levels
from ordertower.kernel.cli_support import state
from ordertower.kernel.db import Database, metadata
from ordertower.kernel.tables import import_all_tables

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "workspace.yaml"


def apply_file(database: Database, path: Path) -> Any:
    spec = load_workspace_file(path)
    with database.write() as connection:
        return apply_workspace(connection, spec, source=str(path))


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, to compare the whole database before and after."""
    import_all_tables()
    with database.read() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in metadata.sorted_tables
        }


def example_document() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def write_document(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_second_apply_changes_nothing(database):
    first = apply_file(database, EXAMPLE)
    with database.read() as connection:
        ledger_rows = connection.scalar(text("SELECT count(*) FROM stock_ledger"))
    before = snapshot(database)

    second = apply_file(database, EXAMPLE)

    assert not first.is_noop
    document = example_document()
    assert first.created["products"] == len(document["products"])
    assert first.created["bundles"] == len(document["bundles"])
    assert first.created["locations"] == len(document["locations"])
    assert second.is_noop, (second.created, second.changed)
    assert second.mapped_channel_skus == []
    assert second.stocked_products == set()
    assert snapshot(database) == before
    with database.read() as connection:
        assert connection.scalar(text("SELECT count(*) FROM stock_ledger")) == ledger_rows


def test_apply_stock_matches_ledger(database):
    apply_file(database, EXAMPLE)

    with database.read() as connection:
        levels = {(level.sku, level.location): level for level in list_stock(connection)}
        sums = ledger_sums(connection)
        cached = {
            (row.product_id, row.location_id): (row.on_hand, row.reserved)
            for row in connection.execute(select(stock_levels))
        }
        reasons = set(connection.scalars(select(stock_ledger.c.reason)).all())

    stock = example_document()["stock"]
    assert len(levels) == len(stock)
    for row in stock:
        level = levels[(row["sku"], row["location"])]
        assert (level.on_hand, level.reserved, level.safety_stock) == (row["on_hand"], 0, row.get("safety_stock", 0))
    assert cached == {key: sums.get(key, (0, 0)) for key in cached}
    assert reasons == {"workspace"}


def test_changed_stock_writes_one_ledger_row(database, tmp_path):
    apply_file(database, EXAMPLE)
    document = example_document()
    document["stock"][0]["on_hand"] = 390  # TEE-BLK-M at SZ, was 400
    document["products"][0]["name"] = "Classic Cotton Tee - Black / Medium"

    result = apply_file(database, write_document(tmp_path / "workspace.yaml", document))

    assert result.changed == {"products": 1, "stock": 1}
    assert result.created == {}
    with database.read() as connection:
        entries = connection.execute(
            select(stock_ledger.c.on_hand_delta, stock_ledger.c.reason).order_by(stock_ledger.c.id.desc()).limit(1)
        ).all()
        level = list_stock(connection, sku="TEE-BLK-M", location="SZ")[0]
    assert [tuple(entry) for entry in entries] == [(-10, "workspace")]
    assert level.on_hand == 390


def break_unknown_key(document: dict[str, Any]) -> None:
    document["products"][3]["colour"] = "white"


def break_stock_sku(document: dict[str, Any]) -> None:
    document["stock"][0]["sku"] = "TEE-PURPLE-XXL"


def break_stock_location(document: dict[str, Any]) -> None:
    document["stock"][0]["location"] = "PARIS"


def break_on_hand(document: dict[str, Any]) -> None:
    document["stock"][2]["on_hand"] = -5


def break_mapping_channel(document: dict[str, Any]) -> None:
    document["sku_mappings"][1]["channel"] = "ebay-de"


@pytest.mark.parametrize(
    ("breaker", "path", "value"),
    [
        (break_unknown_key, "products[3].colour", "white"),
        (break_stock_sku, "stock[0].sku", "TEE-PURPLE-XXL"),
        (break_stock_location, "stock[0].location", "PARIS"),
        (break_on_hand, "stock[2].on_hand", -5),
        (break_mapping_channel, "sku_mappings[1].channel", "ebay-de"),
    ],
    ids=["unknown-key", "unknown-sku", "unknown-location", "negative-on-hand", "unknown-channel"],
)
@pytest.mark.parametrize("applied_before", [False, True], ids=["empty", "applied"])
def test_bad_file_applies_nothing(database, tmp_path, breaker, path, value, applied_before):
    if applied_before:
        apply_file(database, EXAMPLE)
    document = example_document()
    # Valid changes next to the error, which must not be applied either.
    document["products"][0]["name"] = "Renamed tee"
    document["stock"][5]["on_hand"] = 999
    document["locations"].append(copy.deepcopy(document["locations"][1]) | {"code": "SEA"})
    breaker(document)
    bad_file = write_document(tmp_path / "bad.yaml", document)
    before = snapshot(database)

    with pytest.raises(WorkspaceFileError) as raised:
        apply_file(database, bad_file)

    assert [(problem[0], problem[1]) for problem in raised.value.problems] == [(path, value)]
    message = str(raised.value)
    assert path in message
    assert repr(value) in message
    assert "nothing was applied" in message
    assert snapshot(database) == before
    with database.read() as connection:
        names = set(connection.scalars(select(products.c.name)).all())
    assert "Renamed tee" not in names


def test_several_problems_all_listed(database, tmp_path):
    document = example_document()
    break_stock_sku(document)
    break_stock_location(document)
    document["stock"][7]["location"] = "TOKYO"

    with pytest.raises(WorkspaceFileError) as raised:
        apply_file(database, write_document(tmp_path / "bad.yaml", document))

    assert [problem[0] for problem in raised.value.problems] == [
        "stock[0].sku",
        "stock[0].location",
        "stock[7].location",
    ]
    assert "3 problem(s)" in str(raised.value)


def run_cli(database: Database, *arguments: str) -> Any:
    runner = CliRunner()
    try:
        return runner.invoke(app, ["--database-url", database.url, "--lang", "en", *arguments])
    finally:
        if state._database is not None:
            state._database.dispose()
            state._database = None


def test_cli_apply_twice_reports_nothing_changed(database):
    first = run_cli(database, "workspace", "apply", str(EXAMPLE))
    second = run_cli(database, "workspace", "apply", str(EXAMPLE))

    assert first.exit_code == 0, first.output
    assert "created" in first.output
    assert second.exit_code == 0, second.output
    assert "nothing changed" in second.output


def test_cli_bad_file_exit_status(database, tmp_path):
    document = example_document()
    break_stock_location(document)
    bad_file = write_document(tmp_path / "bad.yaml", document)

    result = run_cli(database, "workspace", "apply", str(bad_file))

    assert result.exit_code == 1
    assert "stock[0].location" in result.output
    assert "'PARIS'" in result.output
    assert snapshot(database) == snapshot_of_empty()


def snapshot_of_empty() -> dict[str, list[tuple[Any, ...]]]:
    import_all_tables()
    return {table.name: [] for table in metadata.sorted_tables}
