"""atheris harness: every powerlist loader and the router, on bytes from libFuzzer.

    /work/venv/bin/python fuzz/fuzz_loaders.py -atheris_runs=20000 fuzz/corpus
    /work/venv/bin/python fuzz/fuzz_loaders.py -max_total_time=3600 -rss_limit_mb=2048 fuzz/corpus

The first byte picks the target (`TARGETS`), the rest is the file. A target may return a value
or raise `InputError`; anything else is a finding (libFuzzer writes the crashing input as
crash-<sha1>; replay it by passing that file as the only argument). See fuzz/README.md.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from powerlist.catalog.loader import load_delegation_workbook
    from powerlist.catalog.power_list import load_power_list
    from powerlist.errors import InputError
    from powerlist.routing.issue_io import read_issues
    from powerlist.routing.router import Router
    from powerlist.routing.tables import RuleSet
    from powerlist.scoring import read_vetoes, read_whistles

ROUTER = Router.default()
SCRATCH = Path(tempfile.mkdtemp(prefix="powerlist-fuzz-"))


def _issues(path: Path) -> object:
    return list(ROUTER.route_many(read_issues(path)))


def _rules(path: Path) -> object:
    return RuleSet.load(path.parent)


def _dict_issue(path: Path) -> object:
    try:
        raw = json.loads(path.read_bytes().decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None
    if isinstance(raw, dict):
        ROUTER.route(raw)
    return list(ROUTER.route_many([raw]))


TARGETS = [
    ("power_list.xlsx", load_power_list),
    ("delegation.xlsx", lambda p: load_delegation_workbook(p, ROUTER.catalog)),
    ("issues.jsonl", _issues),
    ("issues.csv", _issues),
    ("issues.xlsx", _issues),
    ("routing.toml", _rules),
    ("whistles.csv", read_whistles),
    ("whistles.xlsx", read_whistles),
    ("vetoes.csv", read_vetoes),
    ("issue.json", _dict_issue),
    ("issues.json", _issues),
]


def test_one(data: bytes) -> None:
    if not data:
        return
    name, target = TARGETS[data[0] % len(TARGETS)]
    folder = SCRATCH / name.replace(".", "_")
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data[1:])
    try:
        target(path)
    except InputError:
        pass
    finally:
        os.unlink(path)


def main() -> None:
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
