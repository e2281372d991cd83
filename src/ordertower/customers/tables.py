"""Tables of the customers area."""

from sqlalchemy import Column, String, Table

from ordertower.kernel.db import Id, UtcDateTime, metadata

customers = Table(
    "customers",
    metadata,
    Column("id", Id, primary_key=True),
    # The match key: "email:<normalised email>" or "phone:<digits>"; unique so two
    # importers racing on a new buyer end with one customer.
    Column("match_key", String(320), nullable=False, unique=True),
    Column("email", String(320), nullable=False, default=""),
    Column("phone", String(64), nullable=False, default=""),
    Column("name", String(255), nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False),
)
