"""The transactional outbox: events written in the same transaction as the change they describe.

A worker drains it after commit, so a push to a channel or an email is sent
only for changes that were really saved, and is retried until it succeeds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Column, Connection, Index, Integer, String, Table, insert

from ordertower.kernel.db import Id, JsonType, UtcDateTime, metadata, utc_now

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True),
    Column("topic", String(64), nullable=False),
    Column("payload", JsonType, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime, nullable=False),
    Column("processed_at", UtcDateTime, nullable=True),
    Index("ix_outbox_pending", "processed_at", "id"),
)


def publish(connection: Connection, topic: str, payloads: Iterable[Mapping[str, Any]]) -> None:
    """Queue one event per payload on `topic`, inside the caller's transaction."""
    now = utc_now()
    rows = [{"topic": topic, "payload": dict(payload), "created_at": now, "attempts": 0} for payload in payloads]
    if rows:
        connection.execute(insert(outbox), rows)
