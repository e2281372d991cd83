"""Shopify order files: the admin "Export orders" CSV and Admin API / webhook order JSON."""
