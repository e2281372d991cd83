"""JSON order files: accepted shapes, presentment money, Decimal amounts and streaming reads."""

import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ordertower.channels.formats import HEAD_SIZE, read_orders
from ordertower.channels.messages import row_error_code
from ordertower.channels.model import ChannelOrderState, FinancialStatus, ParsedOrder, RowError


def shopify_order(number: int, **values: object) -> dict[str, object]:
    order: dict[str, object] = {
        "id": 1000 + number,
        "name": f"#{number}",
        "created_at": "2024-04-02T09:11:25-05:00",
        "currency": "EUR",
        "presentment_currency": "GBP",
        "financial_status": "paid",
        "fulfillment_status": None,
        "total_price": "162.04",
        "total_price_set": {
            "shop_money": {"amount": "162.04", "currency_code": "EUR"},
            "presentment_money": {"amount": "142.32", "currency_code": "GBP"},
        },
        "line_items": [
            {
                "id": 7,
                "sku": "SCARF-RED",
                "name": "Scarf",
                "quantity": 2,
                "price": "81.02",
                "price_set": {
                    "shop_money": {"amount": "81.02", "currency_code": "EUR"},
                    "presentment_money": {"amount": "71.16", "currency_code": "GBP"},
                },
            }
        ],
    }
    order.update(values)
    return order


def woo_order(number: int, **values: object) -> dict[str, object]:
    order: dict[str, object] = {
        "id": number,
        "number": str(number),
        "order_key": f"wc_order_{number}",
        "status": "processing",
        "currency": "USD",
        "date_created": "2024-01-02T03:04:05",
        "total": "19.99",
        "line_items": [{"id": 1, "name": "Mug &amp; Lid", "sku": "MUG", "quantity": 1, "price": 19.99}],
    }
    order.update(values)
    return order


def parse(data: bytes, filename: str = "orders.json", format_name: str | None = None):
    results = list(read_orders(io.BytesIO(data), filename=filename, format=format_name))
    return (
        [item for item in results if isinstance(item, ParsedOrder)],
        [item for item in results if isinstance(item, RowError)],
    )


@pytest.mark.parametrize(
    "payload",
    [
        json.dumps(shopify_order(1)),
        json.dumps({"order": shopify_order(1)}),
        json.dumps({"orders": [shopify_order(1), shopify_order(2)]}),
        json.dumps([shopify_order(1), shopify_order(2), shopify_order(3)]),
        "\n".join(json.dumps(shopify_order(number)) for number in (1, 2)) + "\n",
    ],
)
def test_shopify_json_shapes(payload):
    orders, errors = parse(payload.encode())

    assert errors == []
    assert orders
    assert [order.external_number for order in orders] == [f"#{n}" for n in range(1, len(orders) + 1)]
    assert [order.source_line for order in orders] == list(range(1, len(orders) + 1))


def test_shopify_presentment_money_wins_over_shop_money():
    orders, _ = parse(json.dumps(shopify_order(1)).encode())

    order = orders[0]
    assert order.currency == "GBP"
    assert order.total == Decimal("142.32")
    assert order.lines[0].unit_price == Decimal("71.16")
    assert order.placed_at == datetime(2024, 4, 2, 14, 11, 25, tzinfo=UTC)


def test_shopify_shop_money_amount_not_mixed_into_presentment():
    order = shopify_order(1, subtotal_price="150.00")  # no subtotal_price_set: EUR amount in a GBP order
    orders, errors = parse(json.dumps(order).encode())

    assert orders == []
    assert [(error.field, row_error_code(error)) for error in errors] == [("subtotal_price", "invalid_value")]


def test_shopify_cancelled_and_fulfilled_states():
    payload = json.dumps(
        [
            shopify_order(1, cancelled_at="2024-04-03T10:00:00Z", financial_status="refunded"),
            shopify_order(2, fulfillment_status="fulfilled"),
        ]
    )
    orders, _ = parse(payload.encode())

    assert orders[0].state is ChannelOrderState.CANCELLED
    assert orders[0].financial_status is FinancialStatus.REFUNDED
    assert orders[1].state is ChannelOrderState.FULFILLED


def test_shopify_line_errors_use_key_paths():
    order = shopify_order(1)
    order["line_items"] = [dict(order["line_items"][0]), dict(order["line_items"][0], quantity=0, id=8)]  # type: ignore[index]
    orders, errors = parse(json.dumps([shopify_order(2), order]).encode())

    assert [o.external_number for o in orders] == ["#2"]
    assert [(error.line, error.field, error.value) for error in errors] == [(2, "line_items[1].quantity", "0")]


