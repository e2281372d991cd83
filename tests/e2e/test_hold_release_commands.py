"""`ordertower orders hold` and `orders release`, and their API endpoints, on a real database."""

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


def test_hold_cli_releases_stock(run_cli: Run, held_file: Path):
    before = run_cli("orders", "show", "WH-5005", "--json").json()
    (shipment,) = before["shipments"]
    reserved_before = reserved_units(run_cli, "TEE-BLK-M", shipment["location"])

    result = run_cli("orders", "hold", "WH-5005", "--note", "buyer asked to wait")

    assert before["status"] == "allocated"
    assert result.returncode == 0, result.stderr
    number = before["number"]
    assert result.stdout.strip() == (
        f"Order {number} is on hold for manual. Release it with `ordertower orders release {number} --reason manual`."
    )
    order = run_cli("orders", "show", "WH-5005", "--json").json()
    assert order["status"] == "on_hold"
    assert order["hold_reasons"] == ["manual"]
    assert order["shipments"] == []
    last = order["events"][-1]
    assert (last["kind"], last["from_status"], last["to_status"], last["cause"]) == (
        "hold_placed",
        "allocated",
        "on_hold",
        "cli",
    )
    assert last["data"] == {"reason": "manual", "note": "buyer asked to wait"}
    assert reserved_units(run_cli, "TEE-BLK-M", shipment["location"]) == reserved_before - 1


def test_show_prints_hold_note(run_cli: Run, held_file: Path):
    held = run_cli("orders", "hold", "WH-5005", "--note", "buyer asked to wait")

    english = run_cli("orders", "show", "WH-5005")
    chinese = run_cli("--lang", "zh", "orders", "show", "WH-5005")

    assert held.returncode == 0, held.stderr
    assert english.returncode == 0, english.stderr
    assert english.stdout.splitlines()[1:3] == ["  hold: manual", "  manual hold note: buyer asked to wait"]
    assert chinese.returncode == 0, chinese.stderr
    assert chinese.stdout.splitlines()[1:3] == ["  暂停原因：manual", "  manual 暂停备注：buyer asked to wait"]


def test_show_prints_note_of_current_hold(run_cli: Run, held_file: Path):
    steps = [
        ("orders", "hold", "WH-5005", "--note", "first hold"),
        ("orders", "release", "WH-5005", "--reason", "manual"),
        ("orders", "hold", "WH-5005", "--note", "call back\n\x1b[31mtomorrow"),
        ("orders", "hold", "WH-5002"),
    ]
    for step in steps:
        result = run_cli(*step)
        assert result.returncode == 0, result.stderr

    again = run_cli("orders", "show", "WH-5005")
    without_note = run_cli("orders", "show", "WH-5002")

    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[2] == "  manual hold note: call back\\n\\x1b[31mtomorrow"
    assert "first hold" not in again.stdout
    assert without_note.returncode == 0, without_note.stderr
    assert without_note.stdout.splitlines()[1] == "  hold: unpaid, manual"
    assert "note" not in without_note.stdout


def test_hold_then_release_cli(run_cli: Run, held_file: Path):
    before = run_cli("orders", "show", "WH-5005", "--json").json()
    (shipment,) = before["shipments"]
    reserved_before = reserved_units(run_cli, "TEE-BLK-M", shipment["location"])

    held = run_cli("orders", "hold", "WH-5005")
    released = run_cli("orders", "release", "WH-5005", "--reason", "manual")

    assert held.returncode == 0, held.stderr
    assert released.returncode == 0, released.stderr
    assert f"Order {before['number']}: the manual hold is released, and the order is allocated." in released.stdout
    order = run_cli("orders", "show", "WH-5005", "--json").json()
    assert (order["status"], order["hold_reasons"]) == ("allocated", [])
    assert order["shipments"] == before["shipments"]
    assert [event["kind"] for event in order["events"]][-3:] == ["hold_placed", "hold_released", "routed"]
    assert reserved_units(run_cli, "TEE-BLK-M", shipment["location"]) == reserved_before
    check = run_cli("db", "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_hold_survives_same_file(run_cli: Run, held_file: Path):
    held = run_cli("orders", "hold", "WH-5005")
    again = run_cli("import", held_file, "--json")

    assert held.returncode == 0, held.stderr
    assert again.returncode == 0, again.stderr
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 5)
    order = run_cli("orders", "show", "WH-5005", "--json").json()
    assert (order["status"], order["hold_reasons"]) == ("on_hold", ["manual"])
    assert order["shipments"] == []
    assert order["events"][-1]["kind"] == "hold_placed"


