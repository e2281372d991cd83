import json
import random

import pytest

from ordertower.routing import (
    RULES,
    Allocation,
    Coordinates,
    DemandLine,
    LocationCandidate,
    plan_fulfillment,
)

LOS_ANGELES = Coordinates(34.0522, -118.2437)
SAN_FRANCISCO = Coordinates(37.7749, -122.4194)
NEWARK = Coordinates(40.7357, -74.1724)
CHICAGO = Coordinates(41.8781, -87.6298)
DESTINATION = Coordinates(33.9994, -118.2133)  # ZIP 90058, Los Angeles


def _location(code, coordinates=None, rank=None, capacity=None, open_units=0):
    return LocationCandidate(code, coordinates, rank, capacity, open_units)


LA = _location("LA", LOS_ANGELES, rank=3, capacity=100, open_units=90)
SF = _location("SF", SAN_FRANCISCO, rank=2, capacity=100, open_units=10)
NJ = _location("NJ", NEWARK, rank=1, capacity=1000, open_units=100)
ALL_LOCATIONS = [LA, SF, NJ]


def _stock(**by_location: dict[str, int]) -> dict[tuple[str, str], int]:
    return {(sku, code): units for code, skus in by_location.items() for sku, units in skus.items()}


def _plan(lines, available, *, rules, locations=ALL_LOCATIONS, destination=DESTINATION, allow_split=True):
    return plan_fulfillment(
        lines=lines,
        available=available,
        locations=locations,
        destination=destination,
        rules=rules,
        allow_split=allow_split,
    )


def _locations_used(decision) -> set[str]:
    return {allocation.location for allocation in decision.allocations}


ORDER = [DemandLine("line-1", "A", 2), DemandLine("line-2", "B", 1)]
EVERYWHERE = _stock(LA={"A": 5, "B": 5}, SF={"A": 50, "B": 50}, NJ={"A": 9, "B": 9})

# NJ has both SKUs, LA has only A and SF has only B, so LA + SF is a split near the buyer.
SPLIT_NEAR = _stock(LA={"A": 5}, SF={"B": 5}, NJ={"A": 5, "B": 5})


def test_closest_alone_picks_nearest_location():
    decision = _plan(ORDER, EVERYWHERE, rules=["closest"])

    assert decision.fully_allocated
    assert decision.explanation["winner"] == ["LA"]
    assert decision.allocations == [Allocation("line-1", "A", "LA", 2), Allocation("line-2", "B", "LA", 1)]


def test_rank_alone_picks_lowest_rank():
    decision = _plan(ORDER, EVERYWHERE, rules=["rank"])

    assert decision.explanation["winner"] == ["NJ"]
    assert decision.explanation["reason"]["en"] == "NJ won on rank: rank 1 against rank 2 for SF."
    assert decision.explanation["reason"]["zh"] == "选择 NJ（优先级最高）：优先级 1；SF 为优先级 2。"


def test_balance_alone_picks_least_loaded():
    # Loads after the order: LA 93/100, SF 13/100, NJ 103/1000.
    decision = _plan(ORDER, EVERYWHERE, rules=["balance"])

    assert decision.explanation["winner"] == ["NJ"]
    assert decision.explanation["reason"]["en"] == "NJ won on balance: load 10% against load 13% for SF."


def test_balance_capacity_none_and_zero():
    # No capacity counts as empty and a capacity of 0 as full.
    unlimited = _location("U", capacity=None, open_units=500)
    closed = _location("Z", capacity=0)
    decision = _plan(
        ORDER,
        _stock(U={"A": 5, "B": 5}, Z={"A": 5, "B": 5}),
        rules=["balance"],
        locations=[closed, unlimited],
    )

    assert decision.explanation["winner"] == ["U"]
    loads = {tuple(c["locations"]): c["load"] for c in decision.explanation["candidates"]}
    assert loads == {("U",): 0.0, ("Z",): None}


def test_most_stock_alone_picks_largest_stock():
    decision = _plan(ORDER, EVERYWHERE, rules=["most_stock"])

    reason = decision.explanation["reason"]
    assert decision.explanation["winner"] == ["SF"]
    assert reason["en"] == "SF won on most_stock: 100 units in stock against 18 units in stock for NJ."
    assert reason["zh"] == "选择 SF（库存最多）：库存 100 件；NJ 为库存 18 件。"


def test_fewest_splits_alone_prefers_one_location():
    decision = _plan(ORDER, SPLIT_NEAR, rules=["fewest_splits"])

    assert decision.explanation["winner"] == ["NJ"]
    assert _locations_used(decision) == {"NJ"}


