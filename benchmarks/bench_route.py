"""Routing throughput: compiled engine vs durable-rules engine vs a bare dict lookup.

    /work/venv/bin/python benchmarks/bench_route.py [--issues 100000] [--durable-issues 20000]

Generates issues over the shipped catalogs (seeded, so runs are comparable), then measures in
one run:

- bare lookup: `lookup[(category, street)] -> unit code`, the least any router must do;
- compiled: `Router(engine="compiled").route(issue)`, full decisions (powers, deadlines on the
  working-day calendar, trace), from a cold router (its caches fill during the run);
- durable: `Router(engine="durable").route(issue)` on the first --durable-issues issues (each
  decision evaluates six durable-rules tables: whistle, lead, emergency_floor, repeat,
  escalation, deadline);
- one bare durable-rules `post` on a one-rule ruleset, and one bare assert_fact + retract_fact
  pair (what each table evaluation does).

Times are CPU time of this process (`time.process_time`), so that other work on a shared
machine does not count against one engine more than another. Each timed loop runs with the
cyclic garbage collector paused (as `timeit` does): otherwise
keeping 100,000 decisions alive makes every collection walk them all, and the loop measures
the collector, not the router.

Targets (issue 3): compiled ≥ 10× durable; compiled within 20× of the bare lookup; durable at
most 2× the cost of one bare `post` per issue. The script prints each figure and whether the
target is met; it never fails on time (numbers depend on the machine).
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from datetime import datetime, timedelta

from durable import lang as dl

from powerlist.catalog import Catalog
from powerlist.issue import SHANGHAI, Issue, RequestKind
from powerlist.router import Router
from powerlist.tables import RuleSet


def generate(catalog: Catalog, n: int, seed: int = 20261130) -> list[Issue]:
    rng = random.Random(seed)
    categories = sorted(catalog.categories)
    locations = sorted(catalog.streets) + sorted(catalog.communities)
    kinds = [None, *RequestKind]
    start = datetime(2025, 1, 1, tzinfo=SHANGHAI)
    span = int((datetime(2026, 11, 30, tzinfo=SHANGHAI) - start).total_seconds())
    issues = []
    for i in range(n):
        issues.append(Issue(
            id=f"B{i:07d}",
            received_at=start + timedelta(seconds=rng.randrange(span)),
            category=rng.choice(categories),
            location=rng.choice(locations),
            request_kind=rng.choice(kinds),
            emergency=rng.random() < 0.03,
            key_work=rng.random() < 0.05,
            needs_enforcement=rng.random() < 0.1,
            cross_department=rng.random() < 0.05,
            repeat_count=rng.choice((0, 0, 0, 0, 1, 2, 3, 5)),
        ))
    return issues


def bare_lookup_table(catalog: Catalog) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    street_of = {code: code for code in catalog.streets}
    street_of.update({code: c.street for code, c in catalog.communities.items()})
    lookup: dict[tuple[str, str], str] = {}
    for category in catalog.categories.values():
        for street in catalog.streets:
            unit = catalog.holder(category.powers[0], street)[0].code if category.powers else street
            lookup[(category.code, street)] = unit
    return lookup, street_of


def timed(run: object) -> tuple[float, object]:
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        result = run()  # type: ignore[operator]
        return time.process_time() - start, result
    finally:
        gc.enable()


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--durable-issues", type=int, default=20_000)
    parser.add_argument("--catalogs", default=None, help="catalogs directory (default: shipped)")
    args = parser.parse_args()

    from powerlist.catalog_loader import load_catalogs

    catalog = load_catalogs(args.catalogs)
    rules = RuleSet.load()
    print(f"catalog: {len(catalog.categories)} categories, {len(catalog.streets)} streets, "
          f"{len(catalog.communities)} communities, {len(catalog.items)} power items")
    t = time.perf_counter()
    issues = generate(catalog, args.issues)
    print(f"generated {len(issues):,} issues in {time.perf_counter() - t:.1f} s")

    lookup, street_of = bare_lookup_table(catalog)
    bare, sink = timed(lambda: [lookup[(i.category, street_of[i.location])] for i in issues])
    assert len(sink) == len(issues)  # type: ignore[arg-type]

    compiled = Router(catalog, rules, engine="compiled")
    cold, routed = timed(lambda: [compiled.route(i) for i in issues])
    warm, _ = timed(lambda: [compiled.route(i) for i in issues])
    statuses = {s: sum(d.status == s for d in routed) for s in ("routed", "rejected")}  # type: ignore[attr-defined]

    durable = Router(catalog, rules, engine="durable")
    sample = issues[: args.durable_issues]
    durable.route(sample[0])  # compile the durable rulesets outside the timing
    slow, durable_decisions = timed(lambda: [durable.route(i) for i in sample])
    mismatches = sum(a.model_dump(mode="json") != b.model_dump(mode="json") for a, b in zip(routed, durable_decisions))  # type: ignore[call-overload]

    with dl.ruleset("bench_bare_post"):
        @dl.when_all(dl.m.category != "")
        def _hit(c: object) -> None:
            pass
    with dl.ruleset("bench_bare_assert"):
        @dl.when_all(dl.m.category != "")
        def _hit2(c: object) -> None:
            pass
    m = min(20_000, len(issues))

    def bare_posts() -> None:
        for n in range(m):
            dl.post("bench_bare_post", {"category": issues[n].category, "n": n})

    def bare_pairs() -> None:
        for n in range(m):
            fact = {"category": issues[n].category, "n": n}
            dl.assert_fact("bench_bare_assert", fact)
            dl.retract_fact("bench_bare_assert", fact)

    post = timed(bare_posts)[0] / m
    pair = timed(bare_pairs)[0] / m

    us = 1e6
    bare_each, cold_each, warm_each, durable_each = bare / len(issues), cold / len(issues), warm / len(issues), slow / len(sample)
    print()
    print(f"{'engine':<34}{'issues':>10}{'decisions/s':>14}{'µs/issue':>11}")
    print(f"{'bare dict (category, street)→unit':<34}{len(issues):>10,}{per_second(len(issues), bare):>14,.0f}{bare_each * us:>11.2f}")
    print(f"{'compiled, cold router':<34}{len(issues):>10,}{per_second(len(issues), cold):>14,.0f}{cold_each * us:>11.2f}")
    print(f"{'compiled, warm (second pass)':<34}{len(issues):>10,}{per_second(len(issues), warm):>14,.0f}{warm_each * us:>11.2f}")
    print(f"{'durable':<34}{len(sample):>10,}{per_second(len(sample), slow):>14,.0f}{durable_each * us:>11.2f}")
    print(f"{'bare durable post (1 rule)':<34}{m:>10,}{1 / post:>14,.0f}{post * us:>11.2f}")
    print(f"{'bare durable assert+retract':<34}{m:>10,}{1 / pair:>14,.0f}{pair * us:>11.2f}")
    print()
    print(f"decisions: {statuses}; compiled vs durable mismatches on {len(sample):,} issues: {mismatches}")
    checks = [
        ("compiled ≥ 10× durable", durable_each / cold_each, ">=", 10),
        ("compiled within 20× of bare lookup", cold_each / bare_each, "<=", 20),
        ("durable ≤ 2× one bare post per issue", durable_each / post, "<=", 2),
    ]
    for name, ratio, op, target in checks:
        ok = ratio >= target if op == ">=" else ratio <= target
        print(f"{'MET ' if ok else 'MISS'} {name}: ratio {ratio:,.1f} (target {op} {target})")
    return 0 if mismatches == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
