"""The SQLite case store's tables, triggers and statements (layout: `powerlist.cases.store`).

`SCHEMA` creates a new store's tables, one statement each (run inside the opening transaction:
`executescript` would commit on its own). `TRIGGERS` are created in every store, old or new:
the event log is append-only, and every instant written to `events` or `cases` is a
fixed-width stamp (`@GLOB@` is replaced by `instants.STAMP_GLOB`) inside the window kept in
`meta` (`earliest`, `latest`).
"""

from __future__ import annotations

from .store import ACTION_COLUMNS

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    actor TEXT,
    rule TEXT,
    details TEXT NOT NULL,
    UNIQUE (case_id, n)
)""",
    """CREATE TABLE IF NOT EXISTS cases (
    case_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    level TEXT NOT NULL,
    lead TEXT NOT NULL,
    assignee TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    next_due_at TEXT,
    n INTEGER NOT NULL,
    snapshot TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS cases_due ON cases (next_due_at, case_id) WHERE next_due_at IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS cases_opened ON cases (opened_at)",
    """CREATE TABLE IF NOT EXISTS actions (
    key TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL,
    action TEXT NOT NULL,
    from_unit TEXT,
    to_unit TEXT,
    rule TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    finding TEXT,
    rules_version TEXT,
    due_at TEXT
)""",
    "CREATE INDEX IF NOT EXISTS actions_case ON actions (case_id)",
    """CREATE TABLE IF NOT EXISTS findings (
    key TEXT NOT NULL UNIQUE,
    unit TEXT NOT NULL,
    period TEXT NOT NULL,
    kind TEXT NOT NULL,
    case_id TEXT NOT NULL,
    at TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS findings_unit ON findings (unit, period)",
    """CREATE TABLE IF NOT EXISTS finding_counts (
    unit TEXT NOT NULL,
    period TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (unit, period)
)""",
)

_OUTSIDE = (
    "NOT ({col} GLOB '@GLOB@') OR {col} < (SELECT value FROM meta WHERE key='earliest') "
    "OR {col} >= (SELECT value FROM meta WHERE key='latest')"
)
TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
    f"CREATE TRIGGER IF NOT EXISTS events_instant BEFORE INSERT ON events WHEN {_OUTSIDE.format(col='NEW.at')} "
    "BEGIN SELECT RAISE(ABORT, 'instant: an event time outside the store''s window or not a stamp'); END",
    "CREATE TRIGGER IF NOT EXISTS cases_instant_insert BEFORE INSERT ON cases WHEN "
    f"{_OUTSIDE.format(col='NEW.last_at')} OR (NEW.next_due_at IS NOT NULL AND NOT (NEW.next_due_at GLOB '@GLOB@')) "
    "BEGIN SELECT RAISE(ABORT, 'instant: a case time outside the store''s window or not a stamp'); END",
    "CREATE TRIGGER IF NOT EXISTS cases_instant_update BEFORE UPDATE ON cases WHEN "
    f"{_OUTSIDE.format(col='NEW.last_at')} OR (NEW.next_due_at IS NOT NULL AND NOT (NEW.next_due_at GLOB '@GLOB@')) "
    "BEGIN SELECT RAISE(ABORT, 'instant: a case time outside the store''s window or not a stamp'); END",
)

TRIGGER_NAMES = frozenset(t.split()[5] for t in TRIGGERS)
INSERT_EVENT = "INSERT INTO events (case_id, n, at, event, actor, rule, details) VALUES (?,?,?,?,?,?,?)"
INSERT_CASE = (
    "INSERT INTO cases (case_id, state, level, lead, assignee, opened_at, last_at, next_due_at, n, snapshot) "
    "VALUES (?,?,?,?,?,?,?,?,?,?)"
)
UPDATE_CASE = (
    "UPDATE cases SET state=?, level=?, lead=?, assignee=?, opened_at=?, last_at=?, next_due_at=?, n=?, snapshot=? "
    "WHERE case_id=?"
)
INSERT_ACTION = f"INSERT OR IGNORE INTO actions ({', '.join(ACTION_COLUMNS)}) VALUES ({','.join('?' * 11)})"
# A tick's batch (`CaseStore.write_tick`): JSON comes as UTF-8 bytes and is stored as the same
# TEXT (a BLOB cast to TEXT keeps its bytes), and only the columns a tick can change are set.
INSERT_EVENT_JSON = (
    "INSERT INTO events (case_id, n, at, event, actor, rule, details) VALUES (?,?,?,?,?,?,CAST(? AS TEXT))"
)
UPDATE_TICKED = (
    "UPDATE cases SET state=?, level=?, assignee=?, last_at=?, next_due_at=?, n=?, snapshot=CAST(? AS TEXT) "
    "WHERE case_id=?"
)
INSERT_FINDING = "INSERT OR IGNORE INTO findings (key, unit, period, kind, case_id, at) VALUES (?,?,?,?,?,?)"
SET_COUNT = (
    "INSERT INTO finding_counts (unit, period, count) VALUES (?, ?, ?) "
    "ON CONFLICT (unit, period) DO UPDATE SET count = excluded.count"
)

__all__ = [
    "INSERT_ACTION",
    "INSERT_CASE",
    "INSERT_EVENT",
    "INSERT_EVENT_JSON",
    "INSERT_FINDING",
    "SCHEMA",
    "SET_COUNT",
    "TRIGGERS",
    "TRIGGER_NAMES",
    "UPDATE_CASE",
    "UPDATE_TICKED",
]
