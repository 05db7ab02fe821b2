"""Byte-identical outputs (issue 7 §4): the same inputs give the same JSON and JSONL bytes across
runs and across processes — with different hash seeds (set and dict ordering) and different
local time zones (every time is written in Asia/Shanghai, +08:00).

Two processes each run the same list of commands (route, explain, catalog show, cases open /
record / tick / show, score from a whistle file and from the case store, scenarios run) and
print their outputs; the outputs must be equal byte for byte, and equal to a second run
in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ISSUES = REPO / "examples" / "issues.jsonl"
WHISTLES = REPO / "tests" / "data" / "hostile" / "whistles--formula-injection.csv"

# Runs the CLI in-process through typer's CliRunner (one interpreter per seed, so each command
# does not pay for a fresh import), in a working directory of its own, and prints a JSON map
# command → stdout.
DRIVER = r"""
import json, sys
from pathlib import Path
from typer.testing import CliRunner
from powerlist.cli import _register_groups, app

_register_groups()
issues, whistles, scenarios = sys.argv[1:4]
commands = {
    "route": ["route", issues],
    "route-durable": ["route", issues, "--engine", "durable"],
    "explain": ["explain", issues, "--json"],
    "catalog-show": ["catalog", "show", "--json"],
    "cases-open": ["cases", "open", issues, "--db", "cases.db", "--json"],
    "cases-record": ["cases", "record", "HS-2026-0002", "respond", "--at", "2026-11-23T15:00", "--db", "cases.db",
                     "--json"],
    "cases-tick": ["cases", "tick", "--now", "2026-12-20T09:00", "--db", "cases.db", "--json"],
    "cases-show": ["cases", "show", "HS-2026-0003", "--db", "cases.db", "--json"],
    "score-input": ["score", "--input", whistles, "--period", "2026", "--json"],
    "score-db": ["score", "--db", "cases.db", "--period", "2026", "--json", "--catalog", "shipped"],
    "scenarios": ["scenarios", "run", scenarios, "--out", "results.xlsx", "--json"],
}
runner = CliRunner()
outputs = {}
for name, args in commands.items():
    result = runner.invoke(app, args)
    outputs[name] = {"exit": result.exit_code, "stdout": result.stdout}
sys.stdout.write(json.dumps(outputs, ensure_ascii=False))
"""


def test_outputs_are_byte_identical_across_processes(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    # both processes at once: the machine has two cores
    children = []
    for n, (seed, tz) in enumerate([("1", "UTC"), ("4242", "America/New_York")]):
        workdir = tmp_path / f"run{n}"
        workdir.mkdir()
        children.append((workdir, subprocess.Popen(
            [sys.executable, "-c", DRIVER, str(ISSUES), str(WHISTLES), str(REPO / "examples" / "scenarios.xlsx")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=workdir,
            env={**env, "PYTHONHASHSEED": seed, "TZ": tz},
        )))
    outputs = []
    for _workdir, child in children:
        stdout, stderr = child.communicate(timeout=600)
        assert child.returncode == 0, stderr[-3000:]
        outputs.append(json.loads(stdout))
    first, second = outputs
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"{name} differs between processes"
    # the commands did something (a broken command would be identical too)
    assert {name: out["exit"] for name, out in first.items() if out["exit"] != 0} == {}
    assert first["route"]["stdout"].count("\n") == ISSUES.read_text(encoding="utf-8").count("\n")
    assert first["cases-open"]["exit"] == 0 and json.loads(first["cases-open"]["stdout"])["cases"]
    assert json.loads(first["cases-tick"]["stdout"])["actions"]
    assert first["scenarios"]["exit"] == 0
    for name in ("explain", "catalog-show", "cases-show", "score-input", "score-db"):
        assert json.loads(first[name]["stdout"]), name
    # JSONL: one object per line, compact, keys in model order, times at +08:00
    line = json.loads(first["route"]["stdout"].splitlines()[0])
    assert line["respond_by"].endswith("+08:00")
    assert first["route"]["stdout"] == first["route-durable"]["stdout"]


def test_route_twice_in_one_process_gives_the_same_bytes() -> None:
    import io

    from powerlist.cli.route import write_jsonl
    from powerlist.routing.issue_io import read_issues
    from powerlist.routing.router import Router

    texts = []
    for _ in range(2):
        router = Router.default()
        buffer = io.StringIO()
        write_jsonl(router.route_many(read_issues(ISSUES)), buffer)
        texts.append(buffer.getvalue())
    assert texts[0] == texts[1] and texts[0]
