"""write_orders creates each order just before writing it, so memory does not grow with the count."""

from __future__ import annotations

import tracemalloc

import pytest

from ordertower.demo import DEMO_FORMATS, write_orders


def _peak_bytes(path, catalog, format_name: str, count: int) -> int:
    tracemalloc.start()
    try:
        write_orders(path, format=format_name, count=count, catalog=catalog, seed=5)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("format_name", DEMO_FORMATS)
def test_write_orders_memory_flat(tmp_path, catalog, format_name):
    # Warm the per-process caches first, so both runs measure only the writing.
    write_orders(tmp_path / "warm", format=format_name, count=5, catalog=catalog, seed=5)

    small = _peak_bytes(tmp_path / "small", catalog, format_name, 200)
    large = _peak_bytes(tmp_path / "large", catalog, format_name, 2_000)
    written = (tmp_path / "large").stat().st_size
    # 2,000 orders held in memory would take more than their file size, so the
    # growth from 200 to 2,000 orders must stay far below it.
    assert large - small < written / 4, (small, large, written)
