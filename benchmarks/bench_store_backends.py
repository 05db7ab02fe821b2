"""Benchmark (issues 12, 16): one tick over the same due cases on SQLite in memory, a SQLite file
and PostgreSQL (a throwaway server on a unix socket, fsync off), in one run, as ratios.

    .venv/bin/python benchmarks/bench_store_backends.py              # 4,000 open, 2,000 due
    .venv/bin/python benchmarks/bench_store_backends.py --open 20000 --due 5000 --batch 100

Each store is bulk-loaded with the same cases (tests/test_escalation_crash.py's builder: every
due case gets a reminder and an escalation, findings, and the accountability ladder runs), the
rules are compiled by a first tick, then one tick at NOW is timed (batches of `--batch` due cases,
each committed). How long a writer waits during a tick is not measured here; the test
tests/test_escalation_crash.py shows it gets in between two batches.

Measured 2026-12-01 on the shared 2-core machine (load average ~5 from other jobs; run-to-run
spread ±30 %), 4,000 open, 2,000 due, 4,003 actions, batch 100:

    store            tick s   µs/due   × memory
    sqlite :memory:    2.00     1,002     1.00
    sqlite file        2.08     1,040     1.04
    postgresql         4.74     2,371     2.36

PostgreSQL costs about 4 round trips per due case (a savepoint, one statement per action — the
action, its events and the case row in one — and one per finding) of ~0.3 ms each here; before
those statements were merged it was ~11 ms per due case. Not yet done: pipelining the writes of
a batch (psycopg pipeline mode) so that round trips overlap — needed to stay within 2× once the
compiled escalation engine makes the in-memory tick faster.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_escalation_crash import NOW, cases  # noqa: E402

from powerlist.cases.escalator import Escalator  # noqa: E402
from powerlist.cases.stores import open_store  # noqa: E402
from powerlist.routing.tables import RuleSet  # noqa: E402
from powerlist.testing.postgres import ThrowawayPostgres  # noqa: E402


def tick(url: str, n_open: int, n_due: int, batch: int, rules: RuleSet) -> tuple[float, int]:
    store = open_store(url)
    try:
        store.bulk_load(cases(n_open, n_due))
        esc = Escalator(store, None, rules)
        esc.tick(datetime.fromisoformat("2000-01-01T00:00+08:00"))  # compile the rulesets first
        started = time.perf_counter()
        report = esc.tick_report(NOW, batch=batch)
        return time.perf_counter() - started, len(report.actions)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=4_000)
    parser.add_argument("--due", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    rules = RuleSet.load()
    rows = []
    with TemporaryDirectory() as folder, ThrowawayPostgres() as server:
        for name, url in (("sqlite :memory:", ":memory:"), ("sqlite file", str(Path(folder) / "cases.db")),
                          ("postgresql", server.create_database())):
            seconds, actions = tick(url, args.open, args.due, args.batch, rules)
            rows.append((name, seconds, actions))
    base = rows[0][1]
    print(f"{args.open:,} open, {args.due:,} due, batch {args.batch}")
    print(f"{'store':<16} {'tick s':>7} {'µs/due':>8} {'× memory':>9} {'actions':>8}")
    for name, seconds, actions in rows:
        print(f"{name:<16} {seconds:7.2f} {seconds / args.due * 1e6:8,.0f} {seconds / base:9.2f} {actions:8,}")


if __name__ == "__main__":
    main()
