"""Money as Decimal quantized to the currency's ISO 4217 minor unit.

Amounts travel through the domain as `Decimal` and are stored as integers of
minor units: cents, pence, or whole yen because yen have no minor unit.
No float is used for money anywhere.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache, lru_cache

import pycountry
from babel.numbers import get_currency_precision


class UnknownCurrencyError(ValueError):
    """A currency code that is not in ISO 4217."""


@cache
def currency_exponent(currency: str) -> int:
    """Return the number of decimal places of `currency` (2 for USD, 0 for JPY, 3 for KWD)."""
    code = normalize_currency(currency)
    return int(get_currency_precision(code))


@cache
def normalize_currency(currency: str) -> str:
    """Return the upper-case ISO 4217 code, or raise UnknownCurrencyError."""
    code = (currency or "").strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise UnknownCurrencyError(currency)
    return code


def parse_amount(text: str | int | Decimal | None, currency: str) -> Decimal:
    """Parse a channel's amount text into a Decimal rounded to the currency's minor unit.

    Empty text is zero, because channels leave optional totals blank. Raises
    ValueError on text that is not a plain decimal number.
    """
    if text is None:
        return quantize(Decimal(0), currency)
    if isinstance(text, Decimal | int):
        return quantize(Decimal(text), currency)
    return _parse_amount_text(text, currency)


# Channel files repeat a few amount texts on many rows ("0.00", a product's price), and a Decimal
# is immutable, so parsed amounts are kept. A full cache uses about 5 MB (tracemalloc, Python 3.11).
# NOTE: a kept result ignores later changes of the decimal context, which no module here makes.
@lru_cache(maxsize=16384)
def _parse_amount_text(text: str, currency: str) -> Decimal:
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        return quantize(Decimal(0), currency)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(f"not a decimal amount: {text!r}") from error
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {text!r}")
    return quantize(value, currency)


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round `amount` to the currency's minor unit with banker's rounding."""
    return amount.quantize(_minor_unit(currency), rounding=ROUND_HALF_EVEN)


@cache
def _minor_unit(currency: str) -> Decimal:
    # An import quantizes about 25 amounts per order, so the quantum is built once per currency.
    return Decimal(1).scaleb(-currency_exponent(currency))


def to_minor(amount: Decimal, currency: str) -> int:
    """Convert an amount to an integer count of minor units."""
    if not amount.is_finite():
        # These raise below, and a signalling NaN cannot even be hashed as a cache key, so they skip the cache.
        return _to_minor(amount, currency)
    return _cached_to_minor(amount, currency)


def _to_minor(amount: Decimal, currency: str) -> int:
    return int(amount.quantize(_minor_unit(currency), rounding=ROUND_HALF_EVEN).scaleb(currency_exponent(currency)))


# Preparing an order converts five totals and three amounts per line, mostly prices that recur.
# Equal Decimals ("1.5" and "1.50") hash alike and give the same count, so they share an entry.
# A full cache uses about 3 MB, and like _parse_amount_text it assumes one decimal context.
_cached_to_minor = lru_cache(maxsize=16384)(_to_minor)


def from_minor(units: int, currency: str) -> Decimal:
    """Convert an integer count of minor units back to a Decimal amount."""
    return Decimal(units).scaleb(-currency_exponent(currency))


def format_amount(units: int, currency: str) -> str:
    """Format minor units as the decimal string the API and CLI print ("12.50", "1990")."""
    return str(from_minor(units, currency))
