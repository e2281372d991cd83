"""WooCommerce REST API v3 order JSON."""
