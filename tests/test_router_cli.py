"""The route / explain / demo / schema commands (a thin shell over the router)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from test_router import C1, tiny_catalog
from typer.testing import CliRunner

from powerlist.cli import app
from powerlist.cli import route as route_cli
from powerlist.routing.router import Router
from powerlist.routing.tables import RuleSet

runner = CliRunner()


@pytest.fixture(autouse=True)
def _commands(monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = tiny_catalog()
    monkeypatch.setattr(route_cli, "_router",
                        lambda engine, catalogs, rules: Router(tiny, RuleSet.load(), engine=engine.value))
    if not any(c.name == "route" for c in app.registered_commands):
        route_cli.register(app)


@pytest.fixture
def issues_file(tmp_path: Path) -> Path:
    path = tmp_path / "issues.jsonl"
    rows = [
        {"id": "1", "received_at": "2026-11-23T10:00:00", "category": "C01", "location": C1,
         "description": "=HYPERLINK(\"x\")"},
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
        handle.write(f'{{"id": "3", "received_at": "2026-11-23T10:00:00", "category": "NOPE", "location": "{C1}"}}\n')
    result = runner.invoke(app, ["route", str(issues_file), "--engine", "durable"])
    assert result.exit_code == 1
    assert json.loads(result.stdout.splitlines()[2])["status"] == "rejected"


def test_route_csv_and_xlsx_never_hold_formulas(issues_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "=1+1", "received_at": "2026-11-23T10:00:00", "category": "@SUM(A1)", "location": "x"}\n',
                   encoding="utf-8")
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
    issues = tmp_path / "issues.csv"
    issues.write_text("id,received_at,category,location\n1,2026-11-23T10:00,C01,x\n", encoding="utf-8")
    before = issues.read_bytes()
    with pytest.raises(SystemExit) as stopped:  # argparse's usage error
        example["main"]([str(issues), str(issues)])
    assert stopped.value.code == 2 and issues.read_bytes() == before


def test_demo_sample_found_without_examples_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    # An installed wheel has no examples/: the copy shipped with the rules is used.
    import powerlist.resources as resources

    monkeypatch.setattr(resources, "examples_dir", lambda: None)
    path = route_cli.demo_issues_path()
    assert path.parent.name == "samples" and path.is_file()


def test_schemas_match_the_models() -> None:
    from powerlist.routing.decision import Decision
    from powerlist.routing.issue import Issue
    from powerlist.routing.schema import decision_schema, issue_schema

    issue = issue_schema()
    assert set(issue["required"]) == {"id", "received_at", "category", "location"}
    assert set(issue["properties"]) == set(Issue.model_fields)
    assert issue["additionalProperties"] is False
    decision = decision_schema()
    assert set(decision["properties"]) == set(Decision.model_fields)
    assert decision["properties"]["respond_by"]["anyOf"][0]["type"] == "string"


def _schema_errors(value: Any, schema: dict[str, Any], root: dict[str, Any], at: str = "$") -> list[str]:
    """A small JSON Schema (2020-12) checker for the keywords our schemas use, with the
    date-time format asserted (RFC 3339: an offset is required)."""
    import re
    from datetime import datetime

    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        if all(_schema_errors(value, option, root, at) for option in schema["anyOf"]):
            return [f"{at}: {value!r} matches no option"]
        return []
    problems: list[str] = []
    kinds = {"string": str, "integer": int, "boolean": bool, "array": (list, tuple), "object": dict, "null": type(None)}
    kind = schema.get("type")
    if kind is not None and not isinstance(value, kinds[kind]) or (kind == "integer" and isinstance(value, bool)):
        return [f"{at}: {value!r} is not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{at}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{at}: {value!r} does not match {schema['pattern']}")
        if schema.get("format") == "date-time":
            try:
                ok = datetime.fromisoformat(value).tzinfo is not None and "T" in value.upper()
            except ValueError:
                ok = False
            if not ok:
                problems.append(f"{at}: {value!r} is not an RFC 3339 date-time")
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
            problems.append(f"{at}: length out of bounds")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        problems += [f"{at}: missing {key}" for key in schema.get("required", []) if key not in value]
        if schema.get("additionalProperties") is False:
            problems += [f"{at}: unexpected {key}" for key in value if key not in properties]
        for key, item in value.items():
            if key in properties:
                problems += _schema_errors(item, properties[key], root, f"{at}.{key}")
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            problems += _schema_errors(item, schema["items"], root, f"{at}[{n}]")
    return problems


def test_the_shipped_sample_and_its_decisions_satisfy_the_exported_schemas() -> None:
    # Another system validates against these schemas: the library's own sample (naive
    # received_at, Chinese request kinds) must pass, and so must every decision it gives.
    from powerlist.routing.schema import decision_schema, issue_schema

    issue, decision = issue_schema(), decision_schema()
    lines = route_cli.demo_issues_path().read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    for record in records:
        assert _schema_errors(record, issue, issue) == []
    router = Router.default()
    for record in records:
        assert _schema_errors(router.route(record).model_dump(mode="json"), decision, decision) == []
    rejected = next(router.route_many([{"id": "x"}])).model_dump(mode="json")
    assert _schema_errors(rejected, decision, decision) == []


def test_the_issue_schema_still_rejects_what_the_library_rejects() -> None:
    from powerlist.routing.schema import issue_schema

    schema = issue_schema()
    base = {"id": "A", "received_at": "2026-11-23T09:12:00", "category": "RX0302", "location": "420202001"}
    assert _schema_errors(base, schema, schema) == []
    for field, value in [("received_at", "2026-13-01T09:00:00"), ("received_at", "yesterday"),
                         ("received_at", "2026-11-23T25:00"), ("request_kind", "抱怨"),
                         ("request_kind", "help me")]:
        assert _schema_errors({**base, field: value}, schema, schema), (field, value)


def test_route_and_explain_read_a_gb18030_csv_with_encoding(tmp_path: Path) -> None:
    # Excel's plain "CSV" on Chinese Windows is GB18030/GBK; the UTF-8 error tells the user to
    # give the encoding, so the commands must take it
    path = tmp_path / "gb.csv"
    path.write_bytes(f"工单编号,受理时间,问题分类,发生地点,问题描述\nG1,2026-11-23 10:00,C01,{C1},占道经营\n"
                     .encode("gb18030"))
    result = runner.invoke(app, ["route", str(path)])
    assert result.exit_code == 1 and "gb18030" in result.output
    result = runner.invoke(app, ["route", str(path), "--encoding", "gb18030"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["issue_id"] == "G1"
    result = runner.invoke(app, ["explain", str(path), "--encoding", "gb18030", "--id", "G1"])
    assert result.exit_code == 0 and "G1" in result.stdout
    result = runner.invoke(app, ["route", str(path), "--encoding", "no-such-codec"])
    assert result.exit_code == 2 and "no-such-codec" in result.output


def test_table_and_explain_never_send_control_characters_from_input(tmp_path: Path) -> None:
    # an ESC sequence in an issue id (a hostile or corrupt export) must not reach the terminal
    path = tmp_path / "esc.jsonl"
    path.write_text(json.dumps({"id": "E\u001b[2J\u0007z", "received_at": "2026-11-23T10:00:00", "category": "C01",
                                "location": C1}) + "\n", encoding="utf-8")
    for args in (["route", str(path), "--format", "table"], ["explain", str(path)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "\u001b" not in result.stdout and "\u0007" not in result.stdout
        assert "\\x" in result.stdout  # shown escaped (a narrow table may fold the id)


def test_route_never_overwrites_its_input(issues_file: Path) -> None:
    before = issues_file.read_bytes()
    for format in ("jsonl", "csv", "table"):
        result = runner.invoke(app, ["route", str(issues_file), "--format", format, "--out", str(issues_file)])
        assert result.exit_code == 2 and "overwrite" in result.output
    assert issues_file.read_bytes() == before


def test_progress_total_counts_rows_not_the_csv_header(tmp_path: Path) -> None:
    csv_file = tmp_path / "i.csv"
    csv_file.write_text("id,received_at,category,location\n1,2026-11-23T10:00,C01,x\n2,2026-11-23T10:00,C01,x\n",
                        encoding="utf-8")
    assert route_cli._count_rows(csv_file) == 2
    json_array = tmp_path / "i.json"
    json_array.write_text('[\n{"id": "1"},\n{"id": "2"}\n]\n', encoding="utf-8")
    assert route_cli._count_rows(json_array) is None  # lines are not rows


def test_route_warns_when_the_input_holds_no_issues(tmp_path: Path) -> None:
    path = tmp_path / "header-only.csv"
    path.write_text("id,received_at,category,location\n", encoding="utf-8")
    result = runner.invoke(app, ["route", str(path)])
    assert result.exit_code == 0 and result.stdout == ""
    assert "no issues" in result.stderr
