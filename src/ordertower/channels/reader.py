"""Streaming access to channel files: encodings, CSV rows with line numbers, JSON documents.

Nothing here reads a whole file: CSV goes through `csv.reader` over a text
stream, JSON through `ijson` events, so memory stays bounded by one order.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import logging
import re
from collections import OrderedDict
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, BinaryIO

import ijson
import pycountry

from ordertower.channels.messages import row_error
from ordertower.channels.model import RowError
from ordertower.kernel.i18n import Message
from ordertower.kernel.money import UnknownCurrencyError, normalize_currency, parse_amount, quantize

logger = logging.getLogger(__name__)

HEAD_SIZE = 64 * 1024
UTF8_BOM = codecs.BOM_UTF8
FALLBACK_ENCODING = "gb18030"

# Shopify's multi-line note attributes can exceed the csv module's default cell limit of 128 KiB.
csv.field_size_limit(16 * 1024 * 1024)


class ByteStream(io.RawIOBase):
    """A read-only stream that serves an already-read head, then the rest of the source.

    It counts the bytes taken from the source for progress reporting and closes
    the source only when it owns it.
    """

    def __init__(self, head: bytes, source: BinaryIO, *, owns_source: bool, skip: int = 0) -> None:
        super().__init__()
        self._head = memoryview(head)[skip:]
        self._source = source
        self._owns_source = owns_source
        self.consumed = len(head)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        chunk = self._source.read(len(buffer))
        if not chunk:
            return 0
        buffer[: len(chunk)] = chunk
        self.consumed += len(chunk)
        return len(chunk)

    def close(self) -> None:
        if self._owns_source and not self.closed:
            self._source.close()
        super().close()


def detect_encoding(head: bytes) -> str:
    """Return "utf-8-sig" for a BOM, "utf-8" when the head decodes as UTF-8, else gb18030.

    The head may end in the middle of a character, so the decoder treats the input as not final.
    """
    if head.startswith(UTF8_BOM):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return FALLBACK_ENCODING
    return "utf-8"


def decode_head(head: bytes) -> str:
    """Decode the head for format detection, dropping a BOM and a cut last character."""
    encoding = detect_encoding(head)
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)


def open_text(raw: ByteStream, encoding: str) -> io.TextIOWrapper:
    """Wrap the byte stream in a text stream that keeps line ends as they are."""
    return io.TextIOWrapper(io.BufferedReader(raw), encoding=encoding, newline="")


class TextLines:
    """The decoded physical lines of a byte stream, line ends kept, for csv.reader.

    Lines are decoded one by one, unlike io.TextIOWrapper's 8 KiB chunks, so an
    invalid byte fails at its own line and every row before it is still read.
    Splitting the bytes at b"\n" is safe for UTF-8 and GB18030, whose multi-byte
    sequences never contain the byte 0x0A.
    """

    def __init__(self, raw: ByteStream, encoding: str) -> None:
        self.encoding = encoding
        self._lines = io.BufferedReader(raw)
        self._decoder = codecs.getincrementaldecoder(encoding)()
        self._pending: list[str] = []

    def __iter__(self) -> TextLines:
        return self

    def __next__(self) -> str:
        if self._pending:
            return self._pending.pop(0)
        line = self._lines.readline()
        if not line:
            tail = self._decoder.decode(b"", final=True)
            if tail:
                return tail
            raise StopIteration
        text = str(self._decoder.decode(line))
        if "\r" not in text.rstrip("\r\n"):
            return text
        # Old Mac files end lines with a lone CR; csv.reader wants one line per item.
        parts = _LONE_CR.split(text)
        self._pending = [part for part in parts[1:] if part]
        return parts[0]


_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


class Utf8Stream(io.RawIOBase):
    """Re-encode a text stream as UTF-8 bytes, because ijson reads UTF-8 only."""

    def __init__(self, text: io.TextIOBase) -> None:
        super().__init__()
        self._text = text
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = self._text.read(16 * 1024)
            if not chunk:
                return 0
            self._pending = chunk.encode("utf-8")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        self._text.close()
        super().close()


@dataclass(slots=True)
class CsvRow:
    """One CSV record: the physical line it starts on and its cells, read by stripped header name."""

    line: int
    values: list[str]  # the cells in file order; a row shorter than the header is padded with ""
    positions: dict[str, int]  # stripped header name -> index in `values`, shared by the rows of a file

    def get(self, name: str) -> str:
        """Return the stripped cell of a column; "" when the column is absent or `name` is ""."""
        index = self.positions.get(name)
        return "" if index is None else self.values[index].strip()


@dataclass(slots=True)
class CsvHeader:
    """Header names as written in the file, looked up by their stripped form."""

    raw: list[str]
    positions: dict[str, int] = field(init=False, repr=False)  # stripped name -> column index, shared with the rows
    _repeats_names: bool = field(init=False, repr=False)
    _stripped: tuple[str, ...] = field(init=False, repr=False)
    _spellings: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._stripped = tuple(name.strip() for name in self.raw)
        self.positions = _positions(self._stripped)
        self._repeats_names = len(set(self._stripped)) < len(self._stripped)
        self._spellings = {}
        for raw, name in zip(self.raw, self._stripped, strict=True):
            self._spellings.setdefault(name, raw)

    @property
    def names(self) -> list[str]:
        return list(self._stripped)

    def column(self, name: str) -> str:
        """Return the column's name as the file spells it, for error messages."""
        return self._spellings.get(name, name)

    def has(self, name: str) -> bool:
        return name in self._spellings

    def missing(self, required: Iterable[str]) -> list[str]:
        return [name for name in required if name not in self._spellings]

    def make_row(self, line: int, cells: list[str]) -> CsvRow:
        """Make the record of one data row. Cells past the header's width are kept but never read."""
        width = len(self.raw)
        if len(cells) >= width:
            return CsvRow(line, cells, self.positions)
        padded = cells + [""] * (width - len(cells))
        if not self._repeats_names:
            return CsvRow(line, padded, self.positions)
        # A repeated name reads the last of its columns that the short row has.
        return CsvRow(line, padded, _positions(self._stripped[: len(cells)]))


