"""Customers: one record per buyer across channels, matched by email or phone."""
