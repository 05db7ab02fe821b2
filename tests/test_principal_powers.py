"""Decisions an official would sign (issue 11): the principal power decides, the seed's maps hold,
a repeat climbs the holder's own chain, the catalog says what the report says.

Expected values come from the statutes, the report and the shipped catalog's data, not from the
router: e.g. 《城市照明管理规定》 gives street lighting to the 城市照明主管部门 (城管 in the
catalog), so a broken street lamp is the street office's in 黄石港区, whose pilot gave its streets
the urban-management powers; the 2025 治安管理处罚法 第八十八条 gives 社会生活噪声 to the police.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from powerlist.catalog.catalog import Catalog
from powerlist.catalog.models import Scope
from powerlist.routing.decision import Decision, Whistle
from powerlist.routing.issue import SHANGHAI, Issue
from powerlist.routing.router import Router
from powerlist.testing import strategies

HSG = "420202001"  # 黄石港街道 (黄石港区, the pilot)
FANGZHI = "420202001001"  # 纺织社区, named in the report
CHENGYUE = "420203001"  # 澄月街道 (西塞山区: squads moved down, powers not)
DONGYUE = "420281001"  # 东岳路街道 (大冶市)
JULY = datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def router(catalog: Catalog) -> Router:
    return Router(catalog)


def route(router: Router, category: str, location: str, at: datetime = JULY, **flags: Any) -> Decision:
    return router.route(Issue(id="T1", received_at=at, category=category, location=location, **flags))


# ---- the principal power decides the lead ------------------------------------------------------


def test_a_broken_street_lamp_is_not_the_police_stations(router: Router) -> None:
    decision = route(router, "BJ0102", FANGZHI)
    assert decision.whistle is Whistle.DAILY and decision.grade == "B"
    assert decision.lead is not None and decision.lead.code == HSG  # 黄石港街道办事处, by the pilot
    assert [u.code for u in decision.co_units] == [f"{HSG}-GA"]  # the 派出所 joins, for theft or vandalism
    roles = {p.code: (p.role, p.mode) for p in decision.powers}
    assert roles["CG-06-003"] == ("principal", "delegated") and roles["CG-02-023"] == ("principal", "delegated")
    assert roles["GA-02-008"] == ("related", "stationed")
    # the escalation path is the 城管 line's, not the police's
    assert [u.code for u in decision.escalation_path] == [HSG, "420202-CG", "420200-CG"]


def test_a_street_lamp_in_xisaishan_is_the_street_squads_in_the_bureaus_name(router: Router) -> None:
    decision = route(router, "BJ0102", CHENGYUE)
    assert decision.lead is not None and decision.lead.code == CHENGYUE
    principal = [p for p in decision.powers if p.role == "principal"]
    assert {p.mode for p in principal} == {"entrusted"}  # 委托: the powers were not delegated there
    assert any(step.rule == "lead.entrusted" for step in decision.trace)


def test_social_noise_goes_to_the_police_under_the_2025_law(router: Router) -> None:
    decision = route(router, "RX0301", HSG, at=datetime(2026, 3, 2, 9, tzinfo=SHANGHAI))
    assert decision.lead is not None and decision.lead.code == f"{HSG}-GA" and decision.whistle is Whistle.DAILY
    (police,) = [p for p in decision.powers if p.code == "GA-02-004"]
    assert police.legal_basis == ("《中华人民共和国治安管理处罚法》（2025年修订）第八十八条",)
    (loudspeaker,) = [p for p in decision.powers if p.role == "related"]
    assert loudspeaker.code.startswith("CG-") and loudspeaker.holder is not None
    assert loudspeaker.holder.code in {u.code for u in decision.co_units}


def test_the_reports_cooking_fumes_case_is_still_coordinated_by_the_street(router: Router) -> None:
    # the report: 黄石港街道组织区市场监督管理局、纺织社区党委协调处理油烟扰民问题
    decision = route(router, "SJ0104", FANGZHI)
    assert decision.whistle is Whistle.COORDINATION and decision.lead is not None and decision.lead.code == HSG
    assert any(step.rule == "whistle.several-departments" for step in decision.trace)
    assert f"{HSG}-SCJG" in {u.code for u in decision.co_units}


def test_hazardous_chemicals_are_led_by_the_penalty_not_by_the_licence(router: Router) -> None:
    decision = route(router, "SJ0408", HSG)
    assert decision.whistle is Whistle.EMERGENCY
    assert decision.lead is not None and decision.lead.code == "420202-YJ" and decision.grade == "C"
    licences = [p for p in decision.powers if p.code.startswith("YJ-01-001")]
    assert licences and {p.role for p in licences} == {"related"}
    assert "420200-YJ" in {u.code for u in decision.co_units}  # the city's licence: a co-unit only


@settings(max_examples=150)
@given(strategies.catalogs().flatmap(lambda c: st.tuples(st.just(c), strategies.issues(c))))
def test_the_lead_always_holds_a_principal_power_and_related_holders_never_lead(pair: tuple[Catalog, Issue]) -> None:
    catalog, issue = pair
    decision = Router(catalog).route(issue)
    category = catalog.categories[issue.category]
    assert [p.code for p in decision.powers if p.role == "principal"] == list(category.powers)
    assert decision.lead is not None
    departments = {catalog.department_code(catalog.items[p].department) for p in category.powers}
    lead = catalog.units[decision.lead.code]
    # the lead is a principal power's holder, the street office or community by rule, or a unit up
    # a principal power's own line — never a unit that only a related power brings in
    if lead.department is not None:
        assert lead.department in departments, (lead, departments)
    for unit in decision.escalation_path:
        department = catalog.units[unit.code].department
        if department is not None:
            assert department in departments  # the chain is a principal power's line


# ---- the seed's whistle map holds --------------------------------------------------------------


@settings(max_examples=300)
@given(strategies.issues())
def test_key_work_and_emergency_issues_never_change_whistle(issue: Issue) -> None:
    router = _shipped_router()
    decision = router.route(issue)
    scope = router.catalog.categories[issue.category].scope
    if scope is Scope.KEY_WORK:
        assert decision.whistle is Whistle.KEY
    if scope is Scope.EMERGENCY:
        assert decision.whistle is Whistle.EMERGENCY
    if scope is Scope.ENFORCEMENT and not issue.emergency:
        assert decision.whistle is Whistle.COORDINATION


def test_key_work_across_departments_is_a_key_whistle_led_by_the_holder(router: Router) -> None:
    # ZD0101 创文创卫: 城管 and 卫生健康 powers — before issue 11 this came out as 协调哨
    for flags in ({}, {"needs_enforcement": True, "cross_department": True, "emergency": True}):
        decision = route(router, "ZD0101", HSG, **flags)
        assert decision.whistle is Whistle.KEY, flags
    # the principal powers: 城管's (下放 in 黄石港区) and 卫生健康's inspection (委托, profile ENTRUST):
    # the highest held is the entrusted one, so the street office leads by lead.entrusted
    decision = route(router, "ZD0101", HSG)
    assert decision.lead is not None and decision.lead.code == HSG
    assert any(step.rule == "lead.entrusted" for step in decision.trace)
    assert any(step.rule == "whistle.key-work-scope" for step in decision.trace)


def test_only_an_ordinary_issue_is_raised_to_coordination(router: Router) -> None:
    assert route(router, "SJ0101", HSG).whistle is Whistle.DAILY
    assert route(router, "SJ0101", HSG, needs_enforcement=True).whistle is Whistle.COORDINATION
    assert route(router, "SJ0407", HSG, needs_enforcement=True).whistle is Whistle.EMERGENCY
    assert route(router, "ZD0106", HSG, cross_department=True).whistle is Whistle.KEY


# ---- a repeat climbs the holder's own chain ----------------------------------------------------


@pytest.mark.parametrize(("street", "branch"), [(HSG, "420202-GA"), (DONGYUE, "420281-GA")])
def test_a_repeated_police_matter_goes_to_the_district_branch_before_the_city(router: Router, street: str,
                                                                             branch: str) -> None:
    first = route(router, "RX0306", street)
    assert first.lead is not None and first.lead.code == f"{street}-GA" and first.grade == "B"
    repeated = route(router, "RX0306", street, repeat_count=3)
    assert repeated.lead is not None and repeated.lead.code == branch and repeated.grade == "C"
    assert [u.code for u in repeated.escalation_path] == [branch, "420200-GA"]
    names = {u.code: u.name for u in (*repeated.co_units, repeated.lead)}
    assert f"{street}-GA" in names  # the 派出所 stays on the case
    if street == DONGYUE:
        assert repeated.lead.name == "大冶市公安局"


@settings(max_examples=200)
@given(strategies.issues())
def test_a_stationed_matter_never_jumps_from_the_street_to_the_city(issue: Issue) -> None:
    router = _shipped_router()
    decision = router.route(issue)
    primary = [p for p in decision.powers if p.role == "principal"]
    modes = {p.mode for p in primary}
    if primary and modes == {"stationed"} and decision.whistle is not Whistle.COORDINATION:
        assert decision.lead is not None and decision.lead.level.value in ("street", "district")


# ---- the catalog says what the report says -----------------------------------------------------


def test_the_pilot_delegates_powers_and_the_other_districts_entrust_them(catalog: Catalog) -> None:
    cg = [code for code, item in catalog.items.items() if code.startswith("CG-02-")]
    by_district: dict[str, set[str]] = {}
    for code in cg:
        for street in catalog.streets.values():
            by_district.setdefault(street.district, set()).add(catalog.mode(code, street.code).value)
    assert by_district["420202"] == {"delegated"}  # 黄石港区: 赋予街道城市管理执法权
    for district in ("420203", "420204", "420281", "420205"):
        assert by_district[district] == {"entrusted"}, district
    squads = catalog.delegation("CG-02-001", CHENGYUE)
    assert squads is not None and "城管中队" in squads.source and "权力未下放" in squads.source


def test_a_decision_names_the_delegation_row_and_the_row_is_there(router: Router, catalog: Catalog) -> None:
    decision = route(router, "RX0306", HSG)
    (power,) = decision.powers
    assert power.delegation is not None and power.holder is not None and power.mode == "stationed"
    file, sheet, row = power.delegation.split(" ")
    number = int(row.removeprefix("第").removesuffix("行"))
    ws = load_workbook(catalog_dir() / file, read_only=True)[sheet]
    values = next(ws.iter_rows(min_row=number, max_row=number, values_only=True))
    assert values[1] == power.code and values[6] == "黄石港街道" and values[7] == "派驻"
    assert any(power.delegation in step.reason for step in decision.trace if step.rule == f"power_list.{power.code}")


def catalog_dir() -> Any:
    from powerlist.resources import catalogs_dir

    return catalogs_dir()


_ROUTER: list[Router] = []


def _shipped_router() -> Router:
    if not _ROUTER:
        _ROUTER.append(Router.default())
    return _ROUTER[0]
