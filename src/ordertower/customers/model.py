"""Matching of buyers across channels. Pure domain."""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"\D+")


def normalize_email(email: str) -> str:
    """Lower-case and trim an email address; return "" when it is not one."""
    cleaned = (email or "").strip().lower()
    return cleaned if "@" in cleaned else ""


def normalize_phone(phone: str) -> str:
    """Keep the digits of a phone number; numbers shorter than 7 digits are not a usable key."""
    digits = _NON_DIGITS.sub("", phone or "")
    if digits.startswith("00"):
        digits = digits[2:]
    return digits if len(digits) >= 7 else ""


def match_key(email: str, phone: str) -> str:
    """Return the key that identifies a buyer: the email when there is one, else the phone, else ""."""
    normalized = normalize_email(email)
    if normalized:
        return f"email:{normalized}"
    digits = normalize_phone(phone)
    return f"phone:{digits}" if digits else ""
