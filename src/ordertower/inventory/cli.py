"""CLI of the inventory: list stock, set a counted quantity, adjust by a delta, read the ledger."""

from __future__ import annotations

import typer

from ordertower.inventory import service
from ordertower.inventory.model import LedgerReason, StockLevel
from ordertower.kernel.cli_support import handle_errors, print_json, read, say, write
from ordertower.kernel.i18n import Message
from ordertower.orders.service import retry_backorders_for_sku

stock_app = typer.Typer(
    help="Stock per SKU and location: on_hand, reserved, safety_stock, available.", no_args_is_help=True
)

SET_DONE = Message(
    "{sku} at {location}: on_hand {on_hand}, reserved {reserved}, available {available}.",
    "{location} 的 {sku}：现有 {on_hand}，已预留 {reserved}，可用 {available}。",
)
FILLED = Message("{count} backordered orders are now fully allocated.", "{count} 个缺货订单现已全部分配库存。")


def _row(level: StockLevel) -> dict[str, object]:
    return {
        "sku": level.sku,
        "location": level.location,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "safety_stock": level.safety_stock,
        "available": level.available,
    }


@stock_app.command("list")
@handle_errors
def list_command(
    sku: str | None = typer.Option(None, "--sku", help="Only this SKU."),
    location: str | None = typer.Option(None, "--location", help="Only this location code."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON rows."),
) -> None:
    """List stock levels; available = on_hand - reserved - safety_stock."""
    with read() as connection:
        levels = service.list_stock(connection, sku=sku, location=location)
    if json_output:
        print_json([_row(level) for level in levels])
        return
    typer.echo(f"{'SKU':<20} {'LOC':<6} {'ON_HAND':>8} {'RESERVED':>9} {'SAFETY':>7} {'AVAILABLE':>10}")
    for level in levels:
        typer.echo(
            f"{level.sku:<20} {level.location:<6} {level.on_hand:>8} {level.reserved:>9} "
            f"{level.safety_stock:>7} {level.available:>10}"
        )


@stock_app.command("set", context_settings={"ignore_unknown_options": True})
@handle_errors
def set_command(
    sku: str = typer.Argument(..., help="Our SKU."),
    location: str = typer.Argument(..., help="Location code."),
    quantity: int = typer.Argument(..., min=0, help="Counted units on hand (0 or more)."),
    json_output: bool = typer.Option(False, "--json", help="Print the new level as JSON."),
) -> None:
    """Set on_hand to a counted quantity; backordered orders are reserved from new stock at once."""
    with write() as connection:
        service.set_stock(connection, sku=sku, location=location, on_hand=quantity, reason=LedgerReason.SET)
        filled = retry_backorders_for_sku(connection, sku)
        level = service.list_stock(connection, sku=sku, location=location)[0]
    _report(level, filled, json_output)


# Unknown options are taken as arguments so that a negative delta such as -5 needs no `--` before it.
@stock_app.command("adjust", context_settings={"ignore_unknown_options": True})
@handle_errors
def adjust_command(
    sku: str = typer.Argument(..., help="Our SKU."),
    location: str = typer.Argument(..., help="Location code."),
    delta: int = typer.Argument(..., help="Units to add (positive) or remove (negative)."),
    reason: str = typer.Option("adjust", "--reason", help="Why, as stored in the ledger (receipt, damage, count)."),
    json_output: bool = typer.Option(False, "--json", help="Print the new level as JSON."),
) -> None:
    """Add or remove units on hand; backordered orders are reserved from new stock at once."""
    with write() as connection:
        service.adjust_stock(connection, sku=sku, location=location, delta=delta, reason=reason)
        filled = retry_backorders_for_sku(connection, sku)
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


@stock_app.command("ledger")
@handle_errors
def ledger_command(
    sku: str | None = typer.Option(None, "--sku", help="Only this SKU."),
    location: str | None = typer.Option(None, "--location", help="Only this location code."),
    limit: int = typer.Option(50, "--limit", min=1, max=10000, help="Newest entries to show."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON rows."),
) -> None:
    """Show the newest ledger entries: every change of on_hand and reserved, with its reason."""
    with read() as connection:
        entries = service.list_ledger(connection, sku=sku, location=location, limit=limit)
    if json_output:
        print_json(entries)
        return
    for entry in entries:
        typer.echo(
            f"{entry['created_at']:%Y-%m-%d %H:%M:%S} {entry['sku']:<18} {entry['location']:<6} "
            f"on_hand {entry['on_hand_delta']:+d} reserved {entry['reserved_delta']:+d} {entry['reason']}"
        )
