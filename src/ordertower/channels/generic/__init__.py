"""OrderTower's own CSV template for manual and wholesale orders."""
