"""`powerlist cases migrate` and `cases check` (issue 16 §1): a store copied exactly — events,
snapshots, actions, findings, counts, the window — into SQLite or PostgreSQL, verified by replay
before it commits; a non-empty target, a source with a bad case or a copy that fails
verification leave the target as it was. And every `--db` command on a postgresql:// URL."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_escalation import CITY, DISTRICT, STREET, T0, decision, escalator, hours
from typer.testing import CliRunner

from powerlist.cases.instants import TimeWindow
from powerlist.cases.migrate import check_store, migrate
from powerlist.cases.store import CaseStore
from powerlist.cases.stores import open_store
from powerlist.cli import app, cases_admin
from powerlist.cli import cases as cases_cli
from powerlist.cli import score as score_cli
from powerlist.errors import InputError

runner = CliRunner()


@pytest.fixture(autouse=True, scope="module")
def _commands() -> None:
    if not any(g.name == "cases" for g in app.registered_groups):
        cases_cli.register(app)
    if not any(c.name == "check" for c in cases_cli.cases_app.registered_commands):
        cases_admin.register(app)
    if not any(c.name == "score" for c in app.registered_commands):
        score_cli.register(app)


def cli(*args: str) -> tuple[int, Any]:
    result = runner.invoke(app, list(args))
    try:
        return result.exit_code, json.loads(result.stdout)
    except json.JSONDecodeError:
        return result.exit_code, result.stdout + result.stderr


def busy_store(path: Path) -> str:
    """A SQLite store with a history of every kind: responses, completions, evaluations,
    reminders, escalations, supervision, findings and a sanction, and its own window."""
    store = open_store(path)
    store.set_window(TimeWindow.of(datetime(2020, 1, 1), datetime(2040, 1, 1)))
    esc = escalator(store)
    for i, lead in enumerate((STREET, STREET, DISTRICT, CITY, STREET, STREET)):
        esc.open_decision(decision(issue_id=f"M{i}", lead=lead), received_at=T0 + timedelta(hours=i))
    esc.record("M0", "respond", hours(2))
    esc.record("M0", "complete", hours(3))
    esc.record("M0", "feed_back", hours(4))
    esc.record("M0", "evaluate", hours(5), satisfaction="满意", third_party="92.5")
    esc.tick(T0 + timedelta(days=3))
    esc.tick(T0 + timedelta(days=30))
    assert store.findings() and any(a.action == "criticise" for a in store.actions())
    store.close()
    return str(path)


def same(a: CaseStore, b: CaseStore) -> None:
    assert a.window == b.window
    assert a.actions() == b.actions() and a.findings() == b.findings() and a.finding_counts() == b.finding_counts()
    assert [(c.snapshot, c.history) for c in a.iter_cases()] == [(c.snapshot, c.history) for c in b.iter_cases()]
    assert a.raw_cases("", 1000) == b.raw_cases("", 1000)  # the snapshot text, byte for byte


def test_a_store_is_copied_exactly_and_verified_by_replay(tmp_path: Path, store: CaseStore) -> None:
    source = open_store(busy_store(tmp_path / "source.db"), read_only=True)
    try:
        done = migrate(source, store)
        assert done.cases == 6 and done.actions == len(source.actions()) and done.findings == len(source.findings())
        same(source, store)
        assert check_store(store) == (6, [])
        for case in store.iter_cases():
            assert store.replay(case.case_id) == case.snapshot
        # the copy is a working store: the clock goes on in it as it would have in the source
        assert escalator(store).tick(T0 + timedelta(days=60))
    finally:
        source.close()


def test_a_non_empty_target_or_a_bad_source_is_refused_and_nothing_is_written(
    tmp_path: Path, store: CaseStore
) -> None:
    source = open_store(busy_store(tmp_path / "source.db"))
    try:
        escalator(store).open_decision(decision(issue_id="THERE"), received_at=T0)
        with pytest.raises(InputError) as caught:
            migrate(source, store)
        assert caught.value.problems[0].code == "target-not-empty" and store.count_cases() == 1
        source._db.execute("UPDATE cases SET snapshot = '{}' WHERE case_id = 'M2'")  # type: ignore[attr-defined]
        empty = open_store(tmp_path / "empty.db")
        with pytest.raises(InputError) as caught:
            migrate(source, empty)
        assert [p.value for p in caught.value.problems] == ["M2"] and empty.count_cases() == 0
        empty.close()
    finally:
        source.close()


def test_a_copy_that_fails_verification_is_rolled_back_whole(
    tmp_path: Path, store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = open_store(busy_store(tmp_path / "source.db"), read_only=True)
    real = store.load_records

    def lossy(actions: Any, findings: Any, counts: Any) -> None:  # a copy that drops one finding
        real(actions, list(findings)[1:], counts)

    monkeypatch.setattr(store, "load_records", lossy)
    try:
        with pytest.raises(InputError) as caught:
            migrate(source, store)
        assert caught.value.problems[0].code == "copy-differs"
        assert store.count_cases() == 0 and store.actions() == [] and store.findings() == []
    finally:
        source.close()


def test_the_cli_migrates_to_postgresql_and_every_db_command_takes_the_url(
    tmp_path: Path, postgres_url: str
) -> None:
    source = busy_store(tmp_path / "source.db")
    code, done = cli("cases", "migrate", "--from", source, "--to", postgres_url, "--json")
    assert code == 0 and done["verified"] and done["cases"] == 6
    code, again = cli("cases", "migrate", "--from", source, "--to", postgres_url, "--json")
    assert code == 1 and again["errors"][0]["code"] == "target-not-empty"
    code, checked = cli("cases", "check", "--db", postgres_url, "--json")
    assert code == 0 and checked == {"cases": 6, "ok": True, "errors": []}
    code, window = cli("cases", "window", "--db", postgres_url, "--json")
    assert window == {"earliest": "2020-01-01T00:00:00+08:00", "latest": "2040-01-01T00:00:00+08:00"}
    for case_id in ("M0", "M3"):
        assert cli("cases", "show", case_id, "--db", postgres_url, "--json") == cli(
            "cases", "show", case_id, "--db", source, "--json")
    assert cli("score", "--period", "2026Q3", "--db", postgres_url, "--json") == cli(
        "score", "--period", "2026Q3", "--db", source, "--json")
    later = (T0 + timedelta(days=60)).isoformat()
    code, ticked_pg = cli("cases", "tick", "--now", later, "--db", postgres_url, "--json")
    code_sqlite, ticked_sqlite = cli("cases", "tick", "--now", later, "--db", source, "--json")
    assert code == code_sqlite == 0 and ticked_pg == ticked_sqlite and ticked_pg["actions"]
    code, recorded = cli("cases", "record", "M1", "respond", "--at", later, "--db", postgres_url, "--json")
    assert code == 0 and recorded["history"][-1]["event"] == "respond"


def test_a_postgresql_url_with_a_password_is_never_echoed(tmp_path: Path) -> None:
    code, shown = cli("cases", "show", "X", "--db", "postgresql://clerk:s3cret@127.0.0.1:1/none", "--json")
    assert code == 1 and "s3cret" not in json.dumps(shown, ensure_ascii=False)
    assert shown["errors"][0]["code"] == "store-unreachable" and "clerk:***@" in shown["errors"][0]["file"]


def test_a_postgres_database_with_tables_of_the_same_names_is_refused_untouched(postgres_url: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as other:
        other.execute("CREATE TABLE cases (id int)")
        other.execute("INSERT INTO cases VALUES (1)")
    code, shown = cli("cases", "open", "/dev/null", "--db", postgres_url, "--json")
    assert code == 1 and shown["errors"][0]["code"] == "foreign-database"
    with psycopg.connect(postgres_url, autocommit=True) as other:
        tables = {r[0] for r in other.execute("SELECT table_name FROM information_schema.tables "
                                              "WHERE table_schema = 'public'")}
    assert tables == {"cases"}


def test_a_missing_postgres_store_is_not_created_by_show_or_tick(postgres_url: str) -> None:
    code, shown = cli("cases", "tick", "--now", "2026-07-02T00:00", "--db", postgres_url, "--json")
    assert code == 1 and shown["errors"][0]["code"] == "not-found"
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as other:
        assert other.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
                             ).fetchone() == (0,)
