"""Compact pickling of dataclasses that cross from one process to another.

The import's read-ahead process sends thousands of parsed orders a second.
By default a dataclass pickles its attributes as a dict, or through the slot
names. As a plain tuple of field values, the same data pickled and loaded in
about 60 % of that time in a measurement on 500 prepared orders.
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")


def pickled_by_fields(cls: type[T]) -> type[T]:
    """Make instances of the dataclass `cls` pickle as `cls(*field values)`; apply above @dataclass."""
    names = [field.name for field in dataclasses.fields(cls)]  # type: ignore[arg-type]
    if len(names) < 2:
        raise TypeError(f"{cls.__name__} needs two fields or more to be pickled by fields")
    values = attrgetter(*names)

    def reduce(self: Any) -> tuple[Any, ...]:
        return (cls, values(self))

    cls.__reduce__ = reduce  # type: ignore[method-assign]
    return cls