def test_hold_cli_json_and_chinese(run_cli: Run, held_file: Path):
    number = run_cli("orders", "show", "WH-5002", "--json").json()["number"]

    chinese = run_cli("--lang", "zh", "orders", "hold", "WH-5002")
    as_json = run_cli("orders", "hold", "WH-5001", "--note", "call the buyer", "--json")

    assert chinese.returncode == 0, chinese.stderr
    assert chinese.stdout.strip() == (
        f"订单 {number} 已暂停，暂停原因：unpaid, manual。"
        f"用 `ordertower orders release {number} --reason manual` 解除。"
    )
    assert as_json.returncode == 0, as_json.stderr
    order = as_json.json()
    assert order["external_id"] == "WH-5001"
    assert order["status"] == "on_hold"
    assert order["hold_reasons"] == ["address_invalid", "manual"]
    assert order["events"][-1]["data"] == {"reason": "manual", "note": "call the buyer"}


@pytest.mark.parametrize(
    ("ref", "note", "expected"),
    [
        ("WH-9999", "", "'WH-9999' was not found"),
        ("WH-5004", "x" * 256, "note: must be at most 255 characters, but has 256; shorten the note"),
    ],
)
def test_hold_cli_rejections(run_cli: Run, held_file: Path, ref: str, note: str, expected: str):
    result = run_cli("orders", "hold", ref, "--note", note)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert expected in " ".join(result.stderr.split())
    assert result.stdout == ""
    assert run_cli("orders", "show", "WH-5004", "--json").json()["hold_reasons"] == ["unmapped_sku"]


def test_hold_cli_twice_rejected(run_cli: Run, held_file: Path):
    first = run_cli("orders", "hold", "WH-5005")
    second = run_cli("orders", "hold", "WH-5005", "--note", "again")
    chinese = run_cli("--lang", "zh", "orders", "hold", "WH-5005")

    assert first.returncode == 0, first.stderr
    assert second.returncode == 1
    assert second.stdout == ""
    assert "already has the manual hold. Its hold reasons are manual." in " ".join(second.stderr.split())
    assert chinese.returncode == 1
    assert "已有 manual 暂停。当前的暂停原因：manual。" in chinese.stderr
    order = run_cli("orders", "show", "WH-5005", "--json").json()
    assert [event["kind"] for event in order["events"]].count("hold_placed") == 1


def test_hold_cli_cancelled_order(run_cli: Run, held_file: Path):
    cancelled = run_cli("orders", "cancel", "WH-5002")
    english = run_cli("orders", "hold", "WH-5002")
    chinese = run_cli("--lang", "zh", "orders", "hold", "WH-5002")

    assert cancelled.returncode == 0, cancelled.stderr
    assert english.returncode == 1
    assert "is cancelled, so it cannot be put on hold." in " ".join(english.stderr.split())
    assert chinese.returncode == 1
    assert "的状态为 cancelled，不能暂停。" in chinese.stderr


def test_hold_api_releases_stock(client: TestClient):
    before = client.get("/api/v1/orders/WH-5005").json()

    response = client.post("/api/v1/orders/WH-5005/hold", json={"note": "fraud check"})

    assert before["status"] == "allocated"
    assert response.status_code == 200, response.text
    order = response.json()
    assert order["external_id"] == "WH-5005"
    assert order["status"] == "on_hold"
    assert order["hold_reasons"] == ["manual"]
    assert order["shipments"] == []
    assert [(event["kind"], event["from_status"], event["to_status"], event["cause"]) for event in order["events"]] == [
        ("imported", None, "pending", "import"),
        ("routed", "pending", "allocated", "import"),
        ("hold_placed", "allocated", "on_hold", "api"),
    ]
    assert order["events"][-1]["data"] == {"reason": "manual", "note": "fraud check"}
    reserved = sum(row["reserved"] for row in client.get("/api/v1/stock", params={"sku": "TEE-BLK-M"}).json())
    assert reserved == 0


