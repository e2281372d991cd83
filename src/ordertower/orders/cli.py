"""CLI of orders: import files, list and show orders, cancel, re-route, place and release holds, explain routing."""

from __future__ import annotations

import csv
import signal
import sys
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from ordertower.kernel.cli_support import (
    handle_errors,
    help_text,
    pad_cells,
    print_json,
    read,
    say,
    say_empty_page,
    say_shown,
    state,
    write,
)
from ordertower.kernel.errors import MissingFileError, OrderTowerError, UnreadableFileError
from ordertower.kernel.i18n import Message, current_language
from ordertower.kernel.paging import IMPORT_PAGE, MAX_OFFSET, ORDER_PAGE, page
from ordertower.kernel.settings import get_settings
from ordertower.orders import service
from ordertower.orders.resource import build_resources

imports_app = typer.Typer(
    help=help_text(
        "List imports: file, status and counts, newest first.", "列出导入记录：文件、状态和数量，最新的在前。"
    ),
    no_args_is_help=True,
)
orders_app = typer.Typer(
    help=help_text(
        "List, show, cancel and re-route orders, and place or release holds.",
        "列出、查看、取消订单，重新分配仓库，或暂停订单、解除暂停。",
    ),
    no_args_is_help=True,
)

# `import` and `route` are top-level commands, so ordertower.cli registers them with these help texts.
IMPORT_HELP = help_text(
    "Import orders from a channel file; bad rows are reported with their line and the rest is kept.",
    "从渠道文件导入订单；出错的行会连同行号一起报告，其余行照常导入。",
)
ROUTE_HELP = help_text(
    "Show where an order ships from and why: the candidates, the rules and the winner.",
    "查看订单从哪个仓库发货及原因：候选方案、规则和胜出方案。",
)
REF_HELP = help_text("Order number or the channel's order number or id.", "订单号，或渠道的订单号或订单 ID。")
ORDER_JSON_HELP = help_text("Print the order resource as JSON.", "按 API 的订单结构输出 JSON。")

IMPORTED = Message(
    "{file} ({format}, channel {channel}): created {created}, updated {updated}, unchanged {unchanged}, "
    "errors {errors}.",
    "{file}（{format}，渠道 {channel}）：新建 {created}，更新 {updated}，无变化 {unchanged}，错误 {errors}。",
)
# The problem names the field and the value itself, so the line number is all that is added.
ROW_ERROR = Message("  line {line}: {problem}", "  第 {line} 行：{problem}")
NO_ORDERS = Message("No orders match.", "没有符合条件的订单。")
PAST_THE_END = Message(
    "Matching orders: {total}, all before --offset {offset}.",
    "共有 {total} 个订单符合条件，都在 --offset {offset} 之前。",
)
SHOWN = Message("Orders shown: {shown} of {total}", "显示 {shown} 个，共 {total} 个订单")
CANCELLED = Message("Order {number} cancelled.", "订单 {number} 已取消。")
REROUTED = Message("Order {number} is {status}.", "订单 {number} 当前状态：{status}。")
RELEASED = Message(
    "Order {number}: the {reason} hold is released, and the order is {status}.",
    "订单 {number}：已解除 {reason} 暂停，当前状态：{status}。",
)
STILL_HELD = Message(
    "Order {number}: the {reason} hold is released, and the order is still on hold for {remaining}.",
    "订单 {number}：已解除 {reason} 暂停，仍因 {remaining} 暂停。",
)
HELD = Message(
    "Order {number} is on hold for {reasons}. Release it with `ordertower orders release {number} --reason manual`.",
    "订单 {number} 已暂停，暂停原因：{reasons}。用 `ordertower orders release {number} --reason manual` 解除。",
)
ROUTING_NONE = Message("Order {number} has not been routed ({status}).", "订单 {number} 尚未分配仓库（{status}）。")
PROGRESS = Message("import", "导入")
# Headings of `orders list`, each with its column width in terminal cells and its alignment (< left, > right).
ORDER_COLUMNS = (
    (Message("ORDER", "订单号"), 10, "<"),
    (Message("CHANNEL", "渠道"), 14, "<"),
    (Message("CHANNEL_ORDER", "渠道订单号"), 22, "<"),
    (Message("STATUS", "状态"), 12, "<"),
    (Message("TOTAL", "金额"), 10, ">"),
    (Message("CUR", "币种"), 4, "<"),
    (Message("LOCATION", "发货仓库"), 8, "<"),
    (Message("HOLD", "暂停原因"), 0, "<"),
)
HOLD_LINE = Message("  hold: {reasons}", "  暂停原因：{reasons}")
HOLD_NOTE_LINE = Message("  manual hold note: {note}", "  manual 暂停备注：{note}")
ADDRESS_PROBLEM_LINE = Message("  address: {problem}", "  地址问题：{problem}")
SHIP_LINE = Message("  ship from {location} ({status}): {items}", "  从 {location} 发货（{status}）：{items}")
ROUTING_LINE = Message("  routing: {reason}", "  路由说明：{reason}")
EVENTS_HEADING = Message("  events:", "  事件：")
EVENT_LINE = Message("    {at}  {kind}  {change}  ({cause})", "    {at}  {kind}  {change}（{cause}）")
CANDIDATE_ROW = Message(
    "  {locations:<12} distance_km={distance_km} splits={splits} rank={rank} load={load} stock={stock} "
    "eliminated_by={eliminated_by}",
    "  {locations:<12} 距离（公里）={distance_km} 仓库数={splits} 优先级={rank} 负载={load} 可用库存={stock} "
    "淘汰规则={eliminated_by}",
)


