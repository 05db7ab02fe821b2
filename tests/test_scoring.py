"""Two-way scoring (issue 5): the report's formulas, floors, veto, and exact period aggregation."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from powerlist.errors import InputError
from powerlist.routing.issue import SHANGHAI
from powerlist.scoring import (
    ComponentParams,
    Period,
    Profile,
    Satisfaction,
    ScoringError,
    Veto,
    WhistleRecord,
    annual_result,
    annual_score,
    calls_component,
    department_score,
    load_config,
    publish,
    score_period,
    score_whistle,
    street_score,
    tally,
)

# ---------------------------------------------------------------- strategies (reusable)

decimals_0_100 = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
weights = st.decimals(min_value=Decimal("0.30"), max_value=1, places=2)

Q3 = Period.parse("2026Q3")


_TIMES = st.tuples(st.integers(1, 48), st.integers(1, 15), st.integers(0, 2**9 - 1))
_LATE = st.tuples(
    st.one_of(st.none(), st.integers(-3600, 40 * 3600)), st.one_of(st.none(), st.integers(-86400, 12 * 86400))
)
_CODES = st.tuples(
    st.sampled_from(["420202001", "420202002", "420203001"]),
    st.sampled_from(["420202-market", "420202001-police", "420200-housing", "420202001"]),
    st.sampled_from([None, "日常哨", "重点哨", "协调哨", "应急哨"]),
    st.sampled_from([None, "A", "B", "C", "D"]),
    st.sampled_from([None, "满意", "基本满意", "不满意"]),
)
_SURVEY = st.one_of(st.none(), decimals_0_100)


@st.composite
def whistle_records(draw: st.DrawFn, period: Period = Q3, ident: int | None = None) -> WhistleRecord:
    """A whistle received in `period` (strategies built once: generation stays cheap)."""
    offset = draw(st.integers(0, int((period.end - period.start).total_seconds()) - 1))
    respond_h, complete_d, flags = draw(_TIMES)
    responded, completed = draw(_LATE)
    street, unit, kind, grade, satisfaction = draw(_CODES)
    received = period.start + timedelta(seconds=offset)
    respond_by = received + timedelta(hours=respond_h)
    complete_by = received + timedelta(days=complete_d)
    responded_at = None if responded is None else respond_by + timedelta(seconds=responded)
    completed_at = None if completed is None else complete_by + timedelta(seconds=completed)
    if responded_at is not None and completed_at is not None:
        completed_at = max(completed_at, responded_at)  # a record completes after its response
    return WhistleRecord(
        case_id=f"W{ident if ident is not None else draw(st.integers(0, 10**9))}",
        street=street,
        unit=unit,
        kind=kind,
        grade=grade,
        received_at=received,
        respond_by=respond_by,
        responded_at=responded_at,
        complete_by=complete_by,
        completed_at=completed_at,
        satisfaction=satisfaction,
        third_party=draw(_SURVEY),
        extensions=flags & 3,
        reopened=(flags >> 2) & 1,
        street_held_power=bool(flags & 8),
        returned=bool(flags & 16),
        buck_passing=bool(flags & 32),
        via_platform=bool(flags & 64) or bool(flags & 128),
    )


@st.composite
def whistle_batches(draw: st.DrawFn, max_size: int = 15) -> list[WhistleRecord]:
    n = draw(st.integers(0, max_size))
    return [draw(whistle_records(ident=i)) for i in range(n)]


# ---------------------------------------------------------------- the report's weights, by hand


def test_department_example_from_the_report_weights() -> None:
    # 10% × 100 + 40% × 80 + 50% × 90 = 10 + 32 + 45
    assert department_score(100, 80, 90) == Decimal("87")
    assert publish(department_score(100, 80, 90)) == Decimal("87.00")
    assert str(publish(department_score(100, 80, 90))) == "87.00"


def test_street_example_from_the_report_weights() -> None:
    # 10% × 80 + 50% × 60 + 40% × 75 = 8 + 30 + 30
    assert street_score(80, 60, 75) == Decimal("68")
    # 10% × 95.5 + 50% × 70.25 + 40% × 88.8 = 9.55 + 35.125 + 35.52 = 80.195 → 80.20 (half up)
    value = street_score(Decimal("95.5"), Decimal("70.25"), Decimal("88.8"))
    assert value == Decimal("80.195")
    assert publish(value) == Decimal("80.20")


def test_annual_examples() -> None:
    assert annual_score(87, 90, Decimal("0.30")) == Decimal("89.1")  # 26.1 + 63
    assert annual_score(68, 80, Decimal("0.15"), subject="street") == Decimal("78.2")  # 10.2 + 68


def test_no_drift_where_float_would() -> None:
    # 0.1 + 0.2 != 0.3 in float; a third of the way is kept exact until publication.
    assert department_score("0.1", "0.2", "0") == Decimal("0.09")
    third = department_score(Fraction(100, 3), Fraction(100, 3), Fraction(100, 3))
    assert third == Fraction(100, 3)
    assert publish(third) == Decimal("33.33")
    assert publish(Fraction(1, 200)) == Decimal("0.01")  # half up, not half even
    assert publish(Decimal("2.345")) == Decimal("2.35")


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        department_score(100.0, 80, 90)  # type: ignore[arg-type]


def test_scores_out_of_range_are_refused() -> None:
    with pytest.raises(ScoringError, match="within 0..100"):
        department_score(101, 80, 90)
    with pytest.raises(ScoringError):
        street_score(-1, 80, 90)


# ---------------------------------------------------------------- properties


@given(decimals_0_100, decimals_0_100, decimals_0_100, st.sampled_from(["default", "three_rates"]))
def test_every_score_in_range(a: Decimal, b: Decimal, c: Decimal, profile: str) -> None:
    for value in (department_score(a, b, c, profile), street_score(a, b, c, profile)):
        assert 0 <= value <= 100
        assert 0 <= publish(value) <= 100


@given(
    decimals_0_100, decimals_0_100, decimals_0_100, st.integers(0, 2), decimals_0_100,
    st.sampled_from(["default", "three_rates"]),
)
def test_each_score_monotone_in_each_component(
    a: Decimal, b: Decimal, c: Decimal, which: int, bigger: Decimal, profile: str
) -> None:
    low = [a, b, c]
    high = list(low)
    high[which] = max(low[which], bigger)
    assert department_score(*low, profile=profile) <= department_score(*high, profile=profile)
    assert street_score(*low, profile=profile) <= street_score(*high, profile=profile)


@given(decimals_0_100, decimals_0_100, weights, st.sampled_from(["department", "street"]))
def test_annual_in_range_and_monotone(a: Decimal, b: Decimal, w: Decimal, subject: str) -> None:
    value = annual_score(a, b, w, subject)  # type: ignore[arg-type]
    assert 0 <= value <= 100
    assert annual_score(min(a + 1, Decimal(100)), b, w, subject) >= value  # type: ignore[arg-type]
    assert annual_score(a, min(b + 1, Decimal(100)), w, subject) >= value  # type: ignore[arg-type]


def test_every_shipped_profile_sums_to_one() -> None:
    config = load_config()
    assert config.default_profile == "default"
    for profile in config.profiles.values():
        dep = profile.department
        stt = profile.street
        assert dep.response + dep.completion + dep.satisfaction == 1
        assert stt.mechanism + stt.calls + stt.quality == 1
        assert min(dep.response, dep.completion, dep.satisfaction, stt.mechanism, stt.calls, stt.quality) >= 0
    default = config.profile()
    assert (default.department.response, default.department.completion, default.department.satisfaction) == (
        Decimal("0.10"),
        Decimal("0.40"),
        Decimal("0.50"),
    )
    assert (default.street.mechanism, default.street.calls, default.street.quality) == (
        Decimal("0.10"),
        Decimal("0.50"),
        Decimal("0.40"),
    )


@given(st.decimals(min_value=-1, max_value=Decimal("0.2999"), places=4), st.sampled_from(["department", "street"]))
def test_floors_enforced(w: Decimal, subject: str) -> None:
    floor = Decimal("0.30") if subject == "department" else Decimal("0.15")
    if w >= floor:
        annual_score(50, 50, w, subject)  # type: ignore[arg-type]
        return
    with pytest.raises(ScoringError, match="below the floor"):
        annual_score(50, 50, w, subject)  # type: ignore[arg-type]


def test_floor_boundaries() -> None:
    annual_score(50, 50, "0.30", "department")
    annual_score(50, 50, "0.15", "street")
    with pytest.raises(ScoringError, match="below the floor 0.30"):
        annual_score(50, 50, "0.2999", "department")
    with pytest.raises(ScoringError, match="below the floor 0.15"):
        annual_score(50, 50, "0.14", "street")
    with pytest.raises(ScoringError, match="at most 1"):
        annual_score(50, 50, "1.01", "street")


@given(decimals_0_100, decimals_0_100, weights, st.sampled_from(["安全生产", "环境保护", "党风廉政", "综治维稳"]))
def test_a_veto_always_fails_the_unit(a: Decimal, b: Decimal, w: Decimal, item: str) -> None:
    veto = Veto(subject="U1", item=item, date="2026-05-01", note="事故")
    result = annual_result("U1", a, b, w, "department", [veto], Period.parse("2026"), pass_mark=0)
    assert not result.passed and result.vetoed
    assert any(item in reason for reason in result.reasons)
    other = annual_result("U2", a, b, w, "department", [veto], Period.parse("2026"), pass_mark=0)
    assert other.passed and not other.vetoed


def test_veto_outside_the_period_does_not_count_and_perfect_scores_still_fail() -> None:
    veto = Veto(subject="420202001", item="综治维稳", date="2025-12-31")
    assert annual_result("420202001", 100, 100, "0.15", "street", [veto], Period.parse("2026")).passed
    failed = annual_result("420202001", 100, 100, "0.15", "street", [veto], Period.parse("2025"))
    assert not failed.passed and failed.outcome == "不合格（一票否决）"
    assert failed.reasons == ("一票否决 综治维稳 (2025-12-31)",)


def test_bad_veto_item() -> None:
    with pytest.raises(ValueError):
        Veto(subject="X", item="目标管理", date="2026-01-01")


# ---------------------------------------------------------------- profiles


def _write_rules(
    tmp_path: Path, department: str, street: str = "{ mechanism = 0.10, calls = 0.50, quality = 0.40 }"
) -> Path:
    path = tmp_path / "scoring.toml"
    path.write_text(
        "[meta]\nname = \"scoring\"\n[params]\ndefault_profile = \"x\"\n"
        f"[params.profiles.x]\ndepartment = {department}\nstreet = {street}\n",
        encoding="utf-8",
    )
    return path


def test_profile_not_summing_to_one_is_rejected_located(tmp_path: Path) -> None:
    path = _write_rules(tmp_path, "{ response = 0.10, completion = 0.40, satisfaction = 0.49 }")
    with pytest.raises(InputError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    assert problem.code == "weights-not-one"
    assert problem.field == "params.profiles.x.department"
    assert problem.row == 6 and problem.file == str(path.resolve())
    assert "sum to 0.99" in problem.message


def test_negative_weight_is_rejected(tmp_path: Path) -> None:
    path = _write_rules(
        tmp_path,
        "{ response = -0.10, completion = 0.60, satisfaction = 0.50 }",
        "{ mechanism = 0.10, calls = 0.50, quality = 0.30 }",
    )
    with pytest.raises(InputError) as caught:
        load_config(path)
    codes = sorted(p.code or "" for p in caught.value.problems)
    assert codes == ["negative-weight", "weights-not-one"]  # both subjects reported at once


def test_exact_sum_not_float_sum(tmp_path: Path) -> None:
    # 0.1 + 0.2 + 0.7 is exactly 1 in decimal (not in float): accepted.
    load_config(_write_rules(tmp_path, "{ response = 0.1, completion = 0.2, satisfaction = 0.7 }"))
    with pytest.raises(InputError):
        Profile.build(
            "y",
            {"response": "0.333", "completion": "0.333", "satisfaction": "0.333"},
            {"mechanism": 0, "calls": 1, "quality": 0},
        )


def test_unknown_profile() -> None:
    with pytest.raises(InputError, match="unknown scoring profile"):
        department_score(1, 2, 3, profile="nope")


# ---------------------------------------------------------------- per-whistle components


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 7, day, hour, tzinfo=SHANGHAI)


def _record(**kw: object) -> WhistleRecord:
    base: dict[str, object] = dict(
        case_id="C1",
        street="420202001",
        unit="420202-market",
        kind="日常哨",
        grade="C",
        received_at=_at(1),
        respond_by=_at(1, 11),
        responded_at=_at(1, 10),
        complete_by=_at(6),
        completed_at=_at(5),
        satisfaction="满意",
    )
    base.update(kw)
    return WhistleRecord(**base)  # type: ignore[arg-type]


def test_response_falls_linearly_with_lateness() -> None:
    assert score_whistle(_record()).response == 100
    assert score_whistle(_record(responded_at=_at(1, 23))).response == 50  # 12 h late of 24
    assert score_whistle(_record(responded_at=_at(3))).response == 0
    assert score_whistle(_record(responded_at=None)).response == 0
    pending = score_whistle(_record(responded_at=None), as_of=_at(1, 10))
    assert pending.response is None and "within its time limit" in pending.notes[0]


def test_completion_penalties_and_lateness() -> None:
    assert score_whistle(_record()).completion == 100
    assert score_whistle(_record(completed_at=_at(11))).completion == 50  # 120 h late of 240
    assert score_whistle(_record(extensions=2, reopened=1)).completion == 80  # − 2×5 − 10
    assert score_whistle(_record(buck_passing=True, reopened=10)).completion == 0
    assert score_whistle(_record(complete_by=None)).completion is None


def test_satisfaction_blend() -> None:
    assert score_whistle(_record(satisfaction="基本满意")).satisfaction == 80
    assert score_whistle(_record(satisfaction="不满意", third_party=Decimal(90))).satisfaction == 27  # 0.3 × 90
    assert score_whistle(_record(satisfaction=None, third_party="75.5")).satisfaction == Fraction("75.5")
    assert score_whistle(_record(satisfaction=None)).satisfaction is None
    assert _record(satisfaction="满意").satisfaction is Satisfaction.SATISFIED


def test_calls_band() -> None:
    params = ComponentParams()
    q = Period.parse("2026Q3")  # 30 staff × 3/12 → band [7.5, 45]
    assert calls_component(45, 30, q, params) == (100, (Fraction(15, 2), Fraction(45)))
    assert calls_component(0, 30, q, params)[0] == 0
    assert calls_component(3, 30, q, params)[0] == 40  # 100 × 3 / 7.5
    assert calls_component(90, 30, q, params)[0] == 60
    assert calls_component(500, 30, q, params)[0] == 60
    assert calls_component(54, 30, q, params)[0] == 92  # 100 − 9/45 × 40


def test_period_parse() -> None:
    assert Period.parse("2026Q3").label == "2026Q3"
    assert Period.parse("2026-q3").start == datetime(2026, 7, 1, tzinfo=SHANGHAI)
    assert Period.parse("202612").end == datetime(2027, 1, 1, tzinfo=SHANGHAI)
    assert Period.parse("2026").months == 12
    for bad in ("2026Q5", "2026-13", "Q3", ""):
        with pytest.raises(InputError):
            Period.parse(bad)


# ---------------------------------------------------------------- period aggregation


def test_period_example() -> None:
    records = [
        _record(case_id="A"),
        _record(case_id="B", responded_at=_at(1, 23), satisfaction="基本满意"),
        _record(case_id="C", unit="420202-housing", street_held_power=True),
        _record(case_id="D", received_at=datetime(2026, 10, 1, tzinfo=SHANGHAI), respond_by=None, responded_at=None,
                complete_by=None, completed_at=None),  # next quarter
    ]
    scores = score_period(records, Q3, staff={"420202001": 4, "420202002": 10})
    assert scores.outside == 1 and scores.as_json()["outside_period"] == 1
    market = next(d for d in scores.departments if d.unit == "420202-market")
    assert market.cases == ("A", "B") and market.whistles == 2
    assert market.response == 75 and market.completion == 100 and market.satisfaction == 90
    assert market.score == Decimal("92.5")  # 7.5 + 40 + 45
    assert market.counts == {"response": 2, "completion": 2, "satisfaction": 2}
    street = next(s for s in scores.streets if s.street == "420202001")
    # 3 whistles, band [1, 6] for 4 staff a quarter; 2 of 3 actionable; all records complete
    assert (street.whistles, street.mechanism, street.calls, street.quality) == (3, 100, 100, Fraction(200, 3))
    assert publish(street.score) == Decimal("86.67")  # 10 + 50 + 26.666…
    quiet = next(s for s in scores.streets if s.street == "420202002")
    assert quiet.whistles == 0 and quiet.score == 0 and quiet.rank == 2
    assert [d.rank for d in scores.departments] == [1, 2]


def test_duplicate_whistles_rejected() -> None:
    with pytest.raises(InputError, match="duplicate"):
        score_period([_record(), _record()], Q3)


@given(whistle_batches(), st.randoms(use_true_random=False))
def test_period_result_independent_of_order(records: list[WhistleRecord], rnd: random.Random) -> None:
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert score_period(records, Q3).as_json() == score_period(shuffled, Q3).as_json()
    assert score_period(records, Q3).departments == score_period(shuffled, Q3).departments


@given(whistle_batches(), st.integers(0, 92 * 86400))
def test_split_and_merge_gives_same_counts_and_sums(records: list[WhistleRecord], cut: int) -> None:
    boundary = Q3.start + timedelta(seconds=cut)
    first = [r for r in records if r.received_at < boundary]
    second = [r for r in records if r.received_at >= boundary]
    whole = tally(records, Q3)
    merged = tally(first, Q3) + tally(second, Q3)
    assert merged == whole
    assert merged == tally(second, Q3) + tally(first, Q3)
    assert sum(t.whistles for t in whole.departments.values()) == sum(r.unit != r.street for r in records)
    assert sum(t.whistles for t in whole.streets.values()) == len(records)


@given(whistle_batches())
def test_period_figures_in_range(records: list[WhistleRecord]) -> None:
    scores = score_period(records, Q3)
    for d in scores.departments:
        for value in (d.response, d.completion, d.satisfaction, d.score):
            assert value is None or 0 <= value <= 100
    for s in scores.streets:
        for value in (s.mechanism, s.calls, s.quality, s.score):
            assert 0 <= value <= 100


def test_whistle_back_to_the_street_counts_for_the_street_only() -> None:
    records = [_record(case_id="A"), _record(case_id="B", unit="420202001", street_held_power=True)]
    scores = score_period(records, Q3)
    assert [d.unit for d in scores.departments] == ["420202-market"]
    (street,) = scores.streets
    assert street.whistles == 2 and street.held == 1 and street.quality == 50
    assert [w.case_id for w in scores.whistles] == ["A", "B"]


@given(st.decimals(min_value=-1000, max_value=1000, places=6, allow_nan=False, allow_infinity=False))
def test_publish_is_round_half_up_to_two_places(value: Decimal) -> None:
    from decimal import ROUND_HALF_UP

    assert publish(value) == value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert publish(Fraction(value)) == publish(value)


def test_unit_without_any_satisfaction_is_listed_unscored_and_last() -> None:
    records = [_record(case_id="A"), _record(case_id="B", unit="420202-housing", satisfaction=None)]
    scores = score_period(records, Q3)
    assert [(d.unit, d.rank) for d in scores.departments] == [("420202-market", 1), ("420202-housing", None)]
    housing = scores.departments[1]
    assert housing.score is None and housing.counts["satisfaction"] == 0 and "满意度" in housing.notes[0]
    assert housing.as_json()["score"] is None


def test_annual_results_from_a_period() -> None:
    from powerlist.scoring import annual_results

    year = Period.parse("2026")
    scores = score_period([_record(case_id="A")], year)
    veto = Veto(subject="420202001", item="党风廉政", date="2026-12-31")
    results = annual_results(scores, {"420202-market": 50, "420202001": 100}, vetoes=[veto])
    assert [(r.kind, r.subject, r.passed) for r in results] == [
        ("department", "420202-market", True),
        ("street", "420202001", False),
    ]
    assert results[0].score == Decimal("65")  # 0.30 × 100 + 0.70 × 50
    with pytest.raises(ScoringError, match="below the floor 0.15"):
        annual_results(scores, {}, street_weight="0.1")


def test_overdue_unfinished_whistle_counts_as_unresolved_satisfaction() -> None:
    stuck = score_whistle(_record(completed_at=None, satisfaction=None))
    assert stuck.completion == 0 and stuck.satisfaction == 0 and "逾期未办结" in stuck.notes[0]
    waiting = score_whistle(_record(completed_at=None, satisfaction=None), as_of=_at(2))
    assert waiting.completion is None and waiting.satisfaction is None
    scores = score_period([_record(case_id="A", responded_at=None, completed_at=None, satisfaction=None)], Q3)
    assert scores.departments[0].score == 0 and scores.departments[0].rank == 1


def test_bad_component_parameters_are_located(tmp_path: Path) -> None:
    path = _write_rules(tmp_path, "{ response = 0.10, completion = 0.40, satisfaction = 0.50 }")
    path.write_text(
        path.read_text(encoding="utf-8")
        + "[params.components]\nresponse_zero_after_hours = 0\nthird_party_weight = 1.5\nmystery = 3\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_config(path)
    found = {(p.field, p.row) for p in caught.value.problems}
    assert found == {
        ("params.components.response_zero_after_hours", 9),
        ("params.components.third_party_weight", 10),
        ("params.components.mystery", 11),
    }


def test_a_vetoed_unit_without_a_score_to_fold_is_still_listed_as_failed() -> None:
    """一票否决 fails the unit whatever its score — it must not drop out of the annual list
    because it had no scored whistle or no other assessment score."""
    from powerlist.scoring import annual_results

    year = Period.parse("2026")
    scores = score_period([_record(case_id="A")], year)
    vetoes = [
        Veto(subject="420202-housing", item="安全生产", date="2026-05-01", note="事故"),  # no whistle
        Veto(subject="420202-market", item="环境保护", date="2026-06-01"),  # whistles, no other score
        Veto(subject="420202-water", item="党风廉政", date="2025-06-01"),  # outside the year
    ]
    results = annual_results(scores, {"420202-housing": 90}, vetoes=vetoes)
    by = {r.subject: r for r in results}
    assert set(by) == {"420202-housing", "420202-market"}
    housing = by["420202-housing"]
    assert housing.kind == "department" and not housing.passed and housing.vetoed and housing.score is None
    assert "安全生产" in housing.reasons[0] and "无可评分的吹哨" in housing.reasons[-1]
    assert housing.as_json()["outcome"] == "不合格（一票否决）" and housing.as_json()["score"] is None
    market = by["420202-market"]
    assert not market.passed and market.whistle_score == 100 and "无其他考核得分" in market.reasons[-1]


def test_a_record_out_of_time_order_is_refused_at_its_cell(tmp_path: Path) -> None:
    """A deadline or a response before receipt, or a completion before the response, is a broken
    record: scored as it stands it would earn full marks."""
    with pytest.raises(ValidationError) as caught:
        _record(respond_by=_at(1, 8), responded_at=datetime(2026, 6, 30, 9, tzinfo=SHANGHAI))
    assert {e["loc"][0] for e in caught.value.errors()} == {"respond_by", "responded_at"}
    with pytest.raises(ValidationError) as caught:
        _record(responded_at=_at(3), completed_at=_at(2))
    assert [e["loc"][0] for e in caught.value.errors()] == ["completed_at"]
