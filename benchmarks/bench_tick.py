"""Escalation tick per due case: compiled vs durable-rules tables, SQLite file vs in-memory store.

    .venv/bin/python benchmarks/bench_tick.py [--open 20000] [--due 5000] [--db postgresql://…]

Builds one SQLite file of `--open` dispatched cases, `--due` of them past their response
deadline (`bench_escalation.build`: the same cases as the 1,000,000-case benchmark), then, each in
a fresh process on a copy of that store, ticks once at the benchmark's NOW (every due case gets
its reminder) and times the tick:

- engine "compiled" (the default) and "durable" (the durable-rules reference), each on the
  SQLite file (WAL, as shipped) and on an in-memory SQLite copy (`sqlite3` backup into
  ":memory:"), the in-memory tick being the floor a store can reach;
- with `--db URL`, the same tick on another store opened by `powerlist.cases.stores.open_store`
  (e.g. a PostgreSQL URL), loaded with the same cases, when this checkout has that module;
- the table evaluations alone (facts + the one table a reminder asks), per due case, on both
  engines, beside the anchors: a bare dict lookup, one bare durable-rules `post`, and
  zen-engine's cached evaluate of the same table (only when `zen` is importable: install
  `zen-engine` in the benchmark's venv; it is never a powerlist dependency).

Times are CPU seconds of the ticking process; the figures to read are the ratios, which the
script prints (targets, issue 16: compiled ≥ 10× durable per due case; each store within 2× of
the in-memory tick). Nothing here fails on time.

Measured 2026-12-01 on the shared 2-core machine, 100,000 open cases, 10,000 due (one run):

| µs per due case       | SQLite file | in memory |
|-----------------------|------------:|----------:|
| compiled tables       | 288         | 239       |
| durable-rules tables  | 365         | 311       |

The tables alone: compiled 2.7 µs, durable 31.9 µs a due case (12×; a bare dict lookup 0.06 µs,
one durable post 25 µs, zen-engine's cached evaluate of the same table 247 µs). The whole tick
only gains 1.3×: with the compiled tables, ~99% of a due case is the store's and the lifecycle's
work — the snapshot and event JSON (sorted dumps), the SQL statements, `dataclasses.replace` on
the snapshot, reading the history for a late response. The SQLite file is 1.2× the in-memory
store (target ≤ 2×: met). PostgreSQL: not measured here (`--db postgresql://…` once the store
exists on this branch).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_escalation import NOW, build  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

TICK = r"""
import json, sqlite3, sys, time
from datetime import datetime
from powerlist.cases.escalator import Escalator
from powerlist.cases.lifecycle import stamp
from powerlist.cases.sqlite import SQLiteCaseStore
from powerlist.routing.tables import RuleSet
path, where, engine, now = sys.argv[1], sys.argv[2], sys.argv[3], datetime.fromisoformat(sys.argv[4])
if where == "memory":
    store = SQLiteCaseStore(":memory:")
    source = sqlite3.connect(path)
    source.backup(store._db)
    source.close()
elif where == "file":
    store = SQLiteCaseStore(path)
else:
    from powerlist.cases.stores import open_store
    store = open_store(where)
esc = Escalator(store, None, RuleSet.load(), engine=engine)
esc.tick(datetime.fromisoformat("2000-01-01T00:00+08:00"))  # compile the tables first
due = store.count_due(stamp(now))
started = time.process_time()
actions = esc.tick(now)
elapsed = time.process_time() - started
print(json.dumps({"due": due, "actions": len(actions), "seconds": elapsed}))
"""


def _tick(path: Path, where: str, engine: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", TICK, str(path), where, engine, NOW.isoformat()],
                          capture_output=True, text=True, env=env, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _load_other(url: str, source: Path) -> bool:
    """Copy the benchmark's cases into the store at `url`; False when this checkout cannot."""
    try:
        from powerlist.cases.stores import open_store  # type: ignore[import-not-found]
    except ImportError:
        return False
    from powerlist.cases.sqlite import SQLiteCaseStore

    src = SQLiteCaseStore(source)
    dst = open_store(url)
    try:
        loader = getattr(dst, "bulk_load", None)
        cases = ((c.snapshot, c.history) for c in src.iter_cases())
        if loader is not None:
            loader(cases)
        else:
            for snapshot, history in cases:
                from powerlist.cases.store import NewEvent

                first, rest = history[0], history[1:]
                dst.create(snapshot.case_id, first.at, dict(first.details),
                           [NewEvent(e.at, e.event, e.actor, e.rule, dict(e.details)) for e in rest])
    finally:
        src.close()
        dst.close()
    return True


