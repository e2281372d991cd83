"""Wording of errors for the CLI and for REST clients."""

from __future__ import annotations

import pickle

import pytest

from ordertower.kernel.errors import ConflictError, NotFoundError
from ordertower.orders.model import HoldNotReleasableError


def test_not_found_cli_names_command():
    error = NotFoundError(entity="SKU", ref="NO-SKU", command="products list")

    assert (
        error.render("en")
        == "SKU 'NO-SKU' was not found. Check the spelling, or list them with `ordertower products list`."
    )
    assert "`ordertower products list`" in error.render("zh")


@pytest.mark.parametrize(
    ("entity", "path"),
    [
        ("order", "/api/v1/orders"),
        ("SKU", "/api/v1/products"),
        ("product", "/api/v1/products"),
        ("location", "/api/v1/locations"),
        ("channel", "/api/v1/channels"),
        ("import", "/api/v1/imports"),
    ],
)
def test_not_found_api_names_endpoint(entity: str, path: str):
    error = NotFoundError(entity=entity, ref="X-1", command="orders list")

    english = error.render_for_api("en")
    chinese = error.render_for_api("zh")

    assert english == f"{entity} 'X-1' was not found. Check the spelling, or list them with GET {path}."
    assert chinese.endswith(f"请检查拼写，或用 GET {path} 列出现有记录。")
    assert "ordertower" not in english
    assert "ordertower" not in chinese


def test_not_found_api_without_list_endpoint():
    error = NotFoundError(entity="order line", ref="OT100001/9", command="orders show OT100001")

    assert (
        error.render_for_api("en")
        == "order line 'OT100001/9' was not found. Check the value and send the request again."
    )
    assert error.render_for_api("zh") == "未找到订单行：'OT100001/9'。请检查该值后重新发送请求。"


def test_to_dict_chooses_wording():
    error = NotFoundError(entity="location", ref="XX", command="locations list")

    for_cli = error.to_dict("en")
    for_api = error.to_dict("en", for_api=True)

    assert for_cli["message"] == error.render("en")
    assert for_api["message"] == error.render_for_api("en")
    assert for_api["code"] == for_cli["code"] == "not_found"
    assert for_api["params"] == for_cli["params"]


def test_api_wording_defaults_to_message():
    error = ConflictError(detail="the order already shipped")

    assert error.render_for_api("en") == error.render("en") == "the order already shipped"


def test_unmapped_hold_api_wording():
    error = HoldNotReleasableError(order="OT100001", reason="unmapped_sku")

    assert "`ordertower workspace apply FILE`" in error.render("en")
    assert "ordertower" not in error.render_for_api("en")
    assert "ordertower" not in error.render_for_api("zh")
    assert "sku_mappings" in error.render_for_api("en")
    assert "sku_mappings" in error.render_for_api("zh")


def test_pickled_not_found_keeps_api_wording():
    error = NotFoundError(entity="order", ref="OT999999", command="orders list")

    restored = pickle.loads(pickle.dumps(error))

    assert restored.render_for_api("zh") == error.render_for_api("zh")
