"""CLI of the demo: write realistic channel files, and run the whole pipeline on them."""

from __future__ import annotations

from pathlib import Path

import typer

from ordertower.kernel.cli_support import handle_errors, print_json, read, say, state, write
from ordertower.kernel.i18n import Message

demo_app = typer.Typer(help="Demo workspace and order files.", no_args_is_help=True)

DEFAULT_WORKSPACE = Path("examples") / "workspace.yaml"
WROTE = Message("Wrote {path}", "已写入 {path}")
SUMMARY = Message("Orders by status:", "各状态订单数：")
HOLDS = Message("Held orders by reason (an order can have several):", "暂停订单按原因（一个订单可能有多个原因）：")
IMPORTED = Message(
    "{file}: created {created}, updated {updated}, unchanged {unchanged}, errors {errors}",
    "{file}：新建 {created}，更新 {updated}，未变 {unchanged}，错误 {errors}",
)
SHIPMENTS = Message("Shipments by location:", "各仓库发货单数：")


@demo_app.command("generate")
@handle_errors
def generate_command(
    out_dir: Path = typer.Option(Path("var") / "demo", "--out", help="Folder for the generated files."),
    workspace: Path = typer.Option(
        DEFAULT_WORKSPACE, "--workspace", exists=True, help="Workspace file to draw SKUs from."
    ),
    orders: int = typer.Option(1000, "--orders", min=1, help="Number of orders across all files."),
    seed: int = typer.Option(7, "--seed", help="Random seed; the same seed writes the same files."),
) -> None:
    """Write demo order files in each channel's real format (Shopify CSV and JSON, Amazon TSV, WooCommerce JSON)."""
    from ordertower.demo.generator import generate_demo_files

    for path in generate_demo_files(out_dir, workspace_file=workspace, orders=orders, seed=seed):
        say(WROTE, path=path)


@demo_app.command("run")
@handle_errors
def run_command(
    workspace: Path = typer.Option(DEFAULT_WORKSPACE, "--workspace", exists=True, help="Workspace file to apply."),
    out_dir: Path = typer.Option(Path("var") / "demo", "--out", help="Folder for the generated files."),
    orders: int = typer.Option(1000, "--orders", min=1, help="Number of orders to generate and import."),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Apply the demo workspace, generate its order files, import and route them, and print a summary."""
    from ordertower.catalog.service import apply_workspace
    from ordertower.catalog.workspace import load_workspace_file
    from ordertower.channels.formats import read_orders_file
    from ordertower.demo.generator import generate_demo_files
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
    typer.echo(f"  {'total':<18} {summary['total_orders']:>6}")
    say(HOLDS)
    for reason, count in summary["holds_by_reason"].items():  # type: ignore[attr-defined]
        typer.echo(f"  {reason:<18} {count:>6}")
    say(SHIPMENTS)
    for location, count in summary["shipments_by_location"].items():  # type: ignore[attr-defined]
        typer.echo(f"  {location:<18} {count:>6}")
