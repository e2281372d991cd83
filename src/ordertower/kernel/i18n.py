"""Operator-facing text in English and Simplified Chinese.

Every message the CLI or API shows an operator is a `Message` with both
languages. The language comes from `--lang`, then `ORDERTOWER_LANG`, then
the request's Accept-Language, then the system locale.
"""

from __future__ import annotations

import locale
import os
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

Language = Literal["en", "zh"]

_current_language: ContextVar[Language | None] = ContextVar("ordertower_language", default=None)


@dataclass(frozen=True, slots=True)
class Message:
    """A message template in both languages, with `{name}` placeholders."""

    en: str
    zh: str

    def render(self, language: Language | None = None, **params: Any) -> str:
        """Fill the template of `language` (default: the current one); Message parameters use the same language."""
        chosen = language or current_language()
        template = self.zh if chosen == "zh" else self.en
        return template.format(
            **{name: value.render(chosen) if isinstance(value, Message) else value for name, value in params.items()}
        )


def parse_language(value: str | None) -> Language | None:
    """Map a language tag or Accept-Language header ("zh-CN", "en-US,en;q=0.9") to en or zh."""
    if not value:
        return None
    for part in value.split(","):
        tag = part.split(";")[0].strip().lower().replace("_", "-")
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en") or tag == "*":
            return "en"
    return None


def system_language() -> Language:
    """Return the language of ORDERTOWER_LANG, else of the system locale, else English."""
    chosen = parse_language(os.environ.get("ORDERTOWER_LANG"))
    if chosen:
        return chosen
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        chosen = parse_language(os.environ.get(variable))
        if chosen:
            return chosen
    try:
        chosen = parse_language(locale.getlocale()[0])
    except ValueError:
        chosen = None
    return chosen or "en"


def set_language(language: Language | None) -> None:
    """Set the language for messages rendered in the current context."""
    _current_language.set(language)


def current_language() -> Language:
    return _current_language.get() or system_language()


def literal_message(en: str, zh: str | None = None) -> Message:
    """Wrap text that must not be read as a template (it may contain braces) in a Message."""
    return Message(_escape_braces(en), _escape_braces(zh if zh is not None else en))


def _escape_braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")
