"""`powerlist cases open | record | tick | show` (issue 4 §5), over a small catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_router import C1, tiny_catalog
from typer.testing import CliRunner

from powerlist.cli import app
from powerlist.cli import cases as cases_cli
from powerlist.routing.router import Router
from powerlist.routing.tables import RuleSet

runner = CliRunner()


@pytest.fixture(autouse=True)
def _commands(monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = tiny_catalog()
    monkeypatch.setattr(
        Router,
        "default",
        classmethod(lambda cls, engine="compiled", catalogs=None, rules=None: Router(tiny, RuleSet.load())),
    )
    if not any(g.name == "cases" for g in app.registered_groups):
        cases_cli.register(app)


@pytest.fixture
def issues_file(tmp_path: Path) -> Path:
    path = tmp_path / "issues.jsonl"
    rows = [
        {"id": "W1", "received_at": "2026-07-01T09:00:00", "category": "C01", "location": C1},
        {"id": "W2", "received_at": "2026-07-01T09:00:00", "category": "NOPE", "location": C1},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def invoke(*args: str) -> tuple[int, object]:
    result = runner.invoke(app, list(args))
    try:
        return result.exit_code, json.loads(result.stdout)
    except json.JSONDecodeError:
        return result.exit_code, result.stdout + result.stderr


def test_open_tick_record_show(tmp_path: Path, issues_file: Path) -> None:
    db = str(tmp_path / "cases.db")
    code, opened = invoke("cases", "open", str(issues_file), "--db", db, "--json")
    assert code == 1  # W2's category is unknown: rejected, named
    assert [c["case_id"] for c in opened["cases"]] == ["W1"] and opened["cases"][0]["new"]
    assert opened["rejected"][0]["issue_id"] == "W2"
    code, again = invoke("cases", "open", str(issues_file), "--db", db, "--json")
    assert [c["new"] for c in again["cases"]] == [False]

    code, ticked = invoke("cases", "tick", "--now", "2026-12-31T00:00", "--db", db, "--json")
    assert code == 0
    assert ticked["actions"] and set(ticked["actions"][0]) == {
        "case_id", "action", "from", "to", "rule", "reason", "at", "due_at"}
    assert all(a["at"] == "2026-12-31T00:00:00+08:00" and a["due_at"] < a["at"] for a in ticked["actions"])
    assert ticked["lag_seconds"] > 0 and ticked["failed"] == []
    code, same = invoke("cases", "tick", "--now", "2026-12-31T00:00", "--db", db, "--json")
    assert same["actions"] == [] and same["cases"] == 0 and same["lag_seconds"] == 0

    code, shown = invoke("cases", "show", "W1", "--db", db, "--json")
    assert code == 0
    assert {"case_id", "state", "level", "lead", "history"} <= set(shown)
    assert shown["history"][0]["event"] == "open"
    assert len(shown["history"]) == 2 + len(ticked["actions"])

    code, recorded = invoke("cases", "record", "W1", "respond", "--at", "2026-12-31T01:00", "--db", db, "--json")
    assert code == 0 and recorded["state"] == "responded"
    code, refused = invoke("cases", "record", "W1", "close", "--at", "2026-12-31T02:00", "--db", db, "--json")
    assert code == 1 and refused["ok"] is False and "allowed" in refused["errors"][0]["message"]
    for event, at in (("complete", "02:00"), ("feed_back", "03:00")):
        assert invoke("cases", "record", "W1", event, "--at", f"2026-12-31T{at}", "--db", db, "--json")[0] == 0
    code, bad = invoke(
        "cases", "record", "W1", "evaluate", "--at", "2026-12-31T04:00", "--db", db, "--satisfaction", "还行", "--json"
    )
    assert code == 1
    code, evaluated = invoke(
        "cases", "record", "W1", "evaluate", "--at", "2026-12-31T04:00", "--db", db, "--satisfaction", "满意", "--json"
    )
    assert code == 0 and evaluated["satisfaction"] == "satisfied"


def test_human_output_and_errors(tmp_path: Path, issues_file: Path) -> None:
    db = str(tmp_path / "cases.db")
    result = runner.invoke(app, ["cases", "open", str(issues_file), "--db", db])
    assert "W1" in result.stdout
    result = runner.invoke(app, ["cases", "show", "W1", "--db", db])
    assert result.exit_code == 0 and "留痕" in result.stdout
    result = runner.invoke(app, ["cases", "tick", "--now", "not a time", "--db", db])
    assert result.exit_code == 1 and "ISO 8601" in result.stderr
    result = runner.invoke(app, ["cases", "show", "NOPE", "--db", db])
    assert result.exit_code == 1
    result = runner.invoke(app, ["cases", "show", "W1", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 1 and "no such case store" in result.stderr


def test_user_data_is_never_read_as_markup(tmp_path: Path) -> None:
    db = str(tmp_path / "cases.db")
    path = tmp_path / "odd.jsonl"
    rows = [
        {"id": "[/]", "received_at": "2026-07-01T09:00:00", "category": "C01", "location": C1},
        {"id": "[bold]x", "received_at": "2026-07-01T09:00:00", "category": "NOPE", "location": C1},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["cases", "open", str(path), "--db", db])
    assert result.exit_code == 1 and "[bold]x" in result.stderr
    for args in (
        ["cases", "show", "[/]", "--db", db],
        ["cases", "tick", "--now", "2026-12-01T00:00", "--db", db],
        ["cases", "show", "[/x]", "--db", db],
    ):
        result = runner.invoke(app, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "[/]" in runner.invoke(app, ["cases", "show", "[/]", "--db", db]).stdout


def test_record_refuses_options_the_event_does_not_use(tmp_path: Path, issues_file: Path) -> None:
    db = str(tmp_path / "cases.db")
    invoke("cases", "open", str(issues_file), "--db", db, "--json")
    _, before = invoke("cases", "show", "W1", "--db", db, "--json")
    code, bad = invoke("cases", "record", "W1", "respond", "--at", "2026-07-01T10:00", "--db", db,
                       "--satisfaction", "满意", "--until", "2026-08-01T00:00", "--json")
    assert code == 1 and bad["ok"] is False
    assert {e["field"] for e in bad["errors"]} == {"--satisfaction", "--until"}
    _, after = invoke("cases", "show", "W1", "--db", db, "--json")
    assert after["history"] == before["history"]


def test_record_accepts_a_catalog_unit_named_by_to(tmp_path: Path, issues_file: Path) -> None:
    """--to may name any unit of the catalog (here the shipped one), not only the case's."""
    db = str(tmp_path / "cases.db")
    invoke("cases", "open", str(issues_file), "--db", db, "--json")
    code, moved = invoke("cases", "record", "W1", "dispatch", "--to", "420202-CG", "--at", "2026-07-01T10:00",
                         "--db", db, "--json")
    assert code == 0, moved
    assert moved["assignee"]["code"] == "420202-CG" and moved["assignee"]["level"] == "district"
    code, bad = invoke("cases", "record", "W1", "dispatch", "--to", "420202-XX", "--at", "2026-07-01T10:00",
                       "--db", db, "--json")
    assert code == 1 and bad["errors"][0]["code"] == "unknown-unit"


def test_record_evaluate_with_a_third_party_survey(tmp_path: Path, issues_file: Path) -> None:
    db = str(tmp_path / "cases.db")
    invoke("cases", "open", str(issues_file), "--db", db, "--json")
    for event, at in (
        ("respond", "2026-07-01T10:00"),
        ("complete", "2026-07-01T11:00"),
        ("feed_back", "2026-07-01T12:00"),
    ):
        assert invoke("cases", "record", "W1", event, "--at", at, "--db", db, "--json")[0] == 0
    code, bad = invoke("cases", "record", "W1", "evaluate", "--at", "2026-07-01T13:00", "--db", db,
                       "--satisfaction", "满意", "--third-party", "120", "--json")
    assert code == 1 and bad["errors"][0]["field"] == "third_party"
    code, done = invoke("cases", "record", "W1", "evaluate", "--at", "2026-07-01T13:00", "--db", db,
                        "--satisfaction", "满意", "--third-party", "90", "--json")
    assert code == 0 and done["history"][-1]["details"]["third_party"] == "90"
