import json

from ordertower.routing import Coordinates, DemandLine, LocationCandidate, plan_fulfillment
from ordertower.routing.description import CANDIDATE_FIELDS, RECORD_FORMAT, describe_decision

NEWARK = Coordinates(40.7357, -74.1724)
LOS_ANGELES = Coordinates(34.0522, -118.2437)
DESTINATION = Coordinates(33.9994, -118.2133)
LOCATIONS = [
    LocationCandidate("LA", LOS_ANGELES, 3, 100, 90),
    LocationCandidate("NJ", NEWARK, 1, 1000, 100),
    LocationCandidate("XX", None, None, 0, 0),
]
ORDER = [DemandLine("line-1", "A", 2), DemandLine("line-2", "B", 1)]


def _decide(available, rules, *, destination=DESTINATION, allow_split=True):
    return plan_fulfillment(
        lines=ORDER,
        available=available,
        locations=LOCATIONS,
        destination=destination,
        rules=rules,
        allow_split=allow_split,
    )


def _stored(decision):
    return json.loads(json.dumps(decision.record, allow_nan=False))


def test_record_stores_codes_not_text():
    decision = _decide({("A", "LA"): 5, ("B", "LA"): 5, ("A", "NJ"): 5, ("B", "NJ"): 5}, ["closest"])

    record = _stored(decision)

    assert record["format"] == RECORD_FORMAT
    assert record["reason"]["code"] == "won"
    assert record["reason"]["rule"] == "closest"
    assert record["candidates"][0][: len(CANDIDATE_FIELDS)] == [["LA"], 6.5, 1, 3, 0.93, 10, None]
    assert "en" not in json.dumps(record["reason"])
    assert describe_decision(record)["reason"]["en"] == "LA won on closest: 7 km against 3,921 km for NJ."


def test_infinite_score_stored_as_null():
    # XX has no coordinates and no rank, so the closest rule gives it an infinite distance.
    decision = _decide({("A", "XX"): 5, ("B", "XX"): 5, ("A", "NJ"): 5, ("B", "NJ"): 5}, ["closest"])

    record = _stored(decision)
    described = describe_decision(record)

    assert record["reason"]["other_score"] is None
    assert described["reason"]["en"] == "NJ won on closest: 3,921 km against unknown distance for XX."
    assert described["reason"]["zh"] == "选择 NJ（距离最近）：3,921 公里；XX 为距离未知。"
    assert {tuple(c["locations"]): c["distance_km"] for c in described["candidates"]} == {
        ("NJ",): 3921.4,
        ("XX",): None,
    }


def test_reason_codes_read_back_from_json():
    cases = {
        "only": ({("A", "NJ"): 5, ("B", "NJ"): 5}, True),
        "no_stock": ({}, True),
        "no_split": ({("A", "LA"): 5, ("B", "NJ"): 5}, False),
        "partial": ({("A", "LA"): 1, ("B", "NJ"): 5}, True),
    }
    for code, (available, allow_split) in cases.items():
        decision = _decide(available, ["fewest_splits", "closest"], allow_split=allow_split)

        record = _stored(decision)

        assert record["reason"]["code"] == code
        assert describe_decision(record) == decision.explanation
        assert decision.explanation["reason"]["zh"]


def test_skipped_closest_rule_described():
    decision = _decide({("A", "NJ"): 5, ("B", "NJ"): 5}, ["closest", "rank"], destination=None)

    described = describe_decision(_stored(decision))

    assert described["skipped_rules"] == ["closest"]
    assert described["destination"] is None
    assert described["reason"]["en"].endswith(
        "The closest rule was skipped because the destination has no coordinates."
    )
    assert described["reason"]["zh"].endswith("目的地没有坐标，因此跳过了 closest 规则。")


def test_described_record_shown_unchanged():
    described = {
        "rules": ["closest"],
        "winner": ["LA"],
        "candidates": [{"locations": ["LA"], "distance_km": 6.5}],
        "reason": {"en": "LA won.", "zh": "选择 LA。"},
    }

    assert describe_decision(described) == described
    assert describe_decision(None) is None
