"""Opening a case store by name — 案件库: one place that turns `--db` into a `CaseStore`.

    store = open_store("cases.db")               # SQLite file (created if missing)
    store = open_store(":memory:")               # SQLite in memory (tests)
    store = open_store("postgresql://…")         # the PostgreSQL store, once a build ships it

Every caller that takes a store from the user (the service, later the CLI) goes through
`open_store`, so adding the PostgreSQL store (issue 16) changes this function and nothing else.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem
from .sqlite import SQLiteCaseStore
from .store import CaseStore

_POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_postgres(db: str) -> bool:
    """True if `db` names a PostgreSQL database (a URL) rather than a SQLite file."""
    return db.strip().lower().startswith(_POSTGRES_SCHEMES)


def open_store(db: str | Path) -> CaseStore:
    """The case store `db` names: a SQLite file path, ":memory:", or a postgresql:// URL.

    Raises InputError (located at the `db` option) when the store cannot be opened; a
    postgresql:// URL is refused with a clear message in this build.
    """
    text = str(db)
    if is_postgres(text):
        raise InputError(
            [Problem(
                message="此版本未安装 PostgreSQL 案件库，请使用 SQLite 文件 "
                "(the PostgreSQL case store is not installed in this build; give a SQLite file such as cases.db)",
                field="db", value=_without_password(text), code="postgres-not-installed",
            )],
            "cannot open the case store",
        )
    if not text.strip():
        raise InputError([Problem(message="案件库路径为空 (the case store path is empty)", field="db",
                                  code="empty-path")], "cannot open the case store")
    if text != ":memory:":
        parent = Path(text).expanduser().resolve().parent
        if not parent.is_dir():
            raise InputError(
                [Problem(message="案件库所在目录不存在 (the directory of the case store does not exist)",
                         file=text, field="db", value=str(parent), code="not-found")],
                "cannot open the case store",
            )
    return SQLiteCaseStore(text)


def _without_password(url: str) -> str:
    """The URL as it may be shown: a password in it is never echoed back."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


__all__ = ["is_postgres", "open_store"]
