"""`--help`, tables and summaries of the `ordertower` command in English and Simplified Chinese.

Typer reads help strings when the CLI modules are imported, so every check runs a fresh process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
from rich.cells import cell_len

from conftest import REPO, WORKSPACE_FILE, ordertower_executable

TIMEOUT_SECONDS = 120
LANGUAGE_VARIABLES = {"ORDERTOWER_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"}
ORDER_TEMPLATE = REPO / "examples" / "generic-order-template.csv"
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# English that Typer prints by itself; none of it may reach a Chinese command line.
USAGE_PREFIX = {"en": "Usage:", "zh": "用法："}
FRAMEWORK_ENGLISH = ("Usage:", "Try '", "Missing ", "No such ", "Invalid value", "unexpected extra", "requires an")

# A script that prints, as JSON, the help of every command and parameter and every help page
# rendered at 80 columns, in the language that its `--lang` argument chooses.
HELP_TREE_SCRIPT = """
import json

import typer
from typer.testing import CliRunner

from ordertower.cli import app


def walk(command, path):
    yield path, command
    for name, child in getattr(command, "commands", {}).items():
        yield from walk(child, [*path, name])


entries = []
pages = {}
for path, command in walk(typer.main.get_command(app), []):
    key = " ".join(path) or "ordertower"
    entries.append({"key": key, "kind": "command", "help": command.help})
    for parameter in command.params:
        help_text = getattr(parameter, "help", None)
        entries.append({"key": f"{key} {parameter.name}", "kind": "parameter", "help": help_text})
    pages[key] = CliRunner().invoke(app, [*path, "--help"]).output
