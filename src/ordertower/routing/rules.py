"""Routing rules: choose the locations that ship an order.

`plan_fulfillment` lists candidate plans, each a set of locations with a
concrete assignment of units, that together can ship the whole order. The
configured rules then narrow the candidates one after another: each rule scores
the remaining plans and keeps only those with the best score, so a later rule
only breaks the ties of the earlier ones. The smallest location codes win a tie
that remains. A plan contains only locations that ship something, so a plan
never grows by a location that adds nothing.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from itertools import combinations
from typing import Any

from ordertower.kernel.i18n import Language, Message
from ordertower.routing.geo import Coordinates, great_circle_km
from ordertower.routing.model import Allocation, DemandLine, LocationCandidate, RoutingDecision

RULES = ("closest", "fewest_splits", "rank", "balance", "most_stock")

MAX_PLAN_LOCATIONS = 3
"""Maximum number of locations in one candidate plan, which keeps the search small."""

MAX_PLANS = 300
"""Maximum candidate plans per order, which bounds the time per order."""

MAX_EXPLAINED_PLANS = 10
"""Candidates listed in the explanation. The others are only counted."""

TIE_BREAK = "tie_break"

_RULE_NAMES_ZH = {
    "closest": "距离最近",
    "fewest_splits": "拆单最少",
    "rank": "优先级最高",
    "balance": "负载最低",
    "most_stock": "库存最多",
}


class _Site:
    """A location with the figures of this order precomputed."""

    __slots__ = ("code", "coverable", "distance", "load_base", "rank", "stock", "stock_total")

    def __init__(self, location: LocationCandidate, stock: dict[str, int], demand: Mapping[str, int]) -> None:
        self.code = location.code
        self.stock = stock
        self.stock_total = sum(stock.values())
        self.coverable = sum(min(units, stock[sku]) for sku, units in demand.items())
        self.rank: float = math.inf if location.rank is None else float(location.rank)
        self.distance = math.inf
        self.load_base = (location.open_units, location.daily_capacity)

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
        "lines",
        "rank",
        "sites",
        "stock_total",
    )

    def __init__(self, sites: tuple[_Site, ...], lines: Sequence[DemandLine], total_units: int) -> None:
        self.sites = sites
        self.codes = tuple(sorted(site.code for site in sites))
        self.lines = lines
        if len(sites) == 1:
            self.distance = sites[0].distance
            self.rank = sites[0].rank
            self.stock_total = sites[0].stock_total
        else:
            self.distance = max(site.distance for site in sites)
            self.rank = sum(site.rank for site in sites)
            self.stock_total = sum(site.stock_total for site in sites)
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
            self._added = {}
            for allocation in self.allocations:
                self._added[allocation.location] = (
                    self._added.get(allocation.location, 0) + allocation.quantity
                )
        return self._added.get(code, 0)

    def score(self, rule: str) -> float:
        """Return the plan's score under `rule`, where lower is better."""
        if rule == "closest":
            return self.distance
        if rule == "fewest_splits":
            return float(len(self.sites))
        if rule == "rank":
            return self.rank
        if rule == "balance":
            return self.load()
        return -float(self.stock_total)

    def load(self) -> float:
        """Return the highest share of daily capacity in use at the plan's locations."""
        return max(site.load(self.added_units(site.code)) for site in self.sites)


def plan_fulfillment(
    *,
    lines: Sequence[DemandLine],
    available: Mapping[tuple[str, str], int],
    locations: Sequence[LocationCandidate],
    destination: Coordinates | None,
    rules: Sequence[str],
    allow_split: bool,
) -> RoutingDecision:
    """Choose the locations that ship an order and the units to reserve at each.

    `available[(sku, location_code)]` is on_hand - reserved - safety_stock, and
    a missing key means none. Plans use at most MAX_PLAN_LOCATIONS locations,
    and only one location unless `allow_split`, which also lets a line be split
    across the plan's locations. When no plan ships the whole order, the
    decision is partial: with `allow_split`, each line takes what it can from
    the locations in the order the rules rank them, and the rest is reported in
    `shortages`. Without it nothing is reserved and every unit is a shortage,
    because reserving part of the order at one location would split it.

    Raises ValueError for an unknown rule, a negative quantity or a location
    code given twice.
    """
    _check_input(lines, locations, rules)
    active_rules = [rule for rule in rules if rule != "closest" or destination is not None]
    demand: dict[str, int] = {}
    for line in lines:
        if line.quantity:
            demand[line.sku] = demand.get(line.sku, 0) + line.quantity

    sites = [_site(location, available, demand, destination) for location in locations]
    sites.sort(key=lambda site: _single_site_key(site, active_rules))
    plans = _candidate_plans(sites, lines, demand, allow_split) if demand else []

    if plans:
        winner = _narrow(plans, active_rules)
        allocations = winner.allocations
    elif allow_split:
        winner = None
        allocations = _assign(sites, lines)
    else:
        winner = None
        allocations = []

    shortages = _shortages(lines, allocations)
    explanation = _explain(
        rules=rules,
        active_rules=active_rules,
        destination=destination,
        plans=plans,
        winner=winner,
        allocations=allocations,
        shortages=shortages,
        allow_split=allow_split,
    )
    return RoutingDecision(allocations, not shortages, shortages, explanation)


