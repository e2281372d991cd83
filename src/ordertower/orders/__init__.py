"""Orders: the canonical order, its states and events, and the import pipeline that fills it."""