def import_command(
    # Checked in _run_import rather than by Typer, whose message would be English only.
    file: Path = typer.Argument(..., help=help_text("Order file to import.", "要导入的订单文件。")),
    format: str | None = typer.Option(
        None,
        "--format",
        help=help_text(
            "shopify-csv, shopify-json, amazon-tsv, "
            "woocommerce-json or generic-csv; detected from the content when omitted.",
            "文件格式，可选 shopify-csv / shopify-json / amazon-tsv / woocommerce-json / generic-csv；"
            "不指定时按文件内容自动识别。",
        ),
    ),
    channel: str | None = typer.Option(
        None,
        "--channel",
        help=help_text("Workspace channel code the orders belong to.", "订单所属渠道在工作区中的代码。"),
    ),
    json_output: bool = typer.Option(
        False, "--json", help=help_text("Print the import report as JSON.", "以 JSON 格式输出导入报告。")
    ),
) -> None:
    code = _import(file, format, channel, json_output)
    raise typer.Exit(code)


@handle_errors
def _import(file: Path, format: str | None, channel: str | None, json_output: bool) -> int:
    try:
        return _run_import(file, format, channel, json_output)
    except OrderTowerError as error:
        if json_output:
            # A script reading stdout gets a JSON document here too; the message also goes to stderr.
            print_json({"error": error.to_dict(current_language())})
        raise


