"""The `ordertower` command: one Typer app with a sub-app per business area."""

from __future__ import annotations

import signal

import typer

from ordertower.catalog.cli import channels_app, locations_app, products_app, workspace_app
from ordertower.inventory.cli import stock_app
from ordertower.kernel.cli_support import configure, handle_errors, help_text, state
from ordertower.kernel.i18n import Message, parse_language, system_language
from ordertower.orders.cli import IMPORT_HELP, ROUTE_HELP, import_command, imports_app, orders_app, route_command

app = typer.Typer(
    name="ordertower",
    help=help_text(
        "OrderTower (订单塔台): order management for cross-border sellers.",
        "OrderTower（订单塔台）：面向跨境电商卖家的订单管理系统。",
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help=help_text("Database schema.", "数据库结构。"), no_args_is_help=True)

app.add_typer(workspace_app, name="workspace")
app.add_typer(orders_app, name="orders")
app.add_typer(imports_app, name="imports")
app.add_typer(stock_app, name="stock")
app.add_typer(products_app, name="products")
app.add_typer(locations_app, name="locations")
app.add_typer(channels_app, name="channels")
app.add_typer(db_app, name="db")
app.command("import", help=IMPORT_HELP)(import_command)
app.command("route", help=ROUTE_HELP)(route_command)

UNKNOWN_LANGUAGE = Message(
    "{value!r} is not a language OrderTower speaks; use en or zh.", "OrderTower 不支持语言 {value!r}；请使用 en 或 zh。"
)
MIGRATED = Message("Database schema is up to date.", "数据库结构已是最新。")
RECORDS_SOUND = Message(
    "All record checks passed: no stray records, and stock levels agree with the ledger and the allocations.",
    "所有记录检查均通过：没有孤立记录，库存记录与库存流水及分配数量一致。",
)
RECORD_FINDING = Message("{problem}: {count} (e.g. {examples})", "{problem}：{count} 条（例如 {examples}）")
SERVING = Message(
    "Serving the API on http://{host}:{port} (docs: http://{host}:{port}/docs)",
    "API 服务地址 http://{host}:{port}（文档：http://{host}:{port}/docs）",
)


@app.callback()
def main_options(
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        envvar="ORDERTOWER_DATABASE_URL",
        help=help_text(
            "SQLAlchemy URL; default sqlite:///var/ordertower.db.",
            "SQLAlchemy 数据库 URL；默认为 sqlite:///var/ordertower.db。",
        ),
    ),
    lang: str | None = typer.Option(
        None,
        "--lang",
        envvar="ORDERTOWER_LANG",
        help=help_text(
            "Language of messages, help and tables: en or zh (default: the system locale).",
            "提示信息、帮助和表格的语言：en 或 zh（默认跟随系统区域设置）。",
        ),
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help=help_text("Log debug detail to stderr.", "把调试日志写到标准错误（stderr）。")
    ),
) -> None:
    if lang and parse_language(lang) is None:
        raise typer.BadParameter(UNKNOWN_LANGUAGE.render(system_language(), value=lang), param_hint="'--lang'")
    configure(database_url, lang, verbose)


@db_app.command(
    "upgrade",
    help=help_text(
        "Create or migrate the database schema to the newest version.", "创建数据库结构，或将其迁移到最新版本。"
    ),
)
@handle_errors
def upgrade_command() -> None:
    from ordertower.kernel.cli_support import say

    state.database()
    say(MIGRATED)


@db_app.command(
    "check",
    help=help_text(
        "Check stored records: every line, event, shipment, allocation and ledger entry has its parent, "
        "and stock levels equal their ledger and allocations. Exits 1 when a check fails.",
        "检查已保存的记录： 每条订单行、订单事件、 发货单、库存分配和库存流水 都有所属记录，"
        " 库存记录与流水及分配数量一致。 有检查未通过时 退出码为 1。",
    ),
)
@handle_errors
def check_command(
    json_output: bool = typer.Option(
        False, "--json", help=help_text("Print the findings as JSON.", "以 JSON 输出检查结果。")
    ),
) -> None:
    from ordertower.kernel.cli_support import print_json, read, say
    from ordertower.kernel.i18n import current_language
    from ordertower.orders.integrity import check_records

    with read() as connection:
        findings = check_records(connection)
    if json_output:
        print_json({"ok": not findings, "findings": [finding.to_dict(current_language()) for finding in findings]})
    elif findings:
        for finding in findings:
            say(RECORD_FINDING, count=finding.count, problem=finding.message, examples=", ".join(finding.examples))
    else:
        say(RECORDS_SOUND)
    if findings:
        raise typer.Exit(1)


@app.command(
    "serve",
    help=help_text("Serve the REST API (and its docs at /docs).", "启动 REST API 服务（/docs 提供接口文档）。"),
)
@handle_errors
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help=help_text("Address to listen on.", "监听地址。")),
    port: int = typer.Option(8000, "--port", help=help_text("TCP port.", "TCP 端口。")),
    workers: int = typer.Option(1, "--workers", min=1, help=help_text("API worker processes.", "API 工作进程数。")),
) -> None:
    import os

    import uvicorn

    from ordertower.kernel.cli_support import say
    from ordertower.kernel.settings import get_settings

    database = state.database()
    # Worker processes build the app from the environment, so hand the chosen database on there.
    os.environ["ORDERTOWER_DATABASE_URL"] = database.url
    get_settings.cache_clear()
    say(SERVING, host=host, port=port)
    uvicorn.run("ordertower.api:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


def _register_demo() -> None:
    from ordertower.demo.cli import demo_app

    app.add_typer(demo_app, name="demo")


_register_demo()


def main() -> None:
    # Let `ordertower orders list | head` end quietly when the reader closes the pipe.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    # `kill` and a closed terminal stop a command the way Ctrl-C does, so an import records how far it got
    # and ends its read-ahead process instead of leaving it behind.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    app()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
