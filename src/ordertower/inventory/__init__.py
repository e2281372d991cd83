"""Inventory: stock per SKU and location, the immutable ledger, and reservations."""
