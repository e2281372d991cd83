"""Chinese wording of pydantic's validation errors."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from ordertower.kernel.field_errors import ZH_FALLBACK, describe_field_error


class Sample(BaseModel):
    quantity: int = Field(ge=1, le=10)
    note: str = Field(max_length=3)


def errors_of(**values: object) -> list[dict]:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(values)
    return caught.value.errors()


def test_limits_come_from_the_error_context():
    too_many, too_long = errors_of(quantity=11, note="abcd")

    assert describe_field_error(too_many, "zh") == "应小于或等于 10"
    assert describe_field_error(too_long, "zh") == "最多允许 3 个字符"


def test_english_is_pydantic_message():
    (error,) = errors_of(quantity="many", note="ok")

    assert describe_field_error(error, "en") == error["msg"]
    assert describe_field_error(error, "zh") == "应为整数"


def test_unknown_type_falls_back_to_code():
    assert describe_field_error({"type": "made_up_type", "msg": "odd"}, "zh") == ZH_FALLBACK.format(type="made_up_type")


def test_missing_context_key_falls_back():
    # A template that needs a limit the error does not carry must not raise KeyError.
    assert describe_field_error({"type": "greater_than", "msg": "x", "ctx": {}}, "zh") == ZH_FALLBACK.format(
        type="greater_than"
    )
