"""CLI of orders: import files, list and show orders, cancel, re-route, explain routing."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import typer

from ordertower.kernel.cli_support import handle_errors, print_json, read, say, state, write
from ordertower.kernel.errors import UnreadableFileError
from ordertower.kernel.i18n import Message
from ordertower.kernel.settings import get_settings
from ordertower.orders import service
from ordertower.orders.resource import build_resources

orders_app = typer.Typer(help="List, show, cancel and re-route orders.", no_args_is_help=True)

IMPORTED = Message(
    "{file} ({format}, channel {channel}): created {created}, updated {updated}, unchanged {unchanged}, "
    "errors {errors}.",
    "{file}（{format}，渠道 {channel}）：新建 {created}，更新 {updated}，未变 {unchanged}，错误 {errors}。",
)
ROW_ERROR = Message("  line {line}, {field} = {value!r}: {problem}", "  第 {line} 行，{field} = {value!r}：{problem}")
NO_ORDERS = Message("No orders match.", "没有符合条件的订单。")
CANCELLED = Message("Order {number} cancelled.", "订单 {number} 已取消。")
REROUTED = Message("Order {number} is {status}.", "订单 {number} 当前状态：{status}。")
ROUTING_NONE = Message("Order {number} has not been routed ({status}).", "订单 {number} 尚未分配仓库（{status}）。")


def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Order file to import."),
    format: str | None = typer.Option(
        None,
        "--format",
        help="shopify-csv, shopify-json, amazon-tsv, "
        "woocommerce-json or generic-csv; detected from the content when omitted.",
    ),
    channel: str | None = typer.Option(None, "--channel", help="Workspace channel code the orders belong to."),
    json_output: bool = typer.Option(False, "--json", help="Print the import report as JSON."),
) -> None:
    """Import orders from a channel file; bad rows are reported with their line and the rest is kept."""
    code = _import(file, format, channel, json_output)
    raise typer.Exit(code)


@handle_errors
def _import(file: Path, format: str | None, channel: str | None, json_output: bool) -> int:
    from ordertower.channels.formats import read_orders_file
    from ordertower.orders.importing import import_orders

    try:
        source = read_orders_file(file, format=format)
    except csv.Error as error:
        raise UnreadableFileError(filename=file.name, detail=str(error).rstrip("?.")) from error
    progress = _progress_bar(source)
    try:
        report = import_orders(
            state.database(),
            source,
            channel_code=channel,
            batch_size=get_settings().import_batch_size,
            on_progress=progress.update if progress else None,
        )
    except csv.Error as error:
        raise UnreadableFileError(filename=file.name, detail=str(error).rstrip("?.")) from error
    finally:
        if progress:
            progress.close()
        close = getattr(source, "close", None)
        if close:
            close()
    if json_output:
        print_json(report.to_dict())
    else:
        say(
            IMPORTED,
            file=file,
            format=report.format,
            channel=report.channel,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            errors=len(report.errors),
        )
        for row_error in report.errors[:50]:
            say(
                ROW_ERROR,
                line=row_error["line"],
                field=row_error["field"],
                value=row_error["value"],
                problem=row_error["message"],
            )
    return 1 if report.errors else 0


class _Progress:
    """A progress bar on stderr, by bytes read, shown only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("import", total=total)

    def update(self, source: Any) -> None:
        self._bar.update(self._task, completed=getattr(source, "position_bytes", 0))

    def close(self) -> None:
        self._bar.stop()


def _progress_bar(source: Any) -> _Progress | None:
    total = getattr(source, "size_bytes", None)
    if not total or not sys.stderr.isatty():
        return None
    return _Progress(total)


@orders_app.command("list")
@handle_errors
def list_command(
    status: str | None = typer.Option(None, "--status", help="Only orders with this status."),
    channel: str | None = typer.Option(None, "--channel", help="Only orders of this channel code."),
    search: str | None = typer.Option(None, "--search", help="Text in the number, email, name, city or postal code."),
    hold_reason: str | None = typer.Option(None, "--hold-reason", help="Only held orders with this reason."),
    limit: int = typer.Option(50, "--limit", min=1, max=10000, help="Orders per page."),
    offset: int = typer.Option(0, "--offset", min=0, help="Orders to skip."),
    json_output: bool = typer.Option(False, "--json", help="Print the order resources as JSON."),
) -> None:
    """List orders, newest first."""
    _check_status(status)
    _check_hold_reason(hold_reason)
    with read() as connection:
        rows, total = service.list_orders(
            connection, service.OrderFilter(status, channel, search, hold_reason), limit=limit, offset=offset
        )
        resources = build_resources(connection, rows, with_events=False)
    if json_output:
        print_json(resources)
        return
    if not resources:
        say(NO_ORDERS)
        return
    for order in resources:
        holds = ",".join(order["hold_reasons"])
        ships = "+".join(shipment["location"] for shipment in order["shipments"])
        typer.echo(
            f"{order['number']:<10} {order['channel']:<14} {order['external_number']:<22} "
            f"{order['status']:<12} {order['total']:>10} {order['currency']} {ships:<8} {holds}"
        )
    typer.echo(f"({len(resources)} / {total})", err=True)


UNKNOWN_STATUS = Message("unknown status; use one of {allowed}", "未知状态；可用的状态：{allowed}")
UNKNOWN_HOLD_REASON = Message("unknown hold reason; use one of {allowed}", "未知的暂停原因；可用的原因：{allowed}")


