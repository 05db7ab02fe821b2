"""The compiled engine's plans (a decision kept per place and flags, stamped again with each
issue's id and deadlines) change nothing: every stamped decision equals the plain pipeline's,
byte for byte, and is a valid `Decision` through full pydantic validation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlist.catalog.catalog import Catalog
from powerlist.errors import CalendarError
from powerlist.routing.decision import Decision
from powerlist.routing.engines import ReferenceEvaluator
from powerlist.routing.issue import SHANGHAI, Issue, RequestKind
from powerlist.routing.pipeline import decide
from powerlist.routing.router import Router
from powerlist.routing.tables import RuleSet
from powerlist.testing.strategies import catalogs, issues

RULES = RuleSet.load()


def _dump(decision: Decision) -> str:
    return json.dumps(decision.model_dump(mode="json"), ensure_ascii=False)


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    from powerlist.catalog.loader import load_catalogs

    return load_catalogs()


# The same issue again, with another id and clock (what a plan is reused for), and sometimes
# one flag changed (what must not reuse it). Offsets reach across nights, weekends and
# holidays, to and from minute- and day-based limits.
_again = st.tuples(
    st.from_regex(r"R[0-9]{1,6}", fullmatch=True),
    st.integers(-400 * 24 * 60, 400 * 24 * 60).map(lambda m: timedelta(minutes=m)),
    st.just({}) | st.fixed_dictionaries({}, optional={
        "repeat_count": st.integers(0, 6),
        "request_kind": st.none() | st.sampled_from(list(RequestKind)),
        "emergency": st.booleans(),
        "key_work": st.booleans(),
        "needs_enforcement": st.booleans(),
        "cross_department": st.booleans(),
    }),
)
Again = tuple[str, timedelta, dict[str, object]]


def _variants(base: list[Issue], again: list[list[Again]]) -> list[Issue]:
    out: list[Issue] = []
    for item, more in zip(base, again, strict=False):  # again may have more lists than base
        out.append(item)
        for n, (issue_id, shift, changes) in enumerate(more):
            received = item.received_at + shift
            if not 2024 <= received.year <= 2026:
                received = item.received_at - shift
            out.append(item.model_copy(update={"id": f"{issue_id}-{n}", "received_at": received,
                                               **changes}))
    return out


def _check(catalog: Catalog, items: list[Issue]) -> None:
    router = Router(catalog, RULES, engine="compiled")
    reference = ReferenceEvaluator()
    # interleaved, so plans are built by one issue and stamped for others
    for item, decision in zip(items, router.route_many(items), strict=True):
        if decision.status != "routed":
            assert list(Router(catalog, RULES).route_many([item]))[0].model_dump(mode="json") \
                == decision.model_dump(mode="json")
            continue
        expected = decide(item, catalog, RULES, router.calendar, reference, router.rules_version)
        assert _dump(decision) == _dump(expected)
        assert decision == expected
        assert decision.issue_id == item.id and decision.rules_version == router.rules_version
        # full validation, both from JSON and from Python values
        assert Decision.model_validate_json(decision.model_dump_json()) == decision
        assert Decision.model_validate(decision.model_dump()) == decision
        assert decision.model_fields_set == expected.model_fields_set
        assert decision.model_copy(update={"issue_id": "copy"}).issue_id == "copy"  # its own fields set
        assert all(p.model_copy(update={"code": "c"}).code == "c" for p in decision.powers)


@settings(max_examples=40)
@given(data=st.data())
def test_stamped_plans_equal_the_pipeline_on_the_shipped_catalogs(shipped: Catalog,
                                                                  data: st.DataObject) -> None:
    base = data.draw(st.lists(issues(shipped), min_size=1, max_size=4))
    again = data.draw(st.lists(st.lists(_again, max_size=4), min_size=len(base),
                               max_size=len(base)))
    items = _variants(base, again)
    order = data.draw(st.permutations(items))
    _check(shipped, list(order))


@settings(max_examples=25)
@given(catalogs().flatmap(lambda c: st.tuples(
    st.just(c), st.lists(issues(c), min_size=1, max_size=3),
    st.lists(st.lists(_again, max_size=3), min_size=3, max_size=3))))
def test_stamped_plans_equal_the_pipeline_on_random_catalogs(
        drawn: tuple[Catalog, list[Issue], list[list[Again]]]) -> None:
    catalog, base, again = drawn
    _check(catalog, _variants(base, again))


def test_a_busy_router_matches_the_pipeline_on_many_issues(shipped: Catalog) -> None:
    """Many issues sharing places and flags: most decisions are stamped from kept plans."""
    router = Router(shipped, RULES, engine="compiled")
    reference = ReferenceEvaluator()
    categories = sorted(shipped.categories)[:12]
    locations = sorted(shipped.streets)[:3] + sorted(shipped.communities)[:3]
    start = datetime(2025, 9, 26, 8, 30, tzinfo=SHANGHAI)  # the National Day holiday follows
    items = [
        Issue(id=f"M{n}", received_at=start + timedelta(hours=7 * n), category=categories[n % 12],
              location=locations[n % 6], emergency=n % 17 == 0, needs_enforcement=n % 5 == 0,
              request_kind=("投诉", "咨询", None)[n % 3], repeat_count=n % 7)
        for n in range(600)
    ]
    decisions = list(router.route_many(items))
    assert len(router._plans) < len(items)  # plans were reused
    for item, decision in zip(items, decisions, strict=True):
        expected = decide(item, shipped, RULES, router.calendar, reference, router.rules_version)
        assert _dump(decision) == _dump(expected)


def test_a_plan_reused_in_a_year_the_calendar_does_not_know(shipped: Catalog) -> None:
    compiled = Router(shipped, RULES, engine="compiled")
    durable = Router(shipped, RULES, engine="durable")
    category = next(c for c in sorted(shipped.categories)
                    if shipped.categories[c].scope.value == "ordinary")
    known = Issue(id="Y1", received_at=datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI),
                  category=category, location=sorted(shipped.streets)[0])
    unknown = known.model_copy(update={"id": "Y2",
                                       "received_at": datetime(2099, 3, 3, 9, tzinfo=SHANGHAI)})
    compiled.route(known)  # the plan exists
    for router in (compiled, durable):
        with pytest.raises(CalendarError):
            router.route(unknown)
    a, b = (list(r.route_many([unknown]))[0] for r in (compiled, durable))
    assert a.status == "rejected" and _dump(a) == _dump(b)
    assert _dump(compiled.route(known)) == _dump(durable.route(known))


# ---- the durable engine picks a `first`/`priority` row itself, with one post ----------------

_OVERLAPPING = '''
[meta]
title = "overlapping rows, every hit policy"

[params]

[[tables]]
name = "{name}"
hit_policy = "{policy}"
inputs = ["a", "b", "n"]
outputs = ["out"]
rows = [
  {{ id = "r0", when = {{ a = "x" }}, then = {{ out = 0 }}, why = "a is x"{p0} }},
  {{ id = "r1", when = {{ a = ["x", "y"], b = true }}, then = {{ out = 1 }}, why = "a x/y, b"{p1} }},
  {{ id = "r2", when = {{ n = ">=3" }}, then = {{ out = 2 }}, why = "n at least 3"{p2} }},
  {{ id = "r3", when = {{ b = false, n = "<5" }}, then = {{ out = 3 }}, why = "not b, n under 5"{p3} }},
  {{ id = "r4", when = {{ }}, then = {{ out = 4 }}, why = "anything"{p4} }},
  {{ id = "r5", when = {{ a = "z" }}, then = {{ out = 5 }}, why = "a is z"{p5} }},
]
'''


@pytest.fixture(scope="module")
def overlapping(tmp_path_factory: pytest.TempPathFactory) -> list[object]:
    tables = []
    # priorities with ties, so that table order breaks them
    priorities = {"first": [None] * 6, "collect": [None] * 6, "unique": [None] * 6,
                  "priority": [1, 5, 5, 0, -2, 9]}
    for policy, given_priorities in priorities.items():
        root = tmp_path_factory.mktemp(f"rules-{policy}")
        fields = {f"p{n}": "" if p is None else f", priority = {p}"
                  for n, p in enumerate(given_priorities)}
        (root / "t.toml").write_text(_OVERLAPPING.format(name=f"overlap_{policy}", policy=policy,
                                                         **fields), encoding="utf-8")
        tables.append(RuleSet.load(root).table(f"overlap_{policy}"))
    return tables


@settings(max_examples=60)
@given(st.fixed_dictionaries({
    "a": st.sampled_from(["x", "y", "z", "w"]),
    "b": st.booleans() | st.just(1),
    "n": st.integers(0, 7),
}))
def test_durable_tables_equal_the_reference_scan(overlapping: list[object],
                                                 facts: dict[str, object]) -> None:
    from powerlist.routing.durable_tables import durable_table

    for table in [*overlapping, *RULES.tables.values()]:
        durable = durable_table(table, "equivalence-test")  # type: ignore[arg-type]
        try:
            expected = [row.id for row in table.evaluate(facts)]  # type: ignore[attr-defined]
        except Exception as error:  # noqa: BLE001 — an ambiguous unique table, for one
            with pytest.raises(type(error)):
                durable.evaluate(facts)
            continue
        assert [row.id for row in durable.evaluate(facts)] == expected
