"""Channel file formats: detection from content and one streaming entry point for all parsers."""

from __future__ import annotations

import csv
import io
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

import ijson

from ordertower.channels.model import ParsedOrder, RowError
from ordertower.channels.reader import (
    HEAD_SIZE,
    UTF8_BOM,
    ByteStream,
    TextLines,
    Utf8Stream,
    decode_head,
    detect_encoding,
    open_text,
)
from ordertower.channels.shopify.order_json import NON_ORDER_KEYS
from ordertower.kernel.errors import OrderTowerError
from ordertower.kernel.i18n import Message

logger = logging.getLogger(__name__)

FORMATS = ("shopify-csv", "shopify-json", "amazon-tsv", "woocommerce-json", "generic-csv")
CHANNEL_KIND = {
    "shopify-csv": "shopify",
    "shopify-json": "shopify",
    "amazon-tsv": "amazon",
    "woocommerce-json": "woocommerce",
    "generic-csv": "generic",
}
JSON_FORMATS = frozenset({"shopify-json", "woocommerce-json"})


class EmptyFileError(OrderTowerError):
    """A file with nothing in it but white space or a byte order mark."""

    code = "empty_file"
    message = Message(
        "{filename!r} is empty, so it has no orders to import. Check that you chose the right file, "
        "or export the orders from the channel again.",
        "{filename!r} 是空文件，没有可导入的订单。请确认选择了正确的文件，或从渠道重新导出订单。",
    )


class UnknownFormatError(OrderTowerError):
    """A file whose order format cannot be detected from its content, or an unknown format name."""

    code = "unknown_format"
    message = Message(
        "Cannot read {filename!r} as an order file: {reason_en}. Supported formats: {formats}. "
        "If the file is one of them, name it with the --format option, for example --format generic-csv.",
        "无法将 {filename!r} 作为订单文件读取：{reason_zh}。支持的格式：{formats}。"
        "如果文件属于其中一种，请用 --format 选项指定，例如 --format generic-csv。",
    )
    api_message = Message(
        "Cannot read {filename!r} as an order file: {reason_en}. Supported formats: {formats}. "
        "If the file is one of them, name it in the request's format field, for example format=generic-csv.",
        "无法将 {filename!r} 作为订单文件读取：{reason_zh}。支持的格式：{formats}。"
        "如果文件属于其中一种，请在请求的 format 字段中指定，例如 format=generic-csv。",
    )

    def __init__(self, *, filename: str, reason: Message, **params: Any) -> None:
        super().__init__(
            filename=filename,
            reason_en=reason.render("en", **params),
            reason_zh=reason.render("zh", **params),
            formats=", ".join(FORMATS),
        )


REASON_UNKNOWN_NAME = Message("{name!r} is not a format name", "{name!r} 不是格式名称")
REASON_UNKNOWN_HEADER = Message(
    "its header ({header}) matches no supported export", "其表头（{header}）与任何支持的导出格式都不匹配"
)
REASON_UNKNOWN_JSON = Message(
    "its JSON has none of the keys of a Shopify or WooCommerce order",
    "其 JSON 中没有 Shopify 或 WooCommerce 订单的字段",
)
REASON_NOT_ORDERS = Message(
    "it contains {what}, not orders, and only orders are imported",
    "其内容是{what_zh}而不是订单，只有订单可以导入",
)

SHOPIFY_ORDER_KEYS = frozenset(
    {
        "financial_status",
        "total_price",
        "presentment_currency",
        "total_line_items_price",
        "subtotal_price",
        "fulfillment_status",
        "processed_at",
        "order_number",
        "variant_id",
        "fulfillable_quantity",
        "price_set",
    }
)
WOO_ORDER_KEYS = frozenset(
    {
        "order_key",
        "date_created_gmt",
        "prices_include_tax",
        "discount_total",
        "shipping_total",
        "cart_tax",
        "payment_method_title",
        "variation_id",
        "subtotal_tax",
        "customer_note",
    }
)
WOO_REFUND_KEYS = frozenset({"refunded_by", "refunded_payment"})
WOO_WEBHOOK_KEYS = frozenset({"delivery_url", "hooks"})


