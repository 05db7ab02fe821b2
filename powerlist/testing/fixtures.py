"""pytest fixtures for projects that test their own rules and catalogs with powerlist.

Enable them in a `conftest.py`::

    pytest_plugins = ["powerlist.testing.fixtures"]

| fixture | scope | what |
|---|---|---|
| `shipped_catalog` | session | the shipped Huangshi `Catalog` |
| `shipped_rules` | session | the shipped `RuleSet` (rules/) |
| `shipped_router` | session | a compiled `Router` over both |
| `case_store` | function | an empty `SQLiteCaseStore` in a temporary file, closed afterwards |
| `escalator` | function | an `Escalator` over `case_store` and `shipped_router` |
| `postgres_server` | session | a throwaway PostgreSQL (`powerlist.testing.postgres`; skipped if absent, not in CI) |
| `postgres_url` | function | a fresh empty database on it, for `open_store(url)`, dropped afterwards |

Session fixtures are immutable values, safe to share between tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .postgres import postgres_server, postgres_url  # noqa: F401  (fixtures, re-exported)


@pytest.fixture(scope="session")
def shipped_catalog() -> Any:
    from powerlist.catalog.loader import load_catalogs

    return load_catalogs()


@pytest.fixture(scope="session")
def shipped_rules() -> Any:
    from powerlist.routing.tables import RuleSet

    return RuleSet.load()


@pytest.fixture(scope="session")
def shipped_router(shipped_catalog: Any, shipped_rules: Any) -> Any:
    from powerlist.routing.router import Router

    return Router(shipped_catalog, shipped_rules)


@pytest.fixture
def case_store(tmp_path: Path) -> Iterator[Any]:
    from powerlist.cases.sqlite import SQLiteCaseStore

    store = SQLiteCaseStore(tmp_path / "cases.db")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def escalator(case_store: Any, shipped_router: Any) -> Any:
    from powerlist.cases.escalator import Escalator

    return Escalator(case_store, shipped_router, shipped_router.rules)
