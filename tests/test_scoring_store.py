"""Scoring from the case store (issue 4's SQLite event log): histories become whistle records."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from typer.testing import CliRunner

from powerlist.cases.lifecycle import Event, stamp
from powerlist.cases.sqlite import SQLiteCaseStore
from powerlist.cases.store import CaseRecord, NewEvent
from powerlist.errors import InputError
from powerlist.routing.issue import SHANGHAI
from powerlist.scoring import (
    Period,
    Satisfaction,
    read_store,
    records_from_store,
    score_period,
    score_whistle,
    whistle_from_case,
)
from powerlist.testing.strategies import CaseHistory, case_histories

STREET = "420202001"
MARKET = {"code": "420202-market", "name": "黄石港区市场监督管理局", "level": "district"}
HOUSING = {"code": "420202-housing", "name": "黄石港区住房和城乡建设局", "level": "district"}
CITY = {"code": "420200-market", "name": "黄石市市场监督管理局", "level": "city"}
OFFICE = {"code": STREET, "name": "胜阳港街道办事处", "level": "street"}
SUPERVISION = {"code": "420200-supervision", "name": "市督查室", "level": "city"}
Q3 = Period.parse("2026Q3")


def _t(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 7, day, hour, tzinfo=SHANGHAI)


def _open(
    store: SQLiteCaseStore,
    case_id: str,
    lead: dict[str, Any],
    at: datetime,
    holders: list[dict[str, Any]] | None = None,
) -> None:
    respond_by, complete_by = at + timedelta(hours=2), at + timedelta(days=5)
    details = {
        "issue_id": case_id,
        "category": "cat",
        "street": STREET,
        "whistle": "daily",
        "grade": "C",
        "level": lead["level"],
        "lead": lead,
        "path": [OFFICE, lead, CITY],
        "holders": holders or [],
        "supervision_office": SUPERVISION,
        "respond_by": stamp(respond_by),
        "complete_by": stamp(complete_by),
        "respond_window": 7200,
        "complete_window": 5 * 86400,
    }
    dispatch = NewEvent(
        stamp(at), Event.DISPATCH, None, None,
        {"to": lead, "respond_by": stamp(respond_by), "complete_by": stamp(complete_by)},
    )
    store.create(case_id, stamp(at), details, [dispatch])


def _do(
    store: SQLiteCaseStore, case_id: str, at: datetime, event: Event, actor: str | None = None, **details: Any
) -> None:
    store.append(case_id, [NewEvent(stamp(at), event, actor, None, details)])


@pytest.fixture
def store(tmp_path: Path) -> SQLiteCaseStore:
    s = SQLiteCaseStore(tmp_path / "cases.db")
    # on time, completed, satisfied, with a survey score
    _open(s, "C1", MARKET, _t(1))
    _do(s, "C1", _t(1, 10), Event.RESPOND, MARKET["code"])
    _do(s, "C1", _t(3), Event.COMPLETE, MARKET["code"])
    _do(s, "C1", _t(3, 10), Event.FEED_BACK)
    _do(s, "C1", _t(3, 11), Event.EVALUATE, None, satisfaction="satisfied", third_party=80)
    # late response (12 h after a 2 h limit → 50), one extension, completed in time, 基本满意
    _open(s, "C2", MARKET, _t(2))
    _do(s, "C2", _t(2, 23), Event.RESPOND, MARKET["code"])
    _do(s, "C2", _t(6), Event.EXTEND, MARKET["code"], complete_by=stamp(_t(9)))
    _do(s, "C2", _t(8), Event.COMPLETE, MARKET["code"])
    _do(s, "C2", _t(8, 10), Event.FEED_BACK)
    _do(s, "C2", _t(8, 11), Event.EVALUATE, None, satisfaction="basically_satisfied")
    # returned by housing, accepted, re-routed to market: wrongly routed; market scored
    _open(s, "C3", HOUSING, _t(4))
    _do(s, "C3", _t(4, 10), Event.RETURN, HOUSING["code"])
    _do(s, "C3", _t(4, 12), Event.DISPATCH, None, to=MARKET)
    _do(s, "C3", _t(4, 13), Event.RESPOND, MARKET["code"])
    # market never responds: escalated to the city; market keeps the whistle (不到位)
    _open(s, "C4", MARKET, _t(5))
    _do(s, "C4", _t(5, 12), Event.ESCALATE, None, to=CITY, finding="不到位", unit=MARKET["code"])
    _do(s, "C4", _t(5, 13), Event.RESPOND, CITY["code"])
    # housing returns, review finds 推诿 and sends it back; the street's own power is among the holders
    _open(s, "C5", HOUSING, _t(6), holders=[{"power": "P1", "name": "x", "legal_basis": [], "unit": OFFICE}])
    _do(s, "C5", _t(6, 10), Event.RETURN, HOUSING["code"])
    _do(s, "C5", _t(6, 12), Event.DISPATCH, None, to=HOUSING, finding="推诿", unit=HOUSING["code"])
    # not a whistle: led by the street's own office
    _open(s, "C6", OFFICE, _t(7))
    # next quarter
    _open(s, "C7", MARKET, datetime(2026, 10, 2, tzinfo=SHANGHAI))
    yield s
    s.close()


def test_records_from_store(store: SQLiteCaseStore) -> None:
    records = {r.case_id: r for r in records_from_store(store, Q3)}
    assert sorted(records) == ["C1", "C2", "C3", "C4", "C5"]
    c1 = records["C1"]
    assert c1.unit == MARKET["code"] and c1.street == STREET and c1.department == "market"
    assert c1.received_at == _t(1) and c1.responded_at == _t(1, 10) and c1.completed_at == _t(3)
    assert c1.satisfaction is Satisfaction.SATISFIED and c1.third_party == 80
    assert c1.street_name == "胜阳港街道" and c1.kind is not None and c1.grade is not None
    c2 = records["C2"]
    assert c2.extensions == 1 and c2.complete_by == _t(9) and c2.respond_by == _t(2, 11)
    c3 = records["C3"]
    assert c3.unit == MARKET["code"] and c3.returned and c3.responded_at == _t(4, 13)
    c4 = records["C4"]
    assert c4.unit == MARKET["code"] and c4.responded_at is None and not c4.returned
    c5 = records["C5"]
    assert c5.unit == HOUSING["code"] and c5.buck_passing and c5.street_held_power and not c5.returned


def test_scores_from_store(store: SQLiteCaseStore) -> None:
    scores = score_period(records_from_store(store, Q3), Q3, as_of=_t(20))
    market = next(d for d in scores.departments if d.unit == MARKET["code"])
    assert market.cases == ("C1", "C2", "C3", "C4")
    # responses: C1 100, C2 50 (12 h late of 24), C3 100, C4 0 (never) → 62.5
    assert market.response == 62.5
    street = scores.streets[0]
    assert street.whistles == 5 and street.poor == 2  # C3 wrongly routed, C5 the street's own power


def test_read_store_and_cli(store: SQLiteCaseStore, tmp_path: Path) -> None:
    path = Path(store.path)
    assert len(read_store(path, Q3)) == 5
    with pytest.raises(InputError, match="no such case store"):
        read_store(tmp_path / "missing.db", Q3)
    import json

    import typer

    from powerlist.cli.score import register

    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """test harness"""

    register(app)
    result = CliRunner().invoke(app, ["score", "--period", "2026Q3", "--db", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["streets"][0]["whistles"] == 5


@given(case_histories(max_events=14))
def test_any_valid_history_gives_a_sound_record_or_none(history: CaseHistory) -> None:
    record = whistle_from_case(CaseRecord(history.snapshot, history.events))
    dispatched = [e for e in history.events if e.event is Event.DISPATCH]
    if record is None:
        first = dispatched[0].details["to"] if dispatched else None
        assert first is None or first["code"] == "420202001" or first["level"] == "community"
        return
    assert record.case_id == history.case_id and record.street == "420202001"
    assert record.respond_by is not None and record.complete_by is not None
    if record.responded_at is not None:
        assert record.responded_at >= record.received_at
    if record.completed_at is not None:
        assert record.completed_at >= record.received_at
    assert record.unit in {e.details["to"]["code"] for e in history.events if isinstance(e.details.get("to"), dict)}
    figures = score_whistle(record)
    for value in (figures.response, figures.completion, figures.satisfaction):
        assert value is None or 0 <= value <= 100


def test_a_supervision_urge_does_not_excuse_a_missed_deadline(tmp_path: Path) -> None:
    """The supervision office's new deadline (督办催办) is the case's, not the unit's score: a
    unit that missed complete_by and finished before the urged deadline is still late."""
    s = SQLiteCaseStore(tmp_path / "cases.db")
    _open(s, "U1", MARKET, _t(1))
    _do(s, "U1", _t(1, 10), Event.RESPOND, MARKET["code"])
    # complete_by was _t(6); never extended, listed and urged with a new deadline
    _do(s, "U1", _t(7), Event.SUPERVISE, SUPERVISION["code"], to=MARKET, restart=False, complete_by=stamp(_t(20)))
    _do(s, "U1", _t(21), Event.REMIND, SUPERVISION["code"], complete_by=stamp(_t(30)))
    _do(s, "U1", _t(25), Event.COMPLETE, MARKET["code"])
    (record,) = records_from_store(s, Q3)
    assert record.complete_by == _t(6)
    assert record.completed_at == _t(25)
    s.close()


def test_a_street_led_case_dispatched_to_a_department_is_its_whistle(tmp_path: Path) -> None:
    """The street office calling a department by dispatching the case to it is a whistle
    (吹哨) that department answers: it is scored, not dropped as the street's own case."""
    s = SQLiteCaseStore(tmp_path / "cases.db")
    _open(s, "S1", OFFICE, _t(1))
    _do(
        s, "S1", _t(1, 10), Event.DISPATCH, OFFICE["code"],
        to=MARKET, respond_by=stamp(_t(1, 12)), complete_by=stamp(_t(5)),
    )
    _do(s, "S1", _t(1, 11), Event.RESPOND, MARKET["code"])
    _do(s, "S1", _t(4), Event.COMPLETE, MARKET["code"])
    _open(s, "S2", OFFICE, _t(2))  # the street's own case, never sent to a department
    _do(s, "S2", _t(2, 10), Event.RESPOND, OFFICE["code"])
    records = records_from_store(s, Q3)
    assert [(r.case_id, r.unit) for r in records] == [("S1", MARKET["code"])]
    (record,) = records
    assert record.responded_at == _t(1, 11) and record.completed_at == _t(4)
    s.close()
