"""Request and response shapes of the orders API."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ordertower.kernel.money import UnknownCurrencyError, normalize_currency
from ordertower.kernel.schemas import Page
from ordertower.orders.model import MAX_HOLD_NOTE_LENGTH, HoldReason

Text = Annotated[str, Field(max_length=255, pattern=r"^[^\x00]*$")]
MAX_AMOUNT = Decimal("1e12")
Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, max_digits=18, decimal_places=4)]


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    company: Text = ""
    line1: Text = ""
    line2: Text = ""
    city: Text = ""
    region: Text = ""
    postal_code: Annotated[str, Field(max_length=32, pattern=r"^[^\x00]*$")] = ""
    country_code: Annotated[str, Field(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")]
    phone: Annotated[str, Field(max_length=64, pattern=r"^[^\x00]*$")] = ""


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[^\x00]*$")]
    quantity: Annotated[int, Field(gt=0, le=1_000_000)]
    unit_price: Amount
    name: Text = ""
    discount: Amount = Decimal(0)
    tax: Amount = Decimal(0)


class OrderCreate(BaseModel):
    """A manual or wholesale order typed in by an operator or sent by an integration."""

    model_config = ConfigDict(extra="forbid")

    channel: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00]*$")] = "wholesale"
    external_id: Annotated[str, Field(max_length=128, pattern=r"^[^\x00]*$")] = ""
    currency: Annotated[str, Field(min_length=3, max_length=3, pattern=r"^[A-Za-z]{3}$")]
    email: Text = ""
    customer_name: Text = ""
    shipping_address: AddressIn
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=500)]
    shipping_total: Amount = Decimal(0)
    discount_total: Amount = Decimal(0)
    tax_total: Amount = Decimal(0)
    financial_status: Literal["pending", "authorized", "paid"] = "paid"

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        try:
            return normalize_currency(value)
        except UnknownCurrencyError:
            raise PydanticCustomError(
                "currency_unknown",
                "{value} is not an ISO 4217 currency code, such as USD, EUR or CNY",
                {"value": repr(value)},
            ) from None

    @model_validator(mode="after")
    def _total_within_limit(self) -> OrderCreate:
        # Each amount is bounded, but 500 lines of a million units could still add up to more minor units
        # than a 64-bit column holds.
        subtotal = sum((line.unit_price * line.quantity for line in self.lines), Decimal(0))
        if subtotal + self.shipping_total + self.tax_total > MAX_AMOUNT:
            raise PydanticCustomError(
                "total_too_large",
                "the order total (lines, shipping and tax) exceeds the maximum of {maximum}",
                {"maximum": f"{MAX_AMOUNT:,.0f}"},
            )
        return self


class OrderPage(Page[dict[str, Any]]):
    """One page of order resources, newest first."""


class HoldRelease(BaseModel):
    """The hold reason that a person has checked and releases."""

    model_config = ConfigDict(extra="forbid")

    reason: HoldReason = Field(
        description="unpaid, address_invalid or manual. An unmapped_sku hold is released by a SKU mapping "
        "in the workspace file instead, and the request is rejected with hold_not_releasable."
    )


class ManualHold(BaseModel):
    """Optional body of a manual hold request, with the operator's note."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(
        default="",
        max_length=MAX_HOLD_NOTE_LENGTH,
        pattern=r"^[^\x00]*$",
        description=f"Free text kept with the order's hold_placed event, at most {MAX_HOLD_NOTE_LENGTH} characters.",
    )


class ImportRecord(BaseModel):
    """One import with its counts and per-row error report."""

    id: int
    filename: str
    format: str
    status: str
    created: int
    updated: int
    unchanged: int
    errors: list[dict[str, Any]]
    started_at: str
    finished_at: str | None


class ImportPage(Page[ImportRecord]):
    """One page of imports, newest first."""
