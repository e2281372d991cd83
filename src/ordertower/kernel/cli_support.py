"""Shared pieces of the CLI commands: the database, the language, JSON output and error reporting."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import typer
from rich.cells import cell_len
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, SQLAlchemyError

from ordertower.kernel.db import Database
from ordertower.kernel.errors import DatabaseFailedError, DatabaseUnavailableError, OrderTowerError
from ordertower.kernel.i18n import Language, Message, current_language, parse_language, set_language, system_language
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

            url = self.database_url or get_settings().database_url
            try:
                database = Database(url)
                upgrade(database)
            except (SQLAlchemyError, ImportError) as error:
                raise database_unavailable(url, error) from error
            self._database = database
        return self._database


def database_unavailable(url: str, error: BaseException) -> DatabaseUnavailableError:
    """Describe a database that cannot be opened or reached in one line, without the URL's password."""
    safe_url, reason = _describe_failure(url, error)
    return DatabaseUnavailableError(url=safe_url, reason=reason)


def _describe_failure(url: str, error: BaseException) -> tuple[str, str]:
    """Return the URL without its password and the first line of the driver's message."""
    try:
        safe_url = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        safe_url = url
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    reason = lines[0].rstrip(".") if lines else type(cause).__name__
    logger.debug("database %s failed", safe_url, exc_info=error)
    return safe_url, reason


state = CliState()


def help_language(argv: Sequence[str]) -> Language:
    """Choose the language of `--help` from a command line.

    The last `--lang` before any `--` wins, else ORDERTOWER_LANG, else the system locale: the order that
    `configure()` and `current_language()` use for messages.
    """
    chosen: str | None = None
    arguments = list(argv[1:])
    for index, argument in enumerate(arguments):
        if argument == "--":
            break
        if argument == "--lang" and index + 1 < len(arguments):
            chosen = arguments[index + 1]
        elif argument.startswith("--lang="):
            chosen = argument.removeprefix("--lang=")
    return parse_language(chosen) or system_language()


def _adjust_framework(language: Language) -> None:
    from ordertower.kernel.cli_frame import hide_flag_types, hint_global_options

    hint_global_options(language)
    hide_flag_types()


# Typer reads help strings when the command modules are imported, before the command line is parsed,
# so the language of `--help` is decided once here from the raw sys.argv.
_HELP_LANGUAGE = help_language(sys.argv)


# NOTE: Rich 15 wraps help only at whitespace and cuts a longer run off with "…", so Chinese help
# needs short runs between spaces. tests/e2e/test_cli_languages.py checks every help page at 80 columns.
def help_text(en: str, zh: str) -> str:
    """Return the help text of a command, option or argument in the language of `--help`."""
    return zh if _HELP_LANGUAGE == "zh" else en


# The hint goes in first, so that the Chinese error frame, which wraps it, translates Typer's message
# before the hint is added.
_adjust_framework(_HELP_LANGUAGE)

if _HELP_LANGUAGE == "zh":
    from ordertower.kernel.cli_frame import translate_framework

    translate_framework()


def cell_width(text: str) -> int:
    """Return the terminal cells `text` takes: two for each Chinese character, one for ASCII."""
    return int(cell_len(text))


def pad_cells(text: str, width: int, align: str = "<") -> str:
    """Pad `text` to `width` terminal cells, on the right, or on the left when `align` is ">".

    Each Chinese character takes two cells, so padding by characters would misalign the columns.
    """
    filler = " " * max(0, width - cell_width(text))
    return filler + text if align == ">" else text + filler


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


def say_empty_page(*, total: int, offset: int, none: Message, past_the_end: Message) -> None:
    """Print why a page of a list has no rows: nothing matches (`none`), or every match is before --offset."""
    if total:
        say(past_the_end, total=total, offset=offset)
    else:
        say(none)


def say_shown(message: Message, *, shown: int, total: int) -> None:
    """Print the count of rows shown and of rows in all to stderr, so that stdout keeps only the rows."""
    typer.echo(message.render(current_language(), shown=shown, total=total), err=True)


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
        except (OperationalError, InterfaceError) as error:
            # The database failed after it was opened: its server stopped, say, or a lock timed out.
            url, reason = _describe_failure(state.database_url or get_settings().database_url, error)
            failure = DatabaseFailedError(url=url, reason=reason)
            typer.echo(_prefix() + failure.render(current_language()), err=True)
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