def _evaluation_anchors(n: int) -> dict[str, float]:
    """µs per due case of the table work alone, and the anchors, in this process."""
    from durable import lang as dl

    from powerlist.cases.escalation_rules import EscalationRules
    from powerlist.cases.sqlite import SQLiteCaseStore
    from powerlist.routing.tables import RuleSet

    rules = RuleSet.load()
    facts = {"whistle": "daily", "reminded": False, "supervised": False, "at_street_level": True,
             "has_higher": True, "extension_allowed": True}
    variants = [dict(facts, whistle=w, reminded=r) for w in ("daily", "key", "coordination", "emergency")
                for r in (False, True)]
    out: dict[str, float] = {}
    for engine in ("compiled", "durable"):
        esc = EscalationRules(rules, engine)
        esc.evaluate("esc_response_due", facts)
        started = time.process_time()
        for i in range(n):
            esc.evaluate("esc_response_due", variants[i % len(variants)])
        out[f"evaluate {engine}"] = (time.process_time() - started) / n * 1e6
    # facts of a snapshot (what a tick computes before evaluating)
    del SQLiteCaseStore
    lookup = {("daily", False): "remind", ("daily", True): "escalate"}
    keys = [("daily", i % 2 == 0) for i in range(n)]
    started = time.process_time()
    for key in keys:
        lookup[key]
    out["bare dict lookup"] = (time.process_time() - started) / n * 1e6
    with dl.ruleset("bench_tick_bare_post"):
        @dl.when_all(dl.m.whistle != "")
        def _hit(c: object) -> None:
            pass
    host = dl.get_host()
    m = min(n, 5_000)
    started = time.process_time()
    for i in range(m):
        host.post("bench_tick_bare_post", {"whistle": "daily", "i": i})
    out["bare durable post"] = (time.process_time() - started) / m * 1e6
    zen = _zen_table(rules.table("esc_response_due"))
    if zen is not None:
        zen(variants[0])
        started = time.process_time()
        for i in range(m):
            zen(variants[i % len(variants)])
        out["zen-engine cached evaluate"] = (time.process_time() - started) / m * 1e6
    return out


def _zen_table(table: Any) -> Any:
    """The table as a zen-engine decision (JDM graph: input → decision table → output), or None."""
    try:
        import zen  # type: ignore[import-not-found]
    except ImportError:
        return None

    def cell(cond: Any) -> str:
        if cond is None or cond.kind == "any":
            return ""
        if cond.kind in ("eq", "in"):
            return ", ".join(json.dumps(v) for v in cond.values)
        return f"{cond.op} {cond.number}"

    inputs = [{"id": f"i{n}", "name": name, "field": name} for n, name in enumerate(table.inputs)]
    outputs = [{"id": f"o{n}", "name": name, "field": name} for n, name in enumerate(table.outputs)]
    rules = []
    for row in table.rows:
        rule = {"_id": row.id}
        for n, name in enumerate(table.inputs):
            rule[f"i{n}"] = cell(row.when.get(name))
        for n, name in enumerate(table.outputs):
            rule[f"o{n}"] = json.dumps(row.then[name])
        rules.append(rule)
    graph = {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "in", "position": {"x": 0, "y": 0}},
            {"id": "t", "type": "decisionTableNode", "name": table.name, "position": {"x": 1, "y": 0},
             "content": {"hitPolicy": "first", "inputs": inputs, "outputs": outputs, "rules": rules}},
            {"id": "out", "type": "outputNode", "name": "out", "position": {"x": 2, "y": 0}},
        ],
        "edges": [{"id": "e1", "sourceId": "in", "targetId": "t", "type": "edge"},
                  {"id": "e2", "sourceId": "t", "targetId": "out", "type": "edge"}],
    }
    engine = zen.ZenEngine()
    decision = engine.create_decision(zen.ZenDecisionContent(json.dumps(graph)))
    return decision.evaluate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=20_000)
    parser.add_argument("--due", type=int, default=5_000)
    parser.add_argument("--db", default=None, help="also tick on this store URL (e.g. postgresql://…)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench_tick_"))
    try:
        source = folder / "cases.db"
        started = time.perf_counter()
        build(source, args.open, args.due)
        print(f"built {args.open:,} open cases ({args.due:,} due) in {time.perf_counter() - started:.1f} s")
        results: dict[tuple[str, str], dict[str, Any]] = {}
        places = ["file", "memory"]
        if args.db:
            places.append(args.db if _load_other(args.db, source) else "")
            if not places[-1]:
                places.pop()
                print(f"--db {args.db}: this checkout has no powerlist.cases.stores.open_store; skipped")
        for engine in ("compiled", "durable"):
            for where in places:
                copy = folder / f"tick_{engine}_{len(results)}.db"
                shutil.copy(source, copy)
                results[(engine, where)] = _tick(copy, where, engine)
        print(f"\n{'engine':<10}{'store':<14}{'due':>8}{'actions':>9}{'tick s':>9}{'µs/due':>9}")
        per: dict[tuple[str, str], float] = {}
        for (engine, where), r in results.items():
            per[(engine, where)] = r["seconds"] / max(1, r["due"]) * 1e6
            shown = where if where in ("file", "memory") else "db URL"
            print(f"{engine:<10}{shown:<14}{r['due']:>8,}{r['actions']:>9,}{r['seconds']:>9.2f}"
                  f"{per[(engine, where)]:>9.0f}")
        anchors = _evaluation_anchors(50_000)
        print("\nper due case, µs (this process):")
        for name, value in anchors.items():
            print(f"  {name:<30}{value:>10.2f}")
        print("\nratios (one run):")
        for where in places:
            shown = where if where in ("file", "memory") else "db URL"
            print(f"  durable / compiled tick, {shown:<8} {per[('durable', where)] / per[('compiled', where)]:6.1f}×"
                  "  (target ≥ 10×)")
        for where in places[:1] + places[2:]:
            shown = where if where == "file" else "db URL"
            ratio = per[("compiled", where)] / per[("compiled", "memory")]
            print(f"  compiled tick, {shown} / in-memory  {ratio:6.2f}×  (target ≤ 2×)")
        print(f"  durable / compiled evaluation   {anchors['evaluate durable'] / anchors['evaluate compiled']:6.1f}×")
        print(f"  compiled evaluation / bare dict {anchors['evaluate compiled'] / anchors['bare dict lookup']:6.1f}×")
        if "zen-engine cached evaluate" in anchors:
            print(f"  zen cached evaluate / compiled  "
                  f"{anchors['zen-engine cached evaluate'] / anchors['evaluate compiled']:6.1f}×")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