def test_woocommerce_json_number_price_stays_decimal():
    payload = (
        b'[{"id": 5, "number": "5", "order_key": "k", "status": "completed", "currency": "USD",'
        b' "date_created": "2024-01-02T03:04:05", "total": "0.30",'
        b' "line_items": [{"id": 1, "name": "Pin", "sku": "PIN", "quantity": 3, "price": 0.1}]}]'
    )
    orders, errors = parse(payload)

    assert errors == []
    line = orders[0].lines[0]
    assert line.unit_price == Decimal("0.10")
    assert isinstance(line.unit_price, Decimal)
    assert orders[0].subtotal == Decimal("0.30")
    # date_created has no zone and no date_created_gmt is given: read as UTC.
    assert orders[0].placed_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert orders[0].state is ChannelOrderState.FULFILLED


@pytest.mark.parametrize(
    ("status", "state", "financial_status"),
    [
        ("pending", ChannelOrderState.OPEN, FinancialStatus.PENDING),
        ("on-hold", ChannelOrderState.OPEN, FinancialStatus.PENDING),
        ("processing", ChannelOrderState.OPEN, FinancialStatus.PAID),
        ("completed", ChannelOrderState.FULFILLED, FinancialStatus.PAID),
        ("cancelled", ChannelOrderState.CANCELLED, FinancialStatus.VOIDED),
        ("refunded", ChannelOrderState.CANCELLED, FinancialStatus.REFUNDED),
        ("failed", ChannelOrderState.OPEN, FinancialStatus.VOIDED),
    ],
)
def test_woocommerce_status_mapping(status, state, financial_status):
    orders, _ = parse(json.dumps(woo_order(1, status=status)).encode())

    assert orders[0].state is state
    assert orders[0].financial_status is financial_status


def test_woocommerce_unknown_status_and_html_names():
    payload = json.dumps([woo_order(1, status="checkout-draft"), woo_order(2)]).encode()
    orders, errors = parse(payload)

    assert orders[0].lines[0].name == "Mug & Lid"
    assert [(error.line, error.field, row_error_code(error)) for error in errors] == [
        (1, "status", "unknown_order_status")
    ]


def test_invalid_json_midway_keeps_earlier_orders():
    payload = ("[" + json.dumps(woo_order(1)) + "," + json.dumps(woo_order(2))[:40]).encode()
    orders, errors = parse(payload, format_name="woocommerce-json")

    assert [order.external_id for order in orders] == ["1"]
    assert [(error.line, row_error_code(error)) for error in errors] == [(2, "invalid_json")]


def test_json_with_bom():
    orders, errors = parse(b"\xef\xbb\xbf" + json.dumps(woo_order(3)).encode())

    assert errors == []
    assert orders[0].external_id == "3"


class ChunkOnlyStream(io.RawIOBase):
    """A source that fails on any read of the whole file or of more than one head at once."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = io.BytesIO(data)
        self.largest_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > HEAD_SIZE:
            raise AssertionError(f"read of the whole stream requested (size={size})")
        self.largest_read = max(self.largest_read, size)
        return self._data.read(size)

    def readall(self) -> bytes:
        raise AssertionError("readall() called")

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.mark.parametrize("kind", ["shopify-json", "woocommerce-json", "generic-csv"])
def test_reads_in_chunks_only(kind):
    if kind == "shopify-json":
        data = json.dumps({"orders": [shopify_order(n) for n in range(1, 400)]}).encode()
    elif kind == "woocommerce-json":
        data = json.dumps([woo_order(n) for n in range(1, 600)]).encode()
    else:
        header = "order_id,order_date,currency,sku,quantity,unit_price,ship_name,ship_country\n"
        data = (header + "".join(f"A{n},2024-01-02,EUR,S,1,1.00,Ann,DE\n" for n in range(5000))).encode()
    assert len(data) > 2 * HEAD_SIZE
    stream = ChunkOnlyStream(data)
    source = read_orders(stream, filename="big")  # type: ignore[arg-type]
    count = sum(isinstance(item, ParsedOrder) for item in source)

    assert source.format == kind
    assert count > 300
    assert source.position_bytes == len(data)
    assert source.size_bytes is None or source.size_bytes == len(data)