def _check_input(
    lines: Sequence[DemandLine], locations: Sequence[LocationCandidate], rules: Sequence[str]
) -> None:
    for rule in rules:
        if rule not in RULES:
            raise ValueError(f"Unknown routing rule {rule!r}. Use one of: {', '.join(RULES)}")
    for line in lines:
        if line.quantity < 0:
            raise ValueError(f"Negative quantity {line.quantity} for line {line.line_key!r} (SKU {line.sku})")
    codes = [location.code for location in locations]
    if len(set(codes)) != len(codes):
        raise ValueError(f"Location codes must be unique, got {codes}")


def _site(
    location: LocationCandidate,
    available: Mapping[tuple[str, str], int],
    demand: Mapping[str, int],
    destination: Coordinates | None,
) -> _Site:
    stock = {sku: max(0, available.get((sku, location.code), 0)) for sku in demand}
    site = _Site(location, stock, demand)
    if destination is not None and location.coordinates is not None:
        site.distance = great_circle_km(location.coordinates, destination)
    return site


def _single_site_key(site: _Site, rules: Sequence[str]) -> tuple[Any, ...]:
    """Return the sort key of a location on its own, by the rules in order.

    This order fills a plan's locations and a partial allocation. Under
    fewest_splits a location that can ship more of the order comes first,
    because it leaves fewer units for other locations.
    """
    scores: list[float] = []
    for rule in rules:
        if rule == "closest":
            scores.append(site.distance)
        elif rule == "fewest_splits":
            scores.append(-site.coverable)
        elif rule == "rank":
            scores.append(site.rank)
        elif rule == "balance":
            scores.append(site.load(site.coverable))
        else:
            scores.append(-site.stock_total)
    return (*scores, site.code)


def _candidate_plans(
    sites: Sequence[_Site], lines: Sequence[DemandLine], demand: Mapping[str, int], allow_split: bool
) -> list[_Plan]:
    """Return every plan that ships the whole order and has no location to spare.

    A set is skipped when a smaller covering set is part of it, so that every
    location in a plan ships something. Sets are tried from the best ranked
    locations on, so MAX_PLANS drops the least preferred sets first.
    """
    singles = [site for site in sites if all(site.stock[sku] >= units for sku, units in demand.items())]
    total_units = sum(demand.values())
    plans = [_Plan((site,), lines, total_units) for site in singles[:MAX_PLANS]]
    if not allow_split:
        return plans

    # A location that ships the whole order alone would ship nothing in a larger set.
    rest = [site for site in sites if site.coverable and site not in singles]
    covering_pairs: list[frozenset[str]] = []
    for size in range(2, min(MAX_PLAN_LOCATIONS, len(rest)) + 1):
        for group in combinations(rest, size):
            if len(plans) >= MAX_PLANS:
                return plans
            codes = frozenset(site.code for site in group)
            if size > 2 and any(pair <= codes for pair in covering_pairs):
                continue
            if not all(sum(site.stock[sku] for site in group) >= units for sku, units in demand.items()):
                continue
            if size == 2:
                covering_pairs.append(codes)
            plans.append(_Plan(group, lines, total_units))
    return plans


def _assign(sites: Sequence[_Site], lines: Sequence[DemandLine]) -> list[Allocation]:
    """Allocate each line from the sites in the given order, as far as their stock goes."""
    remaining = {site.code: dict(site.stock) for site in sites}
    allocations: list[Allocation] = []
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
                allocations.append(Allocation(line.line_key, line.sku, site.code, units_taken))
    return allocations


