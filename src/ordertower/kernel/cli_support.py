"""Shared pieces of the CLI commands: the database, the language, JSON output and error reporting."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import typer

from ordertower.kernel.db import Database
from ordertower.kernel.errors import OrderTowerError
from ordertower.kernel.i18n import Message, current_language, parse_language, set_language
from ordertower.kernel.settings import get_settings

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class CliState:
    database_url: str | None = None
    _database: Database | None = field(default=None, repr=False)

    def database(self) -> Database:
        """Open the database once per process and bring its schema up to date."""
        if self._database is None:
            from ordertower.kernel.migrate import upgrade

            self._database = Database(self.database_url or get_settings().database_url)
            upgrade(self._database)
        return self._database


state = CliState()


def configure(database_url: str | None, language: str | None, verbose: bool) -> None:
    state.database_url = database_url
    state._database = None
    set_language(parse_language(language) if language else None)
    logging.basicConfig(
        level=logging.DEBUG if verbose else getattr(logging, get_settings().log_level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    if not verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)


def say(message: Message, **params: Any) -> None:
    """Print an operator message in the chosen language to stdout."""
    typer.echo(message.render(current_language(), **params))


def print_json(document: Any) -> None:
    """Print one JSON document on stdout, and nothing else, so scripts can pipe it."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def handle_errors(function: Callable[P, R]) -> Callable[P, R]:
    """Turn our errors into a message on stderr and exit status 1 instead of a traceback."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except OrderTowerError as error:
            typer.echo(_prefix() + error.render(current_language()), err=True)
            raise typer.Exit(1) from error

    return wrapper


def _prefix() -> str:
    return "错误：" if current_language() == "zh" else "Error: "


@contextmanager
def write() -> Iterator[Any]:
    with state.database().write() as connection:
        yield connection


@contextmanager
def read() -> Iterator[Any]:
    with state.database().read() as connection:
        yield connection
