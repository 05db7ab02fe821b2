"""Batch routing on Dask: 100,000 issues in one process vs on 1 and 2 local workers.

    .venv/bin/python benchmarks/bench_dask.py [--lines 100000] [--workers 1 2] [--part-rows 5000]

The input is `make_route_input.py`'s seeded JSONL (5% of the lines spoiled: rejections, ids used
again, broken and blank lines). Each figure is wall-clock seconds of `powerlist route FILE --out
OUT` done the library's way in this process (the same calls as the command), best of `--repeat`:

- one process: `read_issues` → `Router.route_many` → `decision_json`, written out;
- N workers: a `LocalCluster` of N worker processes (one thread each, 127.0.0.1, powerlist
  imported at start as on a long-lived cluster) started beforehand — its start-up is reported
  apart, it is paid once per cluster, not per run — and restarted before every run, so that every
  run starts from cold routers (built from the shipped catalog sent to each worker) as the one
  process does;
  the run is `partitions.split` → `parallel.run(route_part)` → the parts' bytes written in order
  (each worker writes its parts to a folder beside the output, as `powerlist route` has it do on
  a cluster whose workers share the disk, and the driver copies them in order).

Every output is compared byte for byte with the one-process output. The ratio to read is one
process / N workers (target, issue 16: ≥ 1.6× on 2 workers). On a machine with C cores the
driver (reading, cutting, writing) shares them with the workers: with 2 cores and 2 workers
the driver's share is what keeps the curve below 2×; more cores and workers scale until the
driver's serial part (decode, split, write: about 5% of the work here) dominates (Amdahl).

Measured 2026-12-01 on the shared 2-core machine, 100,000 lines (5% spoiled), parts of 5,000, in
three runs at load averages of 2.4–4.1 (other jobs held most of a core throughout):

| run | one process s | 1 worker s | 2 workers s | 2 workers: one process / 2 workers |
|----:|--------------:|-----------:|------------:|-----------------------------------:|
| 1   | 7.08 | 9.31 | 5.84 | 1.21× |
| 2   | 8.13 | 9.65 | 7.08 | 1.15× |
| 3   | 6.75 | 9.91 | 7.87 | 0.86× |

Output byte for byte the one-process output every time. CPU, all processes / one process:
1.25–1.56× (the driver ~1.3 s: cutting the file, the in-process scheduler, appending the parts;
each worker +5–10% over its share). With two free cores for two workers plus the driver, the
CPU figures give ~1.4× (conservatively, the driver not overlapped); 1.6× is not reached here.
On paper, from the same figures: 4 workers ~1.9–2.3×, 8 ~2.7–3.4×, 16 ~3.6–4.4×, the driver's
~1.3 s per 100,000 issues being the serial part. Cluster start-up (0.7–1.7 s) is paid once per
cluster, not per run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_process(path: Path, out: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of the one-process run."""
    from powerlist.cli._common import batch_gc
    from powerlist.cli.route import write_jsonl
    from powerlist.routing.issue_io import read_issues
    from powerlist.routing.router import Router

    started, cpu = time.perf_counter(), _cpu()
    router = Router.default()
    with batch_gc(), out.open("w", encoding="utf-8", newline="") as handle:  # as `powerlist route` does
        write_jsonl(router.route_many(read_issues(path)), handle)
    return time.perf_counter() - started, _cpu() - cpu


