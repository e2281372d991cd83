"""Demo orders as a channel would report them, created one at a time from a seeded random source."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from ordertower.demo.catalog import ChannelListing, DemoCatalog, DemoProduct, charm_price
from ordertower.demo.people import Buyer, ShipTo, make_buyer
from ordertower.kernel.money import quantize

# Orders are spread over the twelve days up to this instant, so files are the
# same for a seed whenever they are generated.
WINDOW_END = datetime(2026, 12, 1, tzinfo=UTC)
WINDOW = timedelta(days=12)

MAX_LINES = 8
INVALID_ADDRESS_SHARE = 0.01
PENDING_SHARE = 0.03
CANCELLED_SHARE = 0.02
ON_HOLD_SHARE = 0.015  # WooCommerce bank transfers waiting for the money
FBA_SHARE = 0.15
UNMAPPED_SKU_EVERY = 100  # one Amazon order in this many uses a listing without SKU mapping
REPEAT_BUYERS = 120

# Amazon listings created on Seller Central but never mapped to a SKU of ours.
UNMAPPED_AMAZON_SKUS = ("AMZ-HOODIE-NVY-XL", "AMZ-LAMP-CLIP-W", "AMZ-CASE16-PRO-CLR")

# Approximate state base sales tax rates. County and city add-ons are left out.
US_STATE_TAX = {
    "CA": "0.0725", "TX": "0.0625", "FL": "0.06", "NY": "0.04", "PA": "0.06", "IL": "0.0625",
    "OH": "0.0575", "GA": "0.04", "NC": "0.0475", "MI": "0.06", "NJ": "0.06625", "VA": "0.053",
    "WA": "0.065", "AZ": "0.056", "MA": "0.0625", "TN": "0.07", "IN": "0.07", "OR": "0", "NH": "0",
    "MT": "0", "DE": "0", "AK": "0",
}  # fmt: skip
DEFAULT_US_TAX = "0.05"
EU_VAT = {"GB": "0.20", "DE": "0.19", "FR": "0.20", "NL": "0.21", "IT": "0.22", "ES": "0.21"}
VAT_LABELS = {"GB": "VAT", "DE": "MwSt.", "FR": "TVA", "NL": "BTW", "IT": "IVA", "ES": "IVA"}

# USD list price -> store currency, before charm rounding.
EXCHANGE_FROM_USD = {"USD": 1.0, "EUR": 0.95, "GBP": 0.80}


class DemoOrderState(StrEnum):
    OPEN = "open"  # paid, waiting for us to ship
    PENDING_PAYMENT = "pending_payment"
    ON_HOLD = "on_hold"  # WooCommerce: waiting for a bank transfer
    CANCELLED = "cancelled"
    SHIPPED = "shipped"  # already shipped, here always by Amazon (FBA) or before the export


class Defect(StrEnum):
    """Trouble put into an order on purpose, so the importer has something to hold."""

    INVALID_ADDRESS = "invalid_address"
    UNMAPPED_SKU = "unmapped_sku"


@dataclass(frozen=True, slots=True)
class ChannelProfile:
    kind: str  # channel kind in the workspace file
    destinations: dict[str, float]  # country -> share of orders
    repeat_share: float  # share of orders placed by a returning buyer
    email_tag: str
    newest_first: bool  # file lists the newest order first, as the channel's export does


PROFILES = {
    "shopify-csv": ChannelProfile(
        "shopify",
        {"US": 80, "GB": 4, "DE": 3, "FR": 2, "NL": 1, "IT": 1, "ES": 1,
         "JP": 3, "KR": 1.5, "SG": 1, "HK": 1, "AU": 1.5},
        0.2, "s", newest_first=True,
    ),
    "shopify-json": ChannelProfile(
        "shopify",
        {"US": 80, "GB": 4, "DE": 3, "FR": 2, "NL": 1, "IT": 1, "ES": 1,
         "JP": 3, "KR": 1.5, "SG": 1, "HK": 1, "AU": 1.5},
        0.2, "j", newest_first=False,
    ),
    "amazon-tsv": ChannelProfile("amazon", {"US": 100}, 0.0, "a", newest_first=False),
    "woocommerce-json": ChannelProfile(
        "woocommerce", {"GB": 30, "DE": 25, "FR": 17, "NL": 10, "IT": 10, "ES": 8}, 0.25, "w", newest_first=True
    ),
}  # fmt: skip

_REPEAT_COUNTRIES = {"US": 65, "GB": 10, "DE": 10, "FR": 6, "NL": 3, "IT": 3, "ES": 3}


@dataclass(slots=True)
class DemoLine:
    channel_sku: str
    product: DemoProduct
    quantity: int
    unit_price: Decimal
    discount: Decimal = Decimal("0.00")  # on the whole line
    tax: Decimal = Decimal("0.00")  # on the whole line, after discount

    @property
    def gross(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(slots=True)
class DemoOrder:
    index: int  # position in the channel's numbering, from 0
    placed_at: datetime  # UTC
    currency: str
    state: DemoOrderState
    buyer: Buyer
    lines: list[DemoLine]
    fulfilled_by_channel: bool = False
    discount_code: str = ""
    tax_rate: Decimal = Decimal(0)
    tax_title: str = ""
    shipping_total: Decimal = Decimal("0.00")
    shipping_tax: Decimal = Decimal("0.00")
    defects: frozenset[Defect] = field(default_factory=frozenset)

    # Totals, set by `settle_totals` once lines, discounts and taxes are final.
    line_items_total: Decimal = Decimal("0.00")  # before discounts
    discount_total: Decimal = Decimal("0.00")
    subtotal: Decimal = Decimal("0.00")  # after discounts, before shipping and tax (Shopify's subtotal_price)
    line_tax_total: Decimal = Decimal("0.00")
    tax_total: Decimal = Decimal("0.00")  # line taxes plus shipping tax
    total: Decimal = Decimal("0.00")
    weight_grams: int = 0

    @property
    def ship_to(self) -> ShipTo:
        return self.buyer.address

    def settle_totals(self) -> None:
        zero = Decimal("0.00")
        self.line_items_total = sum((line.gross for line in self.lines), zero)
        self.discount_total = sum((line.discount for line in self.lines), zero)
        self.subtotal = self.line_items_total - self.discount_total
        self.line_tax_total = sum((line.tax for line in self.lines), zero)
        self.tax_total = self.line_tax_total + self.shipping_tax
        self.total = self.subtotal + self.shipping_total + self.tax_total
        self.weight_grams = sum(line.product.weight_grams * line.quantity for line in self.lines)


class OrderFactory:
    """Create the orders of one file in file order, one at a time."""

    def __init__(
        self, catalog: DemoCatalog, *, format: str, seed: int, start_index: int = 0, lines_mean: float = 1.6
    ) -> None:
        self.profile = PROFILES[format]
        self.catalog = catalog
        self.channel = catalog.channel_for_kind(self.profile.kind)
        self.start_index = start_index
        self.lines_mean = max(1.0, lines_mean)
        self.rng = random.Random(f"{seed}:{format}:{start_index}")

        self.listings = catalog.listings[self.channel]
        total = 0.0
        self.listing_weights: list[float] = []
        for listing in self.listings:
            total += listing.popularity
            self.listing_weights.append(total)

        self.countries = list(self.profile.destinations)
        self.country_weights = list(self.profile.destinations.values())
        self.repeat_buyers = _repeat_buyers(catalog, seed, set(self.countries))
        self.prices: dict[tuple[str, str], Decimal] = {}

    def iter_orders(self, count: int) -> Iterator[DemoOrder]:
        """Yield `count` orders in the order the channel's file lists them."""
        step = WINDOW / max(count, 1)
        start = WINDOW_END - WINDOW
        for position in range(count):
            offset = count - 1 - position if self.profile.newest_first else position
            placed_at = start + step * (offset + self.rng.random())
            yield self._make_order(self.start_index + offset, placed_at.replace(microsecond=0))

    def _make_order(self, index: int, placed_at: datetime) -> DemoOrder:
        rng = self.rng
        if self.repeat_buyers and rng.random() < self.profile.repeat_share:
            buyer = rng.choice(self.repeat_buyers)
        else:
            country = rng.choices(self.countries, weights=self.country_weights)[0]
            buyer = make_buyer(rng, country, self.catalog.us_places, f"{self.profile.email_tag}{index}")

        defects: set[Defect] = set()
        if rng.random() < INVALID_ADDRESS_SHARE and buyer.address.country_code in _CITY_REQUIRED:
            buyer = replace(buyer, address=_break_address(rng, buyer.address))
            defects.add(Defect.INVALID_ADDRESS)

        currency = _currency_for(self.profile.kind, buyer.address.country_code)
        order = DemoOrder(
            index=index,
            placed_at=placed_at,
            currency=currency,
            state=self._draw_state(),
            buyer=buyer,
            lines=self._draw_lines(currency),
        )
        if self.profile.kind == "amazon":
            self._apply_amazon_rules(order, index, defects)
        order.defects = frozenset(defects)
        self._price(order)
        return order

    def _draw_state(self) -> DemoOrderState:
        roll = self.rng.random()
        if roll < CANCELLED_SHARE:
            return DemoOrderState.CANCELLED
        if roll < CANCELLED_SHARE + PENDING_SHARE:
            return DemoOrderState.PENDING_PAYMENT
        if self.profile.kind == "woocommerce" and roll < CANCELLED_SHARE + PENDING_SHARE + ON_HOLD_SHARE:
            return DemoOrderState.ON_HOLD
        return DemoOrderState.OPEN

    def _draw_lines(self, currency: str) -> list[DemoLine]:
        rng = self.rng
        wanted = min(MAX_LINES, len(self.listings), 1 + _poisson(rng, self.lines_mean - 1.0))
        chosen: dict[str, ChannelListing] = {}
        for _ in range(wanted * 4):
            listing = rng.choices(self.listings, cum_weights=self.listing_weights)[0]
            chosen.setdefault(listing.channel_sku, listing)
            if len(chosen) == wanted:
                break

        lines = []
        for listing in chosen.values():
            roll = rng.random()
            quantity = 1
            if roll >= 0.95:
                quantity = rng.randint(3, 4)
            elif roll >= 0.8:
                quantity = 2
            unit_price = self._unit_price(listing.product, currency)
            lines.append(DemoLine(listing.channel_sku, listing.product, quantity, unit_price))
        return lines

    def _unit_price(self, product: DemoProduct, currency: str) -> Decimal:
        key = (product.sku, currency)
        price = self.prices.get(key)
        if price is None:
            if currency == "USD":
                price = product.list_price_usd
            else:
                price = charm_price(float(product.list_price_usd) * EXCHANGE_FROM_USD[currency])
            self.prices[key] = price
        return price

    def _apply_amazon_rules(self, order: DemoOrder, index: int, defects: set[Defect]) -> None:
        if index % UNMAPPED_SKU_EVERY == UNMAPPED_SKU_EVERY // 3:
            order.lines[0].channel_sku = UNMAPPED_AMAZON_SKUS[(index // UNMAPPED_SKU_EVERY) % 3]
            defects.add(Defect.UNMAPPED_SKU)
        if order.state is DemoOrderState.OPEN and self.rng.random() < FBA_SHARE:
            order.fulfilled_by_channel = True
            order.state = DemoOrderState.SHIPPED

    def _price(self, order: DemoOrder) -> None:
        rng = self.rng
        currency = order.currency
        country = order.ship_to.country_code

        line_items_total = sum((line.gross for line in order.lines), Decimal("0.00"))
        if rng.random() < 0.08:
            order.discount_code = "WELCOME10"
            _spread_discount(order, line_items_total, quantize(line_items_total * Decimal("0.10"), currency))

        subtotal = line_items_total - sum((line.discount for line in order.lines), Decimal("0.00"))
        kind = self.profile.kind
        if kind == "woocommerce":
            flat_rate = Decimal("3.99") if currency == "GBP" else Decimal("4.90")
            order.shipping_total = Decimal("0.00") if subtotal >= 60 else flat_rate
            order.tax_rate = Decimal(EU_VAT[country])
            order.tax_title = VAT_LABELS[country]
        elif kind == "amazon":
            if not order.fulfilled_by_channel and rng.random() < 0.3:
                order.shipping_total = Decimal("4.99")
            order.tax_rate = Decimal(US_STATE_TAX.get(order.ship_to.region_code, DEFAULT_US_TAX))
        elif country == "US":
            order.shipping_total = Decimal("0.00") if subtotal >= 50 else Decimal("5.99")
            order.tax_rate = Decimal(US_STATE_TAX.get(order.ship_to.region_code, DEFAULT_US_TAX))
            order.tax_title = f"{order.ship_to.region_code} State Tax"
        else:
            order.shipping_total = Decimal("14.99")  # export: duties and import VAT paid by the buyer

        for line in order.lines:
            line.tax = quantize((line.gross - line.discount) * order.tax_rate, currency)
        if kind == "woocommerce":
            order.shipping_tax = quantize(order.shipping_total * order.tax_rate, currency)
        order.settle_totals()


_CITY_REQUIRED = {"US", "GB", "DE", "FR", "NL", "IT", "ES", "AU"}


def _break_address(rng: random.Random, address: ShipTo) -> ShipTo:
    """Return the address with a mistake buyers make: no city, or a US ZIP code that does not exist."""
    if address.country_code == "US" and rng.random() < 0.5:
        return replace(address, postal_code="00000")
    return replace(address, city="")


def _currency_for(kind: str, country: str) -> str:
    if kind == "woocommerce":
        return "GBP" if country == "GB" else "EUR"
    return "USD"


def _spread_discount(order: DemoOrder, base: Decimal, discount: Decimal) -> None:
    """Share an order discount over the lines by value. The last line takes the rounding rest."""
    remaining = discount
    for line in order.lines[:-1]:
        share = quantize(discount * line.gross / base, order.currency)
        line.discount = share
        remaining -= share
    order.lines[-1].discount = remaining


def _poisson(rng: random.Random, mean: float) -> int:
    """Draw from a Poisson distribution (Knuth's method, fine for small means)."""
    if mean <= 0:
        return 0
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit and count < 50:
        count += 1
        product *= rng.random()
    return count


def _repeat_buyers(catalog: DemoCatalog, seed: int, countries: set[str]) -> list[Buyer]:
    """Return the returning buyers who can order from a channel shipping to `countries`.

    Every channel builds the same pool from the seed, so one buyer, with one
    e-mail address, shows up on Shopify and on WooCommerce.
    """
    buyers = []
    for number in range(REPEAT_BUYERS):
        rng = random.Random(f"{seed}:buyer:{number}")
        country = rng.choices(list(_REPEAT_COUNTRIES), weights=list(_REPEAT_COUNTRIES.values()))[0]
        if country in countries:
            buyers.append(make_buyer(rng, country, catalog.us_places, f"r{number}", customer_number=number + 1))
    return buyers
