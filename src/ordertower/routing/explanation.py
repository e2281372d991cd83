"""The explanation stored with a routing decision: the candidates, the winner and why, in two languages."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from ordertower.kernel.i18n import Language, Message
from ordertower.routing.geo import Coordinates
from ordertower.routing.model import Allocation
from ordertower.routing.plans import _RULE_NAMES_ZH, MAX_EXPLAINED_PLANS, MAX_PLAN_LOCATIONS, TIE_BREAK, _Plan

_WON = Message(
    "{winner} won on {rule}: {figure} against {other_figure} for {other}.",
    "选择 {winner}（{rule_zh}）：{figure_zh}；{other} 为{other_figure_zh}。",
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
    "任何不超过 {max_locations} 个仓库的组合都无法发出整单，因此从 {winner} 预留了全部 {allocated} 件。",
)
_PARTIAL = Message(
    "No plan of up to {max_locations} locations can ship the whole order, "
    "so {allocated} of {demanded} units were reserved from {winner}, and the other {short} wait for stock.",
    "任何不超过 {max_locations} 个仓库的组合都无法发出整单，因此从 {winner} 预留了 {demanded} 件中的 "
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
        return (-math.inf, 0.0, plan.codes)
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


def _winner_reason(winner: _Plan, ranked: list[_Plan], rules: Sequence[str]) -> tuple[Message, dict[str, Any]]:
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