def side_by_side(halves: list[Path], folder: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of the file's halves routed as two one-process runs at once, forked
    from here (no Dask, nothing to put together): what two processes can do on this machine at
    this moment, the bound for 2 workers."""
    import resource

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    started, cpu = time.perf_counter(), children_cpu()
    pids = []
    for n, half in enumerate(halves):
        pid = os.fork()
        if pid == 0:  # the child: route its half, and leave at once
            code = 1
            try:
                one_process(half, folder / f"half{n}.jsonl")
                code = 0
            finally:
                os._exit(code)
        pids.append(pid)
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError("a half's run failed")
    return time.perf_counter() - started, children_cpu() - cpu


def on_cluster(client: object, path: Path, out: Path, rows: int) -> tuple[float, float, list[float]]:
    """(wall seconds, the driver's CPU seconds, each worker's CPU seconds) of a run on the cluster."""
    from powerlist.routing.batch import RouterSpec, route_part
    from powerlist.routing.parallel import run
    from powerlist.routing.partitions import split
    from powerlist.routing.router import Router

    client.restart()  # type: ignore[attr-defined]  # cold workers: no router, no plans kept
    before = client.run(_cpu)  # type: ignore[attr-defined]
    started, cpu = time.perf_counter(), _cpu()
    router = Router.default()
    total, parts = split(path, "utf-8", rows)
    spool = out.parent / "spool"  # as powerlist route does on a local cluster: parts written beside the output
    spool.mkdir(exist_ok=True)
    from powerlist.cli._parallel import write_part  # how powerlist route writes a part

    with out.open("wb") as handle:
        for _, routed in run(client, parts, route_part, RouterSpec.of(router, "jsonl", str(spool))):
            write_part(handle, routed)
    wall, driver = time.perf_counter() - started, _cpu() - cpu
    after = client.run(_cpu)  # type: ignore[attr-defined]
    return wall, driver, [after[w] - before[w] for w in after]


def main(argv: list[str] | None = None) -> int:

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--part-rows", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds (one process, then each cluster)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench_dask_"))
    try:
        return _run(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(args: argparse.Namespace, folder: Path) -> int:
    import contextlib

    import distributed

    from powerlist.routing.parallel import local_cluster  # as `powerlist route --workers N` starts one

    path = folder / "issues.jsonl"
    subprocess.run([sys.executable, str(HERE / "make_route_input.py"), str(path), "--lines", str(args.lines),
                    "--bad", "0.05"], check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    print(f"cpus: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; {args.lines:,} lines, "
          f"parts of {args.part_rows:,}")
    reference = folder / "one.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    halves = [folder / "half-a.jsonl", folder / "half-b.jsonl"]
    halves[0].write_bytes(b"".join(lines[:len(lines) // 2]))
    halves[1].write_bytes(b"".join(lines[len(lines) // 2:]))
    with contextlib.ExitStack() as stack:
        clients = {}
        for n in args.workers:
            started = time.perf_counter()
            # preload: a long-lived cluster's workers have powerlist imported (also after restart)
            cluster = stack.enter_context(local_cluster(n, preload=["powerlist.routing.batch"]))
            clients[n] = stack.enter_context(distributed.Client(cluster))
            print(f"cluster of {n} worker(s) started in {time.perf_counter() - started:.1f} s (once per cluster)")
        # Rounds, each the one process then every cluster, so that a round's figures share the
        # machine's load of the moment; the best of each kind over the rounds is kept too.
        print(f"\n{'round':<7}{'':<14}{'wall s':>8}{'driver CPU s':>14}{'workers CPU s':>16}{'one / this':>12}")
        singles: list[tuple[float, float]] = []
        bounds: list[tuple[float, float]] = []
        figures: dict[int, list[tuple[float, float, list[float]]]] = {n: [] for n in args.workers}
        for round in range(1, args.repeat + 1):
            single, single_cpu = one_process(path, reference)
            singles.append((single, single_cpu))
            print(f"{round:<7}{'one process':<14}{single:>8.2f}{single_cpu:>14.2f}  (load {os.getloadavg()[0]:.1f})")
            bound, bound_cpu = side_by_side(halves, folder)
            bounds.append((bound, bound_cpu))
            print(f"{'':<7}{'2 halves':<14}{bound:>8.2f}{bound_cpu:>14.2f}{'(no Dask)':>16}{single / bound:>11.2f}×")
            for n, client in clients.items():
                out = folder / f"workers{n}.jsonl"
                wall, driver, workers = on_cluster(client, path, out, args.part_rows)
                figures[n].append((wall, driver, workers))
                same = out.read_bytes() == reference.read_bytes()
                print(f"{'':<7}{f'{n} worker(s)':<14}{wall:>8.2f}{driver:>14.2f}"
                      f"{' + '.join(f'{w:.2f}' for w in workers):>16}{single / wall:>11.2f}×"
                      f"  (output identical: {'yes' if same else 'NO'})")
    single, single_cpu = min(singles)
    print("\n2 halves: the file's two halves routed by two one-process runs at once, forked (no Dask): "
          "what two processes\ndo on this machine at that moment, the bound for 2 workers")
    print(f"best of {args.repeat} rounds (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores): "
          f"one process {single:.2f} s, {single_cpu:.2f} s CPU")
    bound = min(bounds)[0]
    print(f"  2 halves side by side (no Dask): {bound:.2f} s, {single / bound:5.2f}×")
    for n, runs in figures.items():
        wall, driver, workers = min(runs, key=lambda r: r[0])
        print(f"  {n} worker(s): {wall:.2f} s, one process / {n} worker(s) {single / wall:5.2f}×"
              + ("   (target ≥ 1.6× on 2)" if n == 2 else ""))
    # On paper: with a core each, a run takes about the driver's serial CPU plus the busiest
    # worker's; the work per worker shrinks as 1/N while the driver's share stays.
    if figures:
        n = max(figures)
        wall, driver, workers = min(figures[n], key=lambda r: r[1] + sum(r[2]))
        work = sum(workers)
        cpu = min(c for _, c in singles)
        print(f"  CPU spent on {n} worker(s), all processes / one process: {(driver + work) / cpu:5.2f}× "
              f"(driver {driver:.2f} s, workers {work:.2f} s, one process {cpu:.2f} s: least of the rounds)")
        print("  on paper, each process on its own core (conservative: the driver's CPU not overlapped): "
              + ", ".join(f"{m} workers {cpu / (driver + work / m):.1f}×" for m in (1, 2, 4, 8, 16)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
