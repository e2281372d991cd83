"""CLI of the catalog: `workspace apply` and the lists of products, locations and channels."""

from __future__ import annotations

from pathlib import Path

import typer

from ordertower.catalog import service
from ordertower.catalog.workspace import load_workspace_file
from ordertower.kernel.cli_support import handle_errors, print_json, read, say, write
from ordertower.kernel.i18n import Message

workspace_app = typer.Typer(
    help="Apply the workspace file: locations, products, stock, channels, routing.", no_args_is_help=True
)
products_app = typer.Typer(help="List products and bundles.", no_args_is_help=True)
locations_app = typer.Typer(help="List locations (warehouses, 3PLs, overseas warehouses).", no_args_is_help=True)
channels_app = typer.Typer(help="List sales channels.", no_args_is_help=True)

APPLIED = Message(
    "Applied {file}: created {created}, changed {changed}.", "已应用 {file}：新建 {created}，修改 {changed}。"
)
NOTHING = Message("Applied {file}: nothing changed.", "已应用 {file}：没有变化。")
RELEASED = Message("{count} held orders were mapped and routed.", "{count} 个暂停订单已完成 SKU 映射并分配仓库。")
FILLED = Message("{count} backordered orders are now fully allocated.", "{count} 个缺货订单现已全部分配库存。")


@workspace_app.command("apply")
@handle_errors
def apply_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Workspace YAML or JSON file."),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Create or update everything the file describes; applying the same file twice changes nothing."""
    from ordertower.orders.service import release_unmapped_holds, retry_backorders

    spec = load_workspace_file(file)
    with write() as connection:
        result = service.apply_workspace(connection, spec, source=str(file))
        released = release_unmapped_holds(connection) if result.mapped_channel_skus else 0
        filled = retry_backorders(connection, product_ids=result.stocked_products) if result.stocked_products else 0

    if json_output:
        print_json(
            {
                "created": result.created,
                "changed": result.changed,
                "released_holds": released,
                "filled_backorders": filled,
            }
        )
        return
    if result.is_noop:
        say(NOTHING, file=file)
    else:
        say(APPLIED, file=file, created=_counts(result.created), changed=_counts(result.changed))
    if released:
        say(RELEASED, count=released)
    if filled:
        say(FILLED, count=filled)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {number}" for kind, number in sorted(counts.items())) or "0"


@products_app.command("list")
@handle_errors
def list_products(json_output: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List products and bundles by SKU."""
    with read() as connection:
        rows = [dict(row._mapping) for row in service.list_products(connection)]
    if json_output:
        print_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['sku']:<20} {'bundle' if row['is_bundle'] else '':<7} {row['name']}")


@locations_app.command("list")
@handle_errors
def list_locations(json_output: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List locations with their coordinates, rank and daily capacity."""
    with read() as connection:
        rows = [dict(row._mapping) for row in service.list_locations(connection)]
    if json_output:
        print_json(rows)
        return
    for row in rows:
        typer.echo(
            f"{row['code']:<8} {row['country_code']} {row['city']:<16} rank={row['rank']} "
            f"capacity={row['daily_capacity']}  {row['name']}"
        )


@channels_app.command("list")
@handle_errors
def list_channels(json_output: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List sales channels."""
    with read() as connection:
        rows = [dict(row._mapping) for row in service.list_channels(connection)]
    if json_output:
        print_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['code']:<16} {row['kind']:<12} {row['name']}")
