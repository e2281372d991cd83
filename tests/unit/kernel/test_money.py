"""Parsing amounts and converting them to minor units, including the cached paths."""

from decimal import Decimal, InvalidOperation

import pytest

from ordertower.kernel.money import parse_amount, to_minor


def test_parse_amount_repeated_text_equal():
    first = parse_amount("12.5", "USD")
    second = parse_amount("12.5", "USD")

    assert first == Decimal("12.50")
    assert repr(second) == repr(first)


def test_parse_amount_text_per_currency():
    assert repr(parse_amount("12.5", "USD")) == "Decimal('12.50')"
    assert repr(parse_amount("12.5", "JPY")) == "Decimal('12')"
    assert repr(parse_amount("12.5", "KWD")) == "Decimal('12.500')"


def test_parse_amount_negative_zero_kept():
    assert repr(parse_amount("0", "USD")) == "Decimal('0.00')"
    assert repr(parse_amount("-0", "USD")) == "Decimal('-0.00')"


def test_parse_amount_grouping_and_rounding():
    assert parse_amount(" 1,234.565 ", "USD") == Decimal("1234.56")
    assert parse_amount("1,234.575", "USD") == Decimal("1234.58")
    assert parse_amount("", "USD") == Decimal("0.00")


@pytest.mark.parametrize("text", ["abc", "NaN", "Infinity", "12.5 USD"])
def test_parse_amount_invalid_raises_every_time(text):
    for _ in range(2):
        with pytest.raises(ValueError, match="amount"):
            parse_amount(text, "USD")


def test_parse_amount_numbers_not_text():
    assert repr(parse_amount(Decimal("-0"), "USD")) == "Decimal('-0.00')"
    assert parse_amount(7, "JPY") == Decimal(7)
    assert parse_amount(None, "USD") == Decimal("0.00")


def test_to_minor_equal_amounts_share_result():
    assert to_minor(Decimal("1.5"), "USD") == 150
    assert to_minor(Decimal("1.50"), "USD") == 150
    assert to_minor(Decimal("-0.00"), "USD") == 0
    assert to_minor(Decimal("0.125"), "USD") == 12


def test_to_minor_per_currency():
    assert to_minor(Decimal("2.5"), "USD") == 250
    assert to_minor(Decimal("2.5"), "JPY") == 2
    assert to_minor(Decimal("2.5"), "KWD") == 2500


def test_to_minor_nan_raises_value_error():
    with pytest.raises(ValueError, match="NaN"):
        to_minor(Decimal("NaN"), "USD")


@pytest.mark.parametrize("text", ["sNaN", "Infinity", "-Infinity"])
def test_to_minor_non_finite_raises_invalid_operation(text):
    with pytest.raises(InvalidOperation):
        to_minor(Decimal(text), "USD")
