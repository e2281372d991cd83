"""CSV handling shared by the channel parsers: encodings, line ends, quoting, line numbers, fragments."""

from decimal import Decimal
from io import BytesIO

from ordertower.channels.formats import read_orders
from ordertower.channels.messages import is_hold, row_error, row_error_code
from ordertower.channels.model import ParsedOrder, RowError
from ordertower.channels.reader import CsvRow, country_code, group_consecutive, read_csv

SHOPIFY_COLUMNS = [
    "Name",
    "Email",
    "Financial Status",
    "Fulfillment Status",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Amount",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem sku",
    "Lineitem discount",
    "Shipping Name",
    "Shipping Address1",
    "Shipping City",
    "Shipping Zip",
    "Shipping Country",
    "Shipping Phone",
    "Notes",
    "Cancelled at",
    "Id",
]


def shopify_row(name: str, *, first: bool = True, **values: str) -> list[str]:
    cells = dict.fromkeys(SHOPIFY_COLUMNS, "")
    cells.update(
        {
            "Name": name,
            "Created at": "2024-02-03 10:00:00 +0800",
            "Lineitem quantity": "1",
            "Lineitem name": "Tea",
            "Lineitem price": "10.00",
            "Lineitem sku": "TEA-1",
        }
    )
    if first:
        cells.update(
            {
                "Financial Status": "paid",
                "Currency": "CNY",
                "Subtotal": "10.00",
                "Total": "10.00",
                "Shipping Name": "Li Lei",
                "Shipping Country": "CN",
                "Id": name.strip("#") + "000",
            }
        )
    cells.update(values)
    return [cells[column] for column in SHOPIFY_COLUMNS]


def to_csv(rows: list[list[str]], newline: str = "\n") -> str:
    def quote(cell: str) -> str:
        if any(char in cell for char in ',"\r\n'):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    return newline.join(",".join(quote(cell) for cell in row) for row in [SHOPIFY_COLUMNS, *rows]) + newline


def parse(data: bytes, filename: str = "orders_export.csv") -> tuple[list[ParsedOrder], list[RowError]]:
    results = list(read_orders(BytesIO(data), filename=filename))
    return (
        [item for item in results if isinstance(item, ParsedOrder)],
        [item for item in results if isinstance(item, RowError)],
    )


def test_utf8_bom_header_read():
    orders, errors = parse(b"\xef\xbb\xbf" + to_csv([shopify_row("#1")]).encode())

    assert errors == []
    assert orders[0].external_number == "#1"


def test_gb18030_chinese_names():
    rows = [shopify_row("#1", **{"Shipping Name": "张伟", "Shipping City": "广州市", "Lineitem name": "铁观音"})]
    data = to_csv(rows).encode("gb18030")
    source = read_orders(BytesIO(data), filename="订单.csv")
    results = list(source)

    assert source.encoding == "gb18030"
    order = results[0]
    assert isinstance(order, ParsedOrder)
    assert order.shipping_address is not None
    assert order.shipping_address.name == "张伟"
    assert order.shipping_address.city == "广州市"
    assert order.lines[0].name == "铁观音"


def test_crlf_and_multiline_cell_line_numbers():
    rows = [
        shopify_row("#1", Notes="line one\r\nline two\r\nline three"),
        shopify_row("#2"),
        shopify_row("#3", **{"Lineitem quantity": "-1"}),
    ]
    orders, errors = parse(to_csv(rows, newline="\r\n").encode())

    assert orders[0].extra["note"] == "line one\r\nline two\r\nline three"
    assert [order.source_line for order in orders] == [2, 5]
    assert [(error.line, error.field, error.value) for error in errors] == [(6, "Lineitem quantity", "-1")]


def test_quoted_commas_and_apostrophe_postal_code():
    rows = [
        shopify_row(
            "#1",
            **{"Shipping Address1": "1 Road, Unit 2", "Shipping Zip": "'0183", "Shipping Phone": "'0123 456"},
        )
    ]
    orders, _ = parse(to_csv(rows).encode())

    address = orders[0].shipping_address
    assert address is not None
    assert address.line1 == "1 Road, Unit 2"
    assert address.postal_code == "0183"
    assert address.phone == "0123 456"


def test_non_consecutive_rows_yield_two_fragments():
    rows = [
        shopify_row("#1"),
        shopify_row("#2"),
        shopify_row("#1", first=False, **{"Lineitem sku": "TEA-2", "Lineitem price": "4.00"}),
    ]
    orders, errors = parse(to_csv(rows).encode())

    assert errors == []
    assert [order.external_id for order in orders] == ["1000", "2000", "1000"]
    fragment = orders[2]
    assert fragment.extra["fragment"] is True
    assert fragment.currency == "CNY"
    assert [line.channel_sku for line in fragment.lines] == ["TEA-2"]
    assert fragment.total == Decimal("0.00")
    assert fragment.source_line == 4


