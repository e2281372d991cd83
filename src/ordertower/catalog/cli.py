"""CLI of the catalog: `workspace apply` and the lists of products, locations and channels."""

from __future__ import annotations

from pathlib import Path

import typer

from ordertower.catalog import service
from ordertower.catalog.workspace import load_workspace_file
from ordertower.kernel.cli_support import cell_width, handle_errors, help_text, pad_cells, print_json, read, say, write
from ordertower.kernel.i18n import Message, current_language

workspace_app = typer.Typer(
    help=help_text(
        "Apply the workspace file: locations, products, stock, channels, routing.",
        "应用工作区文件：仓库、商品、库存、渠道、路由规则。",
    ),
    no_args_is_help=True,
)
products_app = typer.Typer(help=help_text("List products and bundles.", "列出商品和组合商品。"), no_args_is_help=True)
locations_app = typer.Typer(
    help=help_text("List locations (warehouses, 3PLs, overseas warehouses).", "列出仓库（自有仓库、3PL、海外仓）。"),
    no_args_is_help=True,
)
channels_app = typer.Typer(help=help_text("List sales channels.", "列出销售渠道。"), no_args_is_help=True)

APPLIED = Message(
    "Applied {file}: created {created}, changed {changed}.", "已应用 {file}：新建 {created}，修改 {changed}。"
)
NOTHING = Message("Applied {file}: nothing changed.", "已应用 {file}：没有变化。")
RELEASED = Message("{count} held orders were mapped and routed.", "{count} 个暂停订单已完成 SKU 映射并分配仓库。")
FILLED = Message("{count} backordered orders are now fully allocated.", "{count} 个缺货订单现已全部分配库存。")
# Labels of the row kinds that a workspace apply counts. A kind missing here is printed as its key.
KIND_LABELS = {
    "bundle_components": Message("bundle_components", "组合商品组件"),
    "bundles": Message("bundles", "组合商品"),
    "channels": Message("channels", "渠道"),
    "locations": Message("locations", "仓库"),
    "products": Message("products", "商品"),
    "settings": Message("settings", "设置"),
    "sku_mappings": Message("sku_mappings", "SKU 映射"),
    "stock": Message("stock", "库存"),
}
BUNDLE = Message("bundle", "组合商品")
LOCATION_ROW = Message(
    "{code:<8} {country} {city:<16} rank={rank} capacity={capacity}  {name}",
    "{code:<8} {country} {city:<16} 优先级={rank} 日发货能力={capacity}  {name}",
)


@workspace_app.command(
    "apply",
    help=help_text(
        "Create or update everything the file describes; applying the same file twice changes nothing.",
        "创建或更新文件中描述的全部内容；同一个文件应用两次不会产生变化。",
    ),
)
@handle_errors
def apply_command(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help=help_text("Workspace YAML or JSON file.", "工作区文件（YAML 或 JSON）。")
    ),
    json_output: bool = typer.Option(
        False, "--json", help=help_text("Print the result as JSON.", "以 JSON 格式输出结果。")
    ),
) -> None:
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
    language = current_language()
    separator = "，" if language == "zh" else ", "
    parts = []
    for kind, number in sorted(counts.items()):
        label = KIND_LABELS[kind].render(language) if kind in KIND_LABELS else kind
        parts.append(f"{label} {number}")
    return separator.join(parts) or "0"


@products_app.command("list", help=help_text("List products and bundles by SKU.", "按 SKU 列出商品和组合商品。"))
@handle_errors
def list_products(
    json_output: bool = typer.Option(False, "--json", help=help_text("Print JSON.", "以 JSON 格式输出。")),
) -> None:
    with read() as connection:
        rows = [dict(row._mapping) for row in service.list_products(connection)]
    if json_output:
        print_json(rows)
        return
    bundle = BUNDLE.render()
    # Pad by terminal cells, not characters, because each Chinese character is two cells wide.
    width = max(7, cell_width(bundle))
    for row in rows:
        marker = bundle if row["is_bundle"] else ""
        typer.echo(f"{row['sku']:<20} {pad_cells(marker, width)} {row['name']}")


@locations_app.command(
    "list",
    help=help_text(
        "List locations with their coordinates, rank and daily capacity.", "列出仓库及其坐标、优先级和每日发货能力。"
    ),
)
@handle_errors
def list_locations(
    json_output: bool = typer.Option(False, "--json", help=help_text("Print JSON.", "以 JSON 格式输出。")),
) -> None:
    with read() as connection:
        rows = [dict(row._mapping) for row in service.list_locations(connection)]
    if json_output:
        print_json(rows)
        return
    for row in rows:
        say(
            LOCATION_ROW,
            code=row["code"],
            country=row["country_code"],
            city=row["city"],
            rank=row["rank"],
            capacity=row["daily_capacity"],
            name=row["name"],
        )


@channels_app.command("list", help=help_text("List sales channels.", "列出销售渠道。"))
@handle_errors
def list_channels(
    json_output: bool = typer.Option(False, "--json", help=help_text("Print JSON.", "以 JSON 格式输出。")),
) -> None:
    with read() as connection:
        rows = [dict(row._mapping) for row in service.list_channels(connection)]
    if json_output:
        print_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['code']:<16} {row['kind']:<12} {row['name']}")
