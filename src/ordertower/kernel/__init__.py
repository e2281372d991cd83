"""Shared kernel: money, addresses, errors, messages, settings and database plumbing."""
