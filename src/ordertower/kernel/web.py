"""Shared pieces of the API routers: database dependencies and documented error responses."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Path, Request
from sqlalchemy import Connection

from ordertower.kernel.db import Database

logger = logging.getLogger(__name__)


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def read_connection(request: Request) -> Iterator[Connection]:
    with get_database(request).read() as connection:
        yield connection


def write_connection(request: Request) -> Iterator[Connection]:
    with get_database(request).write() as connection:
        yield connection


# A SKU or code in the URL: PostgreSQL rejects NUL in text, so the check makes both engines respond alike.
PathCode = Annotated[str, Path(max_length=128, pattern=r"^[^\x00]*$")]

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed request: a body that is not valid JSON, or a file that cannot be read."},
    404: {"description": "Not found: the message names the reference."},
    409: {"description": "Conflict with the current state (for example an order that already shipped)."},
    422: {"description": "Invalid input: the message names the field and the value."},
}
