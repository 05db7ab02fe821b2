"""Cases over time — 案件: the lifecycle, the case store, and the escalation that moves cases on.

- `lifecycle`: states, events, the transition table, time stamps, the fold of events (`Snapshot`).
- `store`: the `CaseStore` interface, its records and the backend-neutral layout;
  `sqlite`: `SQLiteCaseStore`, the SQLite implementation.
- `escalator`: the `Escalator` API (open, record, tick, case) and `Case`; beside it
  `escalation_rules` (rules/escalation.toml checked, facts, evaluation: compiled or durable-rules),
  `actions` (`Action` and what each escalation action does), `accountability` (findings and
  the sanction ladder), `recording` (checks on events recorded by hand) and `units` (the units
  of a case and where it may go).

Imports `routing`, `catalog`, `errors`; nothing here imports `scoring`, `audit` or `cli`.
"""