def _narrow(plans: list[_Plan], rules: Sequence[str]) -> _Plan:
    """Apply the rules in order, marking each dropped plan with the rule that dropped it."""
    survivors = plans
    for stage, rule in enumerate(rules):
        if len(survivors) == 1:
            break
        scored = [(plan.score(rule), plan) for plan in survivors]
        best = min(score for score, _ in scored)
        survivors = []
        for score, plan in scored:
            if score == best:
                survivors.append(plan)
            else:
                plan.eliminated_by = rule
                plan.eliminated_score = score
                plan.eliminated_stage = stage

    survivors.sort(key=lambda plan: plan.codes)
    for plan in survivors[1:]:
        plan.eliminated_by = TIE_BREAK
        plan.eliminated_stage = len(rules)
    return survivors[0]


def _shortages(lines: Sequence[DemandLine], allocations: Sequence[Allocation]) -> dict[Hashable, int]:
    missing: dict[Hashable, int] = {}
    for line in lines:
        missing[line.line_key] = missing.get(line.line_key, 0) + line.quantity
    for allocation in allocations:
        missing[allocation.line_key] -= allocation.quantity
    return {line_key: units for line_key, units in missing.items() if units > 0}


_WON = Message(
    "{winner} won on {rule}: {figure} against {other_figure} for {other}.",
    "{winner} 因{rule_zh}胜出：{figure_zh}，{other} 为{other_figure_zh}。",
)
_TIED = Message(
    "{winner} and {other} tied on every rule, so {winner} won by location code.",
    "{winner} 与 {other} 在所有规则上相同，因此按仓库代码选择 {winner}。",
)
_ONLY = Message(
    "{winner} is the only candidate that can ship the whole order.",
    "{winner} 是唯一能发出整单的方案。",
)
_NOTHING_TO_ALLOCATE = Message("The order has no units to allocate.", "订单没有需要分配的数量。")
_SPREAD = Message(
    "No plan of up to {max_locations} locations can ship the whole order, "
    "so the {allocated} units were reserved from {winner}.",
    "没有不超过 {max_locations} 个仓库的方案能发出整单，因此从 {winner} 预留了全部 {allocated} 件。",
)
_PARTIAL = Message(
    "No plan of up to {max_locations} locations can ship the whole order, "
    "so {allocated} of {demanded} units were reserved from {winner} and {short} are short.",
    "没有不超过 {max_locations} 个仓库的方案能发出整单，因此从 {winner} 预留了 {demanded} 件中的 "
    "{allocated} 件，缺货 {short} 件。",
)
_NO_STOCK = Message(
    "No location has stock for this order, so nothing was reserved and {short} units are short.",
    "没有仓库有此订单的库存，因此未预留任何库存，缺货 {short} 件。",
)
_NO_SPLIT = Message(
    "No single location can ship the whole order and splitting is off, "
    "so nothing was reserved and {short} units are short.",
    "没有单个仓库能发出整单，且不允许拆单，因此未预留任何库存，缺货 {short} 件。",
)
_CLOSEST_SKIPPED = Message(
    " The closest rule was skipped because the destination has no coordinates.",
    "目的地没有坐标，因此跳过了 closest 规则。",
)


def _explain(
    *,
    rules: Sequence[str],
    active_rules: Sequence[str],
    destination: Coordinates | None,
    plans: list[_Plan],
    winner: _Plan | None,
    allocations: Sequence[Allocation],
    shortages: Mapping[Hashable, int],
    allow_split: bool,
) -> dict[str, Any]:
    """Return the JSON-serialisable record of the decision, describing the 10 best plans."""
    ranked = sorted(plans, key=_explanation_order)
    if winner is not None:
        winner_codes = list(winner.codes)
        reason, params = _winner_reason(winner, ranked, active_rules)
    else:
        winner_codes = sorted({allocation.location for allocation in allocations})
        reason, params = _partial_reason(winner_codes, allocations, shortages, allow_split)

    skipped = ["closest"] if destination is None and "closest" in rules else []
    reason_text = {language: _render(reason, language, params, skipped) for language in ("en", "zh")}
    return {
        "rules": list(rules),
        "skipped_rules": skipped,
        "allow_split": allow_split,
        "destination": None
        if destination is None
        else {"latitude": destination.latitude, "longitude": destination.longitude},
        "candidates": [_describe(plan) for plan in ranked[:MAX_EXPLAINED_PLANS]],
        "other_candidates": max(0, len(ranked) - MAX_EXPLAINED_PLANS),
        "winner": winner_codes,
        "reason": reason_text,
        "shortages": {str(line_key): units for line_key, units in shortages.items()},
    }


