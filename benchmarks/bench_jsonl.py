"""JSON line in → JSON line out, through the API and through `powerlist route`, on one core.

    .venv/bin/python benchmarks/bench_jsonl.py [--lines 30000] [--base DIR] [--input FILE]

The input is `make_route_input.py`'s seeded JSONL of random leaves and places (30,000 lines by
default; most of them a (place, flags) combination not seen before, so most plans are built
cold, as in a day's file). Measured in one run, CPU seconds of one process (`process_time`, or
the child's rusage for the CLI), the cyclic collector left on as in real use:

- API, "route(dict)": `json.loads(line)` → `Router.route(raw)` → `json.dumps(model_dump(mode="json"))`,
  the way an embedder wrote it before `route_json` existed (it runs on either checkout);
- API, "route_json": `Router.route_json(line)` (this checkout only);
  each on a fresh router over the file (cold: plans are built as they are met), then again (warm);
- CLI: `powerlist route FILE --out OUT` in a child process, end to end, and less the start-up
  (the same command on a one-line file): per issue, both;
- with `--base DIR` (a checkout of the code before, e.g. `git worktree add /tmp/base <commit>`
  or `git archive <commit> | tar -x -C /tmp/base`): the route(dict) API path and the CLI on
  that code, in child processes, and whether its `powerlist route` output is byte for byte this
  checkout's;
- anchors: a bare dict lookup (category, street) → unit per line, one bare durable-rules `post`,
  and zen-engine's cached evaluate of the routing `whistle` table (when `zen` is importable;
  install `zen-engine` in the benchmark's venv only — it is never a powerlist dependency).

Targets (issue 16): ≥ 4× the code before on both paths, the CLI within 1.5× of the API path
(route_json). The script prints the ratios; it never fails on time.

Measured 2026-12-01 on the shared 2-core machine (load average 1–2.4 from other jobs; figures
swing ±30% from run to run, so the instruction counts below, from valgrind's cachegrind, which
do not depend on the load, are given beside them), base = commit 6337819:

| µs per line (one run)                 | this  | base  | base / this |
|---------------------------------------|------:|------:|------------:|
| API, cold router (30,000 lines)       |  73.9 | 124.2 | 1.7× (route_json vs route(dict)) |
| API, warm router                      |  30.6 |  58.5 | 1.9× |
| CLI `powerlist route`, end to end     | 111.4 | 184.0 | 1.7× |
| CLI, less start-up (0.68 s / 0.57 s)  |  88.8 | 164.9 | 1.9× |

| instructions per line (cachegrind, 5,000 lines: most plans cold) | this | base | base / this |
|---|---:|---:|---:|
| API warm: route_json vs route(dict)+model_dump+json.dumps | 106 k | 464 k | 4.4× |
| API cold | 443 k | 824 k | 1.9× |
| CLI less start-up | 500 k | 942 k | 1.9× |

CLI / API route_json cold: 1.51× end to end, 1.20× less start-up. Anchors in the same run:
bare dict lookup 0.29 µs (route_json warm = 104×), one durable post 30 µs (≈ one route_json
warm: a whole decision, JSON in and out, costs what durable-rules takes to fire one rule),
zen-engine cached evaluate of one table 195 µs (6.4× route_json warm). The output is byte for
byte the base's. Where the rest goes (cold): building a plan for each new (place, flags) —
locate, sketch, units, the calendar's first count for a day — is most of a cold line; the CLI
also starts in 0.7 s (imports: openpyxl and every command module), 20% of a 30,000-line run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLI = "import sys; from powerlist.cli import main; sys.argv = ['powerlist', *sys.argv[1:]]; main()"


def _cpu(run: Callable[[], object]) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


def api_figures(path: Path) -> dict[str, float]:
    """µs per line of the API paths, cold then warm (runs on either checkout)."""
    from powerlist.routing.router import Router

    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    out: dict[str, float] = {"lines": len(lines)}

    def old_way(router: Any) -> Callable[[], object]:
        def run() -> None:
            for line in lines:
                try:
                    decision = router.route(json.loads(line))
                except Exception:  # noqa: BLE001 - a rejected line: the old API raised InputError
                    continue
                json.dumps(decision.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
        return run

    router = Router.default()
    gc.collect()
    out["route(dict) cold"] = _cpu(old_way(router)) / len(lines) * 1e6
    out["route(dict) warm"] = _cpu(old_way(router)) / len(lines) * 1e6
    if hasattr(Router, "route_json"):
        router = Router.default()

        def new_way() -> None:
            for line in lines:
                router.route_json(line)

        gc.collect()
        out["route_json cold"] = _cpu(new_way) / len(lines) * 1e6
        out["route_json warm"] = _cpu(new_way) / len(lines) * 1e6
    return out


def cli_figures(path: Path, one: Path, out: Path, pythonpath: Path) -> dict[str, float]:
    """CPU seconds of `powerlist route` on the file and on one line, in child processes."""
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}

    def child(source: Path, target: Path) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", CLI, "route", str(source), "--out", str(target)], env=env,
                       cwd=pythonpath, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    total = child(path, out)
    start = min(child(one, out.with_suffix(".one")) for _ in range(3))
    return {"cli s": total, "start s": start}


def same_csv(path: Path, folder: Path, base: Path) -> bool:
    """Whether `powerlist route --format csv` writes the same bytes on this checkout and the base."""
    outputs = []
    for name, root in (("this", ROOT), ("base", base)):
        target = folder / f"{name}.csv"
        subprocess.run([sys.executable, "-c", CLI, "route", str(path), "--format", "csv", "--out", str(target)],
                       env={**os.environ, "PYTHONPATH": str(root)}, cwd=root, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        outputs.append(target.read_bytes() if target.exists() else None)
    return outputs[0] is not None and outputs[0] == outputs[1]


# ---- instruction counts (valgrind's cachegrind: the same on a loaded machine as on an idle one) ----

_IREFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def _instructions(argv: list[str], pythonpath: Path) -> int:
    env = {**os.environ, "PYTHONPATH": str(pythonpath), "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           sys.executable, *argv], env=env, cwd=pythonpath, capture_output=True, text=True, check=False)
    found = _IREFS.search(done.stderr)
    if found is None:
        raise RuntimeError(f"valgrind gave no instruction count: {done.stderr[-500:]}")
    return int(found.group(1).replace(",", ""))


def instruction_figures(path: Path, one: Path, out: Path, pythonpath: Path, mode: str) -> dict[str, float]:
    """Instructions per line of the API path `mode` (cold: a fresh router over the file, less
    the same process over no line; warm: a second pass, less one) and of `powerlist route`
    (end to end, and less the same command on one line)."""
    n = sum(1 for line in path.read_text(encoding="utf-8").split("\n") if line.strip())
    me = str(Path(__file__).resolve())
    nothing, once, twice = (_instructions([me, "--ir-child", mode, str(path), str(lines), str(reps)], pythonpath)
                            for lines, reps in ((0, 1), (n, 1), (n, 2)))
    cli = _instructions(["-c", CLI, "route", str(path), "--out", str(out)], pythonpath)
    start = _instructions(["-c", CLI, "route", str(one), "--out", str(out.with_suffix(".one"))], pythonpath)
    return {f"{mode} cold": (once - nothing) / n, f"{mode} warm": (twice - once) / n, "cli": cli / n,
            "cli less start": (cli - start) / (n - 1), "start": start}


def _ir_child(mode: str, path: Path, lines: int, reps: int) -> None:
    # What a cachegrind run executes: `mode` over the file's first `lines` lines, `reps` times.
    from powerlist.routing.router import Router

    texts = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()][:lines]
    router = Router.default()
    for _ in range(reps):
        for line in texts:
            if mode == "route_json":
                router.route_json(line)
                continue
            try:
                decision = router.route(json.loads(line))
            except Exception:  # noqa: BLE001 - a rejected line: the old API raised InputError
                continue
            json.dumps(decision.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))


def anchors(path: Path) -> dict[str, float]:
    from durable import lang as dl

    from powerlist.catalog.loader import load_catalogs
    from powerlist.routing.tables import RuleSet

    catalog = load_catalogs()
    street_of = {code: code for code in catalog.streets}
    street_of.update({code: c.street for code, c in catalog.communities.items()})
    lookup = {(c, s): s for c in catalog.categories for s in catalog.streets}
    raws = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    keys = [(r.get("category"), street_of.get(r.get("location"), "")) for r in raws]
    out = {"bare dict lookup": min(_cpu(lambda: [lookup.get(k) for k in keys]) for _ in range(3)) / len(keys) * 1e6}
    with dl.ruleset("bench_jsonl_bare_post"):
        @dl.when_all(dl.m.category != "")
        def _hit(c: object) -> None:
            pass
    host = dl.get_host()
    m = min(len(raws), 10_000)
    out["one durable post"] = _cpu(lambda: [host.post("bench_jsonl_bare_post", {"category": raws[n]["category"],
                                                                                "n": n}) for n in range(m)]) / m * 1e6
    sys.path.insert(0, str(HERE))
    from bench_tick import _zen_table

    zen = _zen_table(RuleSet.load().table("whistle"))
    if zen is not None:
        facts = [{"emergency": False, "scope": "ordinary", "needs_enforcement": n % 3 == 0, "cross_department": False,
                  "several_departments": n % 5 == 0, "key_work": False} for n in range(m)]
        zen(facts[0])
        out["zen-engine cached evaluate"] = _cpu(lambda: [zen(f) for f in facts]) / m * 1e6
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=30_000)
    parser.add_argument("--input", type=Path, default=None)
    parser.add_argument("--base", type=Path, default=None, help="a checkout of the code before")
    parser.add_argument("--cachegrind", type=int, default=0, metavar="LINES",
                        help="also count instructions (valgrind cachegrind) over the file's first LINES lines")
    parser.add_argument("--api-only", type=Path, default=None, help=argparse.SUPPRESS)  # child mode
    parser.add_argument("--ir-child", nargs=4, default=None, help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args(argv)
    if args.api_only is not None:
        print(json.dumps(api_figures(args.api_only)))
        return 0
    if args.ir_child is not None:
        mode, source, lines, reps = args.ir_child
        _ir_child(mode, Path(source), int(lines), int(reps))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="bench_jsonl_"))
    try:
        return _run(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(args: argparse.Namespace, folder: Path) -> int:
    path = args.input or folder / "issues.jsonl"
    if args.input is None:
        subprocess.run([sys.executable, str(HERE / "make_route_input.py"), str(path), "--lines", str(args.lines)],
                       check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    one = folder / "one.jsonl"
    one.write_text(path.read_text(encoding="utf-8").split("\n", 1)[0] + "\n", encoding="utf-8")
    n = sum(1 for line in path.read_text(encoding="utf-8").split("\n") if line.strip())
    print(f"input: {path} ({n:,} lines)")

    runs: dict[str, dict[str, float]] = {}
    runs["this"] = {**api_figures(path), **cli_figures(path, one, folder / "this.jsonl", ROOT)}
    if args.base is not None:
        env = {**os.environ, "PYTHONPATH": str(args.base)}
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--api-only", str(path)], env=env,
                              cwd=args.base, check=True, capture_output=True, text=True)
        runs["base"] = {**json.loads(done.stdout.strip().splitlines()[-1]),
                        **cli_figures(path, one, folder / "base.jsonl", args.base)}
    marks = anchors(path)

    print(f"\n{'µs per line':<40}" + "".join(f"{name:>14}" for name in runs))
    names = ["route(dict) cold", "route(dict) warm", "route_json cold", "route_json warm"]
    for name in names:
        print(f"{'API ' + name:<40}" + "".join(f"{r[name]:>14.1f}" if name in r else f"{'-':>14}"
                                             for r in runs.values()))
    for r in runs.values():
        r["cli per line"] = r["cli s"] / n * 1e6
        r["cli per line less start"] = (r["cli s"] - r["start s"]) / n * 1e6
    for name, label in (("cli per line", "CLI powerlist route, end to end"),
                        ("cli per line less start", "CLI, less start-up"), ("start s", "CLI start-up, s")):
        print(f"{label:<40}" + "".join(f"{r[name]:>14.2f}" for r in runs.values()))
    print("\nanchors, µs each:")
    for name, value in marks.items():
        print(f"  {name:<38}{value:>10.2f}")
    this = runs["this"]
    print("\nratios (one run):")
    if "base" in runs:
        base = runs["base"]
        same = (folder / "this.jsonl").read_bytes() == (folder / "base.jsonl").read_bytes()
        print(f"  powerlist route output byte for byte the base's: {'yes' if same else 'NO'}")
        cold = base["route(dict) cold"] / this["route_json cold"]
        warm = base["route(dict) warm"] / this["route_json warm"]
        print(f"  API  base route(dict) / this route_json, cold: {cold:6.1f}×  warm: {warm:6.1f}×  (target ≥ 4×)")
        print(f"  API  base route(dict) / this route(dict), cold: "
              f"{base['route(dict) cold'] / this['route(dict) cold']:6.1f}×")
        print(f"  CLI  base / this, end to end: {base['cli per line'] / this['cli per line']:6.1f}×, less start-up: "
              f"{base['cli per line less start'] / this['cli per line less start']:6.1f}×  (target ≥ 4×)")
    print(f"  CLI / API route_json cold, end to end: {this['cli per line'] / this['route_json cold']:6.2f}×, "
          f"less start-up: {this['cli per line less start'] / this['route_json cold']:6.2f}×  (target ≤ 1.5×)")
    print(f"  API route_json warm / bare dict lookup: {this['route_json warm'] / marks['bare dict lookup']:6.0f}×; "
          f"one durable post / route_json warm: {marks['one durable post'] / this['route_json warm']:6.1f}×")
    if "base" in runs:
        print(f"  powerlist route --format csv output byte for byte the base's: "
              f"{'yes' if same_csv(path, folder, args.base) else 'NO'}")
    if args.cachegrind:
        _print_instructions(args, path, folder)
    if "zen-engine cached evaluate" in marks:
        print(f"  zen-engine cached evaluate (one table) / route_json warm (whole decision, JSON in and out): "
              f"{marks['zen-engine cached evaluate'] / this['route_json warm']:6.2f}×")
    return 0


def _print_instructions(args: argparse.Namespace, path: Path, folder: Path) -> None:
    first = folder / "first.jsonl"
    texts = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()][:args.cachegrind]
    first.write_text("\n".join(texts) + "\n", encoding="utf-8")
    one = folder / "one.jsonl"
    counts = {"this": instruction_figures(first, one, folder / "ir-this.jsonl", ROOT, "route_json")}
    if args.base is not None:
        counts["base"] = instruction_figures(first, one, folder / "ir-base.jsonl", args.base, "route(dict)")
    print(f"\ninstructions per line (cachegrind, the first {len(texts):,} lines)"
          + "".join(f"{name:>14}" for name in counts))
    for label, this_key, base_key in (("API cold", "route_json cold", "route(dict) cold"),
                                      ("API warm", "route_json warm", "route(dict) warm"),
                                      ("CLI end to end", "cli", "cli"), ("CLI less start-up", "cli less start",
                                                                          "cli less start")):
        row = [counts["this"][this_key]] + ([counts["base"][base_key]] if "base" in counts else [])
        ratio = f"   base / this {row[1] / row[0]:5.1f}×" if len(row) == 2 else ""
        print(f"  {label:<38}" + "".join(f"{v / 1000:>13.0f}k" for v in row) + ratio)
    print(f"  {'CLI start-up, instructions':<38}" + "".join(f"{c['start'] / 1e6:>13.0f}M" for c in counts.values()))


if __name__ == "__main__":
    sys.exit(main())
