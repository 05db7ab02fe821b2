"""From an `Issue` to a `Decision` — 派单.

Owns: the issue in and the one place raw input is normalised (`issue`; `issue_fast` the short
way for plain rows; `issue_io` reads issue files into raw rows), the decision out (`decision`;
`decision_json` its JSON text), rules as tables (`tables`) and their two engines (`engines`,
`durable_tables`), the pipeline's three stages (`place` → `sketch` → `plan`, composed and
memoised in `pipeline`), the `Router` API (`router`), explanations (`explain`), the working-day
calendar (`calendar`), the years an instant may have for powerlist to compute with it
(`instants`: outside them a time is a located problem, never an OverflowError), the rules check
(`rules_check`), the JSON Schemas of the edge values (`schema`), and batch routing: what a run
writes and counts (`batch`), a file in parts (`partitions`) and the parts on a Dask cluster
(`parallel`).

May import `catalog`, `sheets`, `errors`, `resources`, and `audit.findings` (the `Finding` value
the rules check reports); nothing above it (cases, scoring, audit's other modules, cli).
"""
