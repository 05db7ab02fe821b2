"""Benchmark (issue 4 §6): a tick over 10,000 due cases among 1,000,000 open ones.

    .venv/bin/python benchmarks/bench_escalation.py            # 100k and 1M open
    .venv/bin/python benchmarks/bench_escalation.py --open 100000 200000 --due 5000

For each size it bulk-loads a SQLite file (executemany in one transaction) with N open cases,
`--due` of which are past their response deadline, then ticks twice, each time in a fresh
process: first at NOW (every due case gets its reminder), timed, with the process's peak RSS
(VmHWM, imports included); then 24 hours later (the same cases are escalated and
the accountability ladder runs) under tracemalloc, for the tick's peak Python allocations.
Neither should grow with the number of open cases: due cases are read through the
`next_due_at` index, 500 at a time.

Measured 2026-11-30 on the shared 2-core CI machine (load average 3.5–4 from other jobs):

          open     due  build s  tick s  µs/due  tick RSS MiB  py peak MiB  db MiB
       100,000  10,000     16.7    9.06     906            55        15.08     360
     1,000,000  10,000    131.0    9.46     946            55        15.08    3432

Ten times the open cases: the same peak memory, time per due case ×1.04.

Every loaded case is the replay of its two events (open, dispatch), built from one template
with per-case ids and deadlines substituted (fixed-width stamps keep the JSON valid).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from powerlist.cases.lifecycle import Event, EventRecord, replay, stamp
from powerlist.cases.sqlite import SQLiteCaseStore
from powerlist.routing.issue import SHANGHAI

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)
NOW = T0 + timedelta(hours=30)
UNITS = [
    {"code": "420202001001", "name": "纺织社区居委会", "level": "community"},
    {"code": "420202001", "name": "黄石港街道办事处", "level": "street"},
    {"code": "420202-scjg", "name": "黄石港区市场监督管理局", "level": "district"},
    {"code": "420200-scjg", "name": "黄石市市场监督管理局", "level": "city"},
]
ID, RB, CB = "@@CASE_ID@@", "2000-01-01T00:00:00.000001Z", "2000-01-01T00:00:00.000002Z"


def _templates() -> tuple[str, str, str, str]:
    """(snapshot JSON, open details JSON, dispatch details JSON, next_due placeholder)."""
    details = {
        "issue_id": ID,
        "category": "C01",
        "street": "420202001",
        "whistle": "daily",
        "grade": "B",
        "level": "street",
        "lead": UNITS[1],
        "co_units": [],
        "path": UNITS,
        "holders": [{"power": "P001", "name": "对无照经营的处罚", "legal_basis": ["《无证无照经营查处办法》第十三条"],
                     "unit": UNITS[1], "mode": "delegated"}],
        "supervision_office": {"code": "420200-supervision", "name": "市委督查室、市政府政务督查室", "level": "city"},
        "respond_by": RB,
        "complete_by": CB,
        "respond_window": 86400,
        "complete_window": 10 * 86400,
        "rules_version": "bench",
    }
    dispatch = {"to": UNITS[1], "respond_by": RB, "complete_by": CB}
    at = stamp(T0)
    snapshot = replay([
        EventRecord(ID, 1, at, Event.OPEN, None, None, details),
        EventRecord(ID, 2, at, Event.DISPATCH, None, None, dispatch),
    ])
    dump = lambda d: json.dumps(d, ensure_ascii=False, separators=(",", ":"), sort_keys=True)  # noqa: E731
    return snapshot.dumps(), dump(details), dump(dispatch), at


def build(path: Path, n_open: int, n_due: int) -> None:
    """A store of `n_open` dispatched cases; `n_due` of them missed respond_by before NOW."""
    snap_t, open_t, dispatch_t, at = _templates()
    store = SQLiteCaseStore(path)
    db = store._db
    step = max(1, n_open // max(1, n_due))
    with store.transaction():
        batch_cases, batch_events = [], []
        for i in range(n_open):
            case_id = f"C{i:08d}"
            due = i % step == 0 and i // step < n_due
            respond = T0 + (timedelta(hours=24, seconds=i % 3600) if due else timedelta(days=60, seconds=i % 86400))
            rb, cb = stamp(respond), stamp(respond + timedelta(days=9))
            batch_cases.append((
                case_id, "dispatched", "street", "420202001", "420202001", at, at, rb, 2,
                snap_t.replace(ID, case_id).replace(RB, rb).replace(CB, cb),
            ))
            batch_events.append((case_id, 1, at, "open", None, None,
                                 open_t.replace(ID, case_id).replace(RB, rb).replace(CB, cb)))
            batch_events.append((case_id, 2, at, "dispatch", None, None, dispatch_t.replace(RB, rb).replace(CB, cb)))
            if len(batch_cases) == 50_000:
                _flush(db, batch_cases, batch_events)
        _flush(db, batch_cases, batch_events)
    store.close()


def _flush(db, cases, events) -> None:  # type: ignore[no-untyped-def]
    db.executemany("INSERT INTO events (case_id, n, at, event, actor, rule, details) VALUES (?,?,?,?,?,?,?)", events)
    db.executemany(
        "INSERT INTO cases (case_id, state, level, lead, assignee, opened_at, last_at, next_due_at, n, snapshot) "
        "VALUES (?,?,?,?,?,?,?,?,?,?)",
        cases,
    )
    cases.clear()
    events.clear()


TICK = """
import json, resource, sys, time, tracemalloc
from datetime import datetime