def test_fragment_before_order_details_is_an_error():
    rows = [shopify_row("#9", first=False), shopify_row("#10")]
    orders, errors = parse(to_csv(rows).encode())

    assert [order.external_number for order in orders] == ["#10"]
    assert [(error.line, row_error_code(error)) for error in errors] == [(2, "order_details_missing")]


def test_bad_row_skips_its_order_only():
    rows = [
        shopify_row("#1", **{"Created at": "yesterday"}),
        shopify_row("#1", first=False, **{"Lineitem price": "abc"}),
        shopify_row("#2", **{"Financial Status": "maybe"}),
        shopify_row("#3", Currency="XYZ"),
        shopify_row("#4"),
    ]
    orders, errors = parse(to_csv(rows).encode())

    assert [order.external_number for order in orders] == ["#4"]
    assert [(error.line, error.field, error.value, row_error_code(error)) for error in errors] == [
        (2, "Created at", "yesterday", "invalid_date"),
        (3, "Lineitem price", "abc", "invalid_amount"),
        (4, "Financial Status", "maybe", "unknown_financial_status"),
        (5, "Currency", "XYZ", "unknown_currency"),
    ]


def test_empty_sku_order_still_imported():
    orders, errors = parse(to_csv([shopify_row("#1", **{"Lineitem sku": ""})]).encode())

    assert len(orders) == 1
    assert orders[0].lines[0].channel_sku == ""
    assert len(errors) == 1
    assert is_hold(errors[0])
    assert errors[0].field == "Lineitem sku"
    assert "held" in errors[0].render("en")
    assert "暂停" in errors[0].render("zh")


def test_invalid_utf8_after_head_reported():
    good_rows = [shopify_row(f"#{number}") for number in range(1, 800)]
    bad_row = to_csv([shopify_row("#999", **{"Shipping Name": "Zo\xe9"})]).split("\n", 1)[1]
    # The head decodes as UTF-8; a Latin-1 byte far past the first 64 KiB must stop the import at its row.
    data = to_csv(good_rows).encode() + bad_row.encode("latin-1")
    assert len(data) > 70_000
    orders, errors = parse(data)

    assert len(orders) == 799
    assert [row_error_code(error) for error in errors] == ["invalid_encoding"]
    assert errors[0].line == 801


def read_rows(text: str) -> list[CsvRow]:
    header, rows = read_csv(text.splitlines(keepends=True), ",")
    assert header is not None
    records = list(rows)
    csv_rows = [record for record in records if isinstance(record, CsvRow)]
    assert len(csv_rows) == len(records)
    return csv_rows


def test_csv_row_cells_by_stripped_name():
    [row] = read_rows(" id ,Name,qty\n 7 , Tea ,2\n")

    assert row.line == 2
    assert row.get("id") == "7"
    assert row.get("Name") == "Tea"
    assert row.get(" id ") == ""
    assert row.get("missing") == ""


def test_csv_row_short_and_long_rows():
    short, long = read_rows("a,b,c\n1\n1,2,3,4\n")

    assert [short.get("a"), short.get("b"), short.get("c")] == ["1", "", ""]
    assert [long.get("a"), long.get("b"), long.get("c")] == ["1", "2", "3"]


def test_csv_row_repeated_name_reads_last_cell():
    full, short = read_rows("Tags,Name,Tags\nfirst,Tea,last\nonly,Tea\n")

    assert full.get("Tags") == "last"
    # A row that ends before the second Tags column reads the first one.
    assert short.get("Tags") == "only"
    assert short.get("Name") == "Tea"


def test_csv_row_blank_header_name_not_read():
    [row] = read_rows("id,,qty\n7,hidden,2\n")

    assert row.get("") == ""
    assert row.get("qty") == "2"


def test_csv_header_spelling_and_presence():
    header, _ = read_csv(["\ufeffName , Name,Total\n"], ",")

    assert header is not None
    assert header.names == ["Name", "Name", "Total"]
    assert header.column("Name") == "Name "
    assert header.column("Absent") == "Absent"
    assert header.has("Total")
    assert not header.has("Currency")
    assert header.missing(["Currency", "Name", "Taxes"]) == ["Currency", "Taxes"]


def test_csv_rows_skip_blank_and_repeated_header():
    rows = read_rows("id,qty\n1,2\n , \nid,qty\n3,4\n")

    assert [(row.line, row.get("id")) for row in rows] == [(2, "1"), (5, "3")]


def test_group_consecutive_by_key():
    rows = read_rows("id,sku\n1,A\n1,B\n2,C\n1,D\n")
    error = row_error(4, "", "", "invalid_encoding", encoding="utf-8")

    groups = list(group_consecutive([*rows[:2], error, *rows[2:]], "id"))

    assert [[row.get("sku") for row in group] if isinstance(group, list) else group for group in groups] == [
        ["A", "B"],
        error,
        ["C"],
        ["D"],
    ]


def test_country_code_spellings_repeated():
    for _ in range(2):
        assert country_code("us") == "US"
        assert country_code(" US ") == "US"
        assert country_code("uk") == "GB"
        assert country_code("United Kingdom") == "GB"
        assert country_code("Narnia") is None
        assert country_code("XX") is None
