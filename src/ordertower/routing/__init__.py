"""Order routing: which locations ship an order, chosen by configurable rules."""

from ordertower.routing.geo import Coordinates, GeocodeResult, geocode, great_circle_km
from ordertower.routing.model import Allocation, DemandLine, LocationCandidate, RoutingDecision
from ordertower.routing.rules import RULES, plan_fulfillment

__all__ = [
    "RULES",
    "Allocation",
    "Coordinates",
    "DemandLine",
    "GeocodeResult",
    "LocationCandidate",
    "RoutingDecision",
    "geocode",
    "great_circle_km",
    "plan_fulfillment",
]