def detect_format(head: bytes, filename: str) -> str:
    """Return the format of a file from its first bytes; the file name only breaks ties.

    Raises UnknownFormatError when the content matches no format or is a channel
    file that contains no orders (Shopify refunds, WooCommerce refunds, ...).
    """
    text = decode_head(head).lstrip("\ufeff \t\r\n")
    if not text:
        raise EmptyFileError(filename=filename)
    if text[0] in "[{":
        return _detect_json(text.encode("utf-8"), filename)
    return _detect_delimited(text, filename)


def _detect_delimited(text: str, filename: str) -> str:
    first_line = text.splitlines()[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    names = {name.strip().lower() for name in header}
    if {"lineitem quantity", "lineitem name", "name"} <= names:
        return "shopify-csv"
    if names & {"order-id", "amazon-order-id"} and "sku" in names:
        return "amazon-tsv"
    if {"order id", "fulfilment", "qty", "amount", "sku"} <= names:
        return "amazon-tsv"
    if {"order_id", "order_date", "sku", "quantity", "unit_price"} <= names:
        return "generic-csv"
    preview = ", ".join(_printable(name.strip()[:40]) for name in header[:6]) + (", ..." if len(header) > 6 else "")
    raise UnknownFormatError(filename=filename, reason=REASON_UNKNOWN_HEADER, header=preview)


def _printable(text: str) -> str:
    """Escape control characters, so that a binary file's header cannot garble the terminal that shows it."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _detect_json(head: bytes, filename: str) -> str:
    top_keys, order_keys, all_keys = _json_keys(head)

    if top_keys and top_keys[0] in NON_ORDER_KEYS and not order_keys & SHOPIFY_ORDER_KEYS:
        what, what_zh = NON_ORDER_KEYS[top_keys[0]]
        raise UnknownFormatError(filename=filename, reason=REASON_NOT_ORDERS, what=what, what_zh=what_zh)
    if order_keys & WOO_REFUND_KEYS:
        raise UnknownFormatError(
            filename=filename,
            reason=REASON_NOT_ORDERS,
            what="a WooCommerce refund",
            what_zh="WooCommerce 退款记录",
        )
    if order_keys & WOO_WEBHOOK_KEYS:
        raise UnknownFormatError(
            filename=filename,
            reason=REASON_NOT_ORDERS,
            what="a WooCommerce webhook definition",
            what_zh="WooCommerce Webhook 配置",
        )

    shopify = len(all_keys & SHOPIFY_ORDER_KEYS)
    woo = len(all_keys & WOO_ORDER_KEYS)
    if shopify > woo:
        return "shopify-json"
    if woo > shopify:
        return "woocommerce-json"

    lowered = Path(filename).name.lower()
    if "shopify" in lowered:
        return "shopify-json"
    if "woo" in lowered:
        return "woocommerce-json"
    raise UnknownFormatError(filename=filename, reason=REASON_UNKNOWN_JSON)


def _json_keys(head: bytes) -> tuple[list[str], set[str], set[str]]:
    """Collect the top-level keys, the keys of the first order-like object and every key in the head.

    The head is usually cut in the middle of the file, so parsing stops at the first error.
    """
    top_keys: list[str] = []
    order_keys: set[str] = set()
    all_keys: set[str] = set()
    order_prefixes = {"", "item", "order", "orders.item"}
    first_prefix: str | None = None
    try:
        for prefix, event, value in ijson.parse(io.BytesIO(head), multiple_values=True):
            if event != "map_key":
                continue
            all_keys.add(value)
            if prefix == "":
                top_keys.append(value)
            first_order = first_prefix in (None, prefix) and value not in ("order", "orders")
            if prefix in order_prefixes and first_order:
                first_prefix = prefix
                order_keys.add(value)
    except ijson.JSONError:
        pass
    return top_keys, order_keys, all_keys


Parser = Callable[[Any], Iterator[ParsedOrder | RowError]]


def _parser_for(format_name: str) -> Parser:
    # Imported here so that importing formats stays cheap and free of import cycles.
    if format_name == "shopify-csv":
        from ordertower.channels.shopify.csv_export import parse_shopify_csv

        return parse_shopify_csv
    if format_name == "shopify-json":
        from ordertower.channels.shopify.order_json import parse_shopify_json

        return parse_shopify_json
    if format_name == "amazon-tsv":
        from ordertower.channels.amazon.reports import parse_amazon_report

        return parse_amazon_report
    if format_name == "woocommerce-json":
        from ordertower.channels.woocommerce.order_json import parse_woocommerce_json

        return parse_woocommerce_json
    from ordertower.channels.generic.template_csv import parse_generic_csv

    return parse_generic_csv


class OrderSource:
    """The orders and row errors of one file, in file order, read as they are iterated.

    Iterate once. Use it as a context manager, or call close(), to release the
    file when read_orders_file opened it.
    """

    def __init__(
        self, raw: ByteStream, *, format_name: str, filename: str, encoding: str, size_bytes: int | None
    ) -> None:
        self.format = format_name
        self.channel_kind = CHANNEL_KIND[format_name]
        self.filename = filename
        self.encoding = encoding
        self.size_bytes = size_bytes
        self.path: Path | None = None  # set when the source was opened by path, so it can be opened again
        self._reported_position: int | None = None
        self._raw = raw
        self._stream: io.IOBase | TextLines | None = None

    @property
    def position_bytes(self) -> int:
        """Bytes taken from the file so far; read-ahead buffering makes it run slightly ahead."""
        if self._reported_position is not None:
            return self._reported_position
        return self._raw.consumed

    @position_bytes.setter
    def position_bytes(self, value: int) -> None:
        # Another process that reads the same file reports its progress here.
        self._reported_position = value

    def __iter__(self) -> Iterator[ParsedOrder | RowError]:
        if self._stream is not None:
            raise RuntimeError("an OrderSource can be iterated only once")
        stream: io.IOBase | TextLines
        if self.format not in JSON_FORMATS:
            stream = TextLines(self._raw, self.encoding)
        elif self.encoding == "utf-8":
            stream = io.BufferedReader(self._raw)
        else:
            stream = Utf8Stream(open_text(self._raw, self.encoding))
        self._stream = stream
        logger.info("reading channel file %s as %s (%s)", self.filename, self.format, self.encoding)
        for result in _parser_for(self.format)(stream):
            if isinstance(result, ParsedOrder):
                result.channel_kind = self.channel_kind
            yield result

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> OrderSource:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def read_orders(data: BinaryIO, *, filename: str, format: str | None = None) -> OrderSource:
    """Open a binary stream of a channel file; detect the format from content unless `format` is given.

    The caller keeps ownership of `data`: closing the source does not close it.
    """
    return _open_source(data, filename=filename, format_name=format, owns_source=False)


def read_orders_file(path: Path, *, format: str | None = None) -> OrderSource:
    """Open a channel file by path; close it with the returned source's close() or a with block."""
    handle = path.open("rb")
    try:
        source = _open_source(handle, filename=path.name, format_name=format, owns_source=True)
        source.path = path
        return source
    except BaseException:
        handle.close()
        raise


def _open_source(data: BinaryIO, *, filename: str, format_name: str | None, owns_source: bool) -> OrderSource:
    if format_name is not None and format_name not in FORMATS:
        raise UnknownFormatError(filename=filename, reason=REASON_UNKNOWN_NAME, name=format_name)
    size = _size_of(data)
    head = data.read(HEAD_SIZE)
    if format_name is not None and not decode_head(head).lstrip("\ufeff \t\r\n"):
        # With --format nothing is detected, and an empty file would otherwise import as zero orders.
        raise EmptyFileError(filename=filename)
    chosen = format_name or detect_format(head, filename)
    encoding = detect_encoding(head)
    skip = 0
    if chosen in JSON_FORMATS and encoding == "utf-8-sig":
        # ijson reads the bytes directly, so the BOM is dropped here instead of by the decoder.
        encoding, skip = "utf-8", len(UTF8_BOM)
    raw = ByteStream(head, data, owns_source=owns_source, skip=skip)
    return OrderSource(raw, format_name=chosen, filename=filename, encoding=encoding, size_bytes=size)


def _size_of(data: BinaryIO) -> int | None:
    try:
        return os.fstat(data.fileno()).st_size - data.tell()
    except (AttributeError, OSError, io.UnsupportedOperation):
        pass
    try:
        if data.seekable():
            start = data.tell()
            end = data.seek(0, io.SEEK_END)
            data.seek(start)
            return end - start
    except (AttributeError, OSError):
        pass
    return None