def peak_rss_kib():
    # VmHWM is this process's own high-water mark; ru_maxrss on Linux keeps the parent's
    # (the bulk load's) across fork and exec.
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

from powerlist.cases.escalator import Escalator
from powerlist.cases.sqlite import SQLiteCaseStore
from powerlist.routing.tables import RuleSet
path, now, traced = sys.argv[1], datetime.fromisoformat(sys.argv[2]), sys.argv[3] == "1"
store = SQLiteCaseStore(path)
esc = Escalator(store, None, RuleSet.load())
esc.tick(datetime.fromisoformat("2000-01-01T00:00+08:00"))  # compile the rulesets first
from powerlist.cases.lifecycle import stamp
due = store.count_due(stamp(now))
before = peak_rss_kib()
if traced:
    tracemalloc.start()
started = time.perf_counter()
actions = esc.tick(now)
elapsed = time.perf_counter() - started
peak = tracemalloc.get_traced_memory()[1] if traced else 0
again = esc.tick(now)
print(json.dumps({"due": due, "actions": len(actions), "kinds": sorted({a.action for a in actions}), "seconds": elapsed,
                  "traced_peak": peak, "rss_before": before, "rss_after": peak_rss_kib(),
                  "repeat": len(again)}))
"""


def _tick(path: Path, now: datetime, traced: bool) -> dict[str, float]:
    """One tick in a fresh process, so its peak RSS is the tick's, not the bulk load's."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-c", TICK, str(path), now.isoformat(), "1" if traced else "0"],
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(n_open: int, n_due: int, folder: Path) -> dict[str, float]:
    path = folder / f"cases_{n_open}.db"
    for extra in ("", "-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)
    started = time.perf_counter()
    build(path, n_open, n_due)
    built = time.perf_counter() - started
    # 1st tick (reminders) timed plainly; 2nd tick (escalations of the same cases, 24 h later)
    # under tracemalloc for the peak of Python allocations (tracemalloc slows Python ~5×).
    timed = _tick(path, NOW, traced=False)
    traced = _tick(path, NOW + timedelta(hours=24), traced=True)
    size = path.stat().st_size
    for extra in ("", "-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)
    assert timed["repeat"] == 0 and traced["repeat"] == 0, "a repeated tick acted again"
    return {
        "open": n_open,
        "due": timed["due"],
        "actions": timed["actions"],
        "build_s": built,
        "tick_s": timed["seconds"],
        "us_per_due": timed["seconds"] / max(1, timed["due"]) * 1e6,
        "rss_mb": timed["rss_after"] / 1024,
        "rss_growth_mb": (timed["rss_after"] - timed["rss_before"]) / 1024,
        "due2": traced["due"],
        "actions2": traced["actions"],
        "peak_mb": traced["traced_peak"] / 2**20,
        "db_mb": size / 2**20,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the SQLite files (default: a temp dir)")
    args = parser.parse_args(argv)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench_escalation_"))
    print(f"python {sys.version.split()[0]}, files in {folder}")
    print(f"{'open':>10} {'due':>7} {'actions':>8} {'build s':>8} {'tick s':>7} {'µs/due':>7} "
          f"{'tick RSS MiB':>12} {'RSS growth':>10} | {'2nd tick actions':>16} {'py peak MiB':>11} {'db MiB':>7}")
    results = []
    for n_open in args.open:
        r = run(n_open, args.due, folder)
        results.append(r)
        print(f"{r['open']:>10,} {r['due']:>7,} {r['actions']:>8,} {r['build_s']:>8.1f} {r['tick_s']:>7.2f} "
              f"{r['us_per_due']:>7.0f} {r['rss_mb']:>12.0f} {r['rss_growth_mb']:>10.1f} | {r['actions2']:>16,} "
              f"{r['peak_mb']:>11.2f} {r['db_mb']:>7.0f}", flush=True)
    if len(results) > 1:
        small, large = results[0], results[-1]
        print(
            f"open cases ×{large['open'] / small['open']:.0f} → "
            f"tick peak Python memory ×{large['peak_mb'] / small['peak_mb']:.2f}, "
            f"tick RSS ×{large['rss_mb'] / small['rss_mb']:.2f}, "
            f"time per due case ×{large['us_per_due'] / small['us_per_due']:.2f}"
        )


if __name__ == "__main__":
    main()
