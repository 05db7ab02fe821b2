"""Shared test configuration: a hypothesis profile fit for shared, noisy CI machines, and the
fixtures several test modules use (a module may still define its own under the same name)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from powerlist.cases.store import CaseStore
from powerlist.cases.stores import open_store
from powerlist.catalog.catalog import Catalog
from powerlist.catalog.loader import load_catalogs
from powerlist.catalog.template import write_template
from powerlist.testing.postgres import postgres_server, postgres_url  # noqa: F401  (fixtures)

REPO = Path(__file__).resolve().parent.parent

settings.register_profile(
    "default",
    deadline=None,  # machines are shared and noisy: never fail on time
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("long", parent=settings.get_profile("default"), max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The shipped catalog."""
    return load_catalogs()


@pytest.fixture(scope="module")
def light_catalogs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped catalogs with an empty (valid) delegation workbook: loads in well under a second."""
    root = tmp_path_factory.mktemp("catalogs")
    template = tmp_path_factory.mktemp("template")
    write_template(template)
    for path in (REPO / "catalogs").glob("*.xlsx"):
        shutil.copy(path, root / path.name)
    shutil.copy(template / "delegation.xlsx", root / "delegation.xlsx")
    load_catalogs(root)  # valid as it stands
    return root


BACKENDS = ("sqlite", "postgres")


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty case store's `--db` value: a SQLite file, then a PostgreSQL database on the
    throwaway server (the shared store suite runs against both backends)."""
    if request.param == "sqlite":
        return str(tmp_path / "cases.db")
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[CaseStore]:
    """An empty case store of each backend, opened through `open_store`, closed afterwards."""
    opened = open_store(store_url)
    try:
        yield opened
    finally:
        opened.close()
