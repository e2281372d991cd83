"""Write realistic order files of every supported channel format, for demos and benchmarks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from ordertower.demo.amazon_tsv import write_amazon_tsv, write_amazon_unshipped_tsv
from ordertower.demo.catalog import DemoCatalog
from ordertower.demo.orders import DemoOrder, OrderFactory
from ordertower.demo.shopify_csv import write_shopify_csv
from ordertower.demo.shopify_json import write_shopify_json
from ordertower.demo.woocommerce_json import write_woocommerce_json

logger = logging.getLogger(__name__)

DEMO_FORMATS = ("shopify-csv", "shopify-json", "amazon-tsv", "woocommerce-json")

# Share of the demo orders per format, and the file each one is written to.
FORMAT_SHARES = {"shopify-csv": 0.40, "shopify-json": 0.15, "amazon-tsv": 0.30, "woocommerce-json": 0.15}
FILE_NAMES = {
    "shopify-csv": "shopify_orders_export.csv",
    "shopify-json": "shopify_orders.json",
    "amazon-tsv": "amazon_all_orders.txt",
    "amazon-unshipped": "amazon_unshipped_orders.txt",
    "woocommerce-json": "woocommerce_orders.json",
}

_WRITERS: dict[str, Callable[[TextIO, Iterable[DemoOrder]], None]] = {
    "shopify-csv": write_shopify_csv,
    "shopify-json": write_shopify_json,
    "amazon-tsv": write_amazon_tsv,
    "amazon-unshipped": write_amazon_unshipped_tsv,
    "woocommerce-json": write_woocommerce_json,
}
# Writers that print another view of the orders of a format: the same seed gives the same orders.
_SAME_ORDERS_AS = {"amazon-unshipped": "amazon-tsv"}


def split_orders(orders: int) -> dict[str, int]:
    """Share `orders` over the formats by FORMAT_SHARES. The first format takes the rounding rest."""
    counts = {name: int(orders * share) for name, share in FORMAT_SHARES.items()}
    counts[DEMO_FORMATS[0]] += orders - sum(counts.values())
    return counts


def generate_demo_files(
    out_dir: Path, *, workspace_file: Path, orders: int = 1000, seed: int = 7, single_format: str | None = None
) -> list[Path]:
    """Write one order file per format into `out_dir` and return their paths.

    Both Shopify files belong to one store, so the JSON file continues the
    order numbers of the CSV export instead of repeating them. With
    `single_format`, writes all `orders` to one file of that format instead.
    """
    from ordertower.demo.catalog import load_demo_catalog

    catalog = load_demo_catalog(workspace_file)
    out_dir.mkdir(parents=True, exist_ok=True)
    if single_format is not None:
        path = out_dir / FILE_NAMES[single_format]
        write_orders(path, format=single_format, count=orders, catalog=catalog, seed=seed)
        return [path]

    counts = split_orders(orders)

    paths = []
    for format_name in DEMO_FORMATS:
        start_index = counts["shopify-csv"] if format_name == "shopify-json" else 0
        path = out_dir / FILE_NAMES[format_name]
        write_orders(
            path, format=format_name, count=counts[format_name], catalog=catalog, seed=seed, start_index=start_index
        )
        paths.append(path)
        if format_name == "amazon-tsv":
            # Amazon gives prices in the All Orders report and street addresses only in the
            # Unshipped Orders report, so a seller imports both.
            unshipped = out_dir / FILE_NAMES["amazon-unshipped"]
            write_orders(unshipped, format="amazon-unshipped", count=counts[format_name], catalog=catalog, seed=seed)
            paths.append(unshipped)
    return paths


def write_orders(
    path: Path,
    *,
    format: str,
    count: int,
    catalog: DemoCatalog,
    seed: int,
    start_index: int = 0,
    lines_mean: float = 1.6,
) -> None:
    """Write `count` orders in `format` to `path`, creating each order just before it is written.

    `start_index` is the position of the first order in the channel's numbering.
    The same arguments always give the same bytes.
    """
    writer = _WRITERS.get(format)
    if writer is None:
        raise ValueError(f"unknown demo format {format!r}. Use one of: {', '.join(DEMO_FORMATS)}.")

    factory_format = _SAME_ORDERS_AS.get(format, format)
    factory = OrderFactory(catalog, format=factory_format, seed=seed, start_index=start_index, lines_mean=lines_mean)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer(handle, factory.iter_orders(count))
    logger.info("demo orders written", extra={"path": str(path), "format": format, "orders": count})
