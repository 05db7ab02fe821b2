"""Opening SQLite files and reading SQLite's faults — for `SQLiteCaseStore` (`powerlist.cases.sqlite`).

- `must_read_only(path, create)`: whether an existing file can only be read (the process cannot
  write it or its directory), after refusing what is not a store: a directory, a file that is not
  SQLite, a missing file when `create` is False, a missing directory.
- `connect(path, read_only, timeout)`: the connection (read-only by URI, immutable when a WAL
  file's shared memory cannot be created beside it).
- `fault(error, path, timeout)`: what a sqlite3 error means, as one located `StoreError` (busy,
  read-only, full, corrupted, I/O, refused by a trigger), or the error itself (a bug).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from .faults import store_error

_HEADER = b"SQLite format 3\x00"


def must_read_only(path: str, create: bool) -> bool:
    """Whether an existing file must be opened read-only; StoreError for what is not a store."""
    if path == ":memory:":
        return False
    file = Path(path)
    if file.is_dir():
        raise store_error(path, "这是一个目录，不是案件库文件 (a directory, not a case store file)",
                          "is-a-directory")
    if not file.exists():
        if not create:
            raise store_error(path, "案件库不存在 (no such case store)", "not-found")
        if not file.parent.is_dir():
            raise store_error(path, "案件库所在目录不存在 (the case store's directory does not exist)",
                              "not-found")
        return False
    try:
        with file.open("rb") as handle:
            head = handle.read(len(_HEADER))
    except OSError as error:
        raise store_error(path, f"无法读取案件库 (cannot read the case store): {error.strerror}",
                          "store-io") from None
    if head and head != _HEADER:
        raise store_error(path, "不是 SQLite 数据库，不是案件库 (not a SQLite database, so not a case store)",
                          "not-a-store")
    return not os.access(file, os.W_OK) or not os.access(file.parent, os.W_OK)


def connect(path: str, read_only: bool, timeout: float) -> sqlite3.Connection:
    """The connection to `path` (see the module doc)."""
    # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
    if not read_only:
        return sqlite3.connect(path, timeout=timeout, isolation_level=None)
    uri = "file:" + quote(str(Path(path).resolve()))
    try:
        db = sqlite3.connect(uri + "?mode=ro", uri=True, timeout=timeout, isolation_level=None)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        # A WAL database in a directory we cannot write has no -shm to map: read it as an
        # immutable file (nobody may write to it while we read, which is why it is read-only).
        return sqlite3.connect(uri + "?mode=ro&immutable=1", uri=True, isolation_level=None)


def fault(error: BaseException, path: str, timeout: float) -> BaseException:
    """What a sqlite3 error means, as one located StoreError (or the error itself: a bug)."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return store_error(path, f"案件库正忙：另一进程持有写锁超过 {timeout:g} 秒，请稍后重试 "
                           f"(the case store is busy: another process held its write lock for more than "
                           f"{timeout:g} s; try again)", "store-busy")
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return store_error(path, "案件库只读，不能写入；可以查看和考评 (the case store is read-only: it can "
                           "be shown and scored, not written)", "store-read-only")
    if name == "SQLITE_FULL" or "is full" in text:
        return store_error(path, "磁盘已满或案件库已达大小上限，本次写入未保存 (the disk or the database is "
                           "full; this write was not saved)", "store-full")
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in text or "not a database" in text:
        return store_error(path, f"案件库文件已损坏 (the case store file is corrupted): {text}",
                           "store-corrupt")
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_PERM")) or isinstance(
        error, sqlite3.OperationalError
    ):
        return store_error(path, f"案件库读写失败 (the case store could not be read or written): {text}",
                           "store-io")
    if isinstance(error, sqlite3.IntegrityError) and ("append-only" in text or "instant" in text):
        return store_error(path, f"案件库拒绝了这次写入 (the case store refused the write): {text}",
                           "store-refused")
    return error


__all__ = ["connect", "fault", "must_read_only"]
