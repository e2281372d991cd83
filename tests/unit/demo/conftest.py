from __future__ import annotations

from pathlib import Path

import pytest

from ordertower.demo import generate_demo_files, load_demo_catalog
from ordertower.demo.catalog import DemoCatalog

REPO_ROOT = Path(__file__).resolve().parents[3]
WORKSPACE_FILE = REPO_ROOT / "examples" / "workspace.yaml"
SAMPLES = REPO_ROOT / ".." / "shared" / "samples"


@pytest.fixture(scope="session")
def catalog() -> DemoCatalog:
    return load_demo_catalog(WORKSPACE_FILE)


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The 1,000 demo orders of the default seed, keyed by file name."""
    out_dir = tmp_path_factory.mktemp("demo")
    paths = generate_demo_files(out_dir, workspace_file=WORKSPACE_FILE)
    return {path.name: path for path in paths}
