"""Turn a parsed channel order into the values we store: amounts in minor units, mapped lines, holds.

No database access here: the import pipeline calls `prepare_order` for every
order of a batch and then writes the batch with bulk statements.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC
from functools import lru_cache
from operator import itemgetter
from typing import Any

from ordertower.catalog.snapshot import CatalogSnapshot
from ordertower.channels.model import ParsedAddress, ParsedLine, ParsedOrder
from ordertower.customers.model import match_key
from ordertower.kernel.addresses import Address, normalize_address
from ordertower.kernel.money import to_minor
from ordertower.kernel.pickling import pickled_by_fields
from ordertower.orders.model import HoldReason, decide_status, hold_reasons_for
from ordertower.orders.model import OrderStatus as Status
from ordertower.routing.geo import Coordinates, geocode


@pickled_by_fields
@dataclass
class PreparedLine:
    line_number: int
    values: dict[str, Any]
    product_id: int | None
    open_quantity: int


@pickled_by_fields
@dataclass
class PreparedOrder:
    """The values that the import stores for one parsed order.

    It keeps no reference to the parsed order, so that a batch of prepared
    orders travels from the read-ahead process without the parsed ones.
    """

    values: dict[str, Any]  # column values of the orders row, without ids and numbers
    lines: list[PreparedLine]
    hold_reasons: list[HoldReason]
    target_status: Status  # PENDING means: route it now
    customer_key: str
    buyer: tuple[str, str, str]  # the (email, phone, name) that customer matching keys on, as in customer_key
    content_hash: str
    destination: Coordinates | None
    address_problems: list[dict[str, str]] = field(default_factory=list)

    @property
    def external_id(self) -> str:
        return str(self.values["external_id"])


def prepare_order(parsed: ParsedOrder, *, channel_id: int, catalog: CatalogSnapshot) -> PreparedOrder:
    currency = parsed.currency
    address, problems = _normalize_shipping(parsed)
    lines = [
        _prepare_line(number, line, channel_id, catalog, currency) for number, line in enumerate(parsed.lines, start=1)
    ]
    unmapped = any(line.product_id is None and line.open_quantity > 0 for line in lines)
    holds = hold_reasons_for(
        financial_status=parsed.financial_status,
        address_valid=not problems,
        has_unmapped_lines=unmapped,
        fulfilled_by_channel=parsed.fulfilled_by_channel,
    )
    target = decide_status(
        channel_state=parsed.state,
        fulfilled_by_channel=parsed.fulfilled_by_channel,
        hold_reasons=holds,
        fully_allocated=None,
    )
    if target not in (Status.ON_HOLD, Status.PENDING):
        # Holds mark work for a person before shipping, so a cancelled or shipped order has none.
        holds = []
    problem_list = [
        {"field": p.field, "code": p.code, "en": p.message.render("en"), "zh": p.message.render("zh")} for p in problems
    ]
    values = {
        "channel_id": channel_id,
        "external_id": parsed.external_id,
        "external_number": parsed.external_number or parsed.external_id,
        "financial_status": parsed.financial_status.value,
        "hold_reasons": [reason.value for reason in holds],
        "currency": currency,
        "subtotal": to_minor(parsed.subtotal, currency),
        "discount_total": to_minor(parsed.discount_total, currency),
        "shipping_total": to_minor(parsed.shipping_total, currency),
        "tax_total": to_minor(parsed.tax_total, currency),
        "total": to_minor(parsed.total, currency),
        "email": parsed.email[:320],
        "customer_name": parsed.customer_name[:255],
        "ship_name": address.name[:255],
        "ship_company": address.company[:255],
        "ship_line1": address.line1[:255],
        "ship_line2": address.line2[:255],
        "ship_city": address.city[:128],
        "ship_region": address.region[:128],
        "ship_postal_code": address.postal_code[:32],
        "ship_country_code": address.country_code[:2],
        "ship_phone": address.phone[:64],
        "address_problems": problem_list,
        "fulfilled_by_channel": parsed.fulfilled_by_channel,
        "channel_state": parsed.state.value,
        "placed_at": parsed.placed_at.astimezone(UTC),
        "channel_updated_at": parsed.updated_at.astimezone(UTC) if parsed.updated_at else None,
    }
    destination = None
    if target is Status.PENDING and address.country_code:
        found = geocode(address.country_code, address.postal_code, address.city, address.region)
        destination = found.coordinates if found else None
    return PreparedOrder(
        values=values,
        lines=lines,
        hold_reasons=holds,
        target_status=target,
        customer_key=match_key(parsed.email, parsed.phone or address.phone),
        buyer=(parsed.email, parsed.phone or address.phone[:64], parsed.customer_name or address.name[:255]),
        content_hash=content_hash(values, lines),
        destination=destination,
        address_problems=problem_list,
    )


def _normalize_shipping(parsed: ParsedOrder) -> tuple[Address, list[Any]]:
    source = parsed.shipping_address or ParsedAddress()
    address = Address(
        name=source.name,
        company=source.company,
        line1=source.line1,
        line2=source.line2,
        city=source.city,
        region=source.region,
        postal_code=source.postal_code,
        country_code=source.country_code,
        phone=source.phone,
    )
    if parsed.fulfilled_by_channel:
        # The channel ships these itself and often redacts the address, so nothing here must be deliverable.
        return address, []
    normalized, problems = normalize_address(address)
    return normalized, problems


def _prepare_line(
    number: int, line: ParsedLine, channel_id: int, catalog: CatalogSnapshot, currency: str
) -> PreparedLine:
    product_id = catalog.resolve(channel_id, line.channel_sku)
    sku = catalog.products[product_id].sku if product_id is not None else ""
    cancelled = min(max(line.cancelled_quantity, 0), line.quantity)
    values = {
        "line_number": number,
        "external_line_id": line.external_line_id[:128],
        "channel_sku": line.channel_sku[:255],
        "product_id": product_id,
        "sku": sku,
        "name": (line.name or (catalog.products[product_id].name if product_id is not None else ""))[:512],
        "quantity": line.quantity,
        "cancelled_quantity": cancelled,
        "unit_price": to_minor(line.unit_price, currency),
        "discount": to_minor(line.discount, currency),
        "tax": to_minor(line.tax, currency),
    }
    return PreparedLine(number, values, product_id, line.quantity - cancelled)


# Values we derive from the catalog or the address rules rather than read from the channel.
_DERIVED = frozenset({"hold_reasons", "address_problems"})


def content_hash(values: dict[str, Any], lines: list[PreparedLine]) -> str:
    """Fingerprint the channel's data of an order, so that re-importing it unchanged writes nothing.

    The fingerprint is the SHA-256 of repr((order_part, line_parts)). The order
    part lists the (key, value) pairs of `values` by sorted key, without
    _DERIVED, and the line part lists the pairs of _LINE_HASH_KEYS of each line.
    The values are ints, strings, booleans, None and UTC datetimes. Their repr
    is stable across runs and Python versions, so repr is a cheap and exact
    encoding. Stored orders keep the fingerprint, so this text must not change.
    """
    order_keys, order_template = _order_layout(tuple(values))
    order_text = order_template % tuple(map(values.__getitem__, order_keys))
    line_texts = [_LINE_TEMPLATE % _line_hash_values(line.values) for line in lines]
    text = f"({order_text}, [{', '.join(line_texts)}])"
    return hashlib.sha256(text.encode()).hexdigest()


def _pairs_template(keys: tuple[str, ...]) -> str:
    """Return a %-format template that renders a tuple of values as repr([(key, value), ...]) renders them.

    The template spells out the keys, so that formatting an order repeats only
    the repr of its values, not that of the keys, tuples and list around them.
    """
    pairs = [f"({repr(key).replace('%', '%%')}, %r)" for key in keys]
    return f"[{', '.join(pairs)}]"


@lru_cache(maxsize=64)
def _order_layout(keys: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """Return the hashed keys, sorted, and their template for values whose keys are `keys` in dict order."""
    hashed = tuple(sorted(key for key in keys if key not in _DERIVED))
    return hashed, _pairs_template(hashed)


# Not "sku": it comes from the SKU mappings, so a mapping added later must not make the order look changed.
_LINE_HASH_KEYS = (
    "line_number", "external_line_id", "channel_sku", "name", "quantity", "cancelled_quantity",
    "unit_price", "discount", "tax",
)  # fmt: skip
_LINE_TEMPLATE = _pairs_template(_LINE_HASH_KEYS)
_line_hash_values = itemgetter(*_LINE_HASH_KEYS)


def merge_fragments(first: ParsedOrder, later: ParsedOrder) -> ParsedOrder:
    """Merge rows of one order that a file did not keep together: later rows add lines.

    Order-level values come from the first fragment; the later one fills only
    what the first left empty, since exports print order columns once.
    """
    first.lines.extend(later.lines)
    if first.shipping_address is None or first.shipping_address.is_empty():
        first.shipping_address = later.shipping_address
    for name in ("email", "phone", "customer_name"):
        if not getattr(first, name):
            setattr(first, name, getattr(later, name))
    return first


NO_CURRENCY = "XXX"  # ISO 4217 code a parser uses for a report that carries no prices


def complete_partial(parsed: ParsedOrder, stored: ParsedOrder | None, *, base_currency: str) -> ParsedOrder:
    """Fill what a partial report leaves out from the version we already have.

    Amazon splits an order over reports: the unshipped orders report has the
    buyer's address but no prices, the all orders report has prices but only
    the ship-to country. Importing both, in either order, gives the whole order.
    """
    if parsed.extra.get("amounts_missing") or parsed.currency == NO_CURRENCY:
        _take_amounts(parsed, stored, base_currency)
    if stored is None:
        return parsed
    if _lacks_street(parsed) and not _is_partial(stored.shipping_address):
        parsed.shipping_address = stored.shipping_address
    for name in ("email", "phone", "customer_name"):
        if not getattr(parsed, name):
            setattr(parsed, name, getattr(stored, name))

    # Each report leaves out something the other has: the update time, the item ids. Kept from the stored
    # order, they give both reports of an unchanged order the same fingerprint, so a re-import changes nothing.
    if parsed.updated_at is None:
        parsed.updated_at = stored.updated_at
    item_ids = {line.channel_sku: line.external_line_id for line in stored.lines}
    for line in parsed.lines:
        if not line.external_line_id:
            line.external_line_id = item_ids.get(line.channel_sku, "")
    return parsed


def _take_amounts(parsed: ParsedOrder, stored: ParsedOrder | None, base_currency: str) -> None:
    if stored is None or stored.currency == NO_CURRENCY:
        parsed.currency = base_currency
        return
    parsed.currency = stored.currency
    for name in ("subtotal", "discount_total", "shipping_total", "tax_total", "total"):
        setattr(parsed, name, getattr(stored, name))
    prices = {line.channel_sku: line for line in stored.lines}
    for line in parsed.lines:
        known = prices.get(line.channel_sku)
        if known is not None:
            line.unit_price, line.discount, line.tax = known.unit_price, known.discount, known.tax


def _is_partial(address: ParsedAddress | None) -> bool:
    return address is None or not (address.line1 or address.city)


def _lacks_street(parsed: ParsedOrder) -> bool:
    """Tell whether the file leaves out the street: a report without that column, or no address at all."""
    return bool(parsed.extra.get("street_missing")) or _is_partial(parsed.shipping_address)


def needs_stored_version(parsed: ParsedOrder) -> bool:
    """Tell whether a parsed order lacks prices or the street address and may take them from storage."""
    return (
        bool(parsed.extra.get("amounts_missing"))
        or parsed.currency == NO_CURRENCY
        or (not parsed.fulfilled_by_channel and _lacks_street(parsed))
    )
