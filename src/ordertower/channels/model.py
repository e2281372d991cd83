"""The canonical shape every channel parser produces, before anything is stored.

A parser reads one file and yields `ParsedOrder` values and `RowError`
values in file order. It never touches the database, so it can be tested
on the raw sample files alone and streamed over files of any size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ordertower.kernel.i18n import Message
from ordertower.kernel.pickling import pickled_by_fields


class FinancialStatus(StrEnum):
    """Payment state as the channel reports it."""

    PENDING = "pending"
    AUTHORIZED = "authorized"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"


class ChannelOrderState(StrEnum):
    """The channel's view of the order's life, mapped to a few states we act on."""

    OPEN = "open"  # still to be fulfilled by us
    CANCELLED = "cancelled"
    FULFILLED = "fulfilled"  # already shipped, by us or by the channel


@pickled_by_fields
@dataclass(slots=True)
class ParsedAddress:
    name: str = ""
    company: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country_code: str = ""  # ISO 3166-1 alpha-2, upper case, or "" when the file has none
    phone: str = ""

    def is_empty(self) -> bool:
        return not any((self.line1, self.city, self.postal_code, self.country_code))


@pickled_by_fields
@dataclass(slots=True)
class ParsedLine:
    channel_sku: str  # the SKU as the channel spells it; "" when the channel gives none
    name: str
    quantity: int
    unit_price: Decimal  # per unit, in the order's currency, as the channel reported it
    discount: Decimal = Decimal(0)  # total discount on this line
    tax: Decimal = Decimal(0)  # total tax on this line
    external_line_id: str = ""
    cancelled_quantity: int = 0  # units the channel has cancelled or removed from this line


@pickled_by_fields
@dataclass(slots=True)
class ParsedOrder:
    """One order as a channel file describes it, with every amount already a Decimal."""

    external_id: str  # the channel's stable order id (Shopify `id` or `Name`, Amazon order id)
    external_number: str  # what people call the order ("#1001"); may equal external_id
    placed_at: datetime  # timezone-aware
    currency: str  # ISO 4217
    state: ChannelOrderState
    financial_status: FinancialStatus
    subtotal: Decimal
    discount_total: Decimal
    shipping_total: Decimal
    tax_total: Decimal
    total: Decimal
    lines: list[ParsedLine]
    email: str = ""
    phone: str = ""
    customer_name: str = ""
    shipping_address: ParsedAddress | None = None
    billing_address: ParsedAddress | None = None
    updated_at: datetime | None = None  # the channel's last-modified time, when it gives one
    fulfilled_by_channel: bool = False  # Amazon FBA and the like: we never ship these
    source_line: int = 0  # 1-based line (CSV/TSV) or list index + 1 (JSON) where the order starts
    channel_kind: str = ""  # "shopify", "amazon", "woocommerce", "generic"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RowError:
    """A row (or JSON object) that could not be read; the rest of the file still imports."""

    line: int
    field: str
    value: str
    message: Message
    params: tuple[tuple[str, Any], ...] = ()
    # The wording for REST clients, set where `message` names a CLI option. None means `message`.
    api_message: Message | None = None

    def render(self, language: str | None = None) -> str:
        return self.message.render(language, **dict(self.params))  # type: ignore[arg-type]

    def render_for_api(self, language: str | None = None) -> str:
        """Render the message for a REST client, in `api_message` where the error has one."""
        return (self.api_message or self.message).render(language, **dict(self.params))  # type: ignore[arg-type]


ParseResult = ParsedOrder | RowError