def _run_import(file: Path, format: str | None, channel: str | None, json_output: bool) -> int:
    from ordertower.channels.formats import FORMATS, read_orders_file

    _check_choice("--format", format, list(FORMATS), UNKNOWN_FORMAT)
    if not file.is_file():
        raise MissingFileError(path=str(file), folder=str(Path.cwd()))
    from ordertower.orders.importing import ImportInterruptedError, import_orders

    try:
        source = read_orders_file(file, format=format)
    except csv.Error as error:
        raise UnreadableFileError(filename=file.name, detail=str(error).rstrip("?.")) from error
    _warn_without_catalog()
    progress = _progress_bar(source)
    stop = _StopBetweenBatches()
    try:
        with stop:
            report = import_orders(
                state.database(),
                source,
                channel_code=channel,
                batch_size=get_settings().import_batch_size,
                on_progress=progress.update if progress else None,
                stop_requested=stop.requested,
            )
    except csv.Error as error:
        raise UnreadableFileError(filename=file.name, detail=str(error).rstrip("?.")) from error
    except ImportInterruptedError as interrupted:
        if progress:
            progress.close()
        if json_output:
            # Its params contain the counts of the orders saved so far.
            print_json({"error": interrupted.to_dict(current_language())})
        # Printed without the interrupt's traceback, because the message names what was saved and the next step.
        typer.echo(interrupted.render(current_language()), err=True)
        # The shell's convention for a command a signal ended: 130 after Ctrl-C, 143 after kill.
        raise typer.Exit(128 + stop.signal_number) from None
    finally:
        if progress:
            progress.close()
        close = getattr(source, "close", None)
        if close:
            close()
    if json_output:
        print_json({"file": report.filename, "format": report.format, "channel": report.channel, **report.to_dict()})
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
            say(ROW_ERROR, line=row_error["line"], problem=row_error["message"])
    return 1 if report.errors else 0


STOPPING = Message(
    "Stopping after the current batch of orders. Press Ctrl-C again to stop at once.",
    "将在当前这批订单保存后停止。再按一次 Ctrl-C 立即停止。",
)
STOPPING_ON_SIGNAL = Message(
    "Received {signal}: stopping after the current batch of orders. Send {signal} again to stop at once.",
    "收到 {signal}：将在当前这批订单保存后停止。再次发送 {signal} 可立即停止。",
)
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")
NO_PRODUCTS = Message(
    "Warning: the workspace has no products, so every order will be held as unmapped_sku. "
    "Apply a workspace file first: ordertower workspace apply FILE",
    "警告：工作区中没有商品，所有订单都会因 unmapped_sku 暂停。请先应用工作区文件：ordertower workspace apply FILE",
)


def _warn_without_catalog() -> None:
    """Warn on stderr when the workspace has no products, because then no order of the file can be routed."""
    from sqlalchemy import func, select

    from ordertower.catalog.tables import products

    with read() as connection:
        has_products = bool(connection.scalar(select(func.count()).select_from(products)))
    if not has_products:
        typer.echo(NO_PRODUCTS.render(current_language()), err=True)


class _StopBetweenBatches:
    """Turn the first Ctrl-C, `kill` or closed terminal into a stop after the batch in progress.

    Interrupted in the middle of a batch, SQLite can keep the batch's write
    lock until the process ends, and the import could not record how far it
    got. A second signal stops at once. Once the import has stopped at a batch
    edge, or a second signal has cut a batch short, further signals are
    ignored, so that they cannot cut short the recording of what was saved.
    """

    def __init__(self) -> None:
        self._requested = False
        self._stopping = False  # the import is winding down: further signals are ignored
        self._previous: dict[int, Any] = {}
        self.signal_number = int(signal.SIGINT)  # the first signal received; Ctrl-C when none was

    def requested(self) -> bool:
        if self._requested:
            self._stopping = True
        return self._requested

    def __enter__(self) -> _StopBetweenBatches:
        for name in STOP_SIGNALS:
            if hasattr(signal, name):
                number = getattr(signal, name)
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for number, handler in self._previous.items():
            # After a stop the command only reports and exits; a late signal must not end it another way.
            signal.signal(number, signal.SIG_IGN if self._requested else handler)

    def _handle(self, signum: int, frame: object) -> None:
        if self._stopping:
            return
        if self._requested:
            self._stopping = True
            raise KeyboardInterrupt
        self._requested = True
        self.signal_number = signum
        if signum == signal.SIGINT:
            typer.echo(STOPPING.render(current_language()), err=True)
        else:
            typer.echo(STOPPING_ON_SIGNAL.render(current_language(), signal=signal.Signals(signum).name), err=True)


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
        self._task = self._bar.add_task(PROGRESS.render(), total=total)

    def update(self, source: Any) -> None:
        self._bar.update(self._task, completed=getattr(source, "position_bytes", 0))

    def close(self) -> None:
        self._bar.stop()