def _positions(names: Iterable[str]) -> dict[str, int]:
    """Map each non-empty name to the index of its last column, so a repeated name reads its last cell."""
    return {name: index for index, name in enumerate(names) if name}


def read_csv(
    text: Iterable[str], delimiter: str, *, encoding: str = ""
) -> tuple[CsvHeader | None, Iterator[CsvRow | RowError]]:
    """Read the header, then return it with an iterator over the data rows.

    Each row carries the 1-based physical line it starts on, so a quoted cell
    spanning lines pushes later rows' numbers down. Blank rows and rows that
    repeat the header (reports stored with their header several times) are
    skipped. A decoding failure ends the rows with one `invalid_encoding` error.
    """
    encoding = encoding or getattr(text, "encoding", "utf-8")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        raw_header = next((row for row in reader if row), None)
    except UnicodeDecodeError:
        return None, iter([_encoding_error(1, encoding)])
    if raw_header is None:
        return None, iter(())
    if raw_header[0].startswith("\ufeff"):
        raw_header[0] = raw_header[0][1:]
    header = CsvHeader(raw_header)
    return header, _iter_rows(reader, header, encoding)


def _iter_rows(reader: Any, header: CsvHeader, encoding: str) -> Iterator[CsvRow | RowError]:
    last_line = reader.line_num
    try:
        for row in reader:
            first_line = last_line + 1
            last_line = reader.line_num
            if _is_blank(row) or row == header.raw:
                continue
            yield header.make_row(first_line, row)
    except UnicodeDecodeError:
        # Only reading the next row raises it, so last_line is the end of the last row read.
        yield _encoding_error(last_line + 1, encoding)


def _is_blank(cells: list[str]) -> bool:
    # The first cell usually contains the order id, which settles most rows without a generator.
    if cells and cells[0].strip():
        return False
    return not any(cell.strip() for cell in cells)


def _encoding_error(line: int, encoding: str) -> RowError:
    logger.warning("channel file is not valid text from line %s on", line)
    return row_error(line, "", "", "invalid_encoding", encoding=encoding)


