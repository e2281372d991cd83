import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ordertower.routing import RULES, Coordinates, DemandLine, LocationCandidate, plan_fulfillment
from ordertower.routing.description import describe_decision

SKUS = ("A", "B", "C")
CODES = ("L1", "L2", "L3", "L4", "L5")

coordinates = st.builds(
    Coordinates,
    latitude=st.floats(min_value=-80, max_value=80, allow_nan=False),
    longitude=st.floats(min_value=-180, max_value=180, allow_nan=False),
)


@st.composite
def routing_inputs(draw):
    codes = draw(st.lists(st.sampled_from(CODES), min_size=0, max_size=5, unique=True))
    locations = [
        LocationCandidate(
            code=code,
            coordinates=draw(st.none() | coordinates),
            rank=draw(st.none() | st.integers(0, 5)),
            daily_capacity=draw(st.none() | st.integers(0, 50)),
            open_units=draw(st.integers(0, 50)),
        )
        for code in codes
    ]
    lines = [
        DemandLine(line_key=index, sku=draw(st.sampled_from(SKUS)), quantity=draw(st.integers(0, 6)))
        for index in range(draw(st.integers(0, 4)))
    ]
    available = {(sku, code): draw(st.integers(-2, 8)) for sku in SKUS for code in CODES if draw(st.booleans())}
    rules = draw(st.permutations(RULES).flatmap(lambda order: st.integers(0, len(order)).map(lambda n: order[:n])))
    return {
        "lines": lines,
        "available": available,
        "locations": locations,
        "destination": draw(st.none() | coordinates),
        "rules": list(rules),
        "allow_split": draw(st.booleans()),
    }


@settings(max_examples=300, deadline=None)
@given(routing_inputs())
def test_allocations_stay_within_stock_and_demand(inputs):
    decision = plan_fulfillment(**inputs)

    allocated_at: dict[tuple[str, str], int] = {}
    allocated_to: dict[int, int] = {}
    for allocation in decision.allocations:
        assert allocation.quantity > 0
        key = (allocation.sku, allocation.location)
        allocated_at[key] = allocated_at.get(key, 0) + allocation.quantity
        allocated_to[allocation.line_key] = allocated_to.get(allocation.line_key, 0) + allocation.quantity

    for key, units in allocated_at.items():
        assert units <= max(0, inputs["available"].get(key, 0))
    for line in inputs["lines"]:
        assert allocated_to.get(line.line_key, 0) + decision.shortages.get(line.line_key, 0) == line.quantity

    assert decision.fully_allocated == (not decision.shortages)
    # The record is what the database stores; read back from JSON it must describe the same decision.
    stored = json.loads(json.dumps(decision.record, allow_nan=False))
    assert describe_decision(stored) == decision.explanation


@settings(max_examples=300, deadline=None)
@given(routing_inputs())
def test_fully_allocated_exactly_when_stock_suffices(inputs):
    decision = plan_fulfillment(**inputs)

    demand: dict[str, int] = {}
    for line in inputs["lines"]:
        if line.quantity:
            demand[line.sku] = demand.get(line.sku, 0) + line.quantity
    codes = [location.code for location in inputs["locations"]]

    def stock(sku: str, code: str) -> int:
        return max(0, inputs["available"].get((sku, code), 0))

    if inputs["allow_split"]:
        enough = all(sum(stock(sku, code) for code in codes) >= units for sku, units in demand.items())
    else:
        enough = not demand or any(all(stock(sku, code) >= units for sku, units in demand.items()) for code in codes)
        assert len({allocation.location for allocation in decision.allocations}) <= 1
    assert decision.fully_allocated == enough
