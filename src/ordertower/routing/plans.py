"""Candidate fulfillment plans and the constants the routing rules share."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from operator import attrgetter, methodcaller
from typing import Any

from ordertower.routing.model import Allocation, DemandLine, LocationCandidate

RULES = ("closest", "fewest_splits", "rank", "balance", "most_stock")

MAX_PLAN_LOCATIONS = 3
"""Maximum number of locations in one candidate plan, which keeps the search small."""

MAX_PLANS = 300
"""Maximum candidate plans per order, which bounds the time per order."""

MAX_EXPLAINED_PLANS = 10
"""Candidates listed in the explanation. The others are only counted."""

TIE_BREAK = "tie_break"


class _Site:
    """A location with the figures of this order precomputed."""

    __slots__ = (
        "code",
        "coverable",
        "distance",
        "less_coverable",
        "less_stock",
        "load_base",
        "own_load",
        "rank",
        "stock",
        "stock_total",
    )

    def __init__(self, location: LocationCandidate, stock: dict[str, int], coverable: int) -> None:
        self.code = location.code
        self.stock = stock
        self.stock_total = sum(stock.values())
        self.coverable = coverable  # units of the order this location could ship on its own
        self.rank: float = math.inf if location.rank is None else float(location.rank)
        self.distance = math.inf
        self.load_base = (location.open_units, location.daily_capacity)
        # Negated, so that sorting ascending puts the location that ships more, or has more stock, first.
        self.less_coverable = -coverable
        self.less_stock = -self.stock_total
        self.own_load = 0.0  # set by the caller when the balance rule is active

    def load(self, added: int) -> float:
        """Return the share of a day's capacity in use once `added` more units are allocated."""
        open_units, capacity = self.load_base
        if capacity is None:
            return 0.0
        if capacity <= 0:
            return math.inf
        return (open_units + added) / capacity


class _Plan:
    """A set of locations that can ship the whole order.

    The units per location are assigned only when needed (for the winner, the
    balance rule and the explanation), because most plans lose before that.
    """

    __slots__ = (
        "_added",
        "_allocations",
        "codes",
        "distance",
        "eliminated_by",
        "eliminated_score",
        "eliminated_stage",
        "less_stock",
        "lines",
        "rank",
        "sites",
        "splits",
        "stock_total",
    )

    def __init__(self, sites: tuple[_Site, ...], lines: Sequence[DemandLine], total_units: int) -> None:
        self.sites = sites
        self.lines = lines
        if len(sites) == 1:
            self.codes: tuple[str, ...] = (sites[0].code,)
            self.distance = sites[0].distance
            self.rank = sites[0].rank
            self.stock_total = sites[0].stock_total
        else:
            self.codes = tuple(sorted(site.code for site in sites))
            self.distance = max(site.distance for site in sites)
            self.rank = sum(site.rank for site in sites)
            self.stock_total = sum(site.stock_total for site in sites)
        self.splits = float(len(sites))
        self.less_stock = -float(self.stock_total)
        self._allocations: list[Allocation] | None = None
        self._added: dict[str, int] | None = {sites[0].code: total_units} if len(sites) == 1 else None
        self.eliminated_by: str | None = None
        self.eliminated_score = 0.0
        self.eliminated_stage = -1

    @property
    def allocations(self) -> list[Allocation]:
        if self._allocations is None:
            self._allocations = _assign(self.sites, self.lines)
        return self._allocations

    def added_units(self, code: str) -> int:
        """Return the units this plan allocates at a location."""
        if self._added is None:
            if self._allocations is None:
                # Most plans lose, so only their sums are needed: a cheaper walk than building allocations.
                self._added = _units_per_site(self.sites, self.lines)
            else:
                self._added = {}
                for allocation in self._allocations:
                    self._added[allocation.location] = self._added.get(allocation.location, 0) + allocation.quantity
        return self._added.get(code, 0)

    def score(self, rule: str) -> float:
        """Return the plan's score under `rule`, where lower is better."""
        return PLAN_SCORES[rule](self)  # type: ignore[no-any-return]

    def load(self) -> float:
        """Return the highest share of daily capacity in use at the plan's locations."""
        if len(self.sites) == 1:
            site = self.sites[0]
            return site.load(self.added_units(site.code))
        return max(site.load(self.added_units(site.code)) for site in self.sites)


# The score of a plan and the sort key of a single location under each rule, lower is better. Getters
# of precomputed attributes, because routing scores every candidate of every order.
PLAN_SCORES: dict[str, Callable[[_Plan], Any]] = {
    "closest": attrgetter("distance"),
    "fewest_splits": attrgetter("splits"),
    "rank": attrgetter("rank"),
    "balance": methodcaller("load"),
    "most_stock": attrgetter("less_stock"),
}
_SITE_FIELDS = {
    "closest": "distance",
    "fewest_splits": "less_coverable",
    "rank": "rank",
    "balance": "own_load",
    "most_stock": "less_stock",
}


@lru_cache(maxsize=64)
def site_key(rules: tuple[str, ...]) -> Callable[[_Site], Any]:
    """Return the sort key of a location on its own under `rules`, ending with its code to break ties.

    This order fills a plan's locations and a partial allocation. Under
    fewest_splits a location that can ship more of the order comes first,
    because it leaves fewer units for other locations.
    """
    return attrgetter(*(_SITE_FIELDS[rule] for rule in rules), "code")


def _assign(sites: Sequence[_Site], lines: Sequence[DemandLine]) -> list[Allocation]:
    """Allocate each line from the sites in the given order, as far as their stock goes."""
    return [Allocation(line.line_key, line.sku, code, units) for line, code, units in _takes(sites, lines)]


def _units_per_site(sites: Sequence[_Site], lines: Sequence[DemandLine]) -> dict[str, int]:
    """Return the units `_assign` would allocate at each site, without building the allocations."""
    added: dict[str, int] = {}
    for _, code, units in _takes(sites, lines):
        added[code] = added.get(code, 0) + units
    return added


def _takes(sites: Sequence[_Site], lines: Sequence[DemandLine]) -> Iterator[tuple[DemandLine, str, int]]:
    """Yield (line, site code, units) as each line takes what it can from the sites in order."""
    remaining = {site.code: dict(site.stock) for site in sites}
    for line in lines:
        needed = line.quantity
        for site in sites:
            if not needed:
                break
            stock = remaining[site.code]
            units_taken = min(needed, stock.get(line.sku, 0))
            if units_taken:
                stock[line.sku] -= units_taken
                needed -= units_taken
                yield line, site.code, units_taken
