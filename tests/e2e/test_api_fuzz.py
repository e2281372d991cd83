"""Property-based fuzz of every API operation from the app's own OpenAPI spec: no request may cause a 500.

Each operation gets a fresh database with the example workspace, three routed wholesale orders and a
Shopify export with held orders, so look-ups by real references and state changes are reached too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import import_file
from ordertower.api import create_app
from ordertower.kernel.db import Database

# Bounded so that one run takes a few minutes on each database; derandomized so a failure reproduces.
FUZZ_SETTINGS = settings(
    max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


# The spec does not depend on the data, so it is read once from an app whose database each test replaces.
# NOTE: schemathesis.pytest.from_fixture would load the spec per test, but schemathesis 4.32 sets
# `Function._nodeid`, which pytest 9.2 no longer has.
APP = create_app(Database("sqlite://"), migrate=False)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture
def fuzzed_database(wholesale_orders: Database, samples: Path) -> Iterator[Database]:
    import_file(
        wholesale_orders,
        samples / "shopify_orders_export_csv" / "shopify_orders_export_BD_BDT_cod_multiline_note_attributes.csv",
    )
    database = Database(wholesale_orders.url)
    APP.state.database = database
    try:
        yield database
    finally:
        database.dispose()


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_never_fails_with_server_error(case: schemathesis.Case, fuzzed_database: Database):
    case.call_and_validate(
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    )
