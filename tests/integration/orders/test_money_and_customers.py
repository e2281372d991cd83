"""Amounts are stored in minor units and shown as the currency writes them. Buyers are matched across channels."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from pipeline_helpers import (
    SAMPLES,
    apply_workspace_file,
    generic_row,
    import_file,
    order,
    write_generic_csv,
    write_workspace,
)
from sqlalchemy import select

from ordertower.api import create_app
from ordertower.customers.tables import customers
from ordertower.orders.tables import order_lines, orders

CA_EXPORT = SAMPLES / "shopify_orders_export_csv" / "shopify_orders_export_CA_CAD_hst_multi_line_items.csv"
WOO_ORDER = SAMPLES / "woocommerce_json" / "woocommerce_v3_order_real_store_anonymized.json"


@pytest.fixture
def workspace(database, tmp_path):
    apply_workspace_file(
        database,
        write_workspace(
            tmp_path / "workspace.yaml",
            stock="""
stock:
  - {sku: MUG-WHT, location: LA, on_hand: 20}
""",
        ),
    )
    return database


@pytest.fixture
def api(database):
    with TestClient(create_app(database, migrate=False)) as client:
        yield client


def test_yen_order_has_no_decimals(workspace, api, tmp_path):
    rows = [
        generic_row("WH-JP-1", "MUG-WHT", 2, currency="JPY", unit_price="1990", shipping="500", total="4480", tax="0")
    ]
    report = import_file(workspace, write_generic_csv(tmp_path / "orders.csv", rows))

    assert report.errors == []
    with workspace.read() as connection:
        stored = order(connection, "WH-JP-1")
        line = connection.execute(select(order_lines).where(order_lines.c.order_id == stored.id)).one()
    assert (stored.currency, stored.subtotal, stored.shipping_total, stored.total) == ("JPY", 3980, 500, 4480)
    assert line.unit_price == 1990

    response = api.get(f"/api/v1/orders/{stored.number}")

    assert response.status_code == 200, response.text
    resource = response.json()
    assert resource["currency"] == "JPY"
    assert resource["total"] == "4480"
    assert resource["subtotal"] == "3980"
    assert resource["shipping_total"] == "500"
    assert resource["lines"][0]["unit_price"] == "1990"


def test_cents_kept_as_minor_units(workspace, api, tmp_path):
    rows = [generic_row("WH-US-1", "MUG-WHT", 3, unit_price="12.50", shipping="5.99", total="43.49", tax="0")]
    import_file(workspace, write_generic_csv(tmp_path / "orders.csv", rows))

    with workspace.read() as connection:
        stored = order(connection, "WH-US-1")
    resource = api.get(f"/api/v1/orders/{stored.number}").json()

    assert (stored.subtotal, stored.shipping_total, stored.total) == (3750, 599, 4349)
    assert resource["total"] == "43.49"
    assert resource["lines"][0]["unit_price"] == "12.50"


def file_totals(path) -> dict[str, dict[str, str]]:
    """Order-level money cells of a Shopify export, from the first row of each order."""
    totals: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] not in totals:
                totals[row["Name"]] = {name: row[name] for name in ("Subtotal", "Shipping", "Taxes", "Total")}
    return totals


def test_cad_totals_equal_file(database, api):
    expected = file_totals(CA_EXPORT)

    report = import_file(database, CA_EXPORT)

    assert report.created == len(expected)
    for name, cells in expected.items():
        resource = api.get("/api/v1/orders/" + name.lstrip("#")).json()
        assert resource["external_number"] == name
        assert resource["currency"] == "CAD"
        assert resource["total"] == cells["Total"], name
        assert resource["subtotal"] == cells["Subtotal"], name
        assert resource["shipping_total"] == cells["Shipping"], name
        assert resource["tax_total"] == cells["Taxes"], name
        with database.read() as connection:
            stored = connection.execute(select(orders.c.total).where(orders.c.external_number == name)).scalar_one()
        assert stored == int(Decimal(cells["Total"]) * 100)


def shopify_export_with_email(tmp_path, name: str, email: str):
    with CA_EXPORT.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    for row in rows:
        if row["Name"] == name:
            row["Email"] = email
    path = tmp_path / "shopify.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def woocommerce_order_with_email(tmp_path, email: str):
    document = json.loads(WOO_ORDER.read_text(encoding="utf-8"))
    document["billing"]["email"] = email
    path = tmp_path / "woocommerce.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_same_buyer_one_customer_across_channels(workspace, tmp_path):
    import_file(workspace, shopify_export_with_email(tmp_path, "#1058", "  Buyer.One@Example.COM "))
    import_file(workspace, woocommerce_order_with_email(tmp_path, "buyer.one@example.com"))

    with workspace.read() as connection:
        shopify_order = order(connection, "#1058")
        woo_order = connection.execute(select(orders).where(orders.c.channel_id != shopify_order.channel_id)).one()
        matched = connection.execute(
            select(customers).where(customers.c.match_key == "email:buyer.one@example.com")
        ).all()

    assert len(matched) == 1
    assert matched[0].email == "buyer.one@example.com"
    assert shopify_order.customer_id == matched[0].id
    assert woo_order.customer_id == matched[0].id


def test_different_buyers_stay_apart(workspace, tmp_path):
    import_file(workspace, shopify_export_with_email(tmp_path, "#1058", "buyer.one@example.com"))
    import_file(workspace, woocommerce_order_with_email(tmp_path, "buyer.two@example.com"))

    with workspace.read() as connection:
        keys = set(connection.scalars(select(customers.c.match_key)).all())

    assert {"email:buyer.one@example.com", "email:buyer.two@example.com"} <= keys


def test_phone_only_buyer_kept_on_update(workspace, tmp_path):
    first = [generic_row("WH-1", "MUG-WHT", 1, email="", ship_phone="+1 206 555 0100")]
    changed = [generic_row("WH-1", "MUG-WHT", 2, email="", ship_phone="+1 206 555 0100")]
    import_file(workspace, write_generic_csv(tmp_path / "v1.csv", first))
    with workspace.read() as connection:
        customer_id = order(connection, "WH-1").customer_id

    report = import_file(workspace, write_generic_csv(tmp_path / "v2.csv", changed))

    assert report.updated == 1
    assert customer_id is not None
    with workspace.read() as connection:
        assert order(connection, "WH-1").customer_id == customer_id
