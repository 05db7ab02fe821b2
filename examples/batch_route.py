"""Route a spreadsheet of issues and write the decisions next to it.

    python examples/batch_route.py issues.xlsx [decisions.xlsx] [--engine durable]

Reads .xlsx, .csv or .jsonl (Chinese headers such as 工单编号, 受理时间, 问题分类, 社区 work),
routes every row with the shipped catalogs and rules, and writes one row per issue: whistle,
grade, lead, co-units, escalation path, powers, legal basis, time limits, the rules that
decided, or — for a rejected row — what is wrong and where. Cells are written so that no
spreadsheet program runs them as formulas. Prints a summary; exits 1 if any row was rejected.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from powerlist.cli.route import write_csv, write_xlsx
from powerlist.errors import InputError
from powerlist.routing.issue_io import read_issues
from powerlist.routing.router import Router


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("output", type=Path, nargs="?", help="default: <input>.decisions.xlsx")
    parser.add_argument("--engine", choices=("compiled", "durable"), default="compiled")
    args = parser.parse_args(argv)
    output = args.output or args.input.with_name(args.input.stem + ".decisions.xlsx")
    if output.resolve() == args.input.resolve():
        parser.error("the output names the input file: the decisions would overwrite the issues")

    router = Router.default(engine=args.engine)
    try:
        decisions = list(router.route_many(read_issues(args.input)))
    except InputError as error:  # the file itself cannot be read
        print(error, file=sys.stderr)
        return 1
    if output.suffix.lower() == ".csv":
        with output.open("w", encoding="utf-8-sig", newline="") as handle:
            write_csv(decisions, handle)
    else:
        write_xlsx(decisions, output)

    whistles = Counter(d.whistle_label for d in decisions if d.status == "routed")
    grades = Counter(d.grade.value for d in decisions if d.grade)
    rejected = [d for d in decisions if d.status == "rejected"]
    print(f"{len(decisions)} issues → {output}")
    print("  whistles: " + ", ".join(f"{k} {v}" for k, v in sorted(whistles.items())))
    print("  grades:   " + ", ".join(f"{k} {v}" for k, v in sorted(grades.items())))
    for decision in rejected:
        for problem in decision.errors:
            print(f"  rejected {decision.issue_id}: {problem}")
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main())
