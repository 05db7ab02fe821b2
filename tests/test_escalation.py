"""Escalation over time (issue 4): the rules of rules/escalation.toml, case by case, and the
properties every history must keep. Decisions are built by hand here (plain frozen values);
tests/test_escalation_router.py runs the same escalator behind the real Router."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlist.cases.escalator import Escalator
from powerlist.cases.lifecycle import TRANSITIONS, Event, State, rank, replay
from powerlist.cases.sqlite import SQLiteCaseStore
from powerlist.catalog.models import DelegationMode, Level, Unit, UnitKind
from powerlist.errors import InputError, TransitionError
from powerlist.routing.decision import Decision, PowerRef, UnitRef, Whistle
from powerlist.routing.issue import SHANGHAI
from powerlist.routing.tables import RuleSet

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)
COMMUNITY = UnitRef(code="420202001001", name="纺织社区居委会", level=Level.COMMUNITY)
STREET = UnitRef(code="420202001", name="黄石港街道办事处", level=Level.STREET)
STATIONED = UnitRef(code="420202001-scjg", name="黄石港街道市场监管所", level=Level.STREET)
DISTRICT = UnitRef(code="420202-scjg", name="黄石港区市场监督管理局", level=Level.DISTRICT)
CITY = UnitRef(code="420200-scjg", name="黄石市市场监督管理局", level=Level.CITY)
PATH = (COMMUNITY, STREET, DISTRICT, CITY)
POWER = PowerRef(code="P001", name="对无照经营的处罚", kind="02", legal_basis=("《无证无照经营查处办法》第十三条",))
RULES = RuleSet.load()


@dataclass
class FakeCatalog:
    """Just what the escalator asks of a catalog: items, holder(), units, supervision_office."""

    holders: dict[str, UnitRef] = field(default_factory=lambda: {"P001": STATIONED})

    @property
    def items(self) -> dict[str, Any]:
        return dict(self.holders)

    def holder(self, item: str, street: str) -> tuple[Unit, DelegationMode]:
        ref = self.holders[item]
        kind = {Level.STREET: UnitKind.STATIONED_UNIT, Level.DISTRICT: UnitKind.DISTRICT_DEPARTMENT,
                Level.CITY: UnitKind.CITY_DEPARTMENT, Level.COMMUNITY: UnitKind.COMMUNITY}[ref.level]
        return Unit(code=ref.code, name=ref.name, kind=kind), DelegationMode.STATIONED

    @property
    def units(self) -> dict[str, Unit]:
        return {}

    @property
    def supervision_office(self) -> Unit:
        return Unit(code="420200-supervision", name="市委督查室、市政府政务督查室", kind=UnitKind.SUPERVISION_OFFICE)


def decision(
    issue_id: str = "I1",
    lead: UnitRef = STREET,
    whistle: Whistle = Whistle.DAILY,
    powers: tuple[PowerRef, ...] = (POWER,),
    respond_hours: float = 24,
    complete_hours: float = 120,
    received: datetime = T0,
) -> Decision:
    return Decision(
        issue_id=issue_id,
        status="routed",
        category="C01",
        street="420202001",
        whistle=whistle,
        whistle_label=whistle.label,
        grade=lead.level.grade,
        level=lead.level,
        lead=lead,
        escalation_path=PATH,
        powers=powers,
        respond_by=received + timedelta(hours=respond_hours),
        complete_by=received + timedelta(hours=complete_hours),
        rules_version="test",
    )


def escalator(
    store: SQLiteCaseStore | None = None, catalog: Any = None, engine: str = "compiled", bulk: bool = True
) -> Escalator:
    return Escalator(store or SQLiteCaseStore(), None, RULES, catalog=catalog or FakeCatalog(), engine=engine,
                     bulk=bulk)


def hours(h: float) -> datetime:
    return T0 + timedelta(hours=h)


def kinds(actions: list[Any]) -> list[tuple[str, str | None]]:
    return [(a.action, a.to_unit) for a in actions]


# ---- opening ----------------------------------------------------------------------------------


def test_open_dispatches_to_the_lead_and_reopening_the_same_issue_returns_the_case() -> None:
    esc = escalator()
    case = esc.open_decision(decision(), received_at=T0)
    assert case.state is State.DISPATCHED
    assert case.lead["code"] == STREET.code
    assert [r.event for r in case.history] == [Event.OPEN, Event.DISPATCH]
    again = esc.open_decision(decision(lead=CITY), received_at=T0)
    assert again.lead["code"] == STREET.code  # the existing case, never a second one
    assert esc.store.count_cases() == 1


def test_a_rejected_decision_opens_nothing() -> None:
    esc = escalator()
    rejected = Decision(issue_id="X", status="rejected", rules_version="t")
    with pytest.raises(InputError):
        esc.open_decision(rejected, received_at=T0)
    assert esc.store.count_cases() == 0


# ---- response ---------------------------------------------------------------------------------


def test_no_response_reminder_then_escalation_recorded_as_not_coming() -> None:
    esc = escalator()
    esc.open_decision(decision(), received_at=T0)
    assert esc.tick(hours(23)) == []
    reminder = esc.tick(hours(25))
    assert kinds(reminder) == [("remind", STREET.code)]
    assert reminder[0].rule == "esc_response_due.remind"
    assert esc.tick(hours(47)) == []  # grace: 24 h after respond_by
    escalation = esc.tick(hours(49))
    assert kinds(escalation) == [("escalate", DISTRICT.code)]
    assert escalation[0].finding == "不到位"
    assert escalation[0].rule == "esc_response_due.escalate"
    case = esc.case("I1")
    assert case.state is State.ESCALATED and case.level == "district"
    assert "不到位" in case.snapshot.labels
    assert esc.store.findings(unit=STREET.code)[0]["kind"] == "不到位"


def test_a_late_tick_still_reminds_before_it_escalates() -> None:
    esc = escalator()
    esc.open_decision(decision(), received_at=T0)
    assert kinds(esc.tick(hours(100))) == [("remind", STREET.code), ("escalate", DISTRICT.code)]


def test_late_response_is_noted_as_coming_late() -> None:
    esc = escalator()
    esc.open_decision(decision(), received_at=T0)
    esc.record("I1", "respond", hours(30))
    actions = esc.tick(hours(31))
    assert [(a.action, a.finding) for a in actions] == [("note", "慢到位")]
    assert esc.tick(hours(31)) == []
    assert esc.case("I1").state is State.RESPONDED


def test_response_on_time_needs_nothing() -> None:
    esc = escalator()
    esc.open_decision(decision(), received_at=T0)
    esc.record("I1", "respond", hours(2))
    esc.record("I1", "complete", hours(50))
    assert esc.tick(hours(500)) == []


def test_emergency_at_street_level_calls_the_city_directly() -> None:
    esc = escalator()
    esc.open_decision(decision(whistle=Whistle.EMERGENCY, respond_hours=0.5, complete_hours=24), received_at=T0)
    actions = esc.tick(hours(2))
    assert kinds(actions) == [("remind", STREET.code), ("escalate", CITY.code)]
    assert actions[1].rule == "esc_response_due.emergency_city"


# ---- completion -------------------------------------------------------------------------------


def test_not_completed_one_extension_then_escalation_as_doing_nothing() -> None:
    esc = escalator()
    esc.open_decision(decision(), received_at=T0)
    esc.record("I1", "respond", hours(1))
    esc.record("I1", "handle", hours(2))
    extension = esc.tick(hours(121))
    assert kinds(extension) == [("extend", STREET.code)]
    assert esc.case("I1").state is State.EXTENDED
    assert esc.tick(hours(120 + 71)) == []
    escalation = esc.tick(hours(120 + 73))
    assert kinds(escalation) == [("escalate", DISTRICT.code)]
    assert escalation[0].finding == "到位不作为"


def test_at_the_top_of_the_path_the_supervision_office_lists_the_case_then_urges() -> None:
    esc = escalator()
    esc.open_decision(decision(lead=CITY), received_at=T0)
    actions = esc.tick(hours(49))
    assert kinds(actions) == [("remind", CITY.code), ("supervise", CITY.code)]
    assert esc.case("I1").snapshot.supervised
    later = esc.tick(hours(49 + 24 + 25))
    assert [a.action for a in later] == ["remind", "urge"]
    assert later[1].from_unit == "420200-supervision"


# ---- returns ----------------------------------------------------------------------------------


def test_a_return_by_the_unit_holding_the_power_is_buck_passing_listed_for_supervision() -> None:
    # The report: 推诿事项、疑难事项、争议事项 … 及时进行挂牌督办 — a 推诿 is listed, not only sent back.
    esc = escalator()
    esc.open_decision(decision(lead=STATIONED), received_at=T0)
    esc.record("I1", "return", hours(1), reason="不属于本单位职责")
    actions = esc.tick(hours(2))
    assert kinds(actions) == [("supervise", STATIONED.code)]
    action = actions[0]
    assert action.finding == "推诿" and action.rule == "esc_review.buck_passing"
    assert "P001" in action.reason and "《无证无照经营查处办法》第十三条" in action.reason
    case = esc.case("I1")
    assert case.state is State.SUPERVISED and case.snapshot.supervised
    assert case.assignee["code"] == STATIONED.code and "推诿" in case.snapshot.labels


def test_a_buck_passing_return_under_supervision_goes_back_to_the_holder() -> None:
    esc = escalator()
    esc.open_decision(decision(lead=STATIONED), received_at=T0)
    esc.record("I1", "return", hours(1))
    esc.tick(hours(2))
    esc.record("I1", "return", hours(3))
    actions = [a for a in esc.tick(hours(4)) if a.rule.startswith("esc_review")]
    # two returns by one unit are not yet a dispute (dispute_returns = 3, dispute_units = 2)
    assert [(a.action, a.rule, a.finding, a.to_unit) for a in actions] == [
        ("send_back", "esc_review.buck_passing_supervised", "推诿", STATIONED.code)
    ]
    assert esc.case("I1").snapshot.supervised


def test_a_return_by_a_unit_without_the_power_is_rerouted_to_the_holder() -> None:
    esc = escalator()
    esc.open_decision(decision(lead=STREET), received_at=T0)
    esc.record("I1", "return", hours(1))
    actions = esc.tick(hours(2))
    assert kinds(actions) == [("redispatch", STATIONED.code)]
    assert actions[0].finding is None


def test_returns_by_two_units_are_a_dispute_listed_by_the_supervision_office() -> None:
    esc = escalator()
    esc.open_decision(decision(lead=STREET), received_at=T0)
    esc.record("I1", "return", hours(1))
    esc.tick(hours(2))
    esc.record("I1", "return", hours(3))  # now by the holder, the stationed unit
    actions = esc.tick(hours(4))
    assert kinds(actions) == [("supervise", STATIONED.code)]
    assert actions[0].rule == "esc_review.dispute_buck_passing"
    assert actions[0].finding == "推诿"
    assert STATIONED.name in actions[0].reason and "第十三条" in actions[0].reason
    case = esc.case("I1")
    assert case.state is State.SUPERVISED and case.snapshot.supervised
    assert {"争议", "推诿"} <= set(case.snapshot.labels)


# ---- hard cases and accountability ------------------------------------------------------------


def test_extended_twice_is_a_hard_case_under_supervision() -> None:
    esc = escalator()
    esc.open_decision(decision(), received_at=T0)
    esc.record("I1", "respond", hours(1))
    esc.record("I1", "extend", hours(100))
    assert esc.tick(hours(101)) == []
    esc.record("I1", "extend", hours(102))
    actions = esc.tick(hours(103))
    assert [(a.action, a.rule) for a in actions] == [("supervise", "esc_review.hard")]
    assert "疑难" in esc.case("I1").snapshot.labels


def test_reopened_twice_is_a_hard_case() -> None:
    esc = escalator()
    esc.open_decision(decision(), received_at=T0)
    for n, start in enumerate((1, 10)):
        esc.record("I1", "respond", hours(start))
        esc.record("I1", "complete", hours(start + 1))
        esc.record("I1", "feed_back", hours(start + 2))
        esc.record("I1", "evaluate", hours(start + 3), satisfaction="不满意")
        esc.record("I1", "reopen", hours(start + 4))
        if n == 0:
            assert esc.tick(hours(start + 5)) == []
    assert [a.rule for a in esc.tick(hours(20))] == ["esc_review.hard"]


def test_accountability_ladder_by_repetition_within_the_quarter() -> None:
    esc = escalator()
    for i in range(8):
        esc.open_decision(decision(issue_id=f"I{i}"), received_at=T0)
    actions = esc.tick(hours(49))
    sanctions = [(a.action, a.to_unit) for a in actions if a.action in ("criticise", "interview", "refer")]
    assert sanctions == [("criticise", STREET.code), ("interview", STREET.code), ("refer", STREET.code)]
    # the 3rd, 5th and 8th finding trigger them, once each per unit and period
    assert esc.tick(hours(49)) == []


# ---- lifecycle through the escalator ----------------------------------------------------------


def test_full_closed_loop_and_invalid_transition_changes_nothing() -> None:
    esc = escalator()
    esc.open_decision(decision(), received_at=T0)
    with pytest.raises(TransitionError):
        esc.record("I1", "complete", hours(1))  # not responded yet: 办结 before 报到
    assert len(esc.case("I1").history) == 2
    for event, h in (("respond", 1), ("handle", 2), ("complete", 3), ("feed_back", 4)):
        esc.record("I1", event, hours(h))
    with pytest.raises(InputError):
        esc.record("I1", "evaluate", hours(5))
    esc.record("I1", "evaluate", hours(5), satisfaction="基本满意")
    case = esc.record("I1", "close", hours(6))
    assert case.state is State.CLOSED and case.snapshot.satisfaction == "basically_satisfied"
    with pytest.raises(TransitionError):
        esc.record("I1", "respond", hours(7))
    with pytest.raises(TransitionError):
        esc.record("I1", "remind", hours(7))  # written by ticks only
    with pytest.raises(TransitionError):
        esc.record("I1", "reopen", hours(0))  # before the last event: history stays in order
    assert len(esc.case("I1").history) == 8


def test_escalation_never_goes_to_a_lower_level_by_hand() -> None:
    esc = escalator()
    esc.open_decision(decision(lead=DISTRICT), received_at=T0)
    with pytest.raises(TransitionError):
        esc.record("I1", "escalate", hours(1), to=STREET.code)


# ---- properties -------------------------------------------------------------------------------

LEADS = (COMMUNITY, STREET, STATIONED, DISTRICT, CITY)
RECORDABLE = (
    "respond", "handle", "complete", "feed_back", "evaluate", "close",
    "return", "extend", "reopen", "escalate", "supervise",
)
BY = (None, STREET.code, STATIONED.code, DISTRICT.code)

step = st.one_of(
    st.tuples(st.just("tick"), st.integers(0, 60)),
    # "valid" picks (by the integer) one of the events the case's state allows, so that long
    # histories happen; the named events are mostly refused, which must change nothing.
    st.tuples(
        st.just("record"),
        st.integers(0, 30),
        st.sampled_from((*RECORDABLE, *("valid",) * 8)),
        st.sampled_from(BY),
        st.integers(0, 5),
    ),
)
scenario = st.tuples(
    st.lists(st.tuples(st.sampled_from(LEADS), st.sampled_from(list(Whistle))), min_size=1, max_size=3),
    st.lists(step, max_size=30),
)


def run(scenario_value: Any, check: bool = False, engine: str = "compiled") -> tuple[Escalator, list[Any], int]:
    """Play a scenario; with `check`, assert the per-step properties on the way."""
    cases, steps = scenario_value
    esc = escalator(engine=engine)
    for i, (lead, whistle) in enumerate(cases):
        respond_hours = 4 if whistle is Whistle.DAILY else 0.5
        opened = decision(issue_id=f"I{i}", lead=lead, whistle=whistle, respond_hours=respond_hours)
        esc.open_decision(opened, received_at=T0)
    clock = T0
    log: list[Any] = []
    recorded = 0
    levels = {f"I{i}": rank(esc.case(f"I{i}").level) for i in range(len(cases))}
    for item in steps:
        if item[0] == "tick":
            clock += timedelta(hours=item[1])
            actions = esc.tick(clock)
            log.extend((a.case_id, a.action, a.from_unit, a.to_unit, a.rule, a.reason, a.key) for a in actions)
            if check:
                assert esc.tick(clock) == [], "a tick repeated at the same now acts again"
                for a in actions:
                    if a.action == "escalate":
                        assert rank(esc_level(a.to_unit)) > rank(esc_level(a.from_unit))
        else:
            _, delta, event, by, which = item
            clock += timedelta(hours=delta)
            case_id = f"I{which % len(cases)}"
            if event == "valid":
                allowed = sorted(e.value for e in TRANSITIONS[esc.case(case_id).state] if e.value in RECORDABLE)
                event = allowed[(delta + which) % len(allowed)]
            details = {"satisfaction": "满意"} if event == "evaluate" else {}
            before = esc.case(case_id)
            try:
                esc.record(case_id, event, clock, by=by, **details)
                recorded += 1
                log.append((case_id, "recorded", event))
            except (TransitionError, InputError):  # InputError: a return by a unit not holding the case
                if check:
                    assert esc.case(case_id) == before, "a refused event changed the case"
        if check:
            for case_id in levels:
                case = esc.case(case_id)
                assert rank(case.level) >= levels[case_id], "a case went down a level"
                levels[case_id] = rank(case.level)
                assert esc.store.replay(case_id) == case.snapshot
    return esc, log, recorded


def esc_level(code: str | None) -> str:
    by_code = {u.code: u.level.value for u in (*LEADS, CITY)}
    by_code["420200-supervision"] = "city"
    return by_code[code or ""]


@settings(max_examples=60)
@given(scenario)
def test_properties_hold_over_random_histories(value: Any) -> None:
    esc, log, recorded = run(value, check=True)
    # no event lost: every case's log holds its opening, each accepted record and each action
    actions = esc.store.actions()
    events = sum(len(esc.case(f"I{i}").history) for i in range(len(value[0])))
    assert events == 2 * len(value[0]) + recorded + len(actions)
    for i in range(len(value[0])):
        assert replay(esc.case(f"I{i}").history) == esc.case(f"I{i}").snapshot


@settings(max_examples=30)
@given(scenario)
def test_the_same_events_in_the_same_order_give_the_same_actions(value: Any) -> None:
    _, first, _ = run(value)
    _, second, _ = run(value)
    assert first == second


def test_doing_nothing_at_the_top_is_supervised_without_asking_for_a_new_response() -> None:
    esc = escalator()
    esc.open_decision(decision(lead=CITY), received_at=T0)
    esc.record("I1", "respond", hours(1))
    actions = esc.tick(hours(120 + 72 + 1))
    assert [(a.action, a.finding) for a in actions] == [("extend", None), ("supervise", "到位不作为")]
    case = esc.case("I1")
    assert case.state is State.SUPERVISED and not case.snapshot.awaiting_response
    assert case.snapshot.due() is not None and case.snapshot.due()[1] == "completion"


def test_an_invalid_issue_is_a_located_input_error() -> None:
    with pytest.raises(InputError) as caught:
        escalator().open({"id": "X", "received_at": "yesterday", "category": "C01", "location": "L"})
    assert caught.value.problems[0].field == "received_at"


def test_facts_no_row_matches_are_no_action() -> None:
    esc = escalator()
    facts = {
        "trigger": "hard",
        "supervised": True,
        "dispute": False,
        "returner_holds_power": False,
        "has_holder": False,
        "has_higher": False,
    }
    assert esc._evaluate("esc_review", facts) == []
    no_sanction = {"criticism_due": False, "interview_due": False, "referral_due": False}
    assert esc._evaluate("esc_accountability", no_sanction) == []


def test_escalation_params_are_checked_with_their_file(tmp_path: Any) -> None:
    from powerlist.resources import rules_dir

    text = (rules_dir() / "escalation.toml").read_text(encoding="utf-8")
    (tmp_path / "escalation.toml").write_text(
        text.replace("dispute_units = 2", "dispute_units = 0").replace(
            'accountability_period = "quarter"', 'accountability_period = "week"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        Escalator(SQLiteCaseStore(), None, RuleSet.load(tmp_path))
    fields = {p.field for p in caught.value.problems}
    assert {"dispute_units", "accountability_period"} <= fields
    assert all(p.file and p.file.endswith("escalation.toml") for p in caught.value.problems)


def test_rules_without_escalation_tables_are_refused(tmp_path: Any) -> None:
    (tmp_path / "other.toml").write_text(
        '[[tables]]\nname = "t"\nhit_policy = "first"\ninputs = ["a"]\noutputs = ["b"]\n'
        "rows = [ { when = { a = 1 }, then = { b = 2 } } ]\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="escalation"):
        Escalator(SQLiteCaseStore(), None, RuleSet.load(tmp_path))


def test_a_mistyped_acting_unit_is_refused_and_changes_nothing(tmp_path) -> None:
    """A typo in --by would otherwise count as one more unit returning the case (争议)."""
    from datetime import datetime

    from powerlist.cases.escalator import Escalator
    from powerlist.cases.sqlite import SQLiteCaseStore
    from powerlist.errors import InputError
    from powerlist.routing.router import Router

    esc = Escalator(SQLiteCaseStore(tmp_path / "c.db"), Router.default())
    case = esc.open({"id": "T1", "received_at": "2026-11-23T09:00:00", "category": "BJ0104",
                     "location": "420202001001"})
    before = esc.case("T1").history
    try:
        esc.record("T1", "return", datetime(2026, 11, 23, 10), by="420202001-XX")
    except InputError as error:
        assert error.problems[0].field == "by"
        assert error.problems[0].value == "420202001-XX"
    else:
        raise AssertionError("an unknown acting unit was accepted")
    assert esc.case("T1").history == before
    lead = case.lead["code"]
    esc.record("T1", "respond", datetime(2026, 11, 23, 10), by=lead)
    assert esc.case("T1").history[-1].actor == lead


def test_only_the_unit_holding_the_case_can_return_it() -> None:
    """A return by a unit the case was never sent to would count among the units returning it
    (争议) and could make it 推诿 for a case that unit never held."""
    esc = escalator()
    esc.open_decision(decision(lead=STREET), received_at=T0)
    before = esc.case("I1").history
    with pytest.raises(InputError) as caught:
        esc.record("I1", "return", hours(1), by=STATIONED.code)
    assert caught.value.problems[0].field == "by" and caught.value.problems[0].code == "not-holding"
    assert esc.case("I1").history == before
    esc.record("I1", "return", hours(1), by=STREET.code)
    assert esc.case("I1").state is State.RETURNED


def test_an_extension_must_end_after_the_current_deadline() -> None:
    esc = escalator()
    esc.open_decision(decision(), received_at=T0)
    esc.record("I1", "respond", hours(1))
    before = esc.case("I1")
    with pytest.raises(InputError) as caught:
        esc.record("I1", "extend", hours(2), until=hours(3))
    assert caught.value.problems[0].field == "until"
    assert esc.case("I1").history == before.history
    esc.record("I1", "extend", hours(2), until=hours(500))
    assert esc.case("I1").snapshot.extensions == 1


@pytest.mark.parametrize(
    ("replace", "field"),
    [
        (("interview_findings = 5", "interview_findings = 3"), "interview_findings"),
        (("referral_findings = 8", "referral_findings = 4"), "referral_findings"),
        (('"到位不作为", "推诿"]', '"到位不做为", "推诿"]'), "accountable_findings"),
    ],
)
def test_the_accountability_ladder_is_checked(tmp_path: Any, replace: tuple[str, str], field: str) -> None:
    from powerlist.resources import rules_dir

    text = (rules_dir() / "escalation.toml").read_text(encoding="utf-8")
    assert replace[0] in text
    (tmp_path / "escalation.toml").write_text(text.replace(*replace), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        Escalator(SQLiteCaseStore(), None, RuleSet.load(tmp_path))
    assert field in {p.field for p in caught.value.problems}


def test_buck_passing_cites_the_mode_in_chinese() -> None:
    esc = escalator()
    esc.open_decision(decision(lead=STATIONED), received_at=T0)
    esc.record("I1", "return", hours(1))
    (action,) = esc.tick(hours(2))
    assert action.finding == "推诿"
    assert "stationed" not in action.reason and "delegated" not in action.reason
    assert any(f"（{mode.label}）" in action.reason for mode in DelegationMode)


def test_a_third_party_survey_score_is_checked_and_reaches_scoring() -> None:
    from decimal import Decimal

    from powerlist.scoring import whistle_from_case

    esc = escalator()
    esc.open_decision(decision(lead=DISTRICT), received_at=T0)
    for event, h in (("respond", 1), ("complete", 2), ("feed_back", 3)):
        esc.record("I1", event, hours(h))
    before = esc.case("I1").history
    for bad in ("一百", 101, -1, "NaN", True):
        with pytest.raises(InputError) as caught:
            esc.record("I1", "evaluate", hours(4), satisfaction="满意", third_party=bad)
        assert caught.value.problems[0].field == "third_party"
        assert esc.case("I1").history == before
    esc.record("I1", "evaluate", hours(4), satisfaction="满意", third_party="85.5")
    record = whistle_from_case(esc.case("I1"))
    assert record is not None and record.third_party == Decimal("85.5")


def test_a_late_response_is_the_fault_of_the_unit_that_owed_it_even_after_the_case_moved_on() -> None:
    esc = escalator()
    esc.open_decision(decision(lead=STREET), received_at=T0)  # respond_by T0 + 24 h
    esc.record("I1", "respond", hours(30))
    esc.record("I1", "dispatch", hours(31), to=STATIONED.code)  # before any tick
    (note,) = esc.tick(hours(32))
    assert (note.action, note.finding, note.to_unit) == ("note", "慢到位", STREET.code)
    assert STREET.name in note.reason and "2026-07-02T09:00:00+08:00" in note.reason
    assert esc.store.count_findings(STREET.code, "2026Q3") == 1
    assert esc.store.count_findings(STATIONED.code, "2026Q3") == 0


def test_every_event_a_tick_appends_names_its_actor_and_rule() -> None:
    esc = escalator()
    esc.open_decision(decision(lead=COMMUNITY), received_at=T0)
    esc.open_decision(decision(issue_id="I2", lead=STATIONED), received_at=T0)
    esc.record("I2", "return", hours(1))
    actions = esc.tick(hours(400))
    assert {a.action for a in actions} >= {"remind", "escalate", "supervise"}
    for case_id in ("I1", "I2"):
        ticked = [r for r in esc.case(case_id).history if r.rule]
        assert ticked and all(r.actor == "420200-supervision" for r in ticked)


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        (
            ('then = { action = "urge", finding = "不到位"', 'then = { action = "urgent", finding = "不到位"'),
            "unknown action",
        ),
        (('finding = "不到位", target = "city"', 'finding = "不到位", target = "cty"'), "unknown target"),
        (('target = "self", grace_hours = 24 }', 'target = "self", grace_hours = -1 }'), "grace_hours"),
    ],
)
def test_an_unknown_action_or_target_is_refused_when_the_rules_load(
    tmp_path: Any, replace: tuple[str, str], message: str
) -> None:
    """It would otherwise fail in the middle of a tick and abort it for every due case."""
    from powerlist.resources import rules_dir

    text = (rules_dir() / "escalation.toml").read_text(encoding="utf-8")
    assert replace[0] in text
    (tmp_path / "escalation.toml").write_text(text.replace(*replace, 1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        Escalator(SQLiteCaseStore(), None, RuleSet.load(tmp_path))
    (problem,) = caught.value.problems
    assert message in problem.message and problem.row and problem.field.startswith("esc_response_due.")


def test_a_hand_dispatch_or_escalation_names_the_unit_holding_the_case_as_its_actor() -> None:
    esc = escalator()
    esc.open_decision(decision(lead=COMMUNITY), received_at=T0)
    esc.record("I1", "dispatch", hours(1), to=STREET.code)
    assert esc.case("I1").history[-1].actor == COMMUNITY.code
    esc.record("I1", "escalate", hours(2), to=DISTRICT.code)
    assert esc.case("I1").history[-1].actor == STREET.code
    esc.record("I1", "escalate", hours(3), by=STREET.code, to=CITY.code)
    assert esc.case("I1").history[-1].actor == STREET.code
    esc.record("I1", "supervise", hours(4))
    assert esc.case("I1").history[-1].actor == "420200-supervision"


# ---- accountability never targets a community (issue 11) --------------------------------------
# The report: 对于职能部门在工作中不到位、慢到位或到位不作为等情况，及时进行通报批评、工作约谈；情节严重
# 的，移送纪检监察机关和组织人事部门依纪依法予以问责. A 居委会 is a self-governing body (城市居民委员会
# 组织法 第二条), not a 职能部门 that reports for duty.

SANCTIONS = {"criticise", "interview", "refer"}


@settings(max_examples=60)
@given(scenario)
def test_no_finding_and_no_sanction_ever_names_a_community(value: Any) -> None:
    esc, _, _ = run(value)
    for action in esc.store.actions():
        if action.action in SANCTIONS:
            assert action.to_unit != COMMUNITY.code
        if action.finding:
            assert action.from_unit != COMMUNITY.code or action.action == "urge"
    for term in ("2026Q3", "2026Q4", "2027Q1"):
        assert esc.store.count_findings(COMMUNITY.code, term) == 0


def test_unanswered_community_cases_escalate_but_count_no_fault_while_a_street_is_criticised() -> None:
    esc = escalator()
    for i in range(3):
        esc.open_decision(decision(issue_id=f"C{i}", lead=COMMUNITY), received_at=T0)
        esc.open_decision(decision(issue_id=f"S{i}", lead=STREET), received_at=T0)
    actions = esc.tick(hours(24 + 25))
    community = [a for a in actions if a.case_id.startswith("C") and a.action == "escalate"]
    assert len(community) == 3 and all(a.finding is None for a in community)
    assert all(a.to_unit == STREET.code for a in community)  # the community calls the street
    assert esc.store.count_findings(COMMUNITY.code, "2026Q3") == 0
    street = [a for a in actions if a.case_id.startswith("S") and a.action == "escalate"]
    assert len(street) == 3 and all(a.finding == "不到位" for a in street)
    criticised = [a for a in actions if a.action == "criticise"]
    assert [a.to_unit for a in criticised] == [STREET.code]


def test_referral_goes_to_discipline_inspection_and_the_organisation_department() -> None:
    (row,) = [r for r in RULES.table("esc_accountability").rows if r.id == "esc_accountability.referral"]
    assert "纪检监察机关" in row.then["label"] and "组织人事部门" in row.then["label"]
