"""`decision_json` writes what `json.dumps(decision.model_dump(mode="json"))` writes, byte for byte:
routed, provisional and rejected decisions of both engines, on random and shipped catalogs, and
decisions read back through full validation (new objects, so nothing comes from the cache)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlist.catalog.catalog import Catalog
from powerlist.catalog.models import Level
from powerlist.errors import InputError
from powerlist.routing import decision_json as encoder
from powerlist.routing.decision import Decision, PowerRef, TraceStep, UnitRef
from powerlist.routing.decision_json import FIELDS, decision_json
from powerlist.routing.issue import SHANGHAI, Issue
from powerlist.routing.router import Router
from powerlist.routing.tables import RuleSet
from powerlist.sheets.inbound import escape_line_breaks
from powerlist.testing.strategies import catalogs, issues

RULES = RuleSet.load()


def _plain(decision: Decision) -> str:
    # what every JSON line powerlist writes is: U+2028, U+2029 and U+0085 escaped (one line stays one line)
    return escape_line_breaks(json.dumps(decision.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")))


def _check(decision: Decision) -> None:
    assert decision_json(decision) == _plain(decision)
    again = Decision.model_validate_json(decision.model_dump_json())
    assert decision_json(again) == _plain(again) == _plain(decision)


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    from powerlist.catalog.loader import load_catalogs

    return load_catalogs()


def test_the_encoder_names_every_decision_field_in_model_order() -> None:
    assert tuple(Decision.model_fields) == FIELDS


@settings(max_examples=30, deadline=None)
@given(catalogs().flatmap(lambda c: st.tuples(st.just(c), st.lists(issues(c), min_size=1, max_size=6))))
def test_random_catalogs_both_engines(drawn: tuple[Catalog, list[Issue]]) -> None:
    catalog, items = drawn
    for engine in ("compiled", "durable"):
        for decision in Router(catalog, RULES, engine=engine).route_many(items):
            _check(decision)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_shipped_catalogs_with_reused_plans_and_unknown_years(shipped: Catalog, data: st.DataObject) -> None:
    router = Router(shipped, RULES)
    base = data.draw(st.lists(issues(shipped), min_size=1, max_size=4))
    items: list[object] = []
    for n, item in enumerate(base):
        items.append(item)
        # the same plan stamped again: later (into years the calendar does not know), with
        # microseconds, and as a raw dict with text a JSON encoder must escape
        years = data.draw(st.integers(0, 6))
        later = item.received_at + timedelta(days=365 * years, microseconds=data.draw(st.integers(0, 999_999)))
        items.append(item.model_copy(update={"id": f"{item.id}-again", "received_at": later}))
        raw = item.model_dump(mode="json")
        raw["id"] = data.draw(st.text(min_size=1, max_size=12).filter(lambda s: s.strip()))
        raw["description"] = data.draw(st.text(max_size=20))
        items.append(raw)
        items.append({"id": f"bad-{n}", "category": raw["category"], "received_at": "no time"})
    statuses = set()
    for decision in router.route_many(items):
        statuses.add(decision.status)
        _check(decision)
    assert "rejected" in statuses


def test_escaping_of_every_character_class() -> None:
    text = "".join(chr(c) for c in (*range(0, 0x30), 0x7F, 0x85, 0xA0, 0x2028, 0x2029, 0xFEFF, 0x4E2D, 0x1F600))
    unit = UnitRef(code="U\"1\\", name=text, level="street")  # type: ignore[arg-type]
    decision = Decision(
        issue_id=text, status="routed", category="C\n1", street="S\t", whistle="daily",  # type: ignore[arg-type]
        whistle_label=text, grade="B", level="street", lead=unit, co_units=(unit,),  # type: ignore[arg-type]
        escalation_path=(unit, unit), powers=(PowerRef(code="P", name=text, kind="02", legal_basis=(text, "")),),
        respond_by=datetime(1986, 6, 1, 12, 0, 0, 123456, tzinfo=SHANGHAI),  # +09:00: daylight saving then
        complete_by=datetime(2026, 1, 1, tzinfo=SHANGHAI) - timedelta(hours=9),
        trace=(TraceStep(rule="r", reason=text),), rules_version="v",
    )
    _check(decision)


_units = st.builds(UnitRef, code=st.text(), name=st.text(), level=st.sampled_from(list(Level)))
_powers = st.builds(PowerRef, code=st.text(), name=st.text(), kind=st.text(),
                    legal_basis=st.lists(st.text()).map(tuple),
                    role=st.sampled_from(["principal", "related"]), mode=st.none() | st.text(),
                    holder=st.none() | _units, delegation=st.none() | st.text())
_steps = st.builds(TraceStep, rule=st.text(), reason=st.text())


@settings(max_examples=200, deadline=None)
@given(_units, _powers, _steps)
def test_the_values_encoded_by_hand_are_pydantic_s_dump(unit: UnitRef, power: PowerRef, step: TraceStep) -> None:
    """Units, powers and trace steps are encoded by hand, field by field: the text is pydantic's
    dump through json.dumps, for any text (escapes, line breaks, lone surrogates)."""
    for value, encode in ((unit, encoder._unit), (power, encoder._power), (step, encoder._step)):
        assert encode(value) == escape_line_breaks(json.dumps(value.model_dump(mode="json"), ensure_ascii=False,
                                                              separators=(",", ":")))
    assert tuple(UnitRef.model_fields) == encoder.UNIT_FIELDS and tuple(PowerRef.model_fields) == encoder.POWER_FIELDS
    assert tuple(TraceStep.model_fields) == encoder.STEP_FIELDS


def test_a_decision_without_units_or_times() -> None:
    _check(Decision(issue_id="x", status="routed", rules_version="v"))


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder, "CACHE_LIMIT", 5)
    router = Router.default()
    for n in range(30):
        _check(router.route({"id": f"K{n}", "received_at": "2026-03-02T09:00", "category": "RX0302",
                             "location": "420202001001", "repeat_count": n % 4}))
    assert len(encoder._cache) <= 5 and len(encoder._cache_values) <= 5


def test_route_json_is_the_line_powerlist_route_writes(tmp_path: pytest.TempPathFactory) -> None:
    from powerlist.routing.issue_io import read_issues

    router = Router.default()
    lines = [
        '{"id": "J1", "received_at": "2026-11-23T09:12:00", "category": "RX0302", "location": "420202001001"}',
        '{"编号": "J2", "受理时间": "2026/11/23 9:05", "问题分类": "BJ0104", "发生地点": "420202002001",'
        ' "是否紧急": "是"}',
        '{"id": "J3", "received_at": "2026-11-23T09:12:00", "category": "NOPE", "location": "420202001001"}',
        '{"received_at": 45843, "category": "RX0302", "location": "420202001001"}',
        '{"id": "J5", "received_at": "2099-03-02T09:00", "category": "RX0302", "location": "420202001"}',
    ]
    for line in lines:
        path = tmp_path / "one.jsonl"  # type: ignore[operator]
        path.write_text(line + "\n", encoding="utf-8")
        (decision,) = router.route_many(read_issues(path))
        expected = json.loads(_plain(decision))
        got = json.loads(router.route_json(line))
        for problem in expected["errors"] + got["errors"]:  # a file names itself and its line; a line alone not
            problem["row"] = None
            if problem["file"] == str(path):
                problem["file"] = None
        assert got == expected
        assert router.route_json(line.encode("utf-8")) == router.route_json(line)
    for broken in ("{not json", "[1, 2]", ""):
        decision = json.loads(router.route_json(broken))
        assert decision["status"] == "rejected" and decision["issue_id"] == "#1"
        assert decision["errors"][0]["code"] == "json"


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_route_json_straight_from_the_plan_is_the_long_way(shipped: Catalog, data: st.DataObject) -> None:
    """route_json's short way (a plain issue's text made from its plan, no Decision) writes what
    the long way (route, then decision_json) writes: new and kept plans, every deadline kind,
    years the calendar does not know, microseconds, ids a JSON writer must escape."""
    fast, slow = Router(shipped, RULES), Router(shipped, RULES)
    slow._decide_json = None
    base = data.draw(st.lists(issues(shipped), min_size=1, max_size=5))
    lines = []
    for n, item in enumerate(base):
        raw = item.model_dump(mode="json", exclude_none=True)
        for m, years in enumerate(data.draw(st.lists(st.integers(0, 5), min_size=1, max_size=3))):
            later = item.received_at + timedelta(days=365 * years, seconds=data.draw(st.integers(0, 86_400)),
                                                 microseconds=data.draw(st.sampled_from([0, 0, 1, 999_999])))
            again = dict(raw, received_at=later.isoformat(),
                          id=f"L{n}-{m}" if m == 0 else data.draw(st.sampled_from([f"L{n}-{m}", f'q"{n}\\{m}',
                                                                                    f"中{n}\u2028{m}"])))
            lines.append(json.dumps(again, ensure_ascii=data.draw(st.booleans())))
    from powerlist.routing.issue_fast import plain_issue

    short = False
    for line in lines:
        long = slow.route_json(line)
        assert fast.route_json(line) == long
        if json.loads(long)["status"] == "routed":
            assert long == decision_json(slow.route(json.loads(line)))
            plain = plain_issue(json.loads(line))
            short = short or plain is not None
            if plain is not None:  # and as UTF-8, what powerlist route writes
                found = fast.route_plain(plain)
                assert found is not None and found[0] == long.encode("utf-8")
    # the short way was taken when it could be: plans kept as their text needs them
    assert any(not isinstance(plan, InputError) for plan in fast._texts.values()) == short
