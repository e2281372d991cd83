"""Plain readers of the generated files, written from the channels' formats, for the demo tests."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any


def read_shopify_csv(path: Path) -> dict[str, list[dict[str, str]]]:
    """Return the rows of each order, keyed by order name ("#1001")."""
    orders: dict[str, list[dict[str, str]]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            orders[row["Name"]].append(row)
    return dict(orders)


def read_amazon_tsv(path: Path) -> dict[str, list[dict[str, str]]]:
    """Return the item rows of each order, keyed by amazon-order-id."""
    orders: dict[str, list[dict[str, str]]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        for line in handle:
            values = line.rstrip("\n").split("\t")
            assert len(values) == len(header), line
            row = dict(zip(header, values, strict=True))
            orders[row["amazon-order-id"]].append(row)
    return dict(orders)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
