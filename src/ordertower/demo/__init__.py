"""Demo data: realistic channel order files generated from a workspace file."""

from ordertower.demo.catalog import DemoCatalog, load_demo_catalog
from ordertower.demo.generator import DEMO_FORMATS, generate_demo_files, write_orders

__all__ = ["DEMO_FORMATS", "DemoCatalog", "generate_demo_files", "load_demo_catalog", "write_orders"]
