"""The request log — 诉求登记: what a resident sent through Open311 or the front end.

The case store keeps a case's routing facts and its history (留痕); what the resident wrote —
the description, the address and coordinates, their name and phone, the media URL, the
service attributes, the client's idempotency token — is kept here, beside it, keyed by the
case id (= service_request_id). Personal data lives only in this log and is shown only to keys
whose scope covers the case.

Storage: a SQLite file next to the case store (`cases.db` → `cases.open311.db`), or memory for
an in-memory store. The service writes a request's row and opens its case in one batch:
this log's transaction commits first, the case store's second, and only then is the answer
sent. A crash between the two commits leaves a logged request without a case; the service
opens those cases when it starts (`orphans`), from the issue kept in the row, so a request
that got its service_request_id is always in the store, and the same client token always
means the same request.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem

SCHEMA_VERSION = "1"
ID_PREFIX = "SR"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
    seq INTEGER PRIMARY KEY,
    service_request_id TEXT NOT NULL UNIQUE,
    client_token TEXT UNIQUE,
    owner TEXT,
    submitted_role TEXT,
    submitted_unit TEXT,
    received_at TEXT NOT NULL,
    service_code TEXT NOT NULL,
    location TEXT NOT NULL,
    street TEXT,
    community TEXT,
    description TEXT,
    address_string TEXT,
    address_id TEXT,
    zipcode TEXT,
    lat REAL,
    long REAL,
    media_url TEXT,
    email TEXT,
    phone TEXT,
    first_name TEXT,
    last_name TEXT,
    device_id TEXT,
    account_id TEXT,
    attributes TEXT NOT NULL,
    matched TEXT,
    place TEXT,
    issue TEXT NOT NULL,
    decision TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_owner ON requests (owner, seq);
CREATE INDEX IF NOT EXISTS requests_community ON requests (community);
CREATE INDEX IF NOT EXISTS requests_received ON requests (received_at);
"""

_COLUMNS = (
    "service_request_id", "client_token", "owner", "submitted_role", "submitted_unit", "received_at",
    "service_code", "location", "street", "community", "description", "address_string", "address_id", "zipcode",
    "lat", "long", "media_url", "email", "phone", "first_name", "last_name", "device_id", "account_id",
    "attributes", "matched", "place", "issue", "decision",
)
_JSON_COLUMNS = frozenset({"attributes", "matched", "place", "issue", "decision"})


@dataclass(frozen=True)
class RequestRecord:
    """One logged request. `issue` is the Issue it was routed as (JSON form); `decision` the
    routing decision's JSON (trace, powers); `matched` the matcher's prediction when the
    service_code was not given; `place` how the address was resolved."""

    service_request_id: str
    received_at: str
    service_code: str
    location: str
    issue: dict[str, Any]
    decision: dict[str, Any]
    client_token: str | None = None
    owner: str | None = None
    submitted_role: str | None = None
    submitted_unit: str | None = None
    street: str | None = None
    community: str | None = None
    description: str | None = None
    address_string: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    matched: dict[str, Any] | None = None
    place: dict[str, Any] | None = None

    def row(self) -> tuple[Any, ...]:
        values = []
        for name in _COLUMNS:
            value = getattr(self, name)
            if name in _JSON_COLUMNS:
                value = None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
            values.append(value)
        return tuple(values)

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> RequestRecord:
        data = dict(zip(_COLUMNS, row, strict=True))
        for name in _JSON_COLUMNS:
            if data[name] is not None:
                data[name] = json.loads(data[name])
        data["attributes"] = data["attributes"] or {}
        return cls(**data)


def log_path(db: str) -> str:
    """Where the request log of the case store `db` lives."""
    if db == ":memory:":
        return ":memory:"
    path = Path(db)
    return str(path.with_name(f"{path.stem}.open311{path.suffix or '.db'}"))


class RequestLog:
    """The SQLite request log (see the module docstring)."""

    def __init__(self, path: str, *, timeout: float = 30.0) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            found = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.DatabaseError as error:
            raise InputError([Problem(message=f"不是可用的诉求登记库 (not a usable request log): {error}", file=path,
                                      code="bad-store")], "无法打开请求日志 (cannot open the request log)") from None
        if found is None:
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif found[0] != SCHEMA_VERSION:
            raise InputError([Problem(message=f"request log schema {found[0]}, expected {SCHEMA_VERSION}", file=path)],
                             "无法打开请求日志 (cannot open the request log)")
        self._depth = 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._db.execute("ROLLBACK")
            raise
        self._depth = 0
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def next_id(self, taken: Any = None) -> str:
        """A new service_request_id (call inside a transaction). `taken(id)` says whether an id
        is already a case of the store (opened by other means), which is then skipped."""
        row = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM requests").fetchone()
        seq = int(row[0]) + 1
        while True:
            candidate = f"{ID_PREFIX}{seq:08d}"
            if taken is None or not taken(candidate):
                return candidate
            seq += 1

    def add(self, record: RequestRecord) -> None:
        seq = int(record.service_request_id[len(ID_PREFIX):]) if record.service_request_id[len(ID_PREFIX):].isdigit() \
            else None
        self._db.execute(
            f"INSERT INTO requests (seq, {', '.join(_COLUMNS)}) VALUES (?{', ?' * len(_COLUMNS)})",
            (seq, *record.row()),
        )

    def get(self, service_request_id: str) -> RequestRecord | None:
        row = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM requests WHERE service_request_id=?",
                               (service_request_id,)).fetchone()
        return RequestRecord.from_row(row) if row else None

    def many(self, ids: Sequence[str]) -> dict[str, RequestRecord]:
        found: dict[str, RequestRecord] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM requests WHERE service_request_id IN ({marks})", chunk
            ).fetchall():
                record = RequestRecord.from_row(row)
                found[record.service_request_id] = record
        return found

    def by_token(self, token: str) -> RequestRecord | None:
        row = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM requests WHERE client_token=?", (token,)).fetchone()
        return RequestRecord.from_row(row) if row else None

    def ids_of_owner(self, owner: str) -> list[str]:
        return [r[0] for r in self._db.execute(
            "SELECT service_request_id FROM requests WHERE owner=? ORDER BY seq", (owner,)).fetchall()]

    def ids_of_community(self, community: str) -> set[str]:
        return {r[0] for r in self._db.execute(
            "SELECT service_request_id FROM requests WHERE community=?", (community,)).fetchall()}

    def latest(self, limit: int) -> list[RequestRecord]:
        rows = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM requests ORDER BY seq DESC LIMIT ?",
                                (limit,)).fetchall()
        return [RequestRecord.from_row(r) for r in rows]

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM requests").fetchone()[0])


__all__ = ["ID_PREFIX", "RequestLog", "RequestRecord", "log_path"]