def _progress_bar(source: Any) -> _Progress | None:
    total = getattr(source, "size_bytes", None)
    if not total or not sys.stderr.isatty():
        return None
    return _Progress(total)


@orders_app.command("list", help=help_text("List orders, newest first.", "列出订单，最新的在前。"))
@handle_errors
def list_command(
    status: str | None = typer.Option(
        None, "--status", help=help_text("Only orders with this status.", "只显示此状态的订单。")
    ),
    channel: str | None = typer.Option(
        None, "--channel", help=help_text("Only orders of this channel code.", "只显示此渠道代码的订单。")
    ),
    search: str | None = typer.Option(
        None,
        "--search",
        help=help_text(
            "Text in the number, email, name, city or postal code.",
            "在订单号 / 邮箱 / 姓名 / 城市 / 邮编中搜索的文字。",
        ),
    ),
    hold_reason: str | None = typer.Option(
        None, "--hold-reason", help=help_text("Only held orders with this reason.", "只显示因此原因暂停的订单。")
    ),
    # Bounds and default are the API's, so that `orders list --json` prints what GET /api/v1/orders returns.
    limit: int = typer.Option(
        ORDER_PAGE.default,
        "--limit",
        min=1,
        max=ORDER_PAGE.maximum,
        help=help_text("Orders per page.", "每页订单数。"),
    ),
    offset: int = typer.Option(
        0, "--offset", min=0, max=MAX_OFFSET, help=help_text("Orders to skip.", "跳过的订单数。")
    ),
    json_output: bool = typer.Option(
        False,
        "--json",
        help=help_text(
            "Print the page of order resources as JSON, as the API does: items, total, limit, offset.",
            "按 API 的分页结构输出 JSON，含 items、 total、 limit 和 offset。",
        ),
    ),
) -> None:
    _check_status(status)
    _check_hold_reason(hold_reason)
    with read() as connection:
        rows, total = service.list_orders(
            connection, service.OrderFilter(status, channel, search, hold_reason), limit=limit, offset=offset
        )
        resources = build_resources(connection, rows, with_events=False)
    if json_output:
        print_json(page(resources, total=total, limit=limit, offset=offset))
        return
    if not resources:
        say_empty_page(total=total, offset=offset, none=NO_ORDERS, past_the_end=PAST_THE_END)
        return
    typer.echo(" ".join(pad_cells(heading.render(), width, align) for heading, width, align in ORDER_COLUMNS))
    for order in resources:
        holds = ",".join(order["hold_reasons"])
        ships = "+".join(shipment["location"] for shipment in order["shipments"])
        typer.echo(
            f"{order['number']:<10} {order['channel']:<14} {order['external_number']:<22} "
            f"{order['status']:<12} {order['total']:>10} {order['currency']:<4} {ships:<8} {holds}"
        )
    say_shown(SHOWN, shown=len(resources), total=total)


UNKNOWN_FORMAT = Message(
    "{value!r} is not a file format; use one of {allowed}, or leave --format out to detect it.",
    "{value!r} 不是文件格式；可用的格式：{allowed}，或不加 --format 由系统自动识别。",
)
UNKNOWN_STATUS = Message(
    "{value!r} is not a status; use one of {allowed}.", "{value!r} 不是订单状态；可用的状态：{allowed}。"
)
UNKNOWN_HOLD_REASON = Message(
    "{value!r} is not a hold reason; use one of {allowed}.", "{value!r} 不是暂停原因；可用的原因：{allowed}。"
)


def _check_status(status: str | None) -> None:
    from ordertower.orders.model import OrderStatus

    _check_choice("--status", status, [item.value for item in OrderStatus], UNKNOWN_STATUS)


