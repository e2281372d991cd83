"""Inputs that once made the API or the CLI fail with a server error or a traceback, kept as regressions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import WHOLESALE_HEADER, WHOLESALE_ROWS, CliResult, write_wholesale_csv
from ordertower.api import create_app
from ordertower.kernel.db import Database


@pytest.fixture
def client(workspace: Database) -> Iterator[TestClient]:
    database = Database(workspace.url)
    try:
        with TestClient(create_app(database, migrate=False)) as test_client:
            yield test_client
    finally:
        database.dispose()


def order_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "currency": "USD",
        "shipping_address": {
            "name": "Pat Buyer",
            "line1": "1 Sample Road",
            "city": "Seattle",
            "region": "WA",
            "postal_code": "98101",
            "country_code": "US",
        },
        "lines": [{"sku": "CAP-BLK", "quantity": 1, "unit_price": "11.00"}],
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/products/TEE%00BLK",
        "/api/v1/locations/L%00A",
    ],
)
def test_nul_in_path_is_422(client: TestClient, path: str):
    response = client.get(path)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_nul_in_stock_path_is_422(client: TestClient):
    response = client.put("/api/v1/stock/TEE%00BLK/LA", json={"on_hand": 1})

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "path.sku"


def test_order_total_over_limit_is_422(client: TestClient):
    lines = [{"sku": "CAP-BLK", "quantity": 1_000_000, "unit_price": "1000000000000"}] * 3

    response = client.post("/api/v1/orders", json=order_body(currency="KWD", lines=lines))

    assert response.status_code == 422
    assert "exceeds the maximum" in response.json()["error"]["message"]
    assert client.get("/api/v1/orders").json()["total"] == 0


def test_unknown_currency_is_422(client: TestClient):
    response = client.post("/api/v1/orders", json=order_body(currency="QQQ"))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"][0]["field"] == "body.currency"
    assert "'QQQ' is not an ISO 4217 currency code" in error["message"]


def test_lone_surrogate_in_body_is_422(client: TestClient):
    raw = '{"currency": "USD", "shipping_address": {"name": "\\ud800", "country_code": "US"}, "lines": []}'

    response = client.post("/api/v1/orders", content=raw, headers={"content-type": "application/json"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_unparsable_body_uses_error_shape(client: TestClient):
    response = client.put(
        "/api/v1/stock/CAP-BLK/LA", content=b"\xff\xfe{", headers={"content-type": "application/json"}
    )

    assert response.status_code in {400, 422}
    assert set(response.json()["error"]) >= {"code", "message", "params"}


def test_unknown_route_and_method_use_error_shape(client: TestClient):
    missing = client.get("/api/v1/nothing-here")
    wrong_method = client.delete("/api/v1/orders")

    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


def test_unknown_route_explained_in_chinese(client: TestClient):
    missing = client.get("/api/v1/nothing-here", headers={"Accept-Language": "zh-CN"})
    wrong_method = client.delete("/api/v1/orders", headers={"Accept-Language": "zh-CN"})

    assert missing.json()["error"]["message"] == "HTTP 404：没有这个地址，请查看 /docs 中的 API 列表"
    assert wrong_method.json()["error"]["message"] == "HTTP 405：此地址不支持该请求方法"


def test_malformed_csv_cli_exits_1(run_cli: Callable[..., CliResult], workspace: Database, tmp_path: Path):
    path = tmp_path / "broken.csv"
    path.write_bytes(b"0\r0\r\n")

    result = run_cli("import", path, "--json")

    assert result.returncode == 1
    assert json.loads(result.stdout)["error"]["code"] in {"unknown_format", "unreadable_file"}
    assert "Traceback" not in result.stderr
    assert "Cannot read 'broken.csv'" in result.stderr


def test_csv_with_cr_line_ends_imports(client: TestClient, tmp_path: Path):
    content = "\r".join((WHOLESALE_HEADER, *WHOLESALE_ROWS)).encode() + b"\r"

    response = client.post("/api/v1/imports", files={"file": ("classic-mac.csv", content, "text/csv")})

    assert response.status_code == 201, response.text
    assert response.json()["created"] == 3


def test_overlong_order_id_is_row_error(client: TestClient, tmp_path: Path):
    rows = (WHOLESALE_ROWS[2], "X" * 300 + WHOLESALE_ROWS[2][len("WH-2002") :])
    path = write_wholesale_csv(tmp_path / "long-id.csv", rows)

    response = client.post("/api/v1/imports", files={"file": ("long-id.csv", path.read_bytes(), "text/csv")})

    assert response.status_code == 201, response.text
    report = response.json()
    assert report["created"] == 1
    assert [error["field"] for error in report["errors"]] == ["order_id"]