def test_closest_first_prefers_near_split():
    decision = _plan(ORDER, SPLIT_NEAR, rules=["closest", "fewest_splits"])

    assert decision.fully_allocated
    assert decision.explanation["winner"] == ["LA", "SF"]
    assert sorted(decision.allocations, key=lambda a: a.location) == [
        Allocation("line-1", "A", "LA", 2),
        Allocation("line-2", "B", "SF", 1),
    ]
    assert decision.explanation["reason"]["en"] == "LA + SF won on closest: 565 km against 3,921 km for NJ."
    assert decision.explanation["reason"]["zh"] == "选择 LA + SF（距离最近）：565 公里；NJ 为 3,921 公里。"


def test_fewest_splits_first_prefers_single_farther_location():
    decision = _plan(ORDER, SPLIT_NEAR, rules=["fewest_splits", "closest"])

    assert decision.explanation["winner"] == ["NJ"]
    assert (
        decision.explanation["reason"]["en"] == "NJ won on fewest_splits: 1 location against 2 locations for LA + SF."
    )
    assert decision.explanation["reason"]["zh"] == "选择 NJ（拆单最少）：1 个仓库；LA + SF 为 2 个仓库。"


def test_later_rule_breaks_tie_of_earlier_rule():
    decision = _plan(ORDER, EVERYWHERE, rules=["fewest_splits", "rank"])

    assert decision.explanation["winner"] == ["NJ"]
    eliminated = {tuple(c["locations"]): c["eliminated_by"] for c in decision.explanation["candidates"]}
    assert eliminated == {("NJ",): None, ("SF",): "rank", ("LA",): "rank"}


def test_no_split_uses_only_single_location():
    decision = _plan(ORDER, SPLIT_NEAR, rules=["closest"], allow_split=False)

    assert decision.explanation["winner"] == ["NJ"]
    assert _locations_used(decision) == {"NJ"}


def test_split_line_across_locations():
    lines = [DemandLine("line-1", "A", 5)]
    decision = _plan(lines, _stock(LA={"A": 3}, SF={"A": 2}), rules=["closest"])

    assert decision.fully_allocated
    assert sorted(decision.allocations, key=lambda a: a.location) == [
        Allocation("line-1", "A", "LA", 3),
        Allocation("line-1", "A", "SF", 2),
    ]


def test_partial_allocation_with_split_reports_shortage():
    lines = [DemandLine("line-1", "A", 5), DemandLine("line-2", "B", 1)]
    decision = _plan(lines, _stock(LA={"A": 2}, NJ={"A": 1, "B": 1}), rules=["closest"])

    assert not decision.fully_allocated
    assert decision.shortages == {"line-1": 2}
    assert decision.allocations == [
        Allocation("line-1", "A", "LA", 2),
        Allocation("line-1", "A", "NJ", 1),
        Allocation("line-2", "B", "NJ", 1),
    ]
    assert decision.explanation["shortages"] == {"line-1": 2}
    assert decision.explanation["winner"] == ["LA", "NJ"]
    assert decision.explanation["reason"]["en"] == (
        "No plan of up to 3 locations can ship the whole order, "
        "so 4 of 6 units were reserved from LA + NJ, and the other 2 wait for stock."
    )
    assert decision.explanation["reason"]["zh"] == (
        "任何不超过 3 个仓库的组合都无法发出整单，因此从 LA + NJ 预留了 6 件中的 4 件，缺货 2 件。"
    )


def test_partial_without_split_reserves_nothing():
    decision = _plan(ORDER, SPLIT_NEAR | {("B", "NJ"): 0}, rules=["closest"], allow_split=False)

    assert not decision.fully_allocated
    assert decision.allocations == []
    assert decision.shortages == {"line-1": 2, "line-2": 1}
    assert decision.explanation["winner"] == []
    assert "splitting is off" in decision.explanation["reason"]["en"]


def test_no_stock_anywhere():
    decision = _plan(ORDER, {}, rules=["closest"])

    assert not decision.fully_allocated
    assert decision.allocations == []
    assert decision.shortages == {"line-1": 2, "line-2": 1}
    assert "No location has stock" in decision.explanation["reason"]["en"]


def test_order_needing_four_locations_is_allocated_greedily():
    four = [_location(code, rank=index) for index, code in enumerate("ABCD")]
    lines = [DemandLine("line-1", "X", 4)]
    available = {("X", code): 1 for code in "ABCD"}

    decision = _plan(lines, available, rules=["rank"], locations=four)

    assert decision.fully_allocated
    assert _locations_used(decision) == {"A", "B", "C", "D"}
    assert decision.explanation["candidates"] == []


def test_unknown_rule_raises():
    with pytest.raises(ValueError, match="cheapest") as error:
        _plan(ORDER, EVERYWHERE, rules=["closest", "cheapest"])

    for rule in RULES:
        assert rule in str(error.value)