def _check_hold_reason(reason: str | None) -> None:
    from ordertower.orders.model import HoldReason

    _check_choice("--hold-reason", reason, [item.value for item in HoldReason], UNKNOWN_HOLD_REASON)


def _check_release_reason(reason: str) -> None:
    """Reject a value that is no hold reason at all, naming the reasons that can be released.

    unmapped_sku passes, so that the release raises the error that explains how that hold ends.
    """
    from ordertower.orders.model import RELEASABLE_HOLD_REASONS, HoldReason

    if reason in {item.value for item in HoldReason}:
        return
    allowed = ", ".join(item.value for item in RELEASABLE_HOLD_REASONS)
    message = UNKNOWN_HOLD_REASON.render(current_language(), value=reason, allowed=allowed)
    raise typer.BadParameter(message, param_hint="'--reason'")


def _check_choice(option: str, value: str | None, allowed: list[str], problem: Message) -> None:
    # A usage error like Typer's own: exit status 2, and the usage line above the message.
    if value and value not in allowed:
        message = problem.render(current_language(), value=value, allowed=", ".join(allowed))
        raise typer.BadParameter(message, param_hint=f"'{option}'")


@orders_app.command(
    "show",
    help=help_text(
        "Show one order with its lines, shipments, routing decision and events.",
        "查看单个订单及其订单行、发货单、路由决定和事件。",
    ),
)
@handle_errors
def show_command(
    ref: str = typer.Argument(
        ...,
        help=help_text(
            "Our order number (OT100001), or the channel's order number or id.",
            "我们的订单号（如 OT100001），或渠道的订单号或订单 ID。",
        ),
    ),
    json_output: bool = typer.Option(False, "--json", help=ORDER_JSON_HELP),
) -> None:
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
        say(HOLD_LINE, reasons=", ".join(order["hold_reasons"]))
    note = _manual_hold_note(order)
    if note:
        say(HOLD_NOTE_LINE, note=note)
    language = current_language()
    for problem in order["address_problems"]:
        say(ADDRESS_PROBLEM_LINE, problem=problem.get(language) or problem.get("en") or problem.get("code", ""))
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
        say(SHIP_LINE, location=shipment["location"], status=shipment["status"], items=items)
    reason = ((order["routing"] or {}).get("explanation") or {}).get("reason")
    if reason:
        say(ROUTING_LINE, reason=reason.get(current_language(), reason.get("en")))
    _print_events(order.get("events") or [])


def _manual_hold_note(order: dict[str, Any]) -> str:
    """Return the note of the order's manual hold, with control characters escaped, or "" when there is none.

    The note is stored only in the data of the hold_placed event. A manual hold must be released
    before it is placed again, so the last such event belongs to the current hold.
    """
    from ordertower.orders.model import HoldReason

    if HoldReason.MANUAL.value not in order["hold_reasons"]:
        return ""
    for event in reversed(order.get("events") or []):
        data = event["data"] or {}
        if event["kind"] == "hold_placed" and data.get("reason") == HoldReason.MANUAL.value:
            # A line break or terminal escape sequence in the note would otherwise break the layout.
            return "".join(
                repr(char)[1:-1] if unicodedata.category(char) == "Cc" else char for char in str(data.get("note", ""))
            )
    return ""


