"""The `ordertower` command run as a subprocess on a real database, as an operator or a script would."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import WORKSPACE_FILE, CliResult, write_wholesale_csv
from ordertower.channels.formats import read_orders_file
from ordertower.channels.model import RowError
from ordertower.kernel.db import Database

Run = Callable[..., CliResult]

ORDER_KEYS = {
    "number",
    "channel",
    "external_id",
    "status",
    "financial_status",
    "hold_reasons",
    "currency",
    "subtotal",
    "total",
    "customer",
    "shipping_address",
    "lines",
    "shipments",
    "routing",
    "events",
}
ADDRESS_KEYS = {"name", "line1", "line2", "city", "region", "postal_code", "country_code", "phone"}
LINE_KEYS = {"sku", "channel_sku", "name", "quantity", "unit_price"}
STOCK_KEYS = {"sku", "location", "on_hand", "reserved", "safety_stock", "available"}


def stock_of(run_cli: Run, sku: str) -> dict[str, dict[str, int]]:
    result = run_cli("stock", "list", "--sku", sku, "--json")
    assert result.returncode == 0, result.stderr
    return {row["location"]: row for row in result.json()}


def test_workspace_apply_twice_changes_nothing(run_cli: Run):
    first = run_cli("workspace", "apply", WORKSPACE_FILE)
    second = run_cli("workspace", "apply", WORKSPACE_FILE)
    third = run_cli("workspace", "apply", WORKSPACE_FILE, "--json")

    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout
    assert "products 24" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "nothing changed" in second.stdout
    assert third.returncode == 0, third.stderr
    assert third.json() == {"created": {}, "changed": {}, "released_holds": 0, "filled_backorders": 0}


def test_import_shopify_csv_json_report(run_cli: Run, workspace: Database, samples: Path):
    path = samples / "shopify_orders_export_csv" / "shopify_orders_export_ZA_ZAR_vat_inclusive_2021.csv"

    result = run_cli("import", path, "--json")

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"file", "format", "channel", "created", "updated", "unchanged", "errors"}
    assert report["file"] == path.name
    assert report["format"] == "shopify-csv"
    assert report["created"] == 50
    assert report["errors"] == []
    # Only warnings reach stderr by default; --verbose adds the import's log lines there.
    verbose = run_cli("--verbose", "import", path, "--json")
    assert "ordertower.orders.importing: import" in verbose.stderr
    assert json.loads(verbose.stdout)["unchanged"] == 50
    again = run_cli("import", path, "--json")
    assert again.returncode == 0, again.stderr
    assert again.json() == {
        "file": path.name,
        "format": "shopify-csv",
        "channel": report["channel"],
        "created": 0,
        "updated": 0,
        "unchanged": 50,
        "errors": [],
    }


def test_import_bad_quantity_reports_row(run_cli: Run, workspace: Database, tmp_path: Path):
    rows = (
        "WH-3001,2024-05-01,USD,TEE-BLK-M,1,15.00,Jane Smith,US,jane@example.com,1 Sample Road,Seattle,WA,98101,Tee",
        "WH-3002,2024-05-01,USD,MUG-WHT,three,9.50,Joe Bloggs,US,joe@example.com,2 Sample Road,Seattle,WA,98101,Mug",
        "WH-3003,2024-05-01,USD,CAP-BLK,2,11.00,Ann Lee,US,ann@example.com,3 Sample Road,Portland,OR,97201,Cap",
    )
    path = write_wholesale_csv(tmp_path / "bad-quantity.csv", rows)

    result = run_cli("import", path, "--json")

    assert result.returncode == 1, result.stderr
    report = result.json()
    assert report["created"] == 2
    assert len(report["errors"]) == 1
    error = report["errors"][0]
    assert error["line"] == 3
    assert error["field"] == "quantity"
    assert error["value"] == "three"
    assert "three" in error["message"]
    listed = run_cli("orders", "list", "--json").json()
    assert sorted(order["external_id"] for order in listed["items"]) == ["WH-3001", "WH-3003"]


def test_import_text_report_names_line(run_cli: Run, workspace: Database, tmp_path: Path):
    rows = ("WH-3101,2024-05-01,USD,MUG-WHT,-1,9.50,Joe Bloggs,US,joe@example.com,2 Sample Road,Seattle,WA,98101,Mug",)
    path = write_wholesale_csv(tmp_path / "negative.csv", rows)

    result = run_cli("import", path)

    assert result.returncode == 1
    assert "line 2: quantity: '-1' is not a whole number of 1 or more." in result.stdout


def test_orders_list_json_resource(run_cli: Run, wholesale_orders: Database):
    result = run_cli("orders", "list", "--json")

    assert result.returncode == 0, result.stderr
    listed = result.json()
    assert set(listed) == {"items", "total", "limit", "offset"}
    assert (listed["total"], listed["limit"], listed["offset"]) == (3, 50, 0)
    orders = listed["items"]
    assert [order["external_id"] for order in orders] == ["WH-2003", "WH-2002", "WH-2001"]
    for order in orders:
        assert ORDER_KEYS - {"events"} <= set(order)
        assert order["status"] == "allocated"
    filtered = run_cli("orders", "list", "--json", "--search", "berlin").json()
    assert [order["external_id"] for order in filtered["items"]] == ["WH-2003"]
    assert filtered["total"] == 1
    second_page = run_cli("orders", "list", "--json", "--limit", "2", "--offset", "2").json()
    assert [order["external_id"] for order in second_page["items"]] == ["WH-2001"]
    assert (second_page["total"], second_page["limit"], second_page["offset"]) == (3, 2, 2)


def test_orders_show_by_every_reference(run_cli: Run, wholesale_orders: Database):
    by_channel_id = run_cli("orders", "show", "WH-2001", "--json")
    assert by_channel_id.returncode == 0, by_channel_id.stderr
    order = by_channel_id.json()
    by_number = run_cli("orders", "show", order["number"], "--json").json()

    assert order["number"].startswith("OT")
    assert by_number == order
    assert set(order) >= ORDER_KEYS
    assert order["channel"] == "wholesale"
    assert order["currency"] == "USD"
    assert Decimal(order["subtotal"]) == Decimal("39.50")
    assert order["total"] == "39.50"
    assert order["customer"] == {"email": "jane@example.com", "name": "Jane Smith"}
    assert set(order["shipping_address"]) >= ADDRESS_KEYS
    assert order["shipping_address"]["postal_code"] == "98101"
    assert [line["sku"] for line in order["lines"]] == ["TEE-BLK-M", "MUG-WHT"]
    assert all(set(line) >= LINE_KEYS for line in order["lines"])
    assert order["lines"][0]["unit_price"] == "15.00"
    assert order["shipments"] == [
        {
            "location": "LA",
            "status": "pending",
            "lines": [{"sku": "MUG-WHT", "quantity": 1}, {"sku": "TEE-BLK-M", "quantity": 2}],
        }
    ]
    assert order["routing"]["rules"] == ["fewest_splits", "closest", "rank"]
    assert order["routing"]["explanation"]["winner"] == ["LA"]
    assert order["events"]


def test_orders_show_shopify_hash_number(run_cli: Run, workspace: Database, samples: Path):
    path = samples / "shopify_orders_export_csv" / "shopify_orders_export_BD_BDT_cod_multiline_note_attributes.csv"
    assert run_cli("import", path).returncode == 1

    by_hash = run_cli("orders", "show", "#71737", "--json")
    by_digits = run_cli("orders", "show", "71737", "--json")
    by_channel_id = run_cli("orders", "show", "16718821261681", "--json")
    text = run_cli("orders", "show", "#71737")

    assert by_hash.returncode == 0, by_hash.stderr
    order = by_hash.json()
    assert order["external_number"] == "#71737"
    assert order["status"] == "on_hold"
    assert "unmapped_sku" in order["hold_reasons"]
    assert by_digits.json()["number"] == order["number"]
    assert by_channel_id.json()["number"] == order["number"]
    assert text.returncode == 0, text.stderr
    assert order["number"] in text.stdout
    assert "hold: unpaid, unmapped_sku" in text.stdout


def test_stock_list_set_adjust(run_cli: Run, workspace: Database):
    rows = run_cli("stock", "list", "--json").json()
    assert all(set(row) == STOCK_KEYS for row in rows)
    la_level = stock_of(run_cli, "TEE-BLK-M")["LA"]
    assert la_level == {
        "sku": "TEE-BLK-M",
        "location": "LA",
        "on_hand": 120,
        "reserved": 0,
        "safety_stock": 10,
        "available": 110,
    }

    set_result = run_cli("stock", "set", "TEE-BLK-M", "LA", "80", "--json")
    adjust_result = run_cli("stock", "adjust", "TEE-BLK-M", "LA", "-5", "--reason", "damage", "--json")
    ledger = run_cli("stock", "ledger", "--sku", "TEE-BLK-M", "--location", "LA", "--json")

    assert set_result.returncode == 0, set_result.stderr
    assert set_result.json()["on_hand"] == 80
    assert adjust_result.returncode == 0, adjust_result.stderr
    assert adjust_result.json()["on_hand"] == 75
    assert adjust_result.json()["available"] == 65
    assert stock_of(run_cli, "TEE-BLK-M")["LA"]["on_hand"] == 75
    assert ledger.returncode == 0, ledger.stderr
    page = ledger.json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 100, 0)
    entries = page["items"]
    assert entries[0]["reason"] == "damage"
    assert entries[0]["on_hand_delta"] == -5
    assert entries[1]["on_hand_delta"] == -40


def test_stock_list_hides_empty_levels(run_cli: Run, wholesale_orders: Database):
    # Routing a MUG-WHT order created levels at every location. The workspace stocks it at LA, SZ and UK only.
    stocked = run_cli("stock", "list", "--sku", "MUG-WHT", "--json")
    every_level = run_cli("stock", "list", "--sku", "MUG-WHT", "--all", "--json")
    hidden_text = run_cli("stock", "list", "--sku", "MUG-WHT", "--location", "NJ")
    hidden_chinese = run_cli("--lang", "zh", "stock", "list", "--sku", "MUG-WHT", "--location", "NJ")
    shown_text = run_cli("stock", "list", "--sku", "MUG-WHT", "--location", "NJ", "--all")

    assert stocked.returncode == 0, stocked.stderr
    assert [row["location"] for row in stocked.json()] == ["LA", "SZ", "UK"]
    assert every_level.returncode == 0, every_level.stderr
    levels = {row["location"]: row for row in every_level.json()}
    assert sorted(levels) == ["DE", "LA", "NJ", "SZ", "UK"]
    for location in ("DE", "NJ"):
        figures = (levels[location]["on_hand"], levels[location]["reserved"], levels[location]["safety_stock"])
        assert figures == (0, 0, 0), location
    assert [levels[row["location"]] for row in stocked.json()] == stocked.json()
    assert hidden_text.returncode == 0, hidden_text.stderr
    assert "No stock levels match." in hidden_text.stdout
    assert "--all" in hidden_text.stdout
    assert "加 --all 可一并列出" in hidden_chinese.stdout
    assert shown_text.returncode == 0, shown_text.stderr
    assert shown_text.stdout.splitlines()[1].split() == ["MUG-WHT", "NJ", "0", "0", "0", "0"]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("stock", "set", "NO-SUCH-SKU", "LA", "3"), "NO-SUCH-SKU"),
        (("stock", "adjust", "TEE-BLK-M", "XX", "3"), "XX"),
        (("orders", "show", "OT999999"), "OT999999"),
        (("orders", "cancel", "OT999999"), "OT999999"),
        (("route", "OT999999"), "OT999999"),
        (("orders", "list", "--channel", "no-such-channel"), "no-such-channel"),
    ],
)
def test_unknown_reference_fails_naming_it(run_cli: Run, workspace: Database, args: tuple[str, ...], named: str):
    result = run_cli(*args)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert named in result.stderr
    assert "was not found" in result.stderr
    assert "`ordertower " in result.stderr


def test_unknown_sku_message_in_chinese(run_cli: Run, workspace: Database):
    by_option = run_cli("--lang", "zh", "stock", "set", "NO-SUCH-SKU", "LA", "3")
    by_environment = run_cli("stock", "adjust", "TEE-BLK-M", "XX", "3", env={"ORDERTOWER_LANG": "zh"})

    assert by_option.returncode == 1
    assert "错误：未找到 SKU：'NO-SUCH-SKU'" in by_option.stderr
    assert by_environment.returncode == 1
    assert "未找到仓库：'XX'" in by_environment.stderr


def test_negative_stock_set_rejected(run_cli: Run, workspace: Database):
    result = run_cli("stock", "set", "TEE-BLK-M", "LA", "-3")

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "'quantity'" in result.stderr
    assert stock_of(run_cli, "TEE-BLK-M")["LA"]["on_hand"] == 120


def test_invalid_status_filter_names_it(run_cli: Run, workspace: Database):
    result = run_cli("orders", "list", "--status", "lost")
    chinese = run_cli("--lang", "zh", "orders", "list", "--hold-reason", "lost")

    assert result.returncode == 2
    assert "'lost' is not a status" in result.stderr
    assert "allocated" in result.stderr
    assert chinese.returncode == 2
    assert "'--hold-reason' 的值无效：'lost' 不是暂停原因" in chinese.stderr


def test_route_explains_winner(run_cli: Run, wholesale_orders: Database):
    result = run_cli("route", "WH-2002", "--json")
    text = run_cli("route", "WH-2002")

    assert result.returncode == 0, result.stderr
    decision = result.json()
    assert decision["status"] == "allocated"
    assert decision["rules"] == ["fewest_splits", "closest", "rank"]
    explanation = decision["explanation"]
    assert explanation["winner"] == ["UK"]
    candidates = {"+".join(candidate["locations"]): candidate for candidate in explanation["candidates"]}
    assert "UK" in candidates
    assert candidates["UK"]["eliminated_by"] is None
    assert all(candidate["eliminated_by"] for code, candidate in candidates.items() if code != "UK")
    assert explanation["reason"]["en"].startswith("UK won")
    assert text.returncode == 0, text.stderr
    assert "UK won" in text.stdout


def test_cancel_releases_stock(run_cli: Run, wholesale_orders: Database):
    before = stock_of(run_cli, "TEE-BLK-M")["LA"]
    assert before["reserved"] == 2

    result = run_cli("orders", "cancel", "WH-2001")
    again = run_cli("orders", "cancel", "WH-2001")

    assert result.returncode == 0, result.stderr
    assert "cancelled" in result.stdout
    after = stock_of(run_cli, "TEE-BLK-M")["LA"]
    assert after["reserved"] == 0
    assert after["available"] == before["available"] + 2
    assert stock_of(run_cli, "MUG-WHT")["LA"]["reserved"] == 0
    shown = run_cli("orders", "show", "WH-2001", "--json").json()
    assert shown["status"] == "cancelled"
    assert shown["shipments"] == [] or all(s["status"] == "cancelled" for s in shown["shipments"])
    # A second cancel is rejected and releases nothing.
    assert again.returncode == 1
    assert "already cancelled" in again.stderr
    assert stock_of(run_cli, "TEE-BLK-M")["LA"] == after


def test_cancel_line_reroutes_rest(run_cli: Run, wholesale_orders: Database):
    result = run_cli("orders", "cancel", "WH-2001", "--line", "2", "--json")

    assert result.returncode == 0, result.stderr
    order = result.json()
    assert order["status"] == "allocated"
    assert order["lines"][1]["cancelled_quantity"] == 1
    assert stock_of(run_cli, "MUG-WHT")["LA"]["reserved"] == 0
    assert stock_of(run_cli, "TEE-BLK-M")["LA"]["reserved"] == 2


@pytest.mark.parametrize(("content", "code"), [(b"", "empty_file"), (b"a,b,c\n1,2,3\n", "unknown_format")])
def test_import_json_reports_file_error(run_cli: Run, workspace: Database, tmp_path: Path, content: bytes, code: str):
    path = tmp_path / "orders.csv"
    path.write_bytes(content)

    result = run_cli("import", path, "--json")

    assert result.returncode == 1
    assert result.json()["error"]["code"] == code
    assert "orders.csv" in result.stderr


def test_import_missing_file_named_in_chinese(run_cli: Run, workspace: Database, tmp_path: Path):
    result = run_cli("--lang", "zh", "import", tmp_path / "missing.csv")

    assert result.returncode == 1
    assert "missing.csv" in result.stderr
    assert "不存在或不是文件" in result.stderr


def test_demo_generate_one_format(run_cli: Run, tmp_path: Path):
    result = run_cli("demo", "generate", "--workspace", WORKSPACE_FILE, "--format", "shopify-csv", "--orders", "30")

    assert result.returncode == 0, result.stderr
    written = sorted(path.name for path in (tmp_path / "var" / "demo").iterdir())
    assert written == ["shopify_orders_export.csv"]
    with read_orders_file(tmp_path / "var" / "demo" / "shopify_orders_export.csv") as source:
        assert len([item for item in source if not isinstance(item, RowError)]) == 30


def test_demo_generate_unknown_format(run_cli: Run):
    result = run_cli("demo", "generate", "--workspace", WORKSPACE_FILE, "--format", "xml")

    assert result.returncode == 1
    assert "'xml'" in result.stderr
    assert "shopify-csv" in result.stderr


def test_import_without_products_warns(run_cli: Run, tmp_path: Path):
    path = tmp_path / "wholesale.csv"
    write_wholesale_csv(path)

    result = run_cli("import", path, "--json")

    assert "workspace has no products" in result.stderr
    assert json.loads(result.stdout)["created"] > 0


def test_import_with_products_no_warning(run_cli: Run, workspace: Database, tmp_path: Path):
    path = tmp_path / "wholesale.csv"
    write_wholesale_csv(path)

    result = run_cli("import", path, "--json")

    assert "workspace has no products" not in result.stderr


def test_orders_show_names_address_problem(run_cli: Run, workspace: Database, tmp_path: Path):
    rows = ("WH-3201,2024-05-01,USD,MUG-WHT,1,9.50,Joe Bloggs,US,joe@example.com,2 Sample Road,Seattle,,98101,Mug",)
    run_cli("import", write_wholesale_csv(tmp_path / "no-state.csv", rows))

    english = run_cli("--lang", "en", "orders", "show", "WH-3201")
    chinese = run_cli("--lang", "zh", "orders", "show", "WH-3201")

    assert english.returncode == 0, english.stderr
    assert "  hold: address_invalid" in english.stdout
    assert "  address: The region is missing." in english.stdout
    assert "  地址问题：缺少省/州。" in chinese.stdout


def test_imports_list_shows_each_import(run_cli: Run, wholesale_orders: Database):
    listed = run_cli("imports", "list", "--json")
    english = run_cli("--lang", "en", "imports", "list")
    chinese = run_cli("--lang", "zh", "imports", "list")

    assert listed.returncode == 0, listed.stderr
    page = listed.json()
    assert (page["total"], page["limit"], page["offset"]) == (1, 50, 0)
    (record,) = page["items"]
    assert record["status"] == "finished"
    assert record["created"] == 3
    assert record["errors"] == []
    assert english.stdout.split()[:3] == ["ID", "STARTED", "STATUS"]
    assert chinese.stdout.split()[:3] == ["编号", "开始时间（UTC）", "状态"]
    assert "finished" in chinese.stdout


def test_import_unknown_format_is_a_usage_error(run_cli: Run, workspace: Database, tmp_path: Path):
    result = run_cli("import", write_wholesale_csv(tmp_path / "orders.csv"), "--format", "xml")

    assert result.returncode == 2
    assert "'xml' is not a file format" in result.stderr
    assert "generic-csv" in result.stderr


def test_db_check_names_a_stray_line(run_cli: Run, wholesale_orders: Database):
    from sqlalchemy import select, update

    from ordertower.orders.tables import order_lines

    passing = run_cli("db", "check")
    passing_json = run_cli("db", "check", "--json")
    with wholesale_orders.write() as connection:
        line_id = connection.scalar(select(order_lines.c.id).order_by(order_lines.c.id).limit(1))
        connection.execute(update(order_lines).where(order_lines.c.id == line_id).values(order_id=10**9))
    failing = run_cli("db", "check")
    failing_zh = run_cli("--lang", "zh", "db", "check", "--json")

    assert passing.returncode == 0, passing.stderr
    assert "All record checks passed" in passing.stdout
    assert passing_json.json() == {"ok": True, "findings": []}
    assert failing.returncode == 1
    assert (
        f"order lines whose order is missing: 1 (e.g. order_lines.id={line_id} (order_id=1000000000))" in failing.stdout
    )
    assert failing_zh.returncode == 1
    document = failing_zh.json()
    assert document["ok"] is False
    assert [finding["check"] for finding in document["findings"]][:1] == ["stray_lines"]
    assert document["findings"][0]["message"] == "所属订单不存在的订单行"


def _unused_local_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql+psycopg://postgres:secret@127.0.0.1:{port}/ordertower", "failed"),
        ("nonsense", "Could not parse SQLAlchemy URL"),
        ("mysql://localhost/ordertower", "No module named"),
    ],
)
def test_unusable_database_is_one_line(run_cli: Run, url: str, reason: str):
    url = url.format(port=_unused_local_port())

    english = run_cli("--database-url", url, "orders", "list")
    chinese = run_cli("--lang", "zh", "--database-url", url, "db", "check")

    assert english.returncode == 1
    assert english.stderr.startswith("Error: Cannot use the database ")
    assert reason in english.stderr
    assert "createdb NAME" in english.stderr
    assert "Traceback" not in english.stderr
    assert "secret" not in english.stderr
    assert len(english.stderr.strip().splitlines()) == 1
    assert chinese.returncode == 1
    assert chinese.stderr.startswith("错误：无法使用数据库 ")
    assert "Traceback" not in chinese.stderr


def test_orders_list_counts_in_words(run_cli: Run, wholesale_orders: Database):
    listed = run_cli("orders", "list", "--limit", "1")
    past_end = run_cli("orders", "list", "--offset", "500")
    chinese = run_cli("--lang", "zh", "orders", "list", "--offset", "500")
    total = run_cli("orders", "list", "--json").json()["total"]

    assert listed.returncode == 0, listed.stderr
    assert f"Orders shown: 1 of {total}" in listed.stderr
    assert past_end.returncode == 0, past_end.stderr
    assert f"Matching orders: {total}, all before --offset 500." in past_end.stdout
    assert f"共有 {total} 个订单符合条件，都在 --offset 500 之前。" in chinese.stdout


def test_imports_list_counts_in_words(run_cli: Run, workspace: Database, tmp_path: Path):
    before = run_cli("imports", "list", "--offset", "5")
    before_chinese = run_cli("--lang", "zh", "imports", "list")
    for name in ("first.csv", "second.csv"):
        imported = run_cli("import", write_wholesale_csv(tmp_path / name))
        assert imported.returncode == 0, imported.stderr

    listed = run_cli("imports", "list", "--limit", "1")
    listed_chinese = run_cli("--lang", "zh", "imports", "list", "--limit", "1")
    past_end = run_cli("imports", "list", "--offset", "500")
    past_end_chinese = run_cli("--lang", "zh", "imports", "list", "--offset", "500")

    assert before.returncode == 0, before.stderr
    assert before.stdout == "No imports yet.\n"
    assert before_chinese.stdout == "还没有导入记录。\n"
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 2
    assert "second.csv" in listed.stdout
    assert "Imports shown: 1 of 2" in listed.stderr
    assert "显示 1 条，共 2 条导入记录" in listed_chinese.stderr
    assert past_end.returncode == 0, past_end.stderr
    assert past_end.stdout == "Imports: 2, all before --offset 500.\n"
    assert past_end_chinese.stdout == "共有 2 条导入记录，都在 --offset 500 之前。\n"


def test_stock_ledger_names_orders(run_cli: Run, wholesale_orders: Database):
    orders = run_cli("orders", "list", "--json").json()["items"]
    number = next(order["number"] for order in orders if order["external_id"] == "WH-2002")
    location = next(order["shipments"][0]["location"] for order in orders if order["external_id"] == "WH-2002")

    english = run_cli("stock", "ledger", "--sku", "CASE-IP15-CLR", "--location", location)
    chinese = run_cli("--lang", "zh", "stock", "ledger", "--sku", "CASE-IP15-CLR", "--location", location)

    assert english.returncode == 0, english.stderr
    reserved, stocked = english.stdout.splitlines()
    assert reserved.endswith(f"reserve  order {number}")
    assert stocked.endswith("workspace")
    assert "order" not in stocked.split()
    assert chinese.returncode == 0, chinese.stderr
    assert chinese.stdout.splitlines()[0].endswith(f"reserve  订单 {number}")


def test_stock_ledger_counts_in_words(run_cli: Run, wholesale_orders: Database):
    total = run_cli("stock", "ledger", "--json").json()["total"]

    listed = run_cli("stock", "ledger", "--limit", "2", "--offset", "1")
    listed_chinese = run_cli("--lang", "zh", "stock", "ledger", "--limit", "2")
    past_end = run_cli("stock", "ledger", "--offset", "500")
    past_end_chinese = run_cli("--lang", "zh", "stock", "ledger", "--offset", "500")
    unknown = run_cli("stock", "ledger", "--sku", "NO-SUCH-SKU")
    unknown_chinese = run_cli("--lang", "zh", "stock", "ledger", "--sku", "NO-SUCH-SKU")

    assert total > 2
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 2
    assert f"Ledger entries shown: 2 of {total}" in listed.stderr
    assert f"显示 2 条，共 {total} 条库存流水" in listed_chinese.stderr
    assert past_end.returncode == 0, past_end.stderr
    assert f"Matching ledger entries: {total}, all before --offset 500." in past_end.stdout
    assert f"共有 {total} 条库存流水符合条件，都在 --offset 500 之前。" in past_end_chinese.stdout
    assert unknown.returncode == 0, unknown.stderr
    assert "No ledger entries match." in unknown.stdout
    assert "没有符合条件的库存流水。" in unknown_chinese.stdout


def test_orders_show_lists_events(run_cli: Run, wholesale_orders: Database):
    number = run_cli("orders", "list", "--json").json()["items"][0]["number"]

    english = run_cli("orders", "show", number)
    chinese = run_cli("--lang", "zh", "orders", "show", number)

    assert english.returncode == 0, english.stderr
    assert "\n  events:\n" in english.stdout
    assert "  imported  - -> pending  (import)" in english.stdout
    assert "  routed  pending -> allocated  (import)" in english.stdout
    assert "\n  事件：\n" in chinese.stdout
    assert "  imported  - -> pending（import）" in chinese.stdout
