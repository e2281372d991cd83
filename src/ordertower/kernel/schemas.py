"""Response shapes that the REST APIs of several areas share."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    """One page of a list endpoint: the items, how many match in all, and the limit and offset applied."""

    items: list[ItemT]
    total: int
    limit: int
    offset: int
