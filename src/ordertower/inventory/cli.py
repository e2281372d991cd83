"""CLI of the inventory: list stock, set a counted quantity, adjust by a delta, read the ledger."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from ordertower.inventory import service
from ordertower.inventory.model import LedgerReason, StockLevel
from ordertower.inventory.resource import ledger_page
from ordertower.kernel.cli_support import (
    handle_errors,
    help_text,
    pad_cells,
    print_json,
    read,
    say,
    say_empty_page,
    say_shown,
    write,
)
from ordertower.kernel.i18n import Message, current_language
from ordertower.kernel.paging import LEDGER_PAGE, MAX_OFFSET
from ordertower.orders.service import retry_backorders_for_sku

stock_app = typer.Typer(
    help=help_text(
        "Stock per SKU and location: on_hand, reserved, safety_stock, available.",
        "按 SKU 和仓库管理库存：现有 on_hand、已预留 reserved、安全库存 safety_stock、可用 available。",
    ),
    no_args_is_help=True,
)

ONLY_SKU_HELP = help_text("Only this SKU.", "只显示此 SKU 的记录。")
ONLY_LOCATION_HELP = help_text("Only this location code.", "只显示此仓库代码的记录。")
JSON_ROWS_HELP = help_text("Print JSON rows.", "以 JSON 格式输出各行记录。")
LEVEL_JSON_HELP = help_text("Print the new level as JSON.", "以 JSON 格式输出修改后的库存。")
SKU_HELP = help_text("Our SKU.", "我们的 SKU。")
LOCATION_HELP = help_text("Location code.", "仓库代码。")

SET_DONE = Message(
    "{sku} at {location}: on_hand {on_hand}, reserved {reserved}, available {available}.",
    "{location} 的 {sku}：现有 {on_hand}，已预留 {reserved}，可用 {available}。",
)
FILLED = Message("{count} backordered orders are now fully allocated.", "{count} 个缺货订单现已全部分配库存。")
# Headings of `stock list`, each with its column width in terminal cells and its alignment (< left, > right).
STOCK_COLUMNS = (
    (Message("SKU", "SKU"), 20, "<"),
    (Message("LOC", "仓库"), 6, "<"),
    (Message("ON_HAND", "现有库存"), 8, ">"),
    (Message("RESERVED", "已预留"), 9, ">"),
    (Message("SAFETY", "安全库存"), 8, ">"),
    (Message("AVAILABLE", "可用库存"), 10, ">"),
)
NO_LEVELS = Message("No stock levels match.", "没有符合条件的库存记录。")
NO_STOCK = Message(
    "No stock levels match. Levels whose on_hand, reserved and safety_stock are all 0 are hidden, "
    "and --all lists them.",
    "没有符合条件的库存记录。现有、已预留和安全库存都为 0 的记录默认不显示，加 --all 可一并列出。",
)
NO_ENTRIES = Message("No ledger entries match.", "没有符合条件的库存流水。")
ENTRIES_PAST_THE_END = Message(
    "Matching ledger entries: {total}, all before --offset {offset}.",
    "共有 {total} 条库存流水符合条件，都在 --offset {offset} 之前。",
)
ENTRIES_SHOWN = Message("Ledger entries shown: {shown} of {total}", "显示 {shown} 条，共 {total} 条库存流水")
LEDGER_ROW = Message(
    "{created_at:%Y-%m-%d %H:%M:%S} {sku:<18} {location:<6} on_hand {on_hand:+d} reserved {reserved:+d} {reason}",
    "{created_at:%Y-%m-%d %H:%M:%S} {sku:<18} {location:<6} 现有 {on_hand:+d} 预留 {reserved:+d} {reason}",
)
# Appended to a ledger row whose change an order caused.
LEDGER_ORDER = Message("  order {number}", "  订单 {number}")


def _row(level: StockLevel) -> dict[str, object]:
    return {
        "sku": level.sku,
        "location": level.location,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "safety_stock": level.safety_stock,
        "available": level.available,
    }


@stock_app.command(
    "list",
    help=help_text(
        "List stock levels; available = on_hand - reserved - safety_stock.",
        "列出库存；可用库存 = 现有库存 - 已预留 - 安全库存。",
    ),
)
@handle_errors
def list_command(
    sku: str | None = typer.Option(None, "--sku", help=ONLY_SKU_HELP),
    location: str | None = typer.Option(None, "--location", help=ONLY_LOCATION_HELP),
    all_levels: bool = typer.Option(
        False,
        "--all",
        help=help_text(
            "Also list levels whose on_hand, reserved and safety_stock are all 0.",
            "同时列出现有、已预留和安全库存都为 0 的记录。",
        ),
    ),
    json_output: bool = typer.Option(False, "--json", help=JSON_ROWS_HELP),
) -> None:
    with read() as connection:
        levels = service.list_stock(connection, sku=sku, location=location, include_empty=all_levels)
    if json_output:
        print_json([_row(level) for level in levels])
        return
    if not levels:
        say(NO_LEVELS if all_levels else NO_STOCK)
        return
    typer.echo(" ".join(pad_cells(heading.render(), width, align) for heading, width, align in STOCK_COLUMNS))
    for level in levels:
        typer.echo(
            f"{level.sku:<20} {level.location:<6} {level.on_hand:>8} {level.reserved:>9} "
            f"{level.safety_stock:>8} {level.available:>10}"
        )


@stock_app.command(
    "set",
    context_settings={"ignore_unknown_options": True},
    help=help_text(
        "Set on_hand to a counted quantity; backordered orders are reserved from new stock at once.",
        "把现有库存设为盘点数量；缺货订单会立即从新增库存中预留。",
    ),
)
@handle_errors
def set_command(
    sku: str = typer.Argument(..., help=SKU_HELP),
    location: str = typer.Argument(..., help=LOCATION_HELP),
    quantity: int = typer.Argument(
        ..., min=0, help=help_text("Counted units on hand (0 or more).", "盘点得到的现有件数（0 或以上）。")
    ),
    json_output: bool = typer.Option(False, "--json", help=LEVEL_JSON_HELP),
) -> None:
    with write() as connection:
        before = service.available_units(connection, sku=sku, location=location)
        service.set_stock(connection, sku=sku, location=location, on_hand=quantity, reason=LedgerReason.SET)
        after = service.available_units(connection, sku=sku, location=location)
        filled = retry_backorders_for_sku(connection, sku, available_before=before, available_after=after)
        level = service.list_stock(connection, sku=sku, location=location)[0]
    _report(level, filled, json_output)


# Unknown options are taken as arguments so that a negative delta such as -5 needs no `--` before it.
@stock_app.command(
    "adjust",
    context_settings={"ignore_unknown_options": True},
    help=help_text(
        "Add or remove units on hand; backordered orders are reserved from new stock at once.",
        "增加或减少现有库存；缺货订单会立即从新增库存中预留。",
    ),
)
@handle_errors
def adjust_command(
    sku: str = typer.Argument(..., help=SKU_HELP),
    location: str = typer.Argument(..., help=LOCATION_HELP),
    delta: int = typer.Argument(
        ..., help=help_text("Units to add (positive) or remove (negative).", "增加（正数）或减少（负数）的件数。")
    ),
    reason: str = typer.Option(
        "adjust",
        "--reason",
        help=help_text(
            "Why, as stored in the ledger (receipt, damage, count).",
            "调整原因，记入库存流水（例如 receipt 到货、damage 损坏、count 盘点）。",
        ),
    ),
    json_output: bool = typer.Option(False, "--json", help=LEVEL_JSON_HELP),
) -> None:
    with write() as connection:
        before = service.available_units(connection, sku=sku, location=location)
        adjusted = service.adjust_stock(connection, sku=sku, location=location, delta=delta, reason=reason)
        filled = retry_backorders_for_sku(connection, sku, available_before=before, available_after=adjusted.available)
        level = service.list_stock(connection, sku=sku, location=location)[0]
    _report(level, filled, json_output)


def _report(level: StockLevel, filled: int, json_output: bool) -> None:
    if json_output:
        print_json({**_row(level), "filled_backorders": filled})
        return
    say(
        SET_DONE,
        sku=level.sku,
        location=level.location,
        on_hand=level.on_hand,
        reserved=level.reserved,
        available=level.available,
    )
    if filled:
        say(FILLED, count=filled)


@stock_app.command(
    "ledger",
    help=help_text(
        "Show the newest ledger entries: every change of on_hand and reserved, with its reason.",
        "显示最新的库存流水：现有库存和已预留的每一次变化及其原因。",
    ),
)
@handle_errors
def ledger_command(
    sku: str | None = typer.Option(None, "--sku", help=ONLY_SKU_HELP),
    location: str | None = typer.Option(None, "--location", help=ONLY_LOCATION_HELP),
    # Bounds and default are the API's, so that `stock ledger --json` prints what GET /api/v1/stock/ledger returns.
    limit: int = typer.Option(
        LEDGER_PAGE.default,
        "--limit",
        min=1,
        max=LEDGER_PAGE.maximum,
        help=help_text("Entries per page.", "每页流水条数。"),
    ),
    offset: int = typer.Option(
        0, "--offset", min=0, max=MAX_OFFSET, help=help_text("Entries to skip.", "跳过的流水条数。")
    ),
    json_output: bool = typer.Option(
        False,
        "--json",
        help=help_text(
            "Print the page of ledger entries as JSON, as the API does: items, total, limit, offset.",
            "输出 JSON 格式的一页， 与 API 相同： items、 total、 limit 和 offset。",
        ),
    ),
) -> None:
    with read() as connection:
        listed = ledger_page(connection, sku=sku, location=location, limit=limit, offset=offset)
    if json_output:
        print_json(listed)
        return
    entries = listed["items"]
    total = listed["total"]
    if not entries:
        say_empty_page(total=total, offset=offset, none=NO_ENTRIES, past_the_end=ENTRIES_PAST_THE_END)
        return
    language = current_language()
    for entry in entries:
        row = LEDGER_ROW.render(
            language,
            created_at=datetime.fromisoformat(entry["created_at"]).astimezone(UTC),
            sku=entry["sku"],
            location=entry["location"],
            on_hand=entry["on_hand_delta"],
            reserved=entry["reserved_delta"],
            reason=entry["reason"],
        )
        if entry["order_number"]:
            row += LEDGER_ORDER.render(language, number=entry["order_number"])
        typer.echo(row)
    say_shown(ENTRIES_SHOWN, shown=len(entries), total=total)
