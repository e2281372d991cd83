"""The `postgres_only` marker of the order pipeline tests."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _skip_unless_postgres(request: pytest.FixtureRequest) -> None:
    """Skip tests marked postgres_only unless the run targets PostgreSQL."""
    if request.node.get_closest_marker("postgres_only") is None:
        return
    if os.environ.get("ORDERTOWER_TEST_DATABASE", "sqlite") != "postgresql":
        pytest.skip("this test needs PostgreSQL: run it with ORDERTOWER_TEST_DATABASE=postgresql")