print(json.dumps({"entries": entries, "pages": pages}))
"""

IMPORT_HELP_EN = (
    "Import orders from a channel file; bad rows are reported with their line and the rest is kept.",
    "Order file to import.",
    "Workspace channel code the orders belong to.",
    "Print the import report as JSON.",
)
STOCK_HELP_EN = (
    "Stock per SKU and location: on_hand, reserved, safety_stock, available.",
    "List stock levels; available = on_hand - reserved - safety_stock.",
    "Set on_hand to a counted quantity; backordered orders are reserved from new stock at once.",
    "Add or remove units on hand; backordered orders are reserved from new stock at once.",
    "Show the newest ledger entries: every change of on_hand and reserved, with its reason.",
)
ORDERS_LIST_HELP_EN = (
    "List orders, newest first.",
    "Only orders with this status.",
    "Orders per page.",
    "Print the page of order resources as JSON, as the API does: items, total, limit, offset.",
)
ORDERS_LIST_HELP_ZH = ("列出订单，最新的在前。", "只显示此状态的订单。", "每页订单数。")


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str


class Run(Protocol):
    def __call__(self, *args: str | Path, env: dict[str, str] | None = None) -> Completed: ...


def clean_environment(database_url: str, extra: dict[str, str] | None) -> dict[str, str]:
    """Return os.environ without language settings, plus a wide terminal unless `extra` sets COLUMNS."""
    environment = {key: value for key, value in os.environ.items() if key not in LANGUAGE_VARIABLES}
    environment.update(
        {
            "ORDERTOWER_DATABASE_URL": database_url,
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            "COLUMNS": "200",
        }
    )
    environment.update(extra or {})
    return environment


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Run the installed `ordertower` command on a SQLite database of its own in tmp_path."""
    executable = ordertower_executable()
    database_url = f"sqlite:///{tmp_path / 'languages.db'}"

    def run_command(*args: str | Path, env: dict[str, str] | None = None) -> Completed:
        completed = subprocess.run(
            [executable, *map(str, args)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=clean_environment(database_url, env),
            cwd=tmp_path,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        return Completed(completed.returncode, completed.stdout, completed.stderr)

    return run_command


def help_tree(language: str, tmp_path: Path) -> dict[str, Any]:
    """Return the help of every command and parameter, and every help page at 80 columns, in `language`."""
    environment = clean_environment(f"sqlite:///{tmp_path / 'help.db'}", {"COLUMNS": "80"})
    completed = subprocess.run(
        [sys.executable, "-c", HELP_TREE_SCRIPT, "--lang", language],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        cwd=tmp_path,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def project_help(tree: dict[str, Any]) -> dict[str, str | None]:
    return {entry["key"]: entry["help"] for entry in tree["entries"]}


def test_import_help_in_chinese(run: Run):
    result = run("--lang", "zh", "import", "--help")

    assert result.returncode == 0, result.stderr
    assert "从渠道文件导入订单；出错的行会连同行号一起报告，其余行照常导入。" in result.stdout
    assert "订单所属渠道在工作区中的代码。" in result.stdout
    for sentence in IMPORT_HELP_EN:
        assert sentence not in result.stdout


def test_stock_help_in_chinese(run: Run):
    result = run("--lang", "zh", "stock", "--help")

    assert result.returncode == 0, result.stderr
    assert "按 SKU 和仓库管理库存" in result.stdout
    assert "列出库存；可用库存 = 现有库存 - 已预留 - 安全库存。" in result.stdout
    for sentence in STOCK_HELP_EN:
        assert sentence not in result.stdout


def test_orders_list_help_from_environment(run: Run):
    result = run("orders", "list", "--help", env={"ORDERTOWER_LANG": "zh"})

    assert result.returncode == 0, result.stderr
    for sentence in ORDERS_LIST_HELP_ZH:
        assert sentence in result.stdout
    for sentence in ORDERS_LIST_HELP_EN:
        assert sentence not in result.stdout


@pytest.mark.parametrize(
    ("options", "env", "expected"),
    [
        (("--lang", "en"), {"ORDERTOWER_LANG": "zh"}, "en"),
        (("--lang=zh",), {}, "zh"),
        ((), {"LANG": "zh_CN.UTF-8"}, "zh"),
        ((), {"ORDERTOWER_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        (("--lang", "zh"), {"ORDERTOWER_LANG": "en"}, "zh"),
    ],
)
def test_help_language_order(run: Run, options: tuple[str, ...], env: dict[str, str], expected: str):
    result = run(*options, "orders", "list", "--help", env=env)

    assert result.returncode == 0, result.stderr
    expected_sentences, unexpected_sentences = (
        (ORDERS_LIST_HELP_EN, ORDERS_LIST_HELP_ZH) if expected == "en" else (ORDERS_LIST_HELP_ZH, ORDERS_LIST_HELP_EN)
    )
    for sentence in expected_sentences:
        assert sentence in result.stdout
    for sentence in unexpected_sentences:
        assert sentence not in result.stdout


def test_stock_list_headings_in_chinese(run: Run):
    applied = run("workspace", "apply", WORKSPACE_FILE)
    chinese = run("--lang", "zh", "stock", "list", "--sku", "TEE-BLK-M")
    english = run("--lang", "en", "stock", "list", "--sku", "TEE-BLK-M")

    assert applied.returncode == 0, applied.stderr
    assert chinese.returncode == 0, chinese.stderr
    heading, first_row = chinese.stdout.splitlines()[:2]
    assert heading.split() == ["SKU", "仓库", "现有库存", "已预留", "安全库存", "可用库存"]
    assert first_row.startswith("TEE-BLK-M")
    # Chinese characters are two cells wide, so the heading lines up only if it is padded by cells.
    assert cell_len(heading) == cell_len(first_row)
    assert english.returncode == 0, english.stderr
    assert english.stdout.splitlines()[0].split() == ["SKU", "LOC", "ON_HAND", "RESERVED", "SAFETY", "AVAILABLE"]


def test_orders_list_headings_in_chinese(run: Run):
    applied = run("workspace", "apply", WORKSPACE_FILE)
    imported = run("import", ORDER_TEMPLATE)
    chinese = run("--lang", "zh", "orders", "list")
    english = run("--lang", "en", "orders", "list")

    assert applied.returncode == 0, applied.stderr
    assert imported.returncode == 0, imported.stderr
    assert chinese.returncode == 0, chinese.stderr
    heading = chinese.stdout.splitlines()[0]
    assert heading.split() == ["订单号", "渠道", "渠道订单号", "状态", "金额", "币种", "发货仓库", "暂停原因"]
    # Status values are codes shared with the API, so they stay in English.
    assert "allocated" in chinese.stdout
    assert english.returncode == 0, english.stderr
    assert english.stdout.splitlines()[0].split() == [
        "ORDER",
        "CHANNEL",
        "CHANNEL_ORDER",
        "STATUS",
        "TOTAL",
        "CUR",
        "LOCATION",
        "HOLD",
    ]


def test_workspace_summary_in_chinese(run: Run):
    result = run("--lang", "zh", "workspace", "apply", WORKSPACE_FILE)

    assert result.returncode == 0, result.stderr
    assert "商品 24" in result.stdout
    assert "products" not in result.stdout


def test_every_help_translated(tmp_path: Path):
    english = project_help(help_tree("en", tmp_path))
    chinese = project_help(help_tree("zh", tmp_path))

    assert english.keys() == chinese.keys()
    assert len(english) > 50
    for key, english_help in english.items():
        chinese_help = chinese[key]
        assert english_help, f"{key}: English help is empty"
        assert chinese_help, f"{key}: Chinese help is empty"
        assert chinese_help != english_help, f"{key}: Chinese help is the English text"
        assert CHINESE.search(chinese_help), f"{key}: Chinese help has no Chinese characters: {chinese_help!r}"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (("import",), "缺少参数 'file'。"),
        (("stock", "show"), "没有名为 'show' 的命令。"),
        (("orders", "list", "--bogus"), "没有名为 --bogus 的选项。"),
        (("orders", "list", "--limit", "abc"), "'--limit' 的值无效：应为整数"),
        (("orders", "list", "--limit"), "选项 '--limit' 需要一个值。"),
        (("orders", "list", "--limit", "501"), "'--limit' 的值无效：应小于或等于 500"),
        (("imports", "list", "--offset", "10000001"), "'--offset' 的值无效：应小于或等于 10000000"),
        (("stock", "ledger", "--limit", "1001"), "'--limit' 的值无效：应小于或等于 1000"),
        (("stock", "ledger", "--offset", "10000001"), "'--offset' 的值无效：应小于或等于 10000000"),
        (("orders", "show", "OT1", "OT2"), "多出了参数：OT2。"),
    ],
)
def test_parse_errors_in_chinese(run: Run, arguments: tuple[str, ...], expected: str):
    chinese = run("--lang", "zh", *arguments)
    english = run("--lang", "en", *arguments)

    assert chinese.returncode == 2, chinese.stderr
    assert expected in chinese.stderr
    for text in FRAMEWORK_ENGLISH:
        assert text not in chinese.stderr
    assert english.returncode == 2, english.stderr
    assert any(text in english.stderr for text in FRAMEWORK_ENGLISH)


def test_help_option_in_chinese(run: Run):
    result = run("--lang", "zh", "--help")

    assert result.returncode == 0, result.stderr
    assert "用法：ordertower" in result.stdout
    assert "显示本帮助并退出。" in result.stdout
    assert "为当前终端安装命令补全。" in result.stdout
    assert "Show this message and exit." not in result.stdout
    assert "Install completion" not in result.stdout


@pytest.mark.parametrize("language", ["en", "zh"])
def test_help_pages_fit_80_columns(tmp_path: Path, language: str):
    pages = help_tree(language, tmp_path)["pages"]

    assert len(pages) > 20
    for key, page in pages.items():
        assert USAGE_PREFIX[language] in page, f"{key}: no help page rendered"
        # Rich wraps only at whitespace and marks text it had to cut off with an ellipsis.
        assert "…" not in page, f"{key}: help is cut off at 80 columns:\n{page}"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_flags_show_no_type(tmp_path: Path, language: str):
    pages = help_tree(language, tmp_path)["pages"]

    flagged = [key for key, page in pages.items() if "--json" in page]
    assert flagged, "no help page lists --json"
    for key, page in pages.items():
        # A flag takes no value, so its type column stays empty; options with values keep theirs.
        assert "<bool>" not in page, f"{key}: a flag shows a type:\n{page}"
    assert any("<str>" in pages[key] for key in flagged)


def test_unknown_language_is_an_error(run: Run):
    by_option = run("--lang", "fr", "orders", "list")
    by_environment = run("orders", "list", env={"ORDERTOWER_LANG": "fr"})

    assert by_option.returncode == 2
    assert "'fr' is not a language OrderTower speaks; use en or zh." in by_option.stderr
    assert by_environment.returncode == 2
    assert "'fr'" in by_environment.stderr


def test_global_option_after_command_hint(run: Run):
    chinese = run("orders", "list", "--lang", "zh")
    english = run("stock", "list", "--verbose")
    other = run("orders", "list", "--bogus")

    assert chinese.returncode == 2
    assert "没有名为 --lang 的选项。" in chinese.stderr
    assert "--lang 是 ordertower 本身的选项，请写在命令之前" in chinese.stderr
    assert english.returncode == 2
    assert "--verbose is an option of ordertower itself: put it before the command" in " ".join(english.stderr.split())
    assert "ordertower --verbose stock list" in " ".join(english.stderr.split())
    assert other.returncode == 2
    assert "before the command" not in other.stderr
