"""CLI of the demo: write realistic channel files, and run the whole pipeline on them."""

from __future__ import annotations

from pathlib import Path

import typer

from ordertower.demo.generator import FILE_NAMES, generate_demo_files
from ordertower.kernel.cli_support import handle_errors, help_text, pad_cells, print_json, read, say, state, write
from ordertower.kernel.errors import OrderTowerError
from ordertower.kernel.i18n import Message

demo_app = typer.Typer(
    help=help_text("Demo workspace and order files.", "演示工作区和订单文件。"), no_args_is_help=True
)

DEFAULT_WORKSPACE = Path("examples") / "workspace.yaml"
WROTE = Message("Wrote {path}", "已写入 {path}")
SUMMARY = Message("Orders by status:", "各状态订单数：")
HOLDS = Message("Held orders by reason (an order can have several):", "暂停订单按原因（一个订单可能有多个原因）：")
IMPORTED = Message(
    "{file}: created {created}, updated {updated}, unchanged {unchanged}, errors {errors}",
    "{file}：新建 {created}，更新 {updated}，无变化 {unchanged}，错误 {errors}",
)
SHIPMENTS = Message("Shipments by location:", "各仓库发货单数：")
TOTAL = Message("total", "合计")
OUT_DIR_HELP = help_text("Folder for the generated files.", "生成文件的存放目录。")
# The formats `demo generate --format` writes: the channel formats, and Amazon's unshipped orders report.
GENERATED_FORMATS = tuple(FILE_NAMES)


class UnknownDemoFormatError(OrderTowerError):
    code = "unknown_format"
    http_status = 422
    message = Message(
        "{name!r} is not a format that demo generate writes. Use one of: {formats}.",
        "demo generate 不能生成 {name!r} 格式。请使用以下格式之一：{formats}。",
    )


@demo_app.command(
    "generate",
    help=help_text(
        "Write demo order files in each channel's real format (Shopify CSV and JSON, Amazon TSV, WooCommerce JSON).",
        "按各渠道的真实格式写出演示订单文件（Shopify CSV 和 JSON、Amazon TSV、WooCommerce JSON）。",
    ),
)
@handle_errors
def generate_command(
    out_dir: Path = typer.Option(Path("var") / "demo", "--out", help=OUT_DIR_HELP),
    workspace: Path = typer.Option(
        DEFAULT_WORKSPACE,
        "--workspace",
        exists=True,
        help=help_text("Workspace file to draw SKUs from.", "从中选取 SKU 的工作区文件。"),
    ),
    orders: int = typer.Option(
        1000, "--orders", min=1, help=help_text("Number of orders across all files.", "所有文件合计的订单数。")
    ),
    seed: int = typer.Option(
        7,
        "--seed",
        help=help_text("Random seed; the same seed writes the same files.", "随机数种子；种子相同，文件就相同。"),
    ),
    format_name: str | None = typer.Option(
        None,
        "--format",
        help=help_text(
            f"Write every order to one file of this format: {', '.join(GENERATED_FORMATS)}.",
            f"全部订单写入一个文件，格式为 {', '.join(GENERATED_FORMATS[:-1])} 或 {GENERATED_FORMATS[-1]}。",
        ),
    ),
) -> None:
    if format_name is not None and format_name not in GENERATED_FORMATS:
        raise UnknownDemoFormatError(name=format_name, formats=", ".join(GENERATED_FORMATS))
    for path in generate_demo_files(
        out_dir, workspace_file=workspace, orders=orders, seed=seed, single_format=format_name
    ):
        say(WROTE, path=path)


@demo_app.command(
    "run",
    help=help_text(
        "Apply the demo workspace, generate its order files, import and route them, and print a summary.",
        "应用演示工作区，生成订单文件，导入订单并分配仓库，然后打印汇总。",
    ),
)
@handle_errors
def run_command(
    workspace: Path = typer.Option(
        DEFAULT_WORKSPACE,
        "--workspace",
        exists=True,
        help=help_text("Workspace file to apply.", "要应用的工作区文件。"),
    ),
    out_dir: Path = typer.Option(Path("var") / "demo", "--out", help=OUT_DIR_HELP),
    orders: int = typer.Option(
        1000, "--orders", min=1, help=help_text("Number of orders to generate and import.", "要生成并导入的订单数。")
    ),
    json_output: bool = typer.Option(
        False, "--json", help=help_text("Print the summary as JSON.", "以 JSON 格式输出汇总。")
    ),
) -> None:
    from ordertower.catalog.service import apply_workspace
    from ordertower.catalog.workspace import load_workspace_file
    from ordertower.channels.formats import read_orders_file
    from ordertower.orders.importing import import_orders

    with write() as connection:
        apply_workspace(connection, load_workspace_file(workspace), source=str(workspace))
    reports = []
    for path in generate_demo_files(out_dir, workspace_file=workspace, orders=orders):
        source = read_orders_file(path)
        try:
            report = import_orders(state.database(), source)
        finally:
            source.close()
        reports.append(report)
        if not json_output:
            say(
                IMPORTED,
                file=path.name,
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
                errors=len(report.errors),
            )

    summary = _summary()
    summary["imports"] = [{"file": r.filename, **r.to_dict()} for r in reports]
    if json_output:
        print_json(summary)
        return
    _print_summary(summary)


def _summary() -> dict[str, object]:
    from sqlalchemy import func, select

    from ordertower.catalog.tables import locations
    from ordertower.orders.service import count_by_status
    from ordertower.orders.tables import orders, shipments

    with read() as connection:
        statuses = count_by_status(connection)
        holds: dict[str, int] = {}
        for (reasons,) in connection.execute(select(orders.c.hold_reasons).where(orders.c.status == "on_hold")):
            for reason in reasons or []:
                holds[reason] = holds.get(reason, 0) + 1
        by_location = dict(
            connection.execute(
                select(locations.c.code, func.count(shipments.c.id))
                .join(shipments, shipments.c.location_id == locations.c.id)
                .group_by(locations.c.code)
                .order_by(locations.c.code)
            ).all()
        )
    return {
        "orders_by_status": statuses,
        "holds_by_reason": dict(sorted(holds.items())),
        "shipments_by_location": by_location,
        "total_orders": sum(statuses.values()),
    }


def _print_summary(summary: dict[str, object]) -> None:
    say(SUMMARY)
    for status, count in summary["orders_by_status"].items():  # type: ignore[attr-defined]
        typer.echo(f"  {status:<18} {count:>6}")
    total = TOTAL.render()
    # Pad by terminal cells, not characters, because each Chinese character is two cells wide.
    typer.echo(f"  {pad_cells(total, 18)} {summary['total_orders']:>6}")
    say(HOLDS)
    for reason, count in summary["holds_by_reason"].items():  # type: ignore[attr-defined]
        typer.echo(f"  {reason:<18} {count:>6}")
    say(SHIPMENTS)
    for location, count in summary["shipments_by_location"].items():  # type: ignore[attr-defined]
        typer.echo(f"  {location:<18} {count:>6}")