def test_hold_api_without_body(client: TestClient):
    response = client.post("/api/v1/orders/WH-5002/hold")

    assert response.status_code == 200, response.text
    order = response.json()
    assert order["hold_reasons"] == ["unpaid", "manual"]
    assert order["events"][-1]["data"] == {"reason": "manual", "note": ""}


def test_hold_then_release_api(client: TestClient):
    held = client.post("/api/v1/orders/WH-5005/hold", json={})
    released = client.post("/api/v1/orders/WH-5005/release", json={"reason": "manual"})

    assert held.status_code == 200, held.text
    assert released.status_code == 200, released.text
    order = released.json()
    assert (order["status"], order["hold_reasons"]) == ("allocated", [])
    assert [line["sku"] for shipment in order["shipments"] for line in shipment["lines"]] == ["TEE-BLK-M"]
    reserved = sum(row["reserved"] for row in client.get("/api/v1/stock", params={"sku": "TEE-BLK-M"}).json())
    assert reserved == 1


@pytest.mark.parametrize(
    ("ref", "body", "status", "code", "named"),
    [
        ("WH-9999", {}, 404, "not_found", "WH-9999"),
        ("WH-5005", {"note": "x" * 256}, 422, "validation_error", "body.note"),
        ("WH-5005", {"note": "a\x00b"}, 422, "validation_error", "body.note"),
        ("WH-5005", {"note": 5}, 422, "validation_error", "body.note"),
        ("WH-5005", {"reason": "manual"}, 422, "validation_error", "body.reason"),
        ("WH-5005", ["note"], 422, "validation_error", "body"),
    ],
)
def test_hold_api_rejections(client: TestClient, ref: str, body: Any, status: int, code: str, named: str):
    response = client.post(f"/api/v1/orders/{ref}/hold", json=body)

    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert named in error["message"]
    assert client.get("/api/v1/orders/WH-5005").json()["status"] == "allocated"


def test_hold_api_twice_conflicts(client: TestClient):
    assert client.post("/api/v1/orders/WH-5005/hold").status_code == 200

    response = client.post("/api/v1/orders/WH-5005/hold", json={"note": "again"}, headers={"Accept-Language": "zh-CN"})

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "already_held"
    assert error["params"]["reasons"] == "manual"
    assert "已有 manual 暂停。当前的暂停原因：manual。" in error["message"]


@pytest.mark.parametrize(
    ("language", "advice"),
    [
        ("en", 'Release it with POST /api/v1/orders/NUMBER/release and the body {"reason": "manual"}.'),
        ("zh-CN", '可用 POST /api/v1/orders/NUMBER/release 解除，请求体为 {"reason": "manual"}。'),
    ],
    ids=["en", "zh"],
)
def test_hold_api_twice_names_release_endpoint(client: TestClient, language: str, advice: str):
    held = client.post("/api/v1/orders/WH-5005/hold")
    assert held.status_code == 200, held.text
    number = held.json()["number"]

    response = client.post("/api/v1/orders/WH-5005/hold", headers={"Accept-Language": language})

    assert response.status_code == 409, response.text
    message = response.json()["error"]["message"]
    assert message.endswith(advice.replace("NUMBER", number))
    assert "ordertower" not in message
    assert "--reason" not in message


def test_hold_api_cancelled_order(client: TestClient):
    assert client.post("/api/v1/orders/WH-5002/cancel").status_code == 200

    response = client.post("/api/v1/orders/WH-5002/hold")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "order_not_open"
    assert error["params"]["status"] == "cancelled"
    assert "is cancelled, so it cannot be put on hold." in error["message"]


def test_hold_api_documented(client: TestClient):
    spec = client.get("/openapi.json").json()

    operation = spec["paths"]["/api/v1/orders/{ref}/hold"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/ManualHold"} in body["anyOf"]
    assert operation["requestBody"].get("required", False) is False
    assert {"404", "409", "422"} <= set(operation["responses"])
    note = spec["components"]["schemas"]["ManualHold"]["properties"]["note"]
    assert note["maxLength"] == 255
