"""The route / explain / demo / schema commands (a thin shell over the router)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from powerlist.cli import app
from powerlist.cli import route as route_cli
from powerlist.router import Router
from powerlist.tables import RuleSet

from test_router import C1, tiny_catalog

runner = CliRunner()


@pytest.fixture(autouse=True)
def _commands(monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = tiny_catalog()
    monkeypatch.setattr(route_cli, "_router", lambda engine, catalogs, rules: Router(tiny, RuleSet.load(), engine=engine.value))
    if not any(c.name == "route" for c in app.registered_commands):
        route_cli.register(app)


@pytest.fixture
def issues_file(tmp_path: Path) -> Path:
    path = tmp_path / "issues.jsonl"
    rows = [
        {"id": "1", "received_at": "2026-11-23T10:00:00", "category": "C01", "location": C1, "description": "=HYPERLINK(\"x\")"},
        {"id": "2", "received_at": "2026-11-23T10:00:00", "category": "C06", "location": C1, "request_kind": "投诉"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_route_jsonl_in_input_order(issues_file: Path) -> None:
    result = runner.invoke(app, ["route", str(issues_file)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["issue_id"] for d in lines] == ["1", "2"]
    assert [d["whistle"] for d in lines] == ["daily", "coordination"]


def test_route_exit_1_when_some_rejected(issues_file: Path) -> None:
    with issues_file.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "3", "received_at": "2026-11-23T10:00:00", "category": "NOPE", "location": "%s"}\n' % C1)
    result = runner.invoke(app, ["route", str(issues_file), "--engine", "durable"])
    assert result.exit_code == 1
    assert json.loads(result.stdout.splitlines()[2])["status"] == "rejected"


def test_route_csv_and_xlsx_never_hold_formulas(issues_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "=1+1", "received_at": "2026-11-23T10:00:00", "category": "@SUM(A1)", "location": "x"}\n', encoding="utf-8")
    out_csv = tmp_path / "out.csv"
    result = runner.invoke(app, ["route", str(bad), "--format", "csv", "--out", str(out_csv)])
    assert result.exit_code == 1
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8-sig")))
    assert rows[0]["issue_id"] == "'=1+1" and rows[0]["category"] == "'@SUM(A1)"
    out_xlsx = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["route", str(bad), "--format", "xlsx", "--out", str(out_xlsx)])
    assert result.exit_code == 1
    sheet = load_workbook(out_xlsx).active
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"
    result = runner.invoke(app, ["route", str(issues_file), "--format", "xlsx"])
    assert result.exit_code == 2


def test_route_table_and_unreadable_input(issues_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["route", str(issues_file), "--format", "table"])
    assert result.exit_code == 0 and "协调哨" in result.stdout
    result = runner.invoke(app, ["route", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 1 and "no such file" in result.output


def test_explain_one_issue(issues_file: Path) -> None:
    result = runner.invoke(app, ["explain", str(issues_file), "--id", "2"])
    assert result.exit_code == 0, result.output
    assert "lead.coordination" in result.stdout and "协调哨" in result.stdout
    assert "诉求 issue 1" not in result.stdout
    result = runner.invoke(app, ["explain", str(issues_file), "--id", "9"])
    assert result.exit_code == 1
    result = runner.invoke(app, ["explain", str(issues_file), "--json"])
    assert [e["decision"]["issue_id"] for e in json.loads(result.stdout)] == ["1", "2"]


@pytest.mark.parametrize("name", ["issue", "decision"])
def test_schema(name: str) -> None:
    result = runner.invoke(app, ["schema", name])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].endswith("2020-12/schema") and "properties" in schema


def test_demo_sample_is_shipped_with_the_rules() -> None:
    examples = Path(__file__).resolve().parent.parent / "examples" / "issues.jsonl"
    packaged = Path(__file__).resolve().parent.parent / "rules" / "samples" / "issues.jsonl"
    assert packaged.read_bytes() == examples.read_bytes()


def test_demo_covers_every_whistle_and_grade() -> None:
    result = runner.invoke(app, ["demo", "--json"])
    assert result.exit_code == 0, result.output
    decisions = json.loads(result.stdout)
    assert all(d["status"] == "routed" for d in decisions)
    assert {d["whistle"] for d in decisions} == {"daily", "key", "coordination", "emergency"}
    assert {d["grade"] for d in decisions} == {"A", "B", "C", "D"}


def test_batch_route_example(tmp_path: Path) -> None:
    import runpy

    example = runpy.run_path(str(Path(__file__).resolve().parent.parent / "examples" / "batch_route.py"))
    source = Path(__file__).resolve().parent.parent / "examples" / "issues.jsonl"
    out = tmp_path / "decisions.csv"
    assert example["main"]([str(source), str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert len(rows) == len(source.read_text(encoding="utf-8").splitlines())


def test_demo_sample_found_without_examples_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    # An installed wheel has no examples/: the copy shipped with the rules is used.
    import powerlist.resources as resources

    monkeypatch.setattr(resources, "examples_dir", lambda: None)
    path = route_cli.demo_issues_path()
    assert path.parent.name == "samples" and path.is_file()


def test_schemas_match_the_models() -> None:
    from powerlist.decision import Decision
    from powerlist.issue import Issue
    from powerlist.schema import decision_schema, issue_schema

    issue = issue_schema()
    assert set(issue["required"]) == {"id", "received_at", "category", "location"}
    assert set(issue["properties"]) == set(Issue.model_fields)
    assert issue["additionalProperties"] is False
    decision = decision_schema()
    assert set(decision["properties"]) == set(Decision.model_fields)
    assert decision["properties"]["respond_by"]["anyOf"][0]["type"] == "string"
