"""`ordertower orders release` and POST /api/v1/orders/{ref}/release on a real database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import WHOLESALE_HEADER, CliResult, import_file
from ordertower.api import create_app
from ordertower.kernel.db import Database

Run = Callable[..., CliResult]

# Orders for the example workspace. A Seattle address without its state is invalid, and "pending" is unpaid.
HELD_ROWS = (
    "WH-5001,2024-05-01T09:30:00-07:00,USD,TEE-BLK-M,2,15.00,Jane Smith,US,jane@example.com,"
    "1 Sample Road,Seattle,,98101,Classic Cotton Tee,paid",
    "WH-5002,2024-05-01T09:40:00-07:00,USD,MUG-WHT,1,9.50,Joe Bloggs,US,joe@example.com,"
    "2 Sample Road,Seattle,WA,98101,Stoneware Mug,pending",
    "WH-5003,2024-05-01T09:50:00-07:00,USD,CAP-BLK,1,11.00,Ann Lee,US,ann@example.com,"
    "3 Sample Road,Portland,,97201,Cap,pending",
    "WH-5004,2024-05-01T10:00:00-07:00,USD,NO-SUCH-SKU,1,5.00,Bo Lee,US,bo@example.com,"
    "4 Sample Road,Portland,OR,97201,Unknown item,paid",
    "WH-5005,2024-05-01T10:10:00-07:00,USD,TEE-BLK-M,1,15.00,Kim Park,US,kim@example.com,"
    "5 Sample Road,Seattle,WA,98101,Classic Cotton Tee,paid",
)


def write_held_orders(path: Path) -> Path:
    path.write_text("\n".join((WHOLESALE_HEADER + ",financial_status", *HELD_ROWS)) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def held_file(workspace: Database, tmp_path: Path) -> Path:
    """The example workspace with five orders imported: three held, one unmapped and one allocated."""
    path = write_held_orders(tmp_path / "held.csv")
    report = import_file(workspace, path)
    assert report.errors == []
    assert report.created == 5
    return path


@pytest.fixture
def client(workspace: Database, held_file: Path) -> Iterator[TestClient]:
    database = Database(workspace.url)
    try:
        with TestClient(create_app(database, migrate=False)) as test_client:
            yield test_client
    finally:
        database.dispose()


def reserved_units(run_cli: Run, sku: str, location: str) -> int:
    result = run_cli("stock", "list", "--sku", sku, "--location", location, "--all", "--json")
    assert result.returncode == 0, result.stderr
    (row,) = result.json()
    return int(row["reserved"])


def test_release_cli_routes_order(run_cli: Run, held_file: Path):
    before = run_cli("orders", "show", "WH-5001", "--json").json()
    reserved_before = reserved_units(run_cli, "TEE-BLK-M", "LA")

    result = run_cli("orders", "release", "WH-5001", "--reason", "address_invalid")

    assert before["hold_reasons"] == ["address_invalid"]
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"Order {before['number']}: the address_invalid hold is released, and the order is allocated."
    )
    order = run_cli("orders", "show", "WH-5001", "--json").json()
    assert order["status"] == "allocated"
    assert order["hold_reasons"] == []
    assert order["shipments"] == [
        {"location": "LA", "status": "pending", "lines": [{"sku": "TEE-BLK-M", "quantity": 2}]}
    ]
    assert [(event["kind"], event["cause"]) for event in order["events"]][-2:] == [
        ("hold_released", "cli"),
        ("routed", "cli"),
    ]
    assert reserved_units(run_cli, "TEE-BLK-M", "LA") == reserved_before + 2


def test_release_survives_same_file(run_cli: Run, held_file: Path):
    released = run_cli("orders", "release", "WH-5001", "--reason", "address_invalid")
    again = run_cli("import", held_file, "--json")

    assert released.returncode == 0, released.stderr
    assert again.returncode == 0, again.stderr
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 5)
    order = run_cli("orders", "show", "WH-5001", "--json").json()
    assert (order["status"], order["hold_reasons"]) == ("allocated", [])
    assert order["events"][-1]["kind"] == "routed"


def test_release_cli_json_and_chinese(run_cli: Run, held_file: Path):
    first = run_cli("--lang", "zh", "orders", "release", "WH-5003", "--reason", "unpaid")
    second = run_cli("orders", "release", "WH-5003", "--reason", "address_invalid", "--json")

    assert first.returncode == 0, first.stderr
    assert "已解除 unpaid 暂停，仍因 address_invalid 暂停。" in first.stdout
    assert second.returncode == 0, second.stderr
    order = second.json()
    assert order["external_id"] == "WH-5003"
    assert order["status"] == "allocated"
    assert order["hold_reasons"] == []
    assert [event["data"] for event in order["events"] if event["kind"] == "hold_released"] == [
        {"released": "unpaid"},
        {"released": "address_invalid"},
    ]


@pytest.mark.parametrize(
    ("ref", "reason", "expected"),
    [
        ("WH-9999", "unpaid", "'WH-9999' was not found"),
        ("WH-5002", "address_invalid", "is not held for address_invalid. Its hold reasons are unpaid."),
        ("WH-5004", "unmapped_sku", "add the mapping under sku_mappings in the workspace file"),
        ("WH-5005", "unpaid", "is not on hold (status allocated)"),
    ],
)
def test_release_cli_rejections(run_cli: Run, held_file: Path, ref: str, reason: str, expected: str):
    result = run_cli("orders", "release", ref, "--reason", reason)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert expected in " ".join(result.stderr.split())
    assert result.stdout == ""


def test_release_cli_rejection_in_chinese(run_cli: Run, held_file: Path):
    result = run_cli("--lang", "zh", "orders", "release", "WH-5002", "--reason", "address_invalid")

    assert result.returncode == 1
    assert "没有因 address_invalid 暂停。当前的暂停原因：unpaid。" in result.stderr


def test_release_cli_unknown_reason(run_cli: Run, held_file: Path):
    english = run_cli("orders", "release", "WH-5002", "--reason", "paid")
    chinese = run_cli("--lang", "zh", "orders", "release", "WH-5002", "--reason", "paid")
    empty = run_cli("orders", "release", "WH-5002", "--reason", "")

    assert english.returncode == 2
    message = " ".join(english.stderr.replace("│", " ").split())
    assert "'paid' is not a hold reason; use one of unpaid, address_invalid, manual." in message
    assert "'--reason'" in message
    assert chinese.returncode == 2
    assert "'paid' 不是暂停原因" in chinese.stderr
    assert empty.returncode == 2
    assert "'' is not a hold reason" in empty.stderr
    assert run_cli("orders", "show", "WH-5002", "--json").json()["hold_reasons"] == ["unpaid"]


def test_release_cli_cancelled_order(run_cli: Run, held_file: Path):
    cancelled = run_cli("orders", "cancel", "WH-5002")
    result = run_cli("orders", "release", "WH-5002", "--reason", "unpaid")

    assert cancelled.returncode == 0, cancelled.stderr
    assert result.returncode == 1
    assert "is cancelled, so it has no hold to release." in result.stderr


def test_release_cli_names_holds_left(run_cli: Run, held_file: Path):
    before = run_cli("orders", "show", "WH-5003", "--json").json()
    result = run_cli("orders", "release", "WH-5003", "--reason", "unpaid")

    assert sorted(before["hold_reasons"]) == ["address_invalid", "unpaid"]
    assert result.returncode == 0, result.stderr
    assert (
        f"Order {before['number']}: the unpaid hold is released, and the order is still on hold for address_invalid."
        in result.stdout
    )


def test_release_api_routes_order(client: TestClient):
    response = client.post("/api/v1/orders/WH-5002/release", json={"reason": "unpaid"})

    assert response.status_code == 200, response.text
    order = response.json()
    assert order["external_id"] == "WH-5002"
    assert order["status"] == "allocated"
    assert order["hold_reasons"] == []
    assert [line["sku"] for shipment in order["shipments"] for line in shipment["lines"]] == ["MUG-WHT"]
    assert [(event["kind"], event["from_status"], event["to_status"], event["cause"]) for event in order["events"]] == [
        ("imported", None, "on_hold", "import"),
        ("hold_released", "on_hold", "pending", "api"),
        ("routed", "pending", "allocated", "api"),
    ]
    reserved = sum(row["reserved"] for row in client.get("/api/v1/stock", params={"sku": "MUG-WHT"}).json())
    assert reserved == 1


@pytest.mark.parametrize(
    ("ref", "body", "status", "code", "named"),
    [
        ("WH-9999", {"reason": "unpaid"}, 404, "not_found", "WH-9999"),
        ("WH-5002", {"reason": "address_invalid"}, 409, "not_held_for_reason", "Its hold reasons are unpaid"),
        ("WH-5004", {"reason": "unmapped_sku"}, 422, "hold_not_releasable", "sku_mappings"),
        ("WH-5005", {"reason": "unpaid"}, 409, "not_held_for_reason", "status allocated"),
        ("WH-5002", {"reason": "paid"}, 422, "validation_error", "body.reason"),
        ("WH-5002", {}, 422, "validation_error", "body.reason"),
        ("WH-5002", {"reason": "unpaid", "note": "paid by wire"}, 422, "validation_error", "body.note"),
    ],
)
def test_release_api_rejections(client: TestClient, ref: str, body: dict[str, Any], status: int, code: str, named: str):
    response = client.post(f"/api/v1/orders/{ref}/release", json=body)

    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert named in error["message"]
    assert client.get("/api/v1/orders/WH-5002").json()["hold_reasons"] == ["unpaid"]


def test_release_api_not_held_params(client: TestClient):
    response = client.post(
        "/api/v1/orders/WH-5003/release", json={"reason": "manual"}, headers={"Accept-Language": "zh-CN"}
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["params"]["reasons"] == "unpaid, address_invalid"
    assert error["params"]["reason"] == "manual"
    assert "没有因 manual 暂停。当前的暂停原因：unpaid, address_invalid。" in error["message"]


def test_release_api_cancelled_order(client: TestClient):
    assert client.post("/api/v1/orders/WH-5002/cancel").status_code == 200

    response = client.post("/api/v1/orders/WH-5002/release", json={"reason": "unpaid"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "order_not_open"


def test_release_api_documented(client: TestClient):
    spec = client.get("/openapi.json").json()

    operation = spec["paths"]["/api/v1/orders/{ref}/release"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/HoldRelease"}
    assert {"404", "409", "422"} <= set(operation["responses"])
    assert spec["components"]["schemas"]["HoldRelease"]["required"] == ["reason"]
