"""Format detection from content, with the file name only as a tie-breaker."""

import json
from io import BytesIO

import pytest

from ordertower.channels.formats import (
    CHANNEL_KIND,
    FORMATS,
    EmptyFileError,
    UnknownFormatError,
    detect_format,
    read_orders,
    read_orders_file,
)

SHOPIFY_HEADER = b"Name,Email,Financial Status,Currency,Created at,Lineitem quantity,Lineitem name,Lineitem price\n"
AMAZON_HEADER = b"order-id\torder-item-id\tpurchase-date\tsku\tquantity-purchased\tcurrency\titem-price\n"
SALE_REPORT_HEADER = b"index,Order ID,Date,Status,Fulfilment,Sales Channel ,SKU,Qty,currency,Amount\n"
GENERIC_HEADER = b"order_id,order_date,currency,sku,quantity,unit_price,ship_name,ship_country\n"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (SHOPIFY_HEADER, "shopify-csv"),
        (AMAZON_HEADER, "amazon-tsv"),
        (SALE_REPORT_HEADER, "amazon-tsv"),
        (GENERIC_HEADER, "generic-csv"),
        (
            json.dumps({"orders": [{"id": 1, "financial_status": "paid", "line_items": []}]}).encode(),
            "shopify-json",
        ),
        (
            json.dumps({"id": 1, "order_key": "wc_order_1", "status": "processing"}).encode(),
            "woocommerce-json",
        ),
        (
            b'{"id": 1, "total_price": "1.00", "line_items": []}\n{"id": 2, "total_price": "2.00"}\n',
            "shopify-json",
        ),
    ],
)
def test_detect_by_content_ignores_extension(head, expected):
    assert detect_format(head, "report.txt") == expected


def test_detect_with_bom_and_crlf():
    assert detect_format(b"\xef\xbb\xbf" + GENERIC_HEADER.replace(b"\n", b"\r\n"), "x.csv") == "generic-csv"


def test_detect_gb18030_header():
    head = GENERIC_HEADER + "A1,2024-01-02,CNY,S,1,1.00,张伟,CN\n".encode("gb18030")
    assert detect_format(head, "orders.csv") == "generic-csv"


def test_detect_json_cut_in_the_middle():
    order = {
        "id": 1,
        "financial_status": "paid",
        "line_items": [{"id": i, "variant_id": i} for i in range(5000)],
    }
    head = json.dumps([order]).encode()[:65536]
    assert detect_format(head, "export.json") == "shopify-json"


def test_detect_ambiguous_json_uses_file_name():
    assert detect_format(b"[]", "woo-orders.json") == "woocommerce-json"
    with pytest.raises(UnknownFormatError):
        detect_format(b"[]", "orders.json")


@pytest.mark.parametrize("head", [b"", b"  \r\n", b"\xef\xbb\xbf\n"])
def test_empty_file_raises(head):
    with pytest.raises(EmptyFileError) as raised:
        detect_format(head, "blank.csv")

    assert raised.value.code == "empty_file"
    assert "blank.csv" in raised.value.render("en")
    assert "空文件" in raised.value.render("zh")


def test_empty_file_with_format_raises(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"")

    with pytest.raises(EmptyFileError):
        read_orders_file(path, format="shopify-csv")


def test_binary_header_shown_escaped():
    with pytest.raises(UnknownFormatError) as raised:
        detect_format(b"\x7fELF\x02\x01\x01\x00\x00,x\n", "tool.bin")

    message = raised.value.render("en")
    assert "\\x7fELF\\x02" in message
    assert "\x00" not in message


@pytest.mark.parametrize("head", [b"a,b,c\n1,2,3\n", b'{"hello": "world"}'])
def test_unknown_content_raises(head):
    with pytest.raises(UnknownFormatError) as raised:
        detect_format(head, "mystery.csv")

    error = raised.value
    assert error.code == "unknown_format"
    english = error.render("en")
    assert "mystery.csv" in english
    assert "--format" in english
    for name in FORMATS:
        assert name in english
    chinese = error.render("zh")
    assert "无法" in chinese
    assert "--format" in chinese


def test_unknown_format_name_rejected():
    with pytest.raises(UnknownFormatError) as raised:
        read_orders(BytesIO(GENERIC_HEADER), filename="x.csv", format="ebay-json")
    assert "'ebay-json' is not a format name" in raised.value.render("en")


def test_forced_format_overrides_detection():
    source = read_orders(BytesIO(GENERIC_HEADER), filename="x.csv", format="generic-csv")
    assert source.format == "generic-csv"
    assert source.channel_kind == "generic"
    assert list(source) == []


def test_channel_kinds_cover_formats():
    assert set(CHANNEL_KIND) == set(FORMATS)
