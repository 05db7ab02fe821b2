"""The PostgreSQL case store's tables, functions and triggers (layout: `powerlist.cases.store`).

The same tables and columns as SQLite, with the database enforcing what SQLite's triggers do:

- `events` is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE;
- every instant column has a CHECK that it is a fixed-width stamp (`instants.STAMP_REGEX`), and
  a trigger refuses an event whose `at` is outside the window kept in `meta`;
- idempotency keys (`actions.key`, `findings.key`) are UNIQUE;
- text that is compared or ordered (ids, stamps, keys) uses the "C" collation, so that order is
  byte order exactly as in SQLite whatever the database's locale: paging by case id, the due
  index and a migrated store all see the same order.

`seq` columns (identity) keep the order rows were recorded in, as SQLite's rowid does.
"""

from __future__ import annotations

from .instants import STAMP_REGEX
from .store import ACTION_COLUMNS

TABLES = ("meta", "events", "cases", "actions", "findings", "finding_counts")
_C = 'TEXT COLLATE "C"'


def _stamp(col: str, null: bool = False) -> str:
    return f"{col} {_C} CHECK ({col} ~ '{STAMP_REGEX}')" + ("" if null else " NOT NULL")


SCHEMA = (
    f"CREATE TABLE meta (key {_C} PRIMARY KEY, value {_C} NOT NULL)",
    f"""CREATE TABLE events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id {_C} NOT NULL,
    n INTEGER NOT NULL,
    {_stamp("at")},
    event TEXT NOT NULL,
    actor TEXT,
    rule TEXT,
    details TEXT NOT NULL,
    UNIQUE (case_id, n)
)""",
    f"""CREATE TABLE cases (
    case_id {_C} PRIMARY KEY,
    state TEXT NOT NULL,
    level TEXT NOT NULL,
    lead TEXT NOT NULL,
    assignee TEXT NOT NULL,
    {_stamp("opened_at")},
    {_stamp("last_at")},
    {_stamp("next_due_at", null=True)},
    n INTEGER NOT NULL,
    snapshot TEXT NOT NULL
)""",
    "CREATE INDEX cases_due ON cases (next_due_at, case_id) WHERE next_due_at IS NOT NULL",
    "CREATE INDEX cases_opened ON cases (opened_at)",
    f"""CREATE TABLE actions (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key {_C} NOT NULL UNIQUE,
    case_id {_C} NOT NULL,
    action TEXT NOT NULL,
    from_unit TEXT,
    to_unit TEXT,
    rule TEXT NOT NULL,
    reason TEXT NOT NULL,
    {_stamp("at")},
    finding TEXT,
    rules_version TEXT,
    {_stamp("due_at", null=True)}
)""",
    "CREATE INDEX actions_case ON actions (case_id)",
    f"""CREATE TABLE findings (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key {_C} NOT NULL UNIQUE,
    unit {_C} NOT NULL,
    period {_C} NOT NULL,
    kind TEXT NOT NULL,
    case_id {_C} NOT NULL,
    {_stamp("at")}
)""",
    "CREATE INDEX findings_unit ON findings (unit, period)",
    f"""CREATE TABLE finding_counts (
    unit {_C} NOT NULL,
    period {_C} NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (unit, period)
)""",
    """CREATE FUNCTION powerlist_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only' USING ERRCODE = 'P0001';
END $$""",
    "CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events "
    "FOR EACH ROW EXECUTE FUNCTION powerlist_append_only()",
    "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
    "FOR EACH STATEMENT EXECUTE FUNCTION powerlist_append_only()",
    """CREATE FUNCTION powerlist_event_window() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE low TEXT COLLATE "C"; high TEXT COLLATE "C";
BEGIN
    SELECT value INTO low FROM meta WHERE key = 'earliest';
    SELECT value INTO high FROM meta WHERE key = 'latest';
    IF NEW.at < low OR NEW.at >= high THEN
        RAISE EXCEPTION 'instant: an event time outside the store''s window' USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END $$""",
    "CREATE TRIGGER events_window BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION powerlist_event_window()",
)

INSERT_EVENT = "INSERT INTO events (case_id, n, at, event, actor, rule, details) VALUES (%s,%s,%s,%s,%s,%s,%s)"
INSERT_CASE = (
    "INSERT INTO cases (case_id, state, level, lead, assignee, opened_at, last_at, next_due_at, n, snapshot) "
    "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
)
UPDATE_CASE = (
    "UPDATE cases SET state=%s, level=%s, lead=%s, assignee=%s, opened_at=%s, last_at=%s, next_due_at=%s, n=%s, "
    "snapshot=%s WHERE case_id=%s"
)
INSERT_ACTION = (
    f"INSERT INTO actions ({', '.join(ACTION_COLUMNS)}) VALUES ({','.join(['%s'] * len(ACTION_COLUMNS))}) "
    "ON CONFLICT (key) DO NOTHING"
)
DUE = (
    "SELECT case_id, next_due_at, snapshot FROM cases WHERE next_due_at IS NOT NULL AND next_due_at <= %s{after} "
    "ORDER BY next_due_at, case_id LIMIT %s FOR UPDATE SKIP LOCKED"
)
EVENT_COLUMNS = "case_id, n, at, event, actor, rule, details"

__all__ = ["DUE", "EVENT_COLUMNS", "INSERT_ACTION", "INSERT_CASE", "INSERT_EVENT", "SCHEMA", "TABLES", "UPDATE_CASE"]
