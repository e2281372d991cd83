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

from collections.abc import Hashable, Mapping, Sequence
from itertools import combinations
from operator import attrgetter

from ordertower.routing.explanation import _explain
from ordertower.routing.geo import Coordinates, great_circle_km
from ordertower.routing.model import Allocation, DemandLine, LocationCandidate, RoutingDecision
from ordertower.routing.plans import (
    MAX_EXPLAINED_PLANS,
    MAX_PLAN_LOCATIONS,
    MAX_PLANS,
    PLAN_SCORES,
    RULES,
    TIE_BREAK,
    _assign,
    _Plan,
    _Site,
    site_key,
)

__all__ = ["MAX_EXPLAINED_PLANS", "MAX_PLANS", "MAX_PLAN_LOCATIONS", "RULES", "TIE_BREAK", "plan_fulfillment"]


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
    if "balance" in active_rules:
        for site in sites:
            site.own_load = site.load(site.coverable)
    sites.sort(key=site_key(tuple(active_rules)))
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


def _check_input(lines: Sequence[DemandLine], locations: Sequence[LocationCandidate], rules: Sequence[str]) -> None:
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
    code = location.code
    stock: dict[str, int] = {}
    coverable = 0
    # Runs for every location of every order, so it compares in place of calling min() and max().
    for sku, units in demand.items():
        on_shelf = available.get((sku, code), 0)
        if on_shelf < 0:  # noqa: PLR1730
            on_shelf = 0
        stock[sku] = on_shelf
        coverable += units if units < on_shelf else on_shelf
    site = _Site(location, stock, coverable)
    if destination is not None and location.coordinates is not None:
        site.distance = great_circle_km(location.coordinates, destination)
    return site


def _candidate_plans(
    sites: Sequence[_Site], lines: Sequence[DemandLine], demand: Mapping[str, int], allow_split: bool
) -> list[_Plan]:
    """Return every plan that ships the whole order and has no location to spare.

    A set is skipped when a smaller covering set is part of it, so that every
    location in a plan ships something. Sets are tried from the best ranked
    locations on, so MAX_PLANS drops the least preferred sets first.
    """
    total_units = sum(demand.values())
    # A location covers every unit exactly when it has enough of each SKU, so comparing the sums is enough.
    singles = [site for site in sites if site.coverable == total_units]
    plans = [_Plan((site,), lines, total_units) for site in singles[:MAX_PLANS]]
    if not allow_split:
        return plans

    # A location that ships the whole order alone would ship nothing in a larger set.
    rest = [site for site in sites if 0 < site.coverable < total_units]
    covering_pairs: list[frozenset[str]] = []
    for size in range(2, min(MAX_PLAN_LOCATIONS, len(rest)) + 1):
        for group in combinations(rest, size):
            if len(plans) >= MAX_PLANS:
                return plans
            # Cheap necessary condition first: together the locations must cover every unit.
            if sum(map(_coverable, group)) < total_units:
                continue
            if size > 2:
                codes = frozenset(site.code for site in group)
                if any(pair <= codes for pair in covering_pairs):
                    continue
            if not _covers(group, demand):
                continue
            if size == 2:
                covering_pairs.append(frozenset((group[0].code, group[1].code)))
            plans.append(_Plan(group, lines, total_units))
    return plans


_coverable = attrgetter("coverable")


def _covers(group: Sequence[_Site], demand: Mapping[str, int]) -> bool:
    """Tell whether the locations of `group` together have every unit of every SKU."""
    for sku, units in demand.items():
        in_group = 0
        for site in group:
            in_group += site.stock[sku]
        if in_group < units:
            return False
    return True


def _narrow(plans: list[_Plan], rules: Sequence[str]) -> _Plan:
    """Apply the rules in order, marking each dropped plan with the rule that dropped it."""
    survivors = plans
    for stage, rule in enumerate(rules):
        if len(survivors) == 1:
            break
        score_of = PLAN_SCORES[rule]
        scored = [(score_of(plan), plan) for plan in survivors]
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
