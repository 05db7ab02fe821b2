"""Cases over time — 案件: the lifecycle, the case store, and the escalation that moves cases on.

- `lifecycle`: states, events, the transition table, time stamps, the fold of events (`Snapshot`).
- `store`: the `CaseStore` interface, its records and the backend-neutral layout;
  `sqlite` (+ `sqlite_schema`): `SQLiteCaseStore`; `postgres` (+ `postgres_schema`):
  `PostgresCaseStore` (psycopg 3, several tick workers); `stores`: `open_store`, which turns a
  `--db` value (a file or a postgresql:// URL) into one; `instants`: fixed-width stamps and the
  plausible time window; `invariants`: what every event is checked for before it is written;
  `faults`: database errors as located `StoreError`s; `migrate`: checking and copying stores;
  `canonical`: the stored JSON text; `queries`: the read queries both SQL backends share.
- `escalator`: the `Escalator` API (open, record, tick, case) and `Case`; beside it
  `escalation_rules` (rules/escalation.toml checked, facts, evaluation: compiled or durable-rules),
  `batch` (a tick's batch worked in memory, written at once), `report` (`TickReport`, `BadCase`),
  `actions` (`Action` and what each escalation action does), `accountability` (findings and
  the sanction ladder), `recording` (checks on events recorded by hand) and `units` (the units
  of a case and where it may go).

Imports `routing`, `catalog`, `errors`; nothing here imports `scoring`, `audit` or `cli`.
"""
