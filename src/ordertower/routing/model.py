"""Inputs and outputs of order routing: where each unit of an order ships from.

These are plain values so that the routing rules stay pure functions: the
service layer reads stock and locations from the database, builds these
objects and stores the decision.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from ordertower.routing.description import describe_decision
from ordertower.routing.geo import Coordinates

__all__ = ["Allocation", "Coordinates", "DemandLine", "LocationCandidate", "RoutingDecision"]


@dataclass(frozen=True, slots=True)
class LocationCandidate:
    """A location that may ship the order.

    `rank` orders locations by preference (lower is better, None is worst).
    `daily_capacity` is the units it can ship per day (None means unlimited)
    and `open_units` the units already allocated to its unshipped orders.
    """

    code: str
    coordinates: Coordinates | None
    rank: int | None
    daily_capacity: int | None
    open_units: int


@dataclass(frozen=True, slots=True)
class DemandLine:
    """Units of one stocked SKU that an order line needs.

    `line_key` is opaque to routing and identifies the order line for the caller.
    """

    line_key: Hashable
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Allocation:
    """Units of a line to reserve at a location."""

    line_key: Hashable
    sku: str
    location: str
    quantity: int


@dataclass(slots=True)
class RoutingDecision:
    """The chosen allocations, the units that could not be allocated, and why.

    `record` is JSON-serialisable and is stored with the order, so that an
    operator can see which rule picked the locations; `explanation` describes
    it in words.
    """

    allocations: list[Allocation]
    fully_allocated: bool
    shortages: dict[Hashable, int] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def explanation(self) -> dict[str, Any]:
        """The record as the API shows it: candidates by field name and the reason in English and Chinese."""
        return describe_decision(self.record) or {}
