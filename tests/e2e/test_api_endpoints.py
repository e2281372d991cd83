"""The REST API served by create_app on a real database, called as an HTTP client would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from conftest import CliResult, write_wholesale_csv
from ordertower.api import create_app
from ordertower.catalog.tables import channels
from ordertower.kernel.db import Database


@pytest.fixture
def client(wholesale_orders: Database) -> Iterator[TestClient]:
    database = Database(wholesale_orders.url)
    try:
        with TestClient(create_app(database)) as test_client:
            yield test_client
    finally:
        database.dispose()


def manual_order(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "wholesale",
        "external_id": "PO-77",
        "currency": "usd",
        "email": "buyer@example.com",
        "shipping_address": {
            "name": "Pat Buyer",
            "line1": "300 Main St",
            "city": "Newark",
            "region": "NJ",
            "postal_code": "07102",
            "country_code": "us",
        },
        "lines": [{"sku": "SOCK-3PK", "quantity": 4, "unit_price": "5.25"}],
        "shipping_total": "4.00",
    }
    body.update(changes)
    return body


def stock_row(client: TestClient, sku: str, location: str) -> dict[str, Any]:
    response = client.get("/api/v1/stock", params={"sku": sku, "location": location})
    assert response.status_code == 200, response.text
    rows = response.json()
    assert len(rows) == 1
    return rows[0]


def test_list_orders_filters_and_pages(client: TestClient):
    everything = client.get("/api/v1/orders").json()
    first_page = client.get("/api/v1/orders", params={"limit": 2}).json()
    second_page = client.get("/api/v1/orders", params={"limit": 2, "offset": 2}).json()
    allocated = client.get("/api/v1/orders", params={"status": "allocated", "channel": "wholesale"}).json()
    held = client.get("/api/v1/orders", params={"status": "on_hold"}).json()
    searched = client.get("/api/v1/orders", params={"search": "SAM@EXAMPLE"}).json()

    assert everything["total"] == 3
    assert [order["external_id"] for order in everything["items"]] == ["WH-2003", "WH-2002", "WH-2001"]
    assert first_page["total"] == 3
    assert (first_page["limit"], first_page["offset"]) == (2, 0)
    assert [order["external_id"] for order in first_page["items"]] == ["WH-2003", "WH-2002"]
    assert [order["external_id"] for order in second_page["items"]] == ["WH-2001"]
    assert allocated["total"] == 3
    assert held == {"items": [], "total": 0, "limit": 50, "offset": 0}
    assert [order["external_id"] for order in searched["items"]] == ["WH-2002"]


def test_list_orders_rejects_bad_filters(client: TestClient):
    bad_status = client.get("/api/v1/orders", params={"status": "lost"})
    bad_limit = client.get("/api/v1/orders", params={"limit": 0})
    unknown_channel = client.get("/api/v1/orders", params={"channel": "nowhere"})

    assert bad_status.status_code == 422
    assert bad_status.json()["error"]["fields"][0]["field"] == "query.status"
    assert bad_limit.status_code == 422
    assert "limit" in bad_limit.json()["error"]["message"]
    assert unknown_channel.status_code == 404
    assert unknown_channel.json()["error"]["params"]["ref"] == "nowhere"


def test_get_order_by_reference(client: TestClient):
    by_channel_id = client.get("/api/v1/orders/WH-2002")
    assert by_channel_id.status_code == 200, by_channel_id.text
    order = by_channel_id.json()
    by_number = client.get(f"/api/v1/orders/{order['number']}").json()
    routing = client.get(f"/api/v1/orders/{order['number']}/routing").json()

    assert by_number == order
    assert order["currency"] == "GBP"
    assert order["total"] == "12.00"
    assert order["shipments"] == [
        {"location": "UK", "status": "pending", "lines": [{"sku": "CASE-IP15-CLR", "quantity": 1}]}
    ]
    assert [event["kind"] for event in order["events"]] == ["imported", "routed"]
    assert routing["explanation"]["winner"] == ["UK"]
    assert routing["rules"] == ["fewest_splits", "closest", "rank"]


def test_unknown_order_is_json_404(client: TestClient):
    english = client.get("/api/v1/orders/OT999999")
    chinese = client.get("/api/v1/orders/OT999999", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})

    assert english.status_code == 404
    error = english.json()["error"]
    assert set(error) == {"code", "message", "params"}
    assert error["code"] == "not_found"
    assert "'OT999999' was not found" in error["message"]
    assert error["params"]["ref"] == "OT999999"
    assert chinese.status_code == 404
    assert chinese.json()["error"]["message"].startswith("未找到订单：'OT999999'")


def test_create_manual_order(client: TestClient):
    before = stock_row(client, "SOCK-3PK", "NJ")

    response = client.post("/api/v1/orders", json=manual_order())

    assert response.status_code == 201, response.text
    order = response.json()
    assert order["channel"] == "wholesale"
    assert order["external_id"] == "PO-77"
    assert order["currency"] == "USD"
    assert order["status"] == "allocated"
    assert order["subtotal"] == "21.00"
    assert order["total"] == "25.00"
    assert order["shipping_address"]["country_code"] == "US"
    assert order["shipments"] == [
        {"location": "NJ", "status": "pending", "lines": [{"sku": "SOCK-3PK", "quantity": 4}]}
    ]
    assert stock_row(client, "SOCK-3PK", "NJ")["reserved"] == before["reserved"] + 4
    assert client.get("/api/v1/orders/PO-77").json()["number"] == order["number"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lines": []}, "body.lines"),
        ({"lines": [{"sku": "SOCK-3PK", "quantity": 0, "unit_price": "5"}]}, "body.lines.0.quantity"),
        ({"lines": [{"sku": "SOCK-3PK", "quantity": 1, "unit_price": "-5"}]}, "body.lines.0.unit_price"),
        ({"currency": "US"}, "body.currency"),
        ({"shipping_address": {"name": "Pat"}}, "body.shipping_address.country_code"),
        ({"colour": "red"}, "body.colour"),
    ],
)
def test_create_order_invalid_body(client: TestClient, changes: dict[str, Any], field: str):
    response = client.post("/api/v1/orders", json=manual_order(**changes))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"][0]["field"] == field
    assert error["message"].startswith(field)


def test_create_order_unknown_currency(client: TestClient):
    response = client.post("/api/v1/orders", json=manual_order(currency="XYZ"))

    assert response.status_code == 422
    assert "XYZ" in response.json()["error"]["message"]


def test_create_order_unknown_channel(client: TestClient):
    response = client.post("/api/v1/orders", json=manual_order(channel="nowhere"))

    assert response.status_code == 404
    assert response.json()["error"]["params"]["ref"] == "nowhere"


def test_cancel_order_releases_stock(client: TestClient):
    before = stock_row(client, "CASE-IP15-CLR", "UK")

    response = client.post("/api/v1/orders/WH-2002/cancel")

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert response.json()["events"][-1]["cause"] == "api"
    assert stock_row(client, "CASE-IP15-CLR", "UK")["reserved"] == before["reserved"] - 1
    reroute = client.post("/api/v1/orders/WH-2002/reroute")
    assert reroute.status_code == 409
    assert reroute.json()["error"]["code"] == "order_not_open"


def test_cancel_line_and_reroute(client: TestClient):
    partly = client.post("/api/v1/orders/WH-2003/lines/1/cancel", params={"quantity": 2})
    too_many = client.post("/api/v1/orders/WH-2003/lines/1/cancel", params={"quantity": 5})
    no_line = client.post("/api/v1/orders/WH-2003/lines/9/cancel")
    rerouted = client.post("/api/v1/orders/WH-2003/reroute")

    assert partly.status_code == 200, partly.text
    assert partly.json()["lines"][0]["cancelled_quantity"] == 2
    assert partly.json()["shipments"][0]["lines"] == [{"sku": "TEE-BLK-L", "quantity": 1}]
    assert too_many.status_code == 422
    assert too_many.json()["error"]["params"]["field"] == "quantity"
    assert no_line.status_code == 404
    assert rerouted.status_code == 200, rerouted.text
    assert rerouted.json()["status"] == "allocated"
    reserved = sum(row["reserved"] for row in client.get("/api/v1/stock", params={"sku": "TEE-BLK-L"}).json())
    assert reserved == 1


def test_stock_set_adjust_ledger(client: TestClient):
    set_response = client.put("/api/v1/stock/SOCK-3PK/NJ", json={"on_hand": 70, "safety_stock": 5})
    adjusted = client.post(
        "/api/v1/stock/SOCK-3PK/NJ/adjustments", json={"delta": -3, "reason": "damage", "reference": "RMA-9"}
    )
    ledger = client.get("/api/v1/stock/ledger", params={"sku": "SOCK-3PK", "location": "NJ", "limit": 2})

    assert set_response.status_code == 200, set_response.text
    assert set_response.json() == {
        "sku": "SOCK-3PK",
        "location": "NJ",
        "on_hand": 70,
        "reserved": 0,
        "safety_stock": 5,
        "available": 65,
    }
    assert adjusted.status_code == 200, adjusted.text
    assert adjusted.json()["on_hand"] == 67
    assert adjusted.json()["available"] == 62
    page = ledger.json()
    assert (page["limit"], page["offset"]) == (2, 0)
    entries = page["items"]
    assert [entry["on_hand_delta"] for entry in entries] == [-3, 10]
    assert entries[0]["reason"] == "damage"
    assert entries[0]["reference"] == "RMA-9"


def test_stock_errors(client: TestClient):
    unknown_sku = client.put("/api/v1/stock/NO-SKU/NJ", json={"on_hand": 1})
    unknown_location = client.post("/api/v1/stock/SOCK-3PK/XX/adjustments", json={"delta": 1})
    negative = client.put("/api/v1/stock/SOCK-3PK/NJ", json={"on_hand": -1})
    below_zero = client.post("/api/v1/stock/SOCK-3PK/NJ/adjustments", json={"delta": -1000})

    assert unknown_sku.status_code == 404
    assert "NO-SKU" in unknown_sku.json()["error"]["message"]
    assert unknown_location.status_code == 404
    assert "'XX'" in unknown_location.json()["error"]["message"]
    assert negative.status_code == 422
    assert negative.json()["error"]["fields"][0]["field"] == "body.on_hand"
    assert below_zero.status_code in {409, 422}
    assert stock_row(client, "SOCK-3PK", "NJ")["on_hand"] == 60


def test_stock_backorder_served_by_new_stock(client: TestClient):
    body = manual_order(external_id="PO-88", lines=[{"sku": "EARB-WHT", "quantity": 30, "unit_price": "20"}])
    created = client.post("/api/v1/orders", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "backordered"

    client.post("/api/v1/stock/EARB-WHT/NJ/adjustments", json={"delta": 40, "reason": "receipt"})

    assert client.get("/api/v1/orders/PO-88").json()["status"] == "allocated"


def test_catalog_lists(client: TestClient):
    products = client.get("/api/v1/products").json()
    bundle = client.get("/api/v1/products/KIT-IP15").json()
    locations = client.get("/api/v1/locations").json()
    location = client.get("/api/v1/locations/UK").json()
    channels = client.get("/api/v1/channels").json()

    assert len(products) == 26
    assert bundle["is_bundle"] is True
    assert {component["sku"] for component in bundle["components"]} == {"CASE-IP15-CLR", "SCRN-IP15", "CBL-USBC-1M"}
    assert {row["code"] for row in locations} == {"SZ", "LA", "NJ", "UK", "DE"}
    assert location["address"]["country_code"] == "GB"
    assert {row["code"] for row in channels} == {"shopify-us", "amazon-us", "woocommerce-eu", "wholesale"}
    assert client.get("/api/v1/products/NOPE").status_code == 404
    assert client.get("/api/v1/locations/NOPE").status_code == 404


def test_upload_import_report(client: TestClient, samples: Path):
    path = samples / "shopify_orders_export_csv" / "shopify_orders_export_GB_GBP_tiktok_shop_channel.csv"

    with path.open("rb") as handle:
        response = client.post("/api/v1/imports", files={"file": (path.name, handle, "text/csv")})

    assert response.status_code == 201, response.text
    report = response.json()
    assert report["filename"] == path.name
    assert report["format"] == "shopify-csv"
    assert report["channel"] == "shopify-us"
    assert report["created"] == 60
    assert [error["line"] for error in report["errors"]][:2] == [32, 47]
    assert all({"line", "field", "value", "message"} <= set(error) for error in report["errors"])
    stored = client.get(f"/api/v1/imports/{report['id']}")
    assert stored.status_code == 200, stored.text
    assert stored.json()["created"] == 60
    assert len(stored.json()["errors"]) == len(report["errors"])
    assert stored.json()["status"] in {"finished", "finished_with_errors", "done"}
    assert client.get("/api/v1/imports").json()["items"][0]["id"] == report["id"]
    assert client.get("/api/v1/imports/999999").status_code == 404


def test_upload_generic_csv_bad_row(client: TestClient, tmp_path: Path):
    rows = (
        "WH-4001,2024-05-01,USD,CAP-BLK,2,11.00,Ann Lee,US,ann@example.com,3 Sample Road,Portland,OR,97201,Cap",
        "WH-4002,2024-05-01,USD,CAP-BLK,1,abc,Bo Lee,US,bo@example.com,4 Sample Road,Portland,OR,97201,Cap",
    )
    path = write_wholesale_csv(tmp_path / "upload.csv", rows)

    response = client.post(
        "/api/v1/imports", files={"file": ("upload.csv", path.read_bytes(), "text/csv")}, data={"channel": "wholesale"}
    )

    assert response.status_code == 201, response.text
    report = response.json()
    assert report["created"] == 1
    assert [(error["line"], error["field"], error["value"]) for error in report["errors"]] == [(3, "unit_price", "abc")]


def test_upload_unreadable_file(client: TestClient):
    response = client.post("/api/v1/imports", files={"file": ("notes.txt", b"hello\x00world", "text/plain")})

    assert response.status_code in {400, 422}
    assert response.json()["error"]["code"]


def upload(client: TestClient, name: str, content: bytes, language: str, **fields: str) -> dict[str, Any]:
    """Upload a file as POST /api/v1/imports with the form `fields` and return the JSON response."""
    response = client.post(
        "/api/v1/imports",
        files={"file": (name, content, "text/csv")},
        data=fields,
        headers={"Accept-Language": language},
    )
    assert response.status_code in {201, 400, 422}, response.text
    document: dict[str, Any] = response.json()
    return document


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "en",
            "upload.csv: several generic channels exist (b2b, wholesale); choose one with the request's channel field.",
        ),
        ("zh-CN", "upload.csv：存在多个 generic 渠道（b2b, wholesale），请在请求的 channel 字段中指定一个。"),
    ],
    ids=["en", "zh"],
)
def test_upload_channel_choice_names_field(
    client: TestClient,
    wholesale_orders: Database,
    run_cli: Callable[..., CliResult],
    tmp_path: Path,
    language: str,
    message: str,
):
    with wholesale_orders.write() as connection:
        connection.execute(insert(channels).values(code="b2b", kind="generic", name="B2B portal"))
    path = write_wholesale_csv(tmp_path / "upload.csv")

    error = upload(client, "upload.csv", path.read_bytes(), language)["error"]
    printed = run_cli("import", path)

    assert error["code"] == "channel_required"
    assert error["message"] == message
    assert "--channel" not in error["message"]
    assert printed.returncode == 1
    assert "choose one with --channel CODE." in printed.stderr


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({}, ("its header (a, b, c) matches no supported export", "其表头（a, b, c）与任何支持的导出格式都不匹配")),
        ({"format": "xml"}, ("'xml' is not a format name", "'xml' 不是格式名称")),
    ],
    ids=["detected", "named"],
)
def test_upload_unknown_format_names_field(client: TestClient, fields: dict[str, str], reason: tuple[str, str]):
    english = upload(client, "table.csv", b"a,b,c\n1,2,3\n", "en", **fields)["error"]
    chinese = upload(client, "table.csv", b"a,b,c\n1,2,3\n", "zh-CN", **fields)["error"]

    assert english["code"] == chinese["code"] == "unknown_format"
    assert english["message"] == (
        f"Cannot read 'table.csv' as an order file: {reason[0]}. Supported formats: shopify-csv, shopify-json, "
        "amazon-tsv, woocommerce-json, generic-csv. If the file is one of them, name it in the request's format "
        "field, for example format=generic-csv."
    )
    assert chinese["message"] == (
        f"无法将 'table.csv' 作为订单文件读取：{reason[1]}。支持的格式：shopify-csv, shopify-json, amazon-tsv, "
        "woocommerce-json, generic-csv。如果文件属于其中一种，请在请求的 format 字段中指定，例如 format=generic-csv。"
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "en",
            "The header has no 'currency' column, which this format requires. Export the file again with all "
            "columns, or choose the right format with the request's format field.",
        ),
        (
            "zh-CN",
            "表头缺少此格式必需的 'currency' 列。请导出包含全部列的文件，或在请求的 format 字段中选择正确的格式。",
        ),
    ],
    ids=["en", "zh"],
)
def test_upload_missing_column_names_field(
    client: TestClient, run_cli: Callable[..., CliResult], tmp_path: Path, language: str, message: str
):
    # A generic CSV template without its currency column: detected as generic-csv, then rejected at line 1.
    content = (
        "order_id,order_date,sku,quantity,unit_price,ship_name,ship_country\nX-1,2024-05-01,MUG-WHT,1,9.50,Ann,US\n"
    )
    path = tmp_path / "no-currency.csv"
    path.write_text(content, encoding="utf-8")

    report = upload(client, path.name, content.encode(), language, channel="wholesale")
    stored = client.get(f"/api/v1/imports/{report['id']}")
    printed = run_cli("import", path, "--json")

    assert report["errors"] == [{"line": 1, "field": "currency", "value": "", "message": message}]
    assert stored.json()["errors"] == report["errors"]
    assert printed.json()["errors"][0]["message"].endswith("or choose the right format with --format.")


def test_openapi_and_docs_served(client: TestClient):
    spec = client.get("/openapi.json")
    docs = client.get("/docs")

    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == "OrderTower API"
    assert "/api/v1/orders/{ref}" in spec.json()["paths"]
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    assert client.get("/api/v1/health").json()["status"] == "ok"


@pytest.mark.parametrize(
    ("changes", "chinese"),
    [
        ({"lines": []}, "至少需要 1 项"),
        ({"lines": [{"sku": "SOCK-3PK", "quantity": 0, "unit_price": "5"}]}, "应大于 0"),
        ({"shipping_address": {"name": "Pat"}}, "缺少必填字段"),
        ({"colour": "red"}, "不支持此字段"),
        ({"currency": "XYZ"}, "'XYZ' 不是 ISO 4217 币种代码"),
        ({"financial_status": "settled"}, "应为以下值之一"),
    ],
)
def test_invalid_body_explained_in_chinese(client: TestClient, changes: dict[str, Any], chinese: str):
    english = client.post("/api/v1/orders", json=manual_order(**changes), headers={"Accept-Language": "en"})
    english_error = english.json()["error"]
    response = client.post("/api/v1/orders", json=manual_order(**changes), headers={"Accept-Language": "zh-CN"})

    assert response.status_code == 422
    error = response.json()["error"]
    assert chinese in error["message"]
    assert chinese in error["fields"][0]["message"]
    # The Chinese text replaces pydantic's English one rather than wrapping it.
    assert english_error["fields"][0]["message"].split(": ", 1)[1].split(" (value")[0] not in error["message"]


def test_imports_listed_as_page(client: TestClient, tmp_path: Path):
    path = write_wholesale_csv(tmp_path / "again.csv")
    with path.open("rb") as handle:
        assert client.post("/api/v1/imports", files={"file": (path.name, handle, "text/csv")}).status_code == 201

    everything = client.get("/api/v1/imports")
    newest = client.get("/api/v1/imports", params={"limit": 1}).json()
    oldest = client.get("/api/v1/imports", params={"limit": 1, "offset": 1}).json()
    past_the_end = client.get("/api/v1/imports", params={"offset": 5}).json()

    assert everything.status_code == 200, everything.text
    page = everything.json()
    assert set(page) == {"items", "total", "limit", "offset"}
    assert (page["total"], page["limit"], page["offset"]) == (2, 50, 0)
    assert [record["filename"] for record in page["items"]] == ["again.csv", "wholesale.csv"]
    assert [record["unchanged"] for record in page["items"]] == [3, 0]
    assert newest["items"] == page["items"][:1]
    assert oldest["items"] == page["items"][1:]
    assert (oldest["total"], oldest["limit"], oldest["offset"]) == (2, 1, 1)
    assert past_the_end == {"items": [], "total": 2, "limit": 50, "offset": 5}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/imports", {"limit": 0}),
        ("/api/v1/imports", {"limit": 501}),
        ("/api/v1/imports", {"offset": -1}),
        ("/api/v1/imports", {"offset": 10_000_001}),
        ("/api/v1/orders", {"limit": 0}),
        ("/api/v1/orders", {"limit": 501}),
        ("/api/v1/orders", {"offset": -1}),
        ("/api/v1/orders", {"offset": 10_000_001}),
        ("/api/v1/stock/ledger", {"limit": 0}),
        ("/api/v1/stock/ledger", {"limit": 1001}),
        ("/api/v1/stock/ledger", {"offset": -1}),
        ("/api/v1/stock/ledger", {"offset": 10_000_001}),
    ],
)
def test_page_bounds_rejected(client: TestClient, path: str, params: dict[str, int]):
    response = client.get(path, params=params)

    assert response.status_code == 422
    (name,) = params
    assert response.json()["error"]["fields"][0]["field"] == f"query.{name}"


def test_ledger_listed_as_page(client: TestClient):
    client.post("/api/v1/stock/SOCK-3PK/NJ/adjustments", json={"delta": 5, "reason": "receipt"})

    everything = client.get("/api/v1/stock/ledger", params={"limit": 1000})
    first = client.get("/api/v1/stock/ledger", params={"sku": "SOCK-3PK", "location": "NJ", "limit": 1}).json()
    second = client.get(
        "/api/v1/stock/ledger", params={"sku": "SOCK-3PK", "location": "NJ", "limit": 1, "offset": 1}
    ).json()
    unknown = client.get("/api/v1/stock/ledger", params={"sku": "NO-SKU"}).json()

    assert everything.status_code == 200, everything.text
    page = everything.json()
    assert page["total"] == len(page["items"])
    assert page["total"] > 2
    assert (page["limit"], page["offset"]) == (1000, 0)
    assert set(page["items"][0]) == {
        "id",
        "sku",
        "location",
        "on_hand_delta",
        "reserved_delta",
        "reason",
        "order_id",
        "order_number",
        "reference",
        "created_at",
    }
    # The workspace set SOCK-3PK at NJ once and the adjustment added one entry.
    assert first["total"] == 2
    assert [(entry["on_hand_delta"], entry["reason"]) for entry in first["items"]] == [(5, "receipt")]
    assert [entry["reason"] for entry in second["items"]] == ["workspace"]
    assert unknown == {"items": [], "total": 0, "limit": 100, "offset": 0}


def test_cli_lists_print_api_pages(client: TestClient, run_cli: Callable[..., CliResult]):
    cli_orders = run_cli("orders", "list", "--json", "--limit", "2", "--offset", "1")
    cli_imports = run_cli("imports", "list", "--json", "--limit", "5")

    assert cli_orders.returncode == 0, cli_orders.stderr
    assert cli_orders.json() == client.get("/api/v1/orders", params={"limit": 2, "offset": 1}).json()
    assert cli_imports.returncode == 0, cli_imports.stderr
    assert cli_imports.json() == client.get("/api/v1/imports", params={"limit": 5}).json()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"limit": 3},
        {"limit": 2, "offset": 1},
        {"sku": "TEE-BLK-M"},
        {"location": "UK", "limit": 1, "offset": 1},
        {"sku": "MUG-WHT", "location": "LA", "limit": 1000},
        {"offset": 10_000},
        {"sku": "NO-SKU"},
    ],
)
def test_cli_ledger_prints_api_page(
    client: TestClient, run_cli: Callable[..., CliResult], params: dict[str, str | int]
):
    options = [part for name, value in params.items() for part in (f"--{name}", str(value))]

    printed = run_cli("stock", "ledger", "--json", *options)

    assert printed.returncode == 0, printed.stderr
    assert printed.json() == client.get("/api/v1/stock/ledger", params=params).json()


def test_ledger_entries_name_orders(client: TestClient):
    orders = client.get("/api/v1/orders").json()["items"]

    page = client.get("/api/v1/stock/ledger", params={"limit": 1000}).json()

    reservations = [entry for entry in page["items"] if entry["reason"] == "reserve"]
    assert {entry["order_number"] for entry in reservations} == {order["number"] for order in orders}
    assert all(entry["order_id"] is not None for entry in reservations)
    workspace_entries = [entry for entry in page["items"] if entry["reason"] == "workspace"]
    assert workspace_entries
    assert {(entry["order_id"], entry["order_number"]) for entry in workspace_entries} == {(None, None)}
    for order in orders:
        shipment = order["shipments"][0]
        sku = shipment["lines"][0]["sku"]
        newest = client.get(
            "/api/v1/stock/ledger", params={"sku": sku, "location": shipment["location"], "limit": 1}
        ).json()["items"][0]
        assert (newest["reason"], newest["order_number"]) == ("reserve", order["number"]), order["number"]


@pytest.mark.parametrize(
    ("command", "path", "params"),
    [
        (("orders", "list"), "/api/v1/orders", {"limit": 0}),
        (("orders", "list"), "/api/v1/orders", {"limit": 501}),
        (("orders", "list"), "/api/v1/orders", {"offset": -1}),
        (("orders", "list"), "/api/v1/orders", {"offset": 10_000_001}),
        (("imports", "list"), "/api/v1/imports", {"limit": 0}),
        (("imports", "list"), "/api/v1/imports", {"limit": 501}),
        (("imports", "list"), "/api/v1/imports", {"offset": 10_000_001}),
        (("stock", "ledger"), "/api/v1/stock/ledger", {"limit": 0}),
        (("stock", "ledger"), "/api/v1/stock/ledger", {"limit": 1001}),
        (("stock", "ledger"), "/api/v1/stock/ledger", {"offset": -1}),
        (("stock", "ledger"), "/api/v1/stock/ledger", {"offset": 10_000_001}),
    ],
)
def test_cli_rejects_api_page_bounds(
    client: TestClient,
    run_cli: Callable[..., CliResult],
    command: tuple[str, str],
    path: str,
    params: dict[str, int],
):
    ((name, value),) = params.items()

    printed = run_cli(*command, "--json", f"--{name}", str(value))
    response = client.get(path, params=params)

    assert printed.returncode == 2, printed.stdout
    assert f"'--{name}'" in printed.stderr
    assert printed.stdout == ""
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == f"query.{name}"


@pytest.mark.parametrize(
    ("command", "path", "params"),
    [
        (("orders", "list"), "/api/v1/orders", {"limit": 500, "offset": 10_000_000}),
        (("imports", "list"), "/api/v1/imports", {"limit": 500, "offset": 10_000_000}),
        (("stock", "ledger"), "/api/v1/stock/ledger", {"limit": 1000, "offset": 10_000_000}),
        (("orders", "list"), "/api/v1/orders", {"limit": 1}),
        (("imports", "list"), "/api/v1/imports", {"limit": 1}),
        (("stock", "ledger"), "/api/v1/stock/ledger", {"limit": 1}),
    ],
)
def test_cli_accepts_api_page_bounds(
    client: TestClient,
    run_cli: Callable[..., CliResult],
    command: tuple[str, str],
    path: str,
    params: dict[str, int],
):
    options = [part for name, value in params.items() for part in (f"--{name}", str(value))]

    printed = run_cli(*command, "--json", *options)
    response = client.get(path, params=params)

    assert printed.returncode == 0, printed.stderr
    assert response.status_code == 200, response.text
    assert printed.json() == response.json()


NOT_FOUND_REQUESTS = [
    ("GET", "/api/v1/orders/OT999999", {}),
    ("GET", "/api/v1/orders/OT999999/routing", {}),
    ("POST", "/api/v1/orders/OT999999/cancel", {}),
    ("POST", "/api/v1/orders/OT999999/reroute", {}),
    ("POST", "/api/v1/orders/WH-2003/lines/9/cancel", {}),
    ("GET", "/api/v1/orders?channel=nowhere", {}),
    ("GET", "/api/v1/imports/999999", {}),
    ("GET", "/api/v1/products/NO-SKU", {}),
    ("GET", "/api/v1/locations/XX", {}),
    ("GET", "/api/v1/stock?sku=NO-SKU", {}),
    ("GET", "/api/v1/stock?location=XX", {}),
    ("PUT", "/api/v1/stock/NO-SKU/NJ", {"on_hand": 1}),
    ("POST", "/api/v1/stock/SOCK-3PK/XX/adjustments", {"delta": 1}),
    ("POST", "/api/v1/orders", manual_order(channel="nowhere")),
]


@pytest.mark.parametrize(("method", "url", "body"), NOT_FOUND_REQUESTS)
@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_not_found_names_no_cli_command(client: TestClient, method: str, url: str, body: dict[str, Any], language: str):
    response = client.request(method, url, json=body or None, headers={"Accept-Language": language})

    assert response.status_code == 404, response.text
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert error["params"]["ref"] in error["message"]
    assert "ordertower " not in error["message"]
    assert "`" not in error["message"]


@pytest.mark.parametrize(
    ("url", "english", "chinese"),
    [
        ("/api/v1/orders/OT999999", "list them with GET /api/v1/orders", "用 GET /api/v1/orders 列出"),
        ("/api/v1/products/NO-SKU", "list them with GET /api/v1/products", "用 GET /api/v1/products 列出"),
        ("/api/v1/locations/XX", "list them with GET /api/v1/locations", "用 GET /api/v1/locations 列出"),
        ("/api/v1/imports/999999", "list them with GET /api/v1/imports", "用 GET /api/v1/imports 列出"),
    ],
)
def test_not_found_names_list_endpoint(client: TestClient, url: str, english: str, chinese: str):
    in_english = client.get(url, headers={"Accept-Language": "en"}).json()["error"]["message"]
    in_chinese = client.get(url, headers={"Accept-Language": "zh-CN"}).json()["error"]["message"]

    assert english in in_english
    assert chinese in in_chinese


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_unmapped_hold_names_no_cli_command(client: TestClient, language: str):
    body = manual_order(external_id="PO-99", lines=[{"sku": "NO-SUCH-SKU", "quantity": 1, "unit_price": "5"}])
    created = client.post("/api/v1/orders", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["hold_reasons"] == ["unmapped_sku"]

    response = client.post(
        "/api/v1/orders/PO-99/release", json={"reason": "unmapped_sku"}, headers={"Accept-Language": language}
    )

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "hold_not_releasable"
    assert "sku_mappings" in error["message"]
    assert "ordertower " not in error["message"]


def test_list_pages_documented(client: TestClient):
    spec = client.get("/openapi.json").json()

    for path, schema in [
        ("/api/v1/orders", "OrderPage"),
        ("/api/v1/imports", "ImportPage"),
        ("/api/v1/stock/ledger", "LedgerPage"),
    ]:
        response = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert response["schema"] == {"$ref": f"#/components/schemas/{schema}"}, path
        assert set(spec["components"]["schemas"][schema]["required"]) == {"items", "total", "limit", "offset"}


def test_stock_hides_empty_levels(client: TestClient):
    stocked = client.get("/api/v1/stock", params={"sku": "MUG-WHT"})
    every_level = client.get("/api/v1/stock", params={"sku": "MUG-WHT", "all": "true"})
    explicit_default = client.get("/api/v1/stock", params={"sku": "MUG-WHT", "all": "false"})
    everything = client.get("/api/v1/stock").json()

    assert stocked.status_code == 200, stocked.text
    assert [row["location"] for row in stocked.json()] == ["LA", "SZ", "UK"]
    assert every_level.status_code == 200, every_level.text
    assert [row["location"] for row in every_level.json()] == ["DE", "LA", "NJ", "SZ", "UK"]
    assert [row for row in every_level.json() if row["location"] in {"DE", "NJ"}] == [
        {"sku": "MUG-WHT", "location": location, "on_hand": 0, "reserved": 0, "safety_stock": 0, "available": 0}
        for location in ("DE", "NJ")
    ]
    assert explicit_default.json() == stocked.json()
    assert everything
    assert all(row["on_hand"] or row["reserved"] or row["safety_stock"] for row in everything)
    assert client.get("/api/v1/stock", params={"all": "maybe"}).status_code == 422