def _explanation_order(plan: _Plan) -> tuple[Any, ...]:
    # The winner first, then the plans that survived the most rules.
    if plan.eliminated_by is None:
        return (0, 0.0, plan.codes)
    return (-plan.eliminated_stage, plan.eliminated_score, plan.codes)


def _describe(plan: _Plan) -> dict[str, Any]:
    distance = plan.distance
    rank = plan.rank
    load = plan.load()
    return {
        "locations": list(plan.codes),
        "distance_km": None if math.isinf(distance) else round(distance, 1),
        "splits": len(plan.sites),
        "rank": None if math.isinf(rank) else int(rank),
        "load": None if math.isinf(load) else round(load, 3),
        "stock": plan.stock_total,
        "eliminated_by": plan.eliminated_by,
    }


def _winner_reason(
    winner: _Plan, ranked: list[_Plan], rules: Sequence[str]
) -> tuple[Message, dict[str, Any]]:
    params: dict[str, Any] = {"winner": _join(winner.codes)}
    losers = [plan for plan in ranked if plan is not winner]
    if not losers:
        return _ONLY, params

    # ranked puts the plans dropped by the last deciding rule first, best score first.
    runner_up = losers[0]
    params["other"] = _join(runner_up.codes)
    if runner_up.eliminated_by == TIE_BREAK:
        return _TIED, params

    rule = rules[runner_up.eliminated_stage]
    figure = _figure(rule, winner.score(rule))
    other_figure = _figure(rule, runner_up.eliminated_score)
    params.update(rule=rule, rule_zh=_RULE_NAMES_ZH[rule], figure=figure[0], figure_zh=figure[1])
    # Chinese text puts a space between a character and a digit but not between characters.
    other_zh = f" {other_figure[1]}" if other_figure[1][0].isdigit() else other_figure[1]
    params.update(other_figure=other_figure[0], other_figure_zh=other_zh)
    return _WON, params


def _partial_reason(
    winner_codes: list[str],
    allocations: Sequence[Allocation],
    shortages: Mapping[Hashable, int],
    allow_split: bool,
) -> tuple[Message, dict[str, Any]]:
    allocated = sum(allocation.quantity for allocation in allocations)
    short = sum(shortages.values())
    params: dict[str, Any] = {"short": short, "allocated": allocated, "demanded": allocated + short}
    params.update(winner=_join(winner_codes), max_locations=MAX_PLAN_LOCATIONS)
    if not allocated and not short:
        return _NOTHING_TO_ALLOCATE, params
    if not allow_split:
        return _NO_SPLIT, params
    if not allocated:
        return _NO_STOCK, params
    return (_PARTIAL if short else _SPREAD), params


def _figure(rule: str, score: float) -> tuple[str, str]:
    """Return a rule's score as text in English and Chinese."""
    if rule == "closest":
        if math.isinf(score):
            return "unknown distance", "距离未知"
        return f"{score:,.0f} km", f"{score:,.0f} 公里"
    if rule == "fewest_splits":
        count = int(score)
        return f"{count} location{'s' if count != 1 else ''}", f"{count} 个仓库"
    if rule == "rank":
        if math.isinf(score):
            return "no rank", "未设优先级"
        return f"rank {score:g}", f"优先级 {score:g}"
    if rule == "balance":
        if math.isinf(score):
            return "no capacity", "无发货能力"
        return f"load {score:.0%}", f"负载 {score:.0%}"
    return f"{-score:,.0f} units in stock", f"库存 {-score:,.0f} 件"


def _join(codes: Sequence[str]) -> str:
    return " + ".join(codes)


def _render(reason: Message, language: Language, params: Mapping[str, Any], skipped: list[str]) -> str:
    text = reason.render(language, **params)
    if skipped:
        text += _CLOSEST_SKIPPED.render(language)
    return text