def _print_events(events: list[dict[str, Any]]) -> None:
    """Print each status change of the order, oldest first, with its time in UTC and its cause."""
    if not events:
        return
    say(EVENTS_HEADING)
    for event in events:
        at = datetime.fromisoformat(event["at"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        change = f"{event['from_status'] or '-'} -> {event['to_status'] or '-'}"
        say(EVENT_LINE, at=at, kind=event["kind"], change=change, cause=event["cause"])


@orders_app.command(
    "cancel",
    help=help_text(
        "Cancel an order (or one line) and release its reserved stock.", "取消订单（或其中一行），并释放已预留的库存。"
    ),
)
@handle_errors
def cancel_command(
    ref: str = typer.Argument(..., help=REF_HELP),
    line: int | None = typer.Option(
        None, "--line", min=1, help=help_text("Cancel only this line number.", "只取消此行号的订单行。")
    ),
    quantity: int | None = typer.Option(
        None,
        "--quantity",
        min=1,
        help=help_text("With --line: units to cancel.", "与 --line 一起使用：要取消的件数。"),
    ),
    json_output: bool = typer.Option(False, "--json", help=ORDER_JSON_HELP),
) -> None:
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


@orders_app.command(
    "reroute",
    help=help_text(
        "Release an unshipped order's reservation and route it again.", "释放未发货订单的库存预留，并重新分配仓库。"
    ),
)
@handle_errors
def reroute_command(
    ref: str = typer.Argument(..., help=REF_HELP),
    json_output: bool = typer.Option(False, "--json", help=ORDER_JSON_HELP),
) -> None:
    with write() as connection:
        resource = build_resources(connection, [service.reroute_order(connection, ref)])[0]
    if json_output:
        print_json(resource)
    else:
        say(REROUTED, number=resource["number"], status=resource["status"])


@orders_app.command(
    "release",
    help=help_text(
        "Release one hold after a person has checked the order. An order with no hold left is routed and reserved.",
        "人工核对后解除一项暂停；订单不再暂停时随即分配仓库并预留库存。",
    ),
)
@handle_errors
def release_command(
    ref: str = typer.Argument(..., help=REF_HELP),
    reason: str = typer.Option(
        ...,
        "--reason",
        help=help_text(
            "Hold reason to release: address_invalid (the address is deliverable as it is), "
            "unpaid (the payment arrived outside the channel) or manual.",
            "要解除的暂停原因： address_invalid （地址按原样可以送达）、 unpaid （已在渠道外收到付款） 或 manual。",
        ),
    ),
    json_output: bool = typer.Option(False, "--json", help=ORDER_JSON_HELP),
) -> None:
    from ordertower.orders.model import HoldReason

    _check_release_reason(reason)
    with write() as connection:
        row = service.release_order_hold(connection, ref, HoldReason(reason), cause="cli")
        resource = build_resources(connection, [row])[0]
    if json_output:
        print_json(resource)
    elif resource["hold_reasons"]:
        say(STILL_HELD, number=resource["number"], reason=reason, remaining=", ".join(resource["hold_reasons"]))
    else:
        say(RELEASED, number=resource["number"], reason=reason, status=resource["status"])


@orders_app.command(
    "hold",
    help=help_text(
        "Put an open order on the manual hold and release its reserved stock. "
        "`orders release REF --reason manual` routes it again.",
        "对未发货的订单设置 manual 暂停，并释放其预留库存。"
        "用 `orders release REF --reason manual` 解除后重新分配仓库。",
    ),
)
@handle_errors
def hold_command(
    ref: str = typer.Argument(..., help=REF_HELP),
    note: str = typer.Option(
        "",
        "--note",
        help=help_text(
            "Reason for the hold, stored with the order's hold_placed event. At most 255 characters.",
            "暂停原因说明，随订单的 hold_placed 事件保存。最多 255 个字符。",
        ),
    ),
    json_output: bool = typer.Option(False, "--json", help=ORDER_JSON_HELP),
) -> None:
    with write() as connection:
        row = service.hold_order(connection, ref, note=note, cause="cli")
        resource = build_resources(connection, [row])[0]
    if json_output:
        print_json(resource)
    else:
        say(HELD, number=resource["number"], reasons=", ".join(resource["hold_reasons"]))


def route_command(
    ref: str = typer.Argument(..., help=REF_HELP),
    reroute: bool = typer.Option(
        False,
        "--reroute",
        help=help_text("Route the order again before showing the decision.", "先重新分配仓库，再显示路由决定。"),
    ),
    json_output: bool = typer.Option(
        False, "--json", help=help_text("Print the routing decision as JSON.", "以 JSON 格式输出路由决定。")
    ),
) -> None:
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
    typer.echo(f"{resource['number']}: {explanation['reason'].get(current_language(), explanation['reason']['en'])}")
    for candidate in explanation.get("candidates", []):
        say(
            CANDIDATE_ROW,
            locations="+".join(candidate["locations"]),
            distance_km=candidate.get("distance_km"),
            splits=candidate.get("splits"),
            rank=candidate.get("rank"),
            load=candidate.get("load"),
            stock=candidate.get("stock"),
            eliminated_by=candidate.get("eliminated_by") or "-",
        )


# Headings of `imports list`, each with its column width in terminal cells and its alignment (< left, > right).
IMPORT_COLUMNS = (
    (Message("ID", "编号"), 6, ">"),
    (Message("STARTED", "开始时间（UTC）"), 16, "<"),
    (Message("STATUS", "状态"), 11, "<"),
    (Message("CREATED", "新建"), 8, ">"),
    (Message("UPDATED", "更新"), 8, ">"),
    (Message("UNCHANGED", "无变化"), 9, ">"),
    (Message("ERRORS", "错误"), 6, ">"),
    (Message("FORMAT", "格式"), 16, "<"),
    (Message("FILE", "文件"), 0, "<"),
)
NO_IMPORTS = Message("No imports yet.", "还没有导入记录。")
IMPORTS_PAST_THE_END = Message(
    "Imports: {total}, all before --offset {offset}.", "共有 {total} 条导入记录，都在 --offset {offset} 之前。"
)
IMPORTS_SHOWN = Message("Imports shown: {shown} of {total}", "显示 {shown} 条，共 {total} 条导入记录")


@imports_app.command(
    "list",
    help=help_text(
        "List imports, newest first: running, finished, interrupted or failed.",
        "列出导入记录，最新的在前：进行中、已完成、已中断或失败。",
    ),
)
@handle_errors
def list_imports_command(
    # Bounds and default are the API's, so that `imports list --json` prints what GET /api/v1/imports returns.
    limit: int = typer.Option(
        IMPORT_PAGE.default,
        "--limit",
        min=1,
        max=IMPORT_PAGE.maximum,
        help=help_text("Imports to show.", "显示的导入记录数。"),
    ),
    offset: int = typer.Option(
        0, "--offset", min=0, max=MAX_OFFSET, help=help_text("Imports to skip.", "跳过的导入记录数。")
    ),
    json_output: bool = typer.Option(
        False,
        "--json",
        help=help_text(
            "Print the page of import resources as JSON, as the API does: items, total, limit, offset.",
            "按 API 的分页结构输出 JSON， 含 items、 total、 limit 和 offset。",
        ),
    ),
) -> None:
    from ordertower.orders.resource import import_page

    with read() as connection:
        listed = import_page(connection, limit=limit, offset=offset)
    if json_output:
        print_json(listed)
        return
    resources = listed["items"]
    total = listed["total"]
    if not resources:
        say_empty_page(total=total, offset=offset, none=NO_IMPORTS, past_the_end=IMPORTS_PAST_THE_END)
        return
    typer.echo(" ".join(pad_cells(heading.render(), width, align) for heading, width, align in IMPORT_COLUMNS))
    for record in resources:
        cells = (
            record["id"],
            record["started_at"][:16].replace("T", " "),
            record["status"],
            record["created"],
            record["updated"],
            record["unchanged"],
            len(record["errors"]),
            record["format"],
            record["filename"],
        )
        typer.echo(
            " ".join(
                pad_cells(str(cell), width, align)
                for cell, (_, width, align) in zip(cells, IMPORT_COLUMNS, strict=True)
            )
        )
    say_shown(IMPORTS_SHOWN, shown=len(resources), total=total)
