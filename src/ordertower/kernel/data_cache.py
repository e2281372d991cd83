"""Indices derived from data of installed packages, kept in a cache folder between processes.

Each import starts a process that geocodes addresses, and building the US
ZIP index from the `zipcodes` package took 0.75 s of its start, the world
cities 0.4 s. Read back from files written by `marshal`, they took 0.06 s
and 0.18 s, objects included. A cached file is named after the packages' versions, so an
upgrade builds it again. The folder is ORDERTOWER_CACHE_DIR, else
$XDG_CACHE_HOME/ordertower, else ~/.cache/ordertower. When it cannot be
written, the index is built in memory as before.
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import os
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

FORMAT = 1
"""Bumped when a cached value's layout changes, so that files of an older layout are not read."""


def cache_folder() -> Path:
    """Return the folder of cached indices, from the environment."""
    configured = os.environ.get("ORDERTOWER_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ordertower"


def cached_index(name: str, packages: tuple[str, ...], build: Callable[[], Any]) -> Any:
    """Return the value that `build` makes from `packages`, read from the cache folder when it is there.

    The value may contain only types that `marshal` writes: numbers, strings,
    and tuples, lists and dicts of them.
    """
    versions = "-".join(f"{package}{_version(package)}" for package in packages)
    path = cache_folder() / f"{name}-{versions}-v{FORMAT}.marshal"
    try:
        # Read whole first: marshal.load() on the open file took six times as long for the ZIP index.
        return marshal.loads(path.read_bytes())
    except FileNotFoundError:
        pass
    except (OSError, EOFError, ValueError, TypeError) as error:
        # A file cut short by a crash, or written by another Python version: build it again.
        logger.info("cached index %s is unreadable (%s); building it again", path, error)

    value = build()
    _store(path, value)
    return value


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "0"


def _store(path: Path, value: Any) -> None:
    # Written to a temporary file and renamed, so that a concurrent reader gets the whole file or none of it.
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=path.name, delete=False) as file:
            temporary = file.name
            marshal.dump(value, file)
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        logger.info("cannot store the cached index %s (%s); each process builds it again", path, error)
        return
    logger.info("stored the cached index %s", path)
