"""Opening a case store by name — 案件库: one place that turns `--db` into a `CaseStore`.

    store = open_store("cases.db")                          # SQLite file (created if missing)
    store = open_store(":memory:")                          # SQLite in memory (tests)
    store = open_store("postgresql://user@host/powerlist")  # PostgreSQL (pip install 'powerlist[postgres]')
    store = open_store("cases.db", create=False)            # an existing store only
    store = open_store("cases.db", read_only=True)          # show and score, never write

Every caller that takes a store from the user (the CLI's `--db`, the service) goes through
`open_store`. A `postgresql://` (or `postgres://`) URL selects `PostgresCaseStore`; anything else
is a SQLite file path. A password in a URL is never echoed back in a message.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem
from .faults import without_password
from .sqlite import SQLiteCaseStore
from .store import CaseStore

_POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_postgres(db: str) -> bool:
    """True if `db` names a PostgreSQL database (a URL) rather than a SQLite file."""
    return db.strip().lower().startswith(_POSTGRES_SCHEMES)


def open_store(db: str | Path, *, create: bool = True, read_only: bool = False) -> CaseStore:
    """The case store `db` names: a SQLite file path, ":memory:", or a postgresql:// URL.

    `create=False` refuses a store that does not exist yet (a SQLite file that is missing, a
    PostgreSQL database without the case-store tables); `read_only=True` never writes (and opens
    a SQLite file the process cannot write). Raises InputError (StoreError for the database's
    own faults), located at the `db` option, when the store cannot be opened.
    """
    text = str(db)
    if is_postgres(text):
        try:
            from .postgres import PostgresCaseStore
        except ImportError:
            raise InputError(
                [
                    Problem(
                        message="未安装 PostgreSQL 驱动 psycopg：pip install 'powerlist[postgres]' "
                        "(the PostgreSQL driver psycopg is not installed: pip install 'powerlist[postgres]')",
                        field="db",
                        value=without_password(text),
                        code="postgres-not-installed",
                    )
                ],
                "无法打开案件库 (cannot open the case store)",
            ) from None
        return PostgresCaseStore(text.replace("postgresql+psycopg://", "postgresql://", 1), create=create,
                                 read_only=read_only)
    if not text.strip():
        raise InputError(
            [Problem(message="案件库路径为空 (the case store path is empty)", field="db", code="empty-path")],
            "无法打开案件库 (cannot open the case store)",
        )
    return SQLiteCaseStore(text, create=create, read_only=read_only)


__all__ = ["is_postgres", "open_store", "without_password"]
