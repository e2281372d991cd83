"""A stored routing record described for people: candidates by name and the reason in English and Chinese.

Routing stores the facts of a decision in a compact record (see
`routing.explanation`): candidates as rows of figures, and the reason as a
code with the values it needs. This module turns a record into the
explanation that the API and the CLI show. The text is rendered when an order
is read, not when thousands are imported, and a record written once can be
described in any language the messages have.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ordertower.kernel.i18n import Language, Message

RECORD_FORMAT = 2
"""The `format` of a compact record. Records without it were stored already described, and are shown as they are."""

CANDIDATE_FIELDS = ("locations", "distance_km", "splits", "rank", "load", "stock", "eliminated_by")
"""The order of the figures in each candidate row of a record."""

RULE_NAMES_ZH = {
    "closest": "距离最近",
    "fewest_splits": "拆单最少",
    "rank": "优先级最高",
    "balance": "负载最低",
    "most_stock": "库存最多",
}

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

REASONS = {
    "won": _WON,
    "tied": _TIED,
    "only": _ONLY,
    "nothing_to_allocate": _NOTHING_TO_ALLOCATE,
    "spread": _SPREAD,
    "partial": _PARTIAL,
    "no_stock": _NO_STOCK,
    "no_split": _NO_SPLIT,
}
"""The code of each reason a record may give, with its message."""


def describe_decision(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Return the explanation of a stored routing record, or the record itself when it was stored described."""
    if record is None or record.get("format") != RECORD_FORMAT:
        return None if record is None else dict(record)
    destination = record["destination"]
    skipped = list(record["skipped_rules"])
    return {
        "rules": list(record["rules"]),
        "skipped_rules": skipped,
        "allow_split": record["allow_split"],
        "destination": None if destination is None else {"latitude": destination[0], "longitude": destination[1]},
        "candidates": [dict(zip(CANDIDATE_FIELDS, row, strict=True)) for row in record["candidates"]],
        "other_candidates": record["other_candidates"],
        "winner": list(record["winner"]),
        "reason": {language: _reason_text(record["reason"], language, skipped) for language in ("en", "zh")},
        "shortages": dict(record["shortages"]),
    }


def _reason_text(reason: Mapping[str, Any], language: Language, skipped: Sequence[str]) -> str:
    text = REASONS[reason["code"]].render(language, **_reason_params(reason))
    if skipped:
        text += _CLOSEST_SKIPPED.render(language)
    return text


def _reason_params(reason: Mapping[str, Any]) -> dict[str, Any]:
    params = {name: value for name, value in reason.items() if name != "code"}
    for name in ("winner", "other"):
        if name in params:
            params[name] = " + ".join(params[name])
    if reason["code"] != "won":
        return params

    rule = params.pop("rule")
    figure = figure_text(rule, params.pop("score"))
    other_figure = figure_text(rule, params.pop("other_score"))
    # Chinese text puts a space between a character and a digit but not between characters.
    other_zh = f" {other_figure[1]}" if other_figure[1][0].isdigit() else other_figure[1]
    params.update(rule=rule, rule_zh=RULE_NAMES_ZH[rule], figure=figure[0], figure_zh=figure[1])
    params.update(other_figure=other_figure[0], other_figure_zh=other_zh)
    return params


def figure_text(rule: str, score: float | None) -> tuple[str, str]:
    """Return a rule's score as text in English and Chinese; None stands for a score that is infinite."""
    value = math.inf if score is None else score
    if rule == "closest":
        if math.isinf(value):
            return "unknown distance", "距离未知"
        return f"{value:,.0f} km", f"{value:,.0f} 公里"
    if rule == "fewest_splits":
        count = int(value)
        return f"{count} location{'s' if count != 1 else ''}", f"{count} 个仓库"
    if rule == "rank":
        if math.isinf(value):
            return "no rank", "未设优先级"
        return f"rank {value:g}", f"优先级 {value:g}"
    if rule == "balance":
        if math.isinf(value):
            return "no capacity", "无发货能力"
        return f"load {value:.0%}", f"负载 {value:.0%}"
    return f"{-value:,.0f} units in stock", f"库存 {-value:,.0f} 件"
