"""The routing rules, one by one, on a small hand-made catalog (every mode, scope and level)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from powerlist.catalog.catalog import Catalog
from powerlist.catalog.models import (
    CatalogData,
    Category,
    Community,
    Delegation,
    DelegationMode,
    Department,
    District,
    PowerItem,
    PowerKind,
    Scope,
    Street,
    Unit,
    UnitKind,
)
from powerlist.errors import CalendarError, InputError
from powerlist.routing.decision import Decision
from powerlist.routing.issue import SHANGHAI, Issue
from powerlist.routing.router import Router
from powerlist.routing.tables import RuleSet

D, S1, S2, C1 = "420202", "420202001", "420202002", "420202001001"


def tiny_catalog() -> Catalog:
    def dept(code: str, short: str, suffix: str, stationed: bool = False, unit: str | None = None) -> Department:
        return Department(code=code, name=short, city_name=f"黄石市{suffix}", district_name="{district}" + suffix,
                          stationed=stationed, stationed_unit_name=unit)

    def item(code: str, name: str, department: str, mode: DelegationMode | None = None) -> PowerItem:
        return PowerItem(code=code, name=name, kind=PowerKind.PENALTY, department=department,
                         legal_basis=(f"《{name}条例》第一条",), mode=mode)

    def category(code: str, name: str, scope: Scope, *powers: str) -> Category:
        return Category(code=code, name=name, scope=scope, powers=powers)

    return Catalog(CatalogData(
        districts=(District(code=D, name="黄石港区"),),
        streets=(Street(code=S1, name="胜阳港街道", district=D), Street(code=S2, name="花湖街道", district=D)),
        communities=(Community(code=C1, name="天虹社区", street=S1),),
        departments=(
            dept("cg", "城管", "城市管理执法局"),
            dept("scjg", "市场监管", "市场监督管理局", True, "市场监管所"),
            dept("zj", "住建", "住房和城乡建设局"),
            dept("yj", "应急", "应急管理局"),
        ),
        items=(
            item("I01", "占道经营处罚", "城管"),
            item("I02", "食品经营检查", "市场监管"),
            item("I03", "违法建设处罚", "住建", DelegationMode.DISTRICT),
            item("I04", "燃气安全检查", "应急", DelegationMode.CITY),
            item("I05", "户外广告处罚", "城管"),
            item("I06", "危化品应急处置", "应急", DelegationMode.DISTRICT),
            item("I07", "城管区级审批", "城管", DelegationMode.DISTRICT),
        ),
        categories=(
            category("C01", "占道经营", Scope.ORDINARY, "I01"),
            category("C02", "食品安全", Scope.ORDINARY, "I02"),
            category("C03", "违法建设", Scope.ORDINARY, "I03"),
            category("C04", "燃气隐患", Scope.ORDINARY, "I04"),
            category("C05", "邻里纠纷", Scope.ORDINARY),
            category("C06", "联合执法", Scope.ENFORCEMENT, "I01", "I03"),
            category("C07", "创文重点", Scope.KEY_WORK, "I05"),
            category("C08", "危化品泄漏", Scope.EMERGENCY, "I06"),
            category("C09", "餐饮占道", Scope.ORDINARY, "I01", "I02"),
            category("C10", "燃气违规经营", Scope.ENFORCEMENT, "I01", "I04"),
            category("C11", "城管两级事项", Scope.ORDINARY, "I01", "I07"),
        ),
        delegations=(
            Delegation(item="I01", street=S1, mode=DelegationMode.DELEGATED),
            Delegation(item="I01", street=S2, mode=DelegationMode.DELEGATED),
            Delegation(item="I05", street=S1, mode=DelegationMode.ENTRUSTED),
            Delegation(item="I05", street=S2, mode=DelegationMode.ENTRUSTED),
        ),
        stationed_units=(
            Unit(code=f"{S1}-scjg", name="胜阳港市场监管所", kind=UnitKind.STATIONED_UNIT, district=D, street=S1,
                 department="scjg"),
        ),
    ))


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return RuleSet.load()


@pytest.fixture(scope="module")
def router(rules: RuleSet) -> Router:
    return Router(tiny_catalog(), rules)


def issue(category: str, location: str = C1, **extra: object) -> dict[str, object]:
    return {"id": f"T-{category}", "received_at": "2026-11-23T10:00:00", "category": category, "location": location,
            **extra}


def rules_of(decision: Decision) -> list[str]:
    return [step.rule for step in decision.trace]


# ---- whistle ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "extra", "whistle", "rule"),
    [
        ("C01", {}, "daily", "whistle.ordinary"),
        ("C07", {}, "key", "whistle.key-work-scope"),
        ("C06", {}, "coordination", "whistle.enforcement-scope"),
        ("C08", {}, "emergency", "whistle.emergency-scope"),
        ("C01", {"emergency": True}, "emergency", "whistle.emergency-flag"),
        ("C01", {"needs_enforcement": True}, "coordination", "whistle.needs-enforcement"),
        ("C01", {"cross_department": True}, "coordination", "whistle.cross-department"),
        ("C09", {}, "coordination", "whistle.several-departments"),
        ("C01", {"key_work": True}, "key", "whistle.key-work-flag"),
    ],
)
def test_whistle(router: Router, category: str, extra: dict[str, object], whistle: str, rule: str) -> None:
    decision = router.route(issue(category, **extra))
    assert decision.whistle == whistle
    labels = {"daily": "日常哨", "key": "重点哨", "coordination": "协调哨", "emergency": "应急哨"}
    assert decision.whistle_label == labels[whistle]
    assert rule in rules_of(decision)


# ---- lead and grade by delegation mode ------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "location", "lead", "grade", "co_units", "rule"),
    [
        ("C01", C1, S1, "B", [], "lead.delegated"),
        ("C07", C1, S1, "B", [], "lead.entrusted"),
        # a stationed unit is a street-level unit: grade B (issue 11: a repeat then goes to the
        # district department before the city one)
        ("C02", C1, f"{S1}-scjg", "B", [S1], "lead.stationed"),
        # no stationed unit in S2: the stationed power falls to the district department, grade C
        ("C02", S2, f"{D}-scjg", "C", [], "lead.district"),
        ("C03", C1, f"{D}-zj", "C", [], "lead.district"),
        ("C04", C1, "420200-yj", "D", [], "lead.city"),
        ("C05", C1, C1, "A", [], "lead.community"),
        ("C05", S2, S2, "B", [], "lead.street-location"),
    ],
)
def test_lead_by_mode(router: Router, category: str, location: str, lead: str, grade: str, co_units: list[str],
                     rule: str) -> None:
    decision = router.route(issue(category, location))
    assert decision.status == "routed"
    assert decision.lead is not None and decision.lead.code == lead
    assert decision.grade == grade
    assert decision.level == {"A": "community", "B": "street", "C": "district", "D": "city"}[grade]
    assert [u.code for u in decision.co_units] == co_units
    assert rule in rules_of(decision)


def test_coordination_street_leads_other_holders_are_co_units(router: Router) -> None:
    decision = router.route(issue("C09"))
    assert decision.lead is not None and decision.lead.code == S1
    assert decision.grade == "B"
    assert [u.code for u in decision.co_units] == [f"{S1}-scjg"]
    decision = router.route(issue("C06"))
    assert [u.code for u in decision.co_units] == [f"{D}-zj"]
    assert "lead.coordination" in rules_of(decision)


def test_one_departments_powers_at_two_levels_is_no_coordination(router: Router) -> None:
    # I01 delegated to the street, I07 retained by the district, both 城管: the higher holder
    # leads, the street office (holding the other power) is a co-unit.
    decision = router.route(issue("C11"))
    assert decision.whistle == "daily"
    assert decision.lead is not None and decision.lead.code == f"{D}-cg"
    assert [u.code for u in decision.co_units] == [S1]


def test_powers_carry_kind_and_legal_basis(router: Router) -> None:
    decision = router.route(issue("C06"))
    assert [(p.code, p.kind) for p in decision.powers] == [("I01", "02"), ("I03", "02")]
    assert decision.powers[0].legal_basis == ("《占道经营处罚条例》第一条",)
    assert rules_of(decision)[:2] == ["power_list.I01", "power_list.I03"]


# ---- emergency -------------------------------------------------------------------------------------


def test_emergency_is_led_at_least_by_the_street(router: Router) -> None:
    decision = router.route(issue("C05", emergency=True))
    assert decision.whistle == "emergency"
    assert decision.lead is not None and decision.lead.code == S1
    assert decision.grade == "B"
    assert [u.code for u in decision.co_units] == [C1]
    assert "emergency_floor.emergency" in rules_of(decision)


def test_emergency_led_by_the_level_holding_the_power_street_joins(router: Router) -> None:
    decision = router.route(issue("C08"))
    assert decision.lead is not None and decision.lead.code == f"{D}-yj"
    assert decision.grade == "C"
    assert [u.code for u in decision.co_units] == [S1]
    assert "lead.emergency-district" in rules_of(decision)
    decision = router.route(issue("C04", emergency=True))
    assert decision.lead is not None and decision.lead.code == "420200-yj"
    assert [u.code for u in decision.co_units] == [S1]


def test_emergency_deadlines_are_in_clock_time(router: Router) -> None:
    # Received on a holiday (国庆 2026-10-03): emergencies do not wait for working days.
    decision = router.route(issue("C08", received_at="2026-10-03T22:10:00"))
    assert decision.respond_by == datetime(2026, 10, 3, 22, 40, tzinfo=SHANGHAI)
    assert decision.complete_by == datetime(2026, 10, 4, 22, 10, tzinfo=SHANGHAI)


# ---- repeat (主动治理) ------------------------------------------------------------------------------


def test_repeated_issue_is_raised_one_grade(router: Router) -> None:
    below = router.route(issue("C05", repeat_count=2))
    assert below.grade == "A" and "repeat.first-reports" in rules_of(below)
    raised = router.route(issue("C05", repeat_count=3))
    assert raised.grade == "B"
    assert raised.lead is not None and raised.lead.code == S1
    assert [u.code for u in raised.co_units] == [C1]
    assert "repeat.raise" in rules_of(raised)
    street = router.route(issue("C01", repeat_count=5))
    assert street.grade == "C" and street.lead is not None and street.lead.code == f"{D}-cg"
    assert [u.code for u in street.co_units] == [S1]


def test_raise_follows_the_chain_straight_to_the_city(router: Router) -> None:
    # coordination (B) whose deciding power the city retains: the next rung is the city itself
    decision = router.route(issue("C10", repeat_count=3))
    assert decision.grade == "D" and decision.lead is not None and decision.lead.code == "420200-yj"
    assert [u.code for u in decision.co_units] == [S1]
    assert ("via escalation.city" in decision.trace[-2].reason
            or any("via escalation.city" in t.reason for t in decision.trace))


def test_grade_d_stays_d(router: Router) -> None:
    decision = router.route(issue("C04", repeat_count=9))
    assert decision.grade == "D"
    assert "repeat.top" in rules_of(decision)


def test_raise_without_a_unit_above_keeps_the_grade(router: Router) -> None:
    # No power, located at a street: there is no department above the street office.
    decision = router.route(issue("C05", S2, repeat_count=3))
    assert decision.grade == "B" and decision.lead is not None and decision.lead.code == S2


# ---- escalation path ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "location", "path"),
    [
        ("C05", C1, [C1, S1]),
        ("C01", C1, [S1, f"{D}-cg", "420200-cg"]),
        ("C02", C1, [f"{S1}-scjg", f"{D}-scjg", "420200-scjg"]),
        ("C03", C1, [f"{D}-zj", "420200-zj"]),
        ("C04", C1, ["420200-yj"]),
        # a coordination whose deciding power the city retains: the street calls the city directly
        ("C10", C1, [S1, "420200-yj"]),
    ],
)
def test_escalation_path(router: Router, category: str, location: str, path: list[str]) -> None:
    decision = router.route(issue(category, location))
    assert [u.code for u in decision.escalation_path] == path
    assert decision.escalation_path[0] == decision.lead


# ---- deadlines ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "respond", "complete"),
    [
        # received Wednesday 2026-09-30; 10-01..07 国庆 off, 10-08 and 10-09 working, 10-10 (Sat) a make-up workday
        ("咨询", "2026-10-08T23:59:59+08:00", "2026-10-09T23:59:59+08:00"),
        ("求助", "2026-10-08T23:59:59+08:00", "2026-10-20T23:59:59+08:00"),
        (None, "2026-10-08T23:59:59+08:00", "2026-10-20T23:59:59+08:00"),
        ("投诉", "2026-10-08T23:59:59+08:00", "2026-10-27T23:59:59+08:00"),
    ],
)
def test_daily_deadlines_count_chinese_working_days(router: Router, kind: str | None, respond: str,
                                                    complete: str) -> None:
    extra = {"request_kind": kind} if kind else {}
    decision = router.route(issue("C01", received_at="2026-09-30T16:00:00", **extra)).model_dump(mode="json")
    assert (decision["respond_by"], decision["complete_by"]) == (respond, complete)


def test_whistle_report_within_30_minutes(router: Router) -> None:
    decision = router.route(issue("C06", request_kind="举报")).model_dump(mode="json")
    assert decision["respond_by"] == "2026-11-23T10:30:00+08:00"
    assert decision["complete_by"] == "2026-12-14T23:59:59+08:00"  # 15 working days after Mon 11-23


def rules_with(tmp_path: Path, unknown_year: object) -> RuleSet:
    """The shipped rules with `[params] unknown_year` of deadlines.toml set to `unknown_year`."""
    import shutil

    from powerlist.resources import rules_dir

    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target)
    path = target / "deadlines.toml"
    text = path.read_text(encoding="utf-8")
    assert 'unknown_year = "statutory"' in text
    path.write_text(text.replace('unknown_year = "statutory"', f"unknown_year = {json.dumps(unknown_year)}"),
                    encoding="utf-8")
    return RuleSet.load(target)


def test_shipped_rules_count_an_unknown_year_on_statutory_holidays(router: Router) -> None:
    assert router.unknown_year == "statutory" and router.calendar.unknown_year == "statutory"
    # Sunday 2026-12-20, a complaint: 15 working days; 2027-01-01 (元旦, a Friday) is skipped.
    decision = router.route(issue("C01", received_at="2026-12-20T10:00:00", request_kind="投诉"))
    assert decision.status == "routed"
    assert decision.respond_by == datetime(2026, 12, 21, 23, 59, 59, tzinfo=SHANGHAI)
    assert decision.complete_by == datetime(2027, 1, 11, 23, 59, 59, tzinfo=SHANGHAI)
    assert rules_of(decision)[-1] == "calendar.unknown_year"
    reason = decision.trace[-1].reason
    for words in ("2027", "暂定", "PROVISIONAL", "calendar_overrides.xlsx", "调休调整", "State Council"):
        assert words in reason
    # The step comes once, after the deadline rule.
    assert rules_of(decision).count("calendar.unknown_year") == 1
    assert rules_of(decision)[-2].startswith("deadline.") or rules_of(decision)[-2].startswith("daily-")


def test_statutory_fallback_across_labour_day(router: Router) -> None:
    # 2027-04-28 (Wed), a complaint: 劳动节 2027 falls on Sat/Sun 05-01/02, so only weekends go.
    decision = router.route(issue("C01", received_at="2027-04-28T09:00:00", request_kind="投诉"))
    assert decision.complete_by == datetime(2027, 5, 19, 23, 59, 59, tzinfo=SHANGHAI)
    assert "calendar.unknown_year" in rules_of(decision)
    # 2028-04-28 (Fri), an enquiry (2 days): Mon 05-01 and Tue 05-02 are 劳动节.
    decision = router.route(issue("C01", received_at="2028-04-28T09:00:00", request_kind="咨询"))
    assert decision.respond_by == datetime(2028, 5, 3, 23, 59, 59, tzinfo=SHANGHAI)
    assert decision.complete_by == datetime(2028, 5, 4, 23, 59, 59, tzinfo=SHANGHAI)
    assert "2028" in decision.trace[-1].reason and "2027" not in decision.trace[-1].reason


def test_clock_limits_and_known_years_carry_no_fallback_step(router: Router) -> None:
    emergency = router.route(issue("C08", received_at="2027-03-01T10:00:00"))
    assert emergency.status == "routed" and "calendar.unknown_year" not in rules_of(emergency)
    known = router.route(issue("C01", received_at="2026-11-23T10:00:00", request_kind="投诉"))
    assert "calendar.unknown_year" not in rules_of(known)
    # The same plan, stamped for 2027 and then for 2026 again: the step follows the issue.
    later = router.route(issue("C01", received_at="2027-03-01T10:00:00", request_kind="投诉"))
    assert "calendar.unknown_year" in rules_of(later)
    assert "calendar.unknown_year" not in rules_of(router.route(issue("C01", request_kind="投诉")))


def test_explain_shows_the_provisional_deadline(router: Router) -> None:
    text = router.explain(issue("C01", received_at="2026-12-20T10:00:00", request_kind="投诉"))
    assert "[calendar.unknown_year]" in text and "暂定" in text and "provisional" in text
    assert "暂定" not in router.explain(issue("C01", request_kind="投诉"))


def test_unknown_year_error_mode_is_an_error_not_a_guess(tmp_path: Path) -> None:
    router = Router(tiny_catalog(), rules_with(tmp_path, "error"))
    assert router.calendar.unknown_year == "error"
    with pytest.raises(CalendarError, match="2027"):
        router.route(issue("C01", received_at="2026-12-28T10:00:00", request_kind="投诉"))
    (decision,) = router.route_many([issue("C01", received_at="2027-03-01T10:00:00")])
    assert decision.status == "rejected"
    assert decision.errors[0].code == "calendar-unknown-year"
    # known years are unchanged
    assert router.route(issue("C01")).status == "routed"


def test_a_year_beyond_the_fallback_horizon_is_still_an_error(router: Router) -> None:
    (decision,) = router.route_many([issue("C01", received_at="2099-03-02T10:00:00")])
    assert decision.status == "rejected" and decision.errors[0].code == "calendar-unknown-year"


@pytest.mark.parametrize("value", ["guess", 1, ["statutory"]])
def test_a_bad_unknown_year_is_a_located_error(tmp_path: Path, value: object) -> None:
    with pytest.raises(InputError) as caught:
        Router(tiny_catalog(), rules_with(tmp_path, value))
    (problem,) = caught.value.problems
    assert problem.file and problem.file.endswith("deadlines.toml")
    assert problem.field == "params.unknown_year" and problem.code == "rules-bad-param"
    assert "statutory" in problem.message and "error" in problem.message


def test_override_rows_for_2027_win_and_remove_the_step(rules: RuleSet) -> None:
    from powerlist.catalog.models import CalendarOverride

    data = tiny_catalog().data.model_copy(update={"calendar_overrides": (
        CalendarOverride(day="2027-01-01", workday=False, note="元旦"),
        CalendarOverride(day="2027-01-04", workday=False, note="示意：元旦调休 (illustrative)"),
    )})
    for engine in ("compiled", "durable"):
        router = Router(Catalog(data), rules, engine=engine)
        decision = router.route(issue("C01", received_at="2026-12-20T10:00:00", request_kind="投诉"))
        assert decision.complete_by == datetime(2027, 1, 12, 23, 59, 59, tzinfo=SHANGHAI)
        assert "calendar.unknown_year" not in rules_of(decision)
        # 2028 has no rows: still the fallback, with its step
        later = router.route(issue("C01", received_at="2028-03-01T10:00:00", request_kind="投诉"))
        assert "calendar.unknown_year" in rules_of(later) and "2028" in later.trace[-1].reason


def test_engines_agree_on_provisional_deadlines(rules: RuleSet) -> None:
    compiled = Router(tiny_catalog(), rules, engine="compiled")
    durable = Router(tiny_catalog(), rules, engine="durable")
    items = [issue(c, received_at=at, request_kind=kind, id=f"{c}-{at}-{kind}")
             for c in ("C01", "C06", "C08", "C09")
             for at in ("2026-11-23T10:00:00", "2026-12-20T10:00:00", "2027-04-28T09:00:00", "2026-12-31T23:00:00")
             for kind in ("投诉", "咨询")]
    twice = items + items  # the second pass is stamped from kept plans and memoised deadlines
    a = [d.model_dump_json() for d in compiled.route_many(twice)]
    b = [d.model_dump_json() for d in durable.route_many(twice)]
    assert a == b and a[: len(items)] == a[len(items):]
    assert any("calendar.unknown_year" in line for line in a)


# ---- rejections -----------------------------------------------------------------------------------


def test_single_issue_api_raises_located_errors(router: Router) -> None:
    with pytest.raises(InputError) as caught:
        router.route(issue("NOPE", "999"))
    fields = {(p.field, p.code) for p in caught.value.problems}
    assert fields == {("category", "unknown-category"), ("location", "unknown-location")}
    with pytest.raises(InputError) as caught:
        router.route(issue("C01", repeat_count=-1))
    assert caught.value.problems[0].field == "repeat_count"


def test_a_rejection_names_every_problem_of_the_issue(router: Router, tmp_path: Path) -> None:
    # An invalid field must not hide an unknown category or location of the same issue: the
    # resident's record is fixed once, not once per kind of problem.
    bad = issue("NOPE", "999", received_at="yesterday", repeat_count=-1)
    expected = {("received_at", "bad-time"), ("repeat_count", "greater_than_equal"),
                ("category", "unknown-category"), ("location", "unknown-location")}
    with pytest.raises(InputError) as caught:
        router.route(bad)
    assert {(p.field, p.code) for p in caught.value.problems} == expected
    (decision,) = router.route_many([bad])
    assert decision.status == "rejected" and {(p.field, p.code) for p in decision.errors} == expected
    # a field that failed validation itself is not judged again, and a known place is not named
    (decision,) = router.route_many([issue("C01", received_at="yesterday")])
    assert [p.field for p in decision.errors] == ["received_at"]
    # from a file, each problem keeps its row
    from powerlist.routing.issue_io import read_issues

    path = tmp_path / "i.jsonl"
    path.write_text(json.dumps({**bad, "id": "F1"}) + "\n", encoding="utf-8")
    (decision,) = router.route_many(read_issues(path))
    assert {(p.field, p.row) for p in decision.errors} == {(f, 1) for f, _ in expected}


def test_route_many_never_stops(router: Router) -> None:
    items = [
        issue("C01"),
        issue("NOPE"),
        issue("C01", "999"),
        {"category": "C01", "location": C1, "received_at": "2026-11-23T10:00"},
        issue("C01", emergency="maybe"),
        "not an issue",
        Issue.model_validate(issue("C02")),
    ]
    decisions = list(router.route_many(items))
    assert [d.status for d in decisions] == ["routed", "rejected", "rejected", "rejected", "rejected", "rejected",
                                             "routed"]
    assert decisions[1].errors[0].field == "category" and decisions[1].issue_id == "T-NOPE"
    assert decisions[2].errors[0].field == "location"
    assert decisions[3].issue_id == "#4" and decisions[3].errors[0].field == "id"
    assert decisions[4].errors[0].field == "emergency"
    assert decisions[5].issue_id == "#6"
    assert all(d.rules_version == router.rules_version for d in decisions)


# ---- determinism and well-formedness ------------------------------------------------------------------


def test_same_issue_same_bytes(rules: RuleSet) -> None:
    one, two = Router(tiny_catalog(), rules), Router(tiny_catalog(), rules, engine="durable")
    for category in ("C01", "C02", "C06", "C08", "C09", "C10"):
        item = issue(category, repeat_count=4, request_kind="投诉")
        texts = {json.dumps(r.route(item).model_dump(mode="json"), ensure_ascii=False) for r in (one, two, one)}
        assert len(texts) == 1


def test_decisions_validate_against_their_model(router: Router) -> None:
    for category in ("C01", "C05", "C06", "C08"):
        decision = router.route(issue(category))
        again = Decision.model_validate_json(decision.model_dump_json())
        assert again.model_dump(mode="json") == decision.model_dump(mode="json")


def test_rules_version_covers_rules_and_catalog(rules: RuleSet) -> None:
    base = Router(tiny_catalog(), rules).rules_version
    data = tiny_catalog().data.model_copy(update={"name": "别的市"})
    assert Router(Catalog(data), rules).rules_version != base
    assert len(base) == 16


def test_explain_cites_rules_powers_and_basis(router: Router) -> None:
    text = router.explain(issue("C06"))
    for expected in ("协调哨", "whistle", "lead.coordination", "《违法建设处罚条例》第一条", "胜阳港街道办事处",
                     "escalation path"):
        assert expected in text


def test_dicts_may_use_chinese_keys_and_other_models(router: Router) -> None:
    from pydantic import BaseModel

    decision = router.route({"工单编号": "Z1", "受理时间": "2026/11/23 10:00", "问题分类": "C01", "社区": C1,
                             "是否紧急": "是"})
    assert decision.issue_id == "Z1" and decision.whistle == "emergency"

    class Ticket(BaseModel):
        id: str
        received_at: str
        category: str
        location: str

    (decision,) = router.route_many([Ticket(id="Z2", received_at="2026-11-23T10:00", category="C01", location=C1)])
    assert decision.status == "routed"


def test_a_field_given_twice_is_rejected(router: Router) -> None:
    twice = {**issue("C01"), "编号": "other"}
    with pytest.raises(InputError, match="given twice"):
        router.route(twice)
    (decision,) = router.route_many([twice])
    assert decision.status == "rejected" and decision.errors[0].code == "duplicate-field"


def test_a_gap_in_edited_rules_rejects_with_the_table_named(tmp_path: Path) -> None:
    from powerlist.resources import rules_dir

    for name in ("routing.toml", "deadlines.toml"):
        text = (rules_dir() / name).read_text(encoding="utf-8")
        if name == "routing.toml":
            text = "\n".join(line for line in text.splitlines() if 'id = "ordinary"' not in line)
        (tmp_path / name).write_text(text, encoding="utf-8")
    edited = Router(tiny_catalog(), RuleSet.load(tmp_path))
    with pytest.raises(InputError, match="no row of rules table 'whistle'"):
        edited.route(issue("C01"))
    (decision,) = edited.route_many([issue("C01")])
    assert decision.errors[0].code == "rules-gap" and decision.errors[0].file.endswith("routing.toml")
    assert edited.route(issue("C06")).status == "routed"


# ---- powerlist route: one warning line on stderr for provisional deadlines -------------------------


def _route_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[dict[str, object]],
               rules: RuleSet) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    from powerlist.cli import app
    from powerlist.cli import route as route_cli

    tiny = tiny_catalog()
    monkeypatch.setattr(route_cli, "_router",
                        lambda engine, catalogs, rules_dir: Router(tiny, rules, engine=engine.value))
    if not any(c.name == "route" for c in app.registered_commands):
        route_cli.register(app)
    path = tmp_path / "issues.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["route", str(path)])
    return result.exit_code, result.stdout, result.stderr


def test_route_warns_once_on_stderr_and_keeps_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rules: RuleSet,
                                                     router: Router) -> None:
    rows = [
        {"id": "1", "received_at": "2026-11-23T10:00:00", "category": "C01", "location": C1},
        {"id": "2", "received_at": "2026-12-20T10:00:00", "category": "C01", "location": C1, "request_kind": "投诉"},
        {"id": "3", "received_at": "2027-04-28T09:00:00", "category": "C06", "location": C1},
    ]
    code, stdout, stderr = _route_cli(tmp_path, monkeypatch, rows, rules)
    assert code == 0, stderr
    expected = "".join(json.dumps(d.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")) + "\n"
                       for d in router.route_many(rows))
    assert [json.loads(line) for line in stdout.splitlines()] == [json.loads(line) for line in expected.splitlines()]
    (line,) = stderr.splitlines()
    assert line.startswith("警告 warning：3 条中有 2 条派单的时限为暂定时限")
    assert "2 of 3 decision(s) have PROVISIONAL deadlines" in line
    assert "2027" in line and "calendar.unknown_year" in line and "调休调整" in line
    assert "calendar.unknown_year" in stdout  # the step is in the decisions themselves
    # no provisional deadline: no warning
    code, stdout, stderr = _route_cli(tmp_path, monkeypatch, rows[:1], rules)
    assert code == 0 and stderr == ""


def test_router_takes_directories_or_the_shipped_defaults_and_refuses_other_types(tmp_path: Path) -> None:
    # Router(catalogs, rules, engine=...): a catalogs/rules directory or None (shipped) works
    # like Router.default; anything else is a clear TypeError, not an AttributeError deep inside
    from powerlist import resources

    shipped = Router.default().rules_version
    assert Router(None).rules_version == shipped
    assert Router(str(resources.catalogs_dir()), resources.rules_dir(), engine="durable").rules_version == shipped
    with pytest.raises(TypeError, match="catalog must be"):
        Router(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rules must be"):
        Router(tiny_catalog(), {"whistle": []})  # type: ignore[arg-type]
    with pytest.raises(InputError):
        Router(tmp_path / "missing")


def test_a_received_at_at_the_end_of_time_is_a_rejection_not_an_overflow(rules: RuleSet) -> None:
    # 9999-12-31: the next day does not exist; the batch goes on and the single API raises the
    # documented error, never OverflowError
    router = Router(tiny_catalog(), rules)
    items = [issue("C01", received_at="9999-12-31T23:00:00", id=f"end-{e}", emergency=e) for e in (False, True)]
    decisions = list(router.route_many(items + [issue("C01")]))
    assert [d.status for d in decisions] == ["rejected", "rejected", "routed"]
    assert all(d.errors[0].field == "received_at" for d in decisions[:2])
    with pytest.raises(InputError):
        router.route(items[0])


def test_a_huge_invalid_value_is_named_not_echoed(router: Router) -> None:
    # a 1 MB description is rejected; its decision must not carry the megabyte back out
    (decision,) = router.route_many([issue("C01", description="x" * 1_000_000)])
    (problem,) = decision.errors
    assert problem.field == "description" and problem.value is not None
    assert len(problem.value) < 300 and "1000000" in problem.value
    assert len(decision.model_dump_json()) < 2_000