def test_negative_quantity_raises():
    with pytest.raises(ValueError, match="Negative quantity"):
        _plan([DemandLine("line-1", "A", -1)], EVERYWHERE, rules=[])


def test_duplicate_location_code_raises():
    with pytest.raises(ValueError, match="unique"):
        _plan(ORDER, EVERYWHERE, rules=[], locations=[LA, LA])


def test_no_destination_skips_closest():
    decision = _plan(ORDER, EVERYWHERE, rules=["closest", "rank"], destination=None)

    assert decision.explanation["winner"] == ["NJ"]
    assert decision.explanation["skipped_rules"] == ["closest"]
    assert decision.explanation["destination"] is None
    assert "closest rule was skipped" in decision.explanation["reason"]["en"]
    assert "跳过了 closest 规则" in decision.explanation["reason"]["zh"]
    assert all(c["distance_km"] is None for c in decision.explanation["candidates"])


def test_location_without_coordinates_counts_as_farthest():
    nowhere = _location("AAA", None, rank=1)
    decision = _plan(ORDER, EVERYWHERE | _stock(AAA={"A": 9, "B": 9}), rules=["closest"], locations=[nowhere, NJ])

    assert decision.explanation["winner"] == ["NJ"]
    assert decision.explanation["reason"]["en"] == "NJ won on closest: 3,921 km against unknown distance for AAA."


def test_tie_broken_by_location_code():
    decision = _plan(ORDER, EVERYWHERE, rules=[])

    assert decision.explanation["winner"] == ["LA"]
    assert decision.explanation["reason"]["en"] == "LA and NJ tied on every rule, so LA won by location code."


def test_decision_does_not_depend_on_input_order():
    lines = [DemandLine(f"line-{sku}", sku, 3) for sku in "ABC"]
    available = {(sku, code): (ord(sku) + len(code)) % 5 for sku in "ABC" for code in ("LA", "SF", "NJ")}
    expected = _plan(lines, available, rules=["fewest_splits", "closest"])

    shuffled = list(ALL_LOCATIONS)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        decision = _plan(lines, available, rules=["fewest_splits", "closest"], locations=shuffled)
        assert decision == expected


def test_explanation_lists_ten_best_and_counts_others():
    many = [_location(f"W{index:02d}", rank=index) for index in range(15)]
    available = {(sku, location.code): 10 for sku in "AB" for location in many}

    decision = _plan(ORDER, available, rules=["rank"], locations=many)

    explanation = decision.explanation
    assert len(explanation["candidates"]) == 10
    assert explanation["other_candidates"] == 5
    assert [c["locations"] for c in explanation["candidates"][:3]] == [["W00"], ["W01"], ["W02"]]
    json.dumps(explanation, allow_nan=False)


def test_explanation_candidate_figures():
    decision = _plan(ORDER, EVERYWHERE, rules=["closest"])

    winner = decision.explanation["candidates"][0]
    assert winner == {
        "locations": ["LA"],
        "distance_km": 6.5,
        "splits": 1,
        "rank": 3,
        "load": 0.93,
        "stock": 10,
        "eliminated_by": None,
    }
    assert list(decision.explanation) == [
        "rules",
        "skipped_rules",
        "allow_split",
        "destination",
        "candidates",
        "other_candidates",
        "winner",
        "reason",
        "shortages",
    ]


def test_lines_sharing_a_sku_share_its_stock():
    lines = [DemandLine("line-1", "A", 3), DemandLine("line-2", "A", 3)]
    decision = _plan(lines, _stock(LA={"A": 4}, NJ={"A": 6}), rules=["closest"], allow_split=False)

    assert decision.explanation["winner"] == ["NJ"]
    assert decision.fully_allocated


def test_spare_location_set_not_candidate():
    # LA alone ships the order, so LA + SF never appears although it has more stock.
    decision = _plan(ORDER, _stock(LA={"A": 2, "B": 1}, SF={"A": 50}), rules=["most_stock"])

    assert decision.explanation["winner"] == ["LA"]
    assert [c["locations"] for c in decision.explanation["candidates"]] == [["LA"]]
    assert decision.explanation["reason"]["en"] == "LA is the only candidate that can ship the whole order."


def test_negative_available_counts_as_none():
    decision = _plan([DemandLine("line-1", "A", 1)], _stock(LA={"A": -3}, NJ={"A": 1}), rules=["closest"])

    assert decision.explanation["winner"] == ["NJ"]


def test_empty_order_is_fully_allocated():
    decision = _plan([DemandLine("line-1", "A", 0)], EVERYWHERE, rules=["closest"])

    assert decision.fully_allocated
    assert decision.allocations == []
    assert decision.explanation["reason"]["en"] == "The order has no units to allocate."