def peek_first_line(lines: Iterable[str]) -> tuple[str, Iterator[str]]:
    """Return the first physical line and an iterator that still yields it, for delimiter sniffing."""
    iterator = iter(lines)
    first = next(iterator, "")
    return first, itertools.chain([first], iterator)


def group_consecutive(rows: Iterable[CsvRow | RowError], key: str) -> Iterator[list[CsvRow] | RowError]:
    """Group consecutive rows that share the value of column `key`; pass errors through."""
    group: list[CsvRow] = []
    group_value = ""
    for row in rows:
        if isinstance(row, RowError):
            if group:
                yield group
                group = []
            yield row
            continue
        value = row.get(key)
        if group and value != group_value:
            yield group
            group = []
        if not group:
            group_value = value
        group.append(row)
    if group:
        yield group


# --- JSON -----------------------------------------------------------------------------------------

JsonDocument = tuple[int, Any]


def iter_json_documents(stream: io.RawIOBase | BinaryIO) -> Iterator[JsonDocument | RowError]:
    """Yield (1-based index, object) for each order object of a JSON file, streaming.

    Accepted shapes: one object, {"order": {...}}, {"orders": [...]}, a list of
    objects, and JSON Lines (one value per line). Numbers with a fraction arrive
    as Decimal, never float. A syntax error ends the stream with one
    `invalid_json` error at the index where it happened.
    """
    events = ijson.parse(stream, multiple_values=True, use_float=False)
    index = 0
    try:
        for _prefix, event, value in events:
            if event == "start_array":
                for item in _iter_array(events):
                    index += 1
                    yield index, item
            elif event == "start_map":
                single = yield from _iter_top_object(events, index)
                index = single[0]
                if single[1] is not _STREAMED:
                    index += 1
                    yield index, single[1]
            else:
                index += 1
                yield index, value
    except ijson.JSONError as error:
        logger.warning("channel JSON file is invalid after object %s", index)
        yield row_error(index + 1, "", "", "invalid_json", detail=str(error).strip()[:200])


_STREAMED = object()


def _iter_top_object(events: Iterator[Any], index: int) -> Generator[JsonDocument, None, tuple[int, Any]]:
    """Read a top-level object; stream the items of its "orders" array as they come.

    Returns (last index used, the object to yield or _STREAMED when its orders were streamed).
    """
    whole: dict[str, Any] = {}
    streamed = False
    for _prefix, event, key in events:
        if event == "end_map":
            break
        _prefix, value_event, value = next(events)
        if key == "orders" and value_event == "start_array":
            for item in _iter_array(events):
                index += 1
                yield index, item
            streamed = True
        else:
            whole[key] = _build_value(value_event, value, events)
    if streamed:
        return index, _STREAMED
    if set(whole) == {"order"} and isinstance(whole["order"], dict):
        return index, whole["order"]
    return index, whole


def _iter_array(events: Iterator[Any]) -> Iterator[Any]:
    for _prefix, event, value in events:
        if event == "end_array":
            return
        yield _build_value(event, value, events)


def _build_value(event: str, value: Any, events: Iterator[Any]) -> Any:
    if event not in ("start_map", "start_array"):
        return value
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _prefix, inner_event, inner_value in events:
        builder.event(inner_event, inner_value)
        if inner_event in ("start_map", "start_array"):
            depth += 1
        elif inner_event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                break
    return builder.value


# --- cell values ----------------------------------------------------------------------------------

COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}
TIMESTAMP_FORMS = Message(
    "ISO 8601 with a UTC offset, such as 2024-05-01T10:00:00+02:00",
    "带 UTC 时差的 ISO 8601 格式，例如 2024-05-01T10:00:00+02:00",
)


