"""The demo order files: counts, determinism and the channels' real headers and shapes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from demo_file_readers import read_amazon_tsv, read_json, read_shopify_csv

from conftest import SAMPLES, WORKSPACE_FILE
from ordertower.demo import DEMO_FORMATS, generate_demo_files, write_orders
from ordertower.demo.catalog import DemoCatalog
from ordertower.demo.generator import split_orders
from ordertower.demo.orders import UNMAPPED_AMAZON_SKUS, Defect, DemoOrderState, OrderFactory

SHOPIFY_CSV_SAMPLE = SAMPLES / "shopify_orders_export_csv" / "shopify_orders_export_GB_GBP_tiktok_shop_channel.csv"
AMAZON_HEADER_SAMPLE = (
    SAMPLES / "amazon_flatfile_tsv" / "airbyte_fixture_GET_FLAT_FILE_ARCHIVED_ORDERS_DATA_BY_ORDER_DATE_header_only.tsv"
)
SHOPIFY_JSON_SAMPLE = (
    SAMPLES / "shopify_webhook_json" / "shopify_api_js_mock_rest_2024-04_orders_list_with_refund_and_fulfillment.json"
)
WOOCOMMERCE_SAMPLE = SAMPLES / "woocommerce_json" / "woocommerce_v3_docs_list_orders_response.json"


def _expected_orders(catalog: DemoCatalog, format_name: str, count: int, start_index: int = 0) -> list:
    factory = OrderFactory(catalog, format=format_name, seed=7, start_index=start_index)
    return list(factory.iter_orders(count))


def test_split_orders_sums_to_total():
    counts = split_orders(1000)
    assert counts == {"shopify-csv": 400, "shopify-json": 150, "amazon-tsv": 300, "woocommerce-json": 150}
    assert sum(split_orders(997).values()) == 997


def test_demo_files_one_per_format(demo_files):
    # One file per format, plus Amazon's Unshipped Orders report beside its All Orders report.
    assert len(demo_files) == len(DEMO_FORMATS) + 1
    assert "amazon_unshipped_orders.txt" in demo_files
    for path in demo_files.values():
        assert path.stat().st_size > 0


def test_unshipped_report_has_open_merchant_orders(demo_files):
    from ordertower.channels.formats import read_orders_file
    from ordertower.channels.model import ParsedOrder

    with read_orders_file(demo_files["amazon_all_orders.txt"]) as source:
        all_orders = [item for item in source if isinstance(item, ParsedOrder)]
    with read_orders_file(demo_files["amazon_unshipped_orders.txt"]) as source:
        unshipped = [item for item in source if isinstance(item, ParsedOrder)]

    open_merchant = {
        order.external_id
        for order in all_orders
        if order.state.value == "open" and not order.fulfilled_by_channel and order.financial_status.value == "paid"
    }
    assert {order.external_id for order in unshipped} == open_merchant
    assert all(order.shipping_address.line1 for order in unshipped)


def test_demo_files_same_bytes_for_seed(tmp_path):
    first = generate_demo_files(tmp_path / "a", workspace_file=WORKSPACE_FILE, orders=120, seed=11)
    second = generate_demo_files(tmp_path / "b", workspace_file=WORKSPACE_FILE, orders=120, seed=11)
    other_seed = generate_demo_files(tmp_path / "c", workspace_file=WORKSPACE_FILE, orders=120, seed=12)
    for path, same_seed_path, other_seed_path in zip(first, second, other_seed, strict=True):
        assert path.read_bytes() == same_seed_path.read_bytes(), path.name
        assert path.read_bytes() != other_seed_path.read_bytes(), path.name


def test_shopify_csv_header_matches_real_export(demo_files):
    with SHOPIFY_CSV_SAMPLE.open(encoding="utf-8", newline="") as handle:
        sample_header = next(csv.reader(handle))
    with demo_files["shopify_orders_export.csv"].open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert len(header) == 79
    assert header == sample_header


def test_shopify_csv_rows_per_line_item(demo_files, catalog):
    orders = read_shopify_csv(demo_files["shopify_orders_export.csv"])
    expected = _expected_orders(catalog, "shopify-csv", 400)
    assert len(orders) == 400
    assert sum(len(rows) for rows in orders.values()) == sum(len(order.lines) for order in expected)

    for name, rows in orders.items():
        assert name.startswith("#")
        assert rows[0]["Id"].isdigit()
        assert rows[0]["Financial Status"] in {"paid", "pending", "refunded", "voided"}
        for row in rows[1:]:
            assert row["Email"] == rows[0]["Email"]
            assert row["Created at"] == rows[0]["Created at"]
            assert row["Financial Status"] == ""
            assert row["Total"] == ""
            assert row["Shipping Address1"] == ""


def test_shopify_csv_lists_newest_first(demo_files):
    names = list(read_shopify_csv(demo_files["shopify_orders_export.csv"]))
    assert names[0] == "#1400"
    assert names[-1] == "#1001"


def test_shopify_csv_dates_carry_offset(demo_files):
    orders = read_shopify_csv(demo_files["shopify_orders_export.csv"])
    for rows in orders.values():
        created_at = rows[0]["Created at"]
        assert len(created_at) == len("2026-11-27 08:15:02 -0800")
        assert created_at[-5] in "+-"


def test_shopify_json_continues_csv_numbers(demo_files):
    orders = read_json(demo_files["shopify_orders.json"])["orders"]
    assert len(orders) == 150
    assert orders[0]["name"] == "#1401"
    assert orders[0]["order_number"] == 1401
    assert len({order["id"] for order in orders}) == 150


def test_shopify_json_keys_exist_in_real_order(demo_files):
    sample = read_json(SHOPIFY_JSON_SAMPLE)["orders"][0]
    order = read_json(demo_files["shopify_orders.json"])["orders"][0]
    assert set(order) <= set(sample)
    assert set(order["shipping_address"]) <= set(sample["shipping_address"])
    assert set(order["line_items"][0]) <= set(sample["line_items"][0])
    for key in ("id", "name", "order_number", "email", "created_at", "currency", "presentment_currency",
                "financial_status", "fulfillment_status", "cancelled_at", "subtotal_price", "total_discounts",
                "total_tax", "total_price", "total_shipping_price_set", "customer", "billing_address"):  # fmt: skip
        assert key in order, key
    assert order["fulfillment_status"] is None


def test_shopify_json_totals_add_up(demo_files):
    from decimal import Decimal

    for order in read_json(demo_files["shopify_orders.json"])["orders"]:
        lines = sum(Decimal(item["price"]) * item["quantity"] for item in order["line_items"])
        assert lines == Decimal(order["total_line_items_price"])
        subtotal = lines - Decimal(order["total_discounts"])
        assert subtotal == Decimal(order["subtotal_price"])
        shipping = Decimal(order["total_shipping_price_set"]["shop_money"]["amount"])
        total = subtotal + shipping + Decimal(order["total_tax"])
        assert total == Decimal(order["total_price"]), order["name"]


def test_amazon_header_is_all_orders_report(demo_files):
    sample_header = AMAZON_HEADER_SAMPLE.read_text(encoding="utf-8").splitlines()[0].split("\t")
    # The stored header lacks the address columns that the All Orders report
    # carries between ship-promotion-discount and ship-country.
    position = sample_header.index("ship-country")
    expected = [*sample_header[:position], "ship-city", "ship-state", "ship-postal-code", *sample_header[position:]]
    lines = demo_files["amazon_all_orders.txt"].read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == expected
    assert sum(1 for line in lines if line.startswith("amazon-order-id")) == 1


def test_amazon_rows_per_item(demo_files, catalog):
    orders = read_amazon_tsv(demo_files["amazon_all_orders.txt"])
    expected = _expected_orders(catalog, "amazon-tsv", 300)
    assert len(orders) == 300
    assert sum(len(rows) for rows in orders.values()) == sum(len(order.lines) for order in expected)
    for order_id, rows in orders.items():
        parts = order_id.split("-")
        assert [len(part) for part in parts] == [3, 7, 7]
        assert rows[0]["purchase-date"].endswith("+00:00")
        assert rows[0]["currency"] == "USD"


def test_amazon_statuses_and_fulfillment(demo_files):
    orders = read_amazon_tsv(demo_files["amazon_all_orders.txt"])
    statuses = [rows[0]["order-status"] for rows in orders.values()]
    channels = [rows[0]["fulfillment-channel"] for rows in orders.values()]
    assert set(statuses) == {"Pending", "Unshipped", "Shipped", "Cancelled"}
    assert statuses.count("Unshipped") > len(statuses) / 2
    assert 0.08 < channels.count("Amazon") / len(channels) < 0.22
    assert set(channels) == {"Amazon", "Merchant"}


def test_amazon_unmapped_sellers_skus(demo_files, catalog):
    mapped = {listing.channel_sku for listing in catalog.listings["amazon-us"]}
    orders = read_amazon_tsv(demo_files["amazon_all_orders.txt"])
    unmapped = {order_id for order_id, rows in orders.items() if any(row["sku"] not in mapped for row in rows)}
    assert 2 <= len(unmapped) <= 3
    skus = {row["sku"] for rows in orders.values() for row in rows if row["sku"] not in mapped}
    assert skus <= set(UNMAPPED_AMAZON_SKUS)
    assert any(row["sku"].startswith("AMZ-") for rows in orders.values() for row in rows if row["sku"] in mapped)


def test_woocommerce_orders_shape(demo_files):
    sample = read_json(WOOCOMMERCE_SAMPLE)[0]
    orders = read_json(demo_files["woocommerce_orders.json"])
    assert isinstance(orders, list)
    assert len(orders) == 150
    for order in orders:
        assert set(order) - {"coupon_lines"} <= set(sample)
        assert set(order["shipping"]) <= set(sample["shipping"])
        assert order["currency"] in {"EUR", "GBP"}
        assert "+" not in order["date_created"]
        assert "Z" not in order["date_created_gmt"]
        for item in order["line_items"]:
            assert set(item) <= set(sample["line_items"][0])
            assert isinstance(item["price"], float)
    statuses = {order["status"] for order in orders}
    assert statuses == {"processing", "pending", "on-hold", "cancelled"}


def test_returning_buyers_on_two_channels(demo_files):
    shopify = {rows[0]["Email"] for rows in read_shopify_csv(demo_files["shopify_orders_export.csv"]).values()}
    shopify |= {order["email"] for order in read_json(demo_files["shopify_orders.json"])["orders"]}
    woocommerce = {order["billing"]["email"] for order in read_json(demo_files["woocommerce_orders.json"])}
    assert len(shopify & woocommerce) >= 3


def test_emails_use_example_domains(demo_files):
    shopify = read_shopify_csv(demo_files["shopify_orders_export.csv"])
    emails = {rows[0]["Email"] for rows in shopify.values()}
    emails |= {order["billing"]["email"] for order in read_json(demo_files["woocommerce_orders.json"])}
    for email in emails:
        assert email.endswith(("@example.com", "@example.org")), email


def test_defect_and_status_shares(catalog):
    orders = _expected_orders(catalog, "shopify-csv", 2000)
    invalid = sum(Defect.INVALID_ADDRESS in order.defects for order in orders)
    pending = sum(order.state is DemoOrderState.PENDING_PAYMENT for order in orders)
    cancelled = sum(order.state is DemoOrderState.CANCELLED for order in orders)
    assert 5 <= invalid <= 40
    assert 30 <= pending <= 90
    assert 20 <= cancelled <= 65


def test_write_orders_rejects_unknown_format(tmp_path, catalog):
    with pytest.raises(ValueError, match="unknown demo format"):
        write_orders(tmp_path / "x", format="ebay-json", count=1, catalog=catalog, seed=1)


def test_write_orders_lines_mean(tmp_path, catalog):
    path = tmp_path / "orders.json"
    write_orders(path, format="shopify-json", count=600, catalog=catalog, seed=3, lines_mean=3)
    orders = json.loads(path.read_text(encoding="utf-8"))["orders"]
    mean = sum(len(order["line_items"]) for order in orders) / len(orders)
    assert 2.6 < mean < 3.3


def test_workspace_needs_channel_kind(tmp_path):
    from ordertower.demo import load_demo_catalog
    from ordertower.demo.catalog import DemoCatalogError

    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(
        "products:\n  - {sku: A, name: A, weight_grams: 10}\nchannels:\n  - {code: s, kind: shopify}\n",
        encoding="utf-8",
    )
    catalog = load_demo_catalog(workspace)
    with pytest.raises(DemoCatalogError, match="amazon"):
        write_orders(tmp_path / "a.txt", format="amazon-tsv", count=1, catalog=catalog, seed=1)
    assert not Path(tmp_path / "a.txt").exists()
