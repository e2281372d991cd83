"""Row error messages: both languages, matching placeholders, stable codes."""

import string

import pytest

from ordertower.channels.messages import HOLD_CODES, ROW_ERROR_MESSAGES, is_hold, row_error, row_error_code


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(ROW_ERROR_MESSAGES))
def test_message_has_both_languages(code):
    message = ROW_ERROR_MESSAGES[code]

    assert message.en.strip()
    assert any("\u4e00" <= char <= "\u9fff" for char in message.zh)
    # The Chinese text may name fewer values (what_zh replaces what), never ones the English lacks.
    assert placeholders(message.zh) - {"what_zh"} <= placeholders(message.en) | {"field", "value"}


def test_row_error_carries_code_and_renders():
    error = row_error(7, "quantity", "x", "invalid_quantity")

    assert (error.line, error.field, error.value) == (7, "quantity", "x")
    assert row_error_code(error) == "invalid_quantity"
    assert "'x'" in error.render("en")
    assert "quantity" in error.render("zh")
    assert not is_hold(error)


def test_missing_sku_is_the_only_hold():
    assert set(HOLD_CODES) == {"missing_sku"}
    assert is_hold(row_error(2, "Lineitem sku", "", "missing_sku"))