class OrderProblems:
    """Converts the cells of one order and collects the row errors that block it.

    Each method returns a placeholder after recording an error, so a parser can
    convert every field, report all problems of the order at once, and yield the
    order only when `errors` stays empty. `holds` are errors that travel with the
    order instead of blocking it (an empty SKU).
    """

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.holds: list[RowError] = []

    def add(self, line: int, field: str, value: object, code: str, **params: Any) -> None:
        self.errors.append(row_error(line, field, value, code, **params))

    def required(self, line: int, field: str, text: str | None) -> str:
        value = (text or "").strip()
        if not value:
            self.add(line, field, "", "missing_field")
        return value

    def currency(self, line: int, field: str, text: str | None) -> str:
        if not (text or "").strip():
            self.add(line, field, "", "missing_field")
            return ""
        try:
            return normalize_currency(text or "")
        except UnknownCurrencyError:
            self.add(line, field, text, "unknown_currency")
            return ""

    def amount(self, line: int, field: str, text: str | int | Decimal | None, currency: str) -> Decimal:
        """Parse an amount; with no valid currency only check that the text is a number."""
        try:
            if currency:
                return parse_amount(text, currency)
            parse_amount(text, "USD")
        except ValueError:
            self.add(line, field, text, "invalid_amount")
        return Decimal(0)

    def quantity(self, line: int, field: str, text: str | int | None, *, allow_zero: bool = False) -> int:
        raw = str(text).strip() if text is not None else ""
        lowest = 0 if allow_zero else 1
        if raw.isascii() and raw.isdigit() and int(raw) >= lowest:
            return int(raw)
        self.add(line, field, raw, "invalid_quantity")
        return 0

    def timestamp(
        self,
        line: int,
        field: str,
        text: str | None,
        *,
        naive_utc: bool = False,
        expected: Message = TIMESTAMP_FORMS,
    ) -> datetime | None:
        """Parse a timestamp to UTC; without `naive_utc` a value with no offset is an error."""
        raw = (text or "").strip()
        if not raw:
            self.add(line, field, "", "missing_field")
            return None
        parsed = parse_timestamp(raw)
        if parsed is None or (parsed.tzinfo is None and not naive_utc):
            self.add(line, field, raw, "invalid_date", expected=expected)
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)

    def country(self, line: int, field: str, text: str | None) -> str:
        raw = (text or "").strip()
        if not raw:
            return ""
        code = country_code(raw)
        if code is None:
            self.add(line, field, raw, "invalid_country")
            return ""
        return code

    def hold_missing_sku(self, line: int, field: str) -> None:
        self.holds.append(row_error(line, field, "", "missing_sku"))


def parse_timestamp(text: str) -> datetime | None:
    """Parse ISO 8601 or Shopify's "2021-03-01 10:12:44 +0200"; return None when neither fits."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return None


# Files repeat a few country spellings on every order, and a pycountry look-up takes 1 to 2 µs.
@lru_cache(maxsize=1024)
def country_code(text: str) -> str | None:
    """Return the ISO 3166-1 alpha-2 code for a code or an English country name, or None."""
    value = text.strip()
    upper = value.upper()
    if upper in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[upper]
    if len(upper) == 2:
        found = pycountry.countries.get(alpha_2=upper)
        return found.alpha_2 if found else None
    try:
        return str(pycountry.countries.lookup(value).alpha_2)
    except LookupError:
        return None


def clean_excel_text(text: str | None) -> str:
    """Strip whitespace and the leading apostrophe Excel users type to keep leading zeros."""
    value = (text or "").strip()
    if value.startswith("'"):
        value = value[1:].strip()
    return value


def clean_email(text: str | None) -> str:
    return (text or "").strip().lower()


def divide_amount(total: Decimal, quantity: int, currency: str) -> Decimal:
    """Return the per-unit price of a line total, rounded to the currency's minor unit."""
    if quantity <= 0 or not currency:
        return total
    return quantize(total / quantity, currency)


class RecentOrders:
    """Order-level details of the orders read last, for fragments that repeat an order id later.

    The size is bounded, so a file with millions of orders keeps constant memory. A
    fragment whose order fell out of it is reported like one whose order never appeared.
    """

    def __init__(self, limit: int = 10_000) -> None:
        self._limit = limit
        self._details: OrderedDict[str, Any] = OrderedDict()

    def remember(self, order_id: str, details: Any) -> None:
        self._details[order_id] = details
        self._details.move_to_end(order_id)
        if len(self._details) > self._limit:
            self._details.popitem(last=False)

    def get(self, order_id: str) -> Any:
        return self._details.get(order_id)
