"""The PostgreSQL case store's tables, functions and triggers (layout: `powerlist.cases.store`).

The same tables and columns as SQLite, with the database enforcing what SQLite's triggers do:

- `events` is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE;
- every instant column has a CHECK that it is a fixed-width stamp (`instants.STAMP_REGEX`), and
  the CHECK `events_window` holds every event's `at` inside the window kept in `meta`
  (`window_check`; `set_window` replaces it, which re-checks every stored event);
- idempotency keys (`actions.key`, `findings.key`) are UNIQUE;
- text that is compared or ordered (ids, stamps, keys) uses the "C" collation, so that order is
  byte order exactly as in SQLite whatever the database's locale: paging by case id, the due
  index and a migrated store all see the same order.

`seq` columns (identity) keep the order rows were recorded in, as SQLite's rowid does.
"""

from __future__ import annotations

import functools

from .instants import STAMP_REGEX
from .queries import EVENT_COLUMNS
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
)



def window_check(earliest: str, latest: str) -> str:
    """The CHECK constraint holding events inside the window (stamps: no quoting needed, but the
    values are checked to be stamps by `TimeWindow` before they get here)."""
    assert "'" not in earliest + latest
    return f"ALTER TABLE events ADD CONSTRAINT events_window CHECK (at >= '{earliest}' AND at < '{latest}')"


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
ADD_FINDING = (
    "WITH f AS (INSERT INTO findings (key, unit, period, kind, case_id, at) VALUES (%s,%s,%s,%s,%s,%s) "
    "ON CONFLICT (key) DO NOTHING RETURNING unit, period) "
    "INSERT INTO finding_counts (unit, period, count) SELECT unit, period, 1 FROM f "
    "ON CONFLICT (unit, period) DO UPDATE SET count = finding_counts.count + 1 RETURNING count"
)


# A tick's batch (`CaseStore.write_tick`), one statement: every table's rows as arrays (unnest
# keeps their order, so `seq` numbers them as one by one), the counts of what was new.
_TEXT = "%b::text[]"  # binary: text arrays in text format are escaped element by element by regex
HOLD_COUNT = (
    "INSERT INTO finding_counts (unit, period, count) VALUES (%s, %s, 0) "
    "ON CONFLICT (unit, period) DO UPDATE SET count = finding_counts.count RETURNING count"
)
WRITE_TICK = (
    f"WITH a AS (INSERT INTO actions ({', '.join(ACTION_COLUMNS)}) "
    f"SELECT * FROM unnest({', '.join([_TEXT] * len(ACTION_COLUMNS))}) ON CONFLICT (key) DO NOTHING RETURNING 1), "
    f"e AS (INSERT INTO events ({EVENT_COLUMNS}) "
    f"SELECT * FROM unnest({_TEXT}, %b::int[], {', '.join([_TEXT] * 5)})), "
    "c AS (UPDATE cases SET state = v.state, level = v.level, assignee = v.assignee, last_at = v.last_at, "
    "next_due_at = v.next_due_at, n = v.n, snapshot = v.snapshot "
    f"FROM unnest({', '.join([_TEXT] * 5)}, %b::int[], {_TEXT}, {_TEXT}) "
    "AS v(state, level, assignee, last_at, next_due_at, n, snapshot, case_id) WHERE cases.case_id = v.case_id), "
    "f AS (INSERT INTO findings (key, unit, period, kind, case_id, at) "
    f"SELECT * FROM unnest({', '.join([_TEXT] * 6)}) ON CONFLICT (key) DO NOTHING RETURNING 1), "
    "k AS (INSERT INTO finding_counts (unit, period, count) "
    f"SELECT * FROM unnest({_TEXT}, {_TEXT}, %b::int[]) "
    "ON CONFLICT (unit, period) DO UPDATE SET count = excluded.count), "
    # counts held (HOLD_COUNT created them at 0) for a case that then failed: not kept
    "z AS (DELETE FROM finding_counts WHERE count = 0 "
    f"AND (unit, period) IN (SELECT * FROM unnest({_TEXT}, {_TEXT}))) "
    "SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM f)"
)


@functools.cache
def act_sql(events: int) -> str:
    """One statement for `CaseStore.act`: insert the action unless its key exists and, only if
    it was inserted, the `events` events and the case row's update. Returns 1 or 0."""
    values = ", ".join(["(%s, %s::integer, %s, %s, %s, %s, %s)"] * events)
    update = UPDATE_CASE.removeprefix("UPDATE cases SET ").removesuffix(" WHERE case_id=%s")
    return (
        f"WITH a AS ({INSERT_ACTION} RETURNING 1), "
        f"e AS (INSERT INTO events ({EVENT_COLUMNS}) SELECT * FROM (VALUES {values}) AS v "
        "WHERE EXISTS (SELECT 1 FROM a)), "
        f"c AS (UPDATE cases SET {update} WHERE case_id = %s AND EXISTS (SELECT 1 FROM a)) "
        "SELECT count(*) FROM a"
    )


__all__ = [
    "ADD_FINDING",
    "DUE",
    "EVENT_COLUMNS",
    "HOLD_COUNT",
    "INSERT_ACTION",
    "INSERT_CASE",
    "INSERT_EVENT",
    "SCHEMA",
    "TABLES",
    "UPDATE_CASE",
    "WRITE_TICK",
    "act_sql",
    "window_check",
]