def _check_status(status: str | None) -> None:
    from ordertower.orders.model import OrderStatus

    _check_choice("--status", status, [item.value for item in OrderStatus], UNKNOWN_STATUS)


def _check_hold_reason(reason: str | None) -> None:
    from ordertower.orders.model import HoldReason

    _check_choice("--hold-reason", reason, [item.value for item in HoldReason], UNKNOWN_HOLD_REASON)


def _check_choice(option: str, value: str | None, allowed: list[str], problem: Message) -> None:
    from ordertower.kernel.errors import ValidationError

    if value and value not in allowed:
        raise ValidationError(field=option, value=value, problem=problem, allowed=", ".join(allowed))


@orders_app.command("show")
@handle_errors
def show_command(
    ref: str = typer.Argument(..., help="Our order number (OT100001), or the channel's order number or id."),
    json_output: bool = typer.Option(False, "--json", help="Print the order resource as JSON."),
) -> None:
    """Show one order with its lines, shipments, routing decision and events."""
    with read() as connection:
        resource = build_resources(connection, [service.get_order_or_raise(connection, ref)])[0]
    if json_output:
        print_json(resource)
        return
    _print_order(resource)


def _print_order(order: dict[str, Any]) -> None:
    address = order["shipping_address"]
    typer.echo(
        f"{order['number']}  {order['channel']} {order['external_number']}  {order['status']} "
        f"({order['financial_status']})  {order['total']} {order['currency']}"
    )
    if order["hold_reasons"]:
        typer.echo(f"  hold: {', '.join(order['hold_reasons'])}")
    street = " ".join(part for part in (address["line1"], address["line2"]) if part)
    place = " ".join(
        part for part in (address["city"], address["region"], address["postal_code"], address["country_code"]) if part
    )
    typer.echo("  " + ", ".join(part for part in (address["name"], street, place) if part))
    for line in order["lines"]:
        typer.echo(
            f"  {line['quantity']:>3} x {line['sku'] or '(' + line['channel_sku'] + ')':<20} "
            f"{line['unit_price']:>10}  {line['name']}"
        )
    for shipment in order["shipments"]:
        items = ", ".join(f"{item['sku']} x{item['quantity']}" for item in shipment["lines"])
        typer.echo(f"  ship from {shipment['location']} ({shipment['status']}): {items}")
    reason = ((order["routing"] or {}).get("explanation") or {}).get("reason")
    if reason:
        from ordertower.kernel.i18n import current_language

        typer.echo(f"  routing: {reason.get(current_language(), reason.get('en'))}")


@orders_app.command("cancel")
@handle_errors
def cancel_command(
    ref: str = typer.Argument(..., help="Order number or the channel's order number or id."),
    line: int | None = typer.Option(None, "--line", min=1, help="Cancel only this line number."),
    quantity: int | None = typer.Option(None, "--quantity", min=1, help="With --line: units to cancel."),
    json_output: bool = typer.Option(False, "--json", help="Print the order resource as JSON."),
) -> None:
    """Cancel an order (or one line) and release its reserved stock."""
    with write() as connection:
        if line is None:
            row = service.cancel_order(connection, ref)
        else:
            row = service.cancel_line(connection, ref, line, quantity=quantity)
        resource = build_resources(connection, [row])[0]
    if json_output:
        print_json(resource)
    elif line is None:
        say(CANCELLED, number=resource["number"])
    else:
        say(REROUTED, number=resource["number"], status=resource["status"])


@orders_app.command("reroute")
@handle_errors
def reroute_command(
    ref: str = typer.Argument(..., help="Order number or the channel's order number or id."),
    json_output: bool = typer.Option(False, "--json", help="Print the order resource as JSON."),
) -> None:
    """Release an unshipped order's reservation and route it again."""
    with write() as connection:
        resource = build_resources(connection, [service.reroute_order(connection, ref)])[0]
    if json_output:
        print_json(resource)
    else:
        say(REROUTED, number=resource["number"], status=resource["status"])


def route_command(
    ref: str = typer.Argument(..., help="Order number or the channel's order number or id."),
    reroute: bool = typer.Option(False, "--reroute", help="Route the order again before showing the decision."),
    json_output: bool = typer.Option(False, "--json", help="Print the routing decision as JSON."),
) -> None:
    """Show where an order ships from and why: the candidates, the rules and the winner."""
    _route(ref, reroute, json_output)


@handle_errors
def _route(ref: str, reroute: bool, json_output: bool) -> None:
    if reroute:
        with write() as connection:
            service.reroute_order(connection, ref)
    with read() as connection:
        resource = build_resources(connection, [service.get_order_or_raise(connection, ref)], with_events=False)[0]
    document = {
        "number": resource["number"],
        "status": resource["status"],
        "shipments": resource["shipments"],
        **resource["routing"],
    }
    if json_output:
        print_json(document)
        return
    explanation = resource["routing"]["explanation"]
    if not explanation:
        say(ROUTING_NONE, number=resource["number"], status=resource["status"])
        return
    from ordertower.kernel.i18n import current_language

    typer.echo(f"{resource['number']}: {explanation['reason'].get(current_language(), explanation['reason']['en'])}")
    for candidate in explanation.get("candidates", []):
        typer.echo(
            f"  {'+'.join(candidate['locations']):<12} distance_km={candidate.get('distance_km')} "
            f"splits={candidate.get('splits')} rank={candidate.get('rank')} load={candidate.get('load')} "
            f"stock={candidate.get('stock')} eliminated_by={candidate.get('eliminated_by') or '-'}"
        )
