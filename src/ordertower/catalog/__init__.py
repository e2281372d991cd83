"""Catalog: locations, products, bundles, channels, SKU mappings and the workspace file that sets them."""
