"""Two engines, one meaning: the compiled fast path and the durable-rules reference engine give
identical decisions — on random catalogs and on the shipped catalogs."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlist.catalog.catalog import Catalog
from powerlist.routing.engines import CompiledTable, ReferenceEvaluator
from powerlist.routing.issue import Issue
from powerlist.routing.pipeline import decide
from powerlist.routing.router import Router
from powerlist.routing.tables import RuleSet
from powerlist.testing.strategies import catalogs, issues

RULES = RuleSet.load()


def _dump(decision: object) -> str:
    return json.dumps(decision.model_dump(mode="json"), ensure_ascii=False)  # type: ignore[attr-defined]


def _same_everywhere(catalog: Catalog, items: list[Issue]) -> None:
    compiled = Router(catalog, RULES, engine="compiled")
    durable = Router(catalog, RULES, engine="durable")
    reference = ReferenceEvaluator()
    for item in items:
        a = list(compiled.route_many([item]))[0]
        b = list(durable.route_many([item]))[0]
        assert a.model_dump(mode="json") == b.model_dump(mode="json")
        # the compiled engine's caches change nothing: a fresh router agrees byte for byte
        assert _dump(a) == _dump(list(Router(catalog, RULES).route_many([item]))[0])
        if a.status == "routed":
            again = decide(item, catalog, RULES, compiled.calendar, reference, compiled.rules_version)
            assert _dump(again) == _dump(a)


@settings(max_examples=60)
@given(catalogs().flatmap(lambda c: st.tuples(st.just(c), st.lists(issues(c), min_size=1, max_size=4))))
def test_engines_agree_on_random_catalogs(drawn: tuple[Catalog, list[Issue]]) -> None:
    catalog, items = drawn
    _same_everywhere(catalog, items)


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    from powerlist.catalog.loader import load_catalogs

    return load_catalogs()


@settings(max_examples=60)
@given(data=st.data())
def test_engines_agree_on_shipped_catalogs(shipped: Catalog, data: st.DataObject) -> None:
    items = data.draw(st.lists(issues(shipped), min_size=1, max_size=4))
    _same_everywhere(shipped, items)


@given(
    st.fixed_dictionaries({
        "whistle": st.sampled_from(["daily", "key", "coordination", "emergency", "other"]),
        "mode": st.sampled_from(["delegated", "entrusted", "stationed", "district", "city", "none", 1]),
        "has_community": st.booleans() | st.just(1) | st.none(),
        "request_kind": st.sampled_from(["consult", "help", "complaint", "report", "suggestion", "unspecified"]),
        "grade": st.sampled_from(list("ABCDE")),
        "repeated": st.booleans(),
        "has_department": st.booleans(),
    })
)
def test_compiled_tables_equal_the_reference_scan(facts: dict[str, object]) -> None:
    # Including values outside the domains (an int for a bool): True is never 1 in a table.
    for table in RULES.tables.values():
        try:
            expected = [row.id for row in table.evaluate(facts)]
        except Exception as error:  # noqa: BLE001
            with pytest.raises(type(error)):
                CompiledTable(table).evaluate(facts)
            continue
        assert [row.id for row in CompiledTable(table).evaluate(facts)] == expected


@settings(max_examples=80)
@given(catalogs().flatmap(lambda c: st.tuples(st.just(c), st.lists(issues(c), min_size=1, max_size=5))))
def test_decision_properties(drawn: tuple[Catalog, list[Issue]]) -> None:
    catalog, items = drawn
    router = Router(catalog, RULES)
    known_rows = {row.id for table in RULES.tables.values() for row in table.rows}
    for decision in router.route_many(items):
        assert decision.status == "routed"
        assert decision.lead is not None and decision.grade is not None
        # exactly one lead, never also a co-unit; co-units sorted and distinct
        codes = [u.code for u in decision.co_units]
        assert decision.lead.code not in codes and codes == sorted(set(codes))
        # the escalation path starts at the lead and climbs, without repeats
        path = decision.escalation_path
        assert path[0] == decision.lead and len({u.code for u in path}) == len(path)
        ranks = [u.level.rank for u in path]
        assert ranks == sorted(ranks)
        assert decision.level == decision.grade.level
        assert decision.respond_by is not None and decision.complete_by is not None
        assert decision.respond_by <= decision.complete_by
        assert all(step.rule in known_rows or step.rule.startswith("power_list.") or step.rule == "statutes.in_force"
                   for step in decision.trace)
        # principal powers, then related ones (issue 11), each with its role
        category = catalog.categories[decision.category or ""]
        assert [p.code for p in decision.powers] == list(category.all_powers)
        assert [p.role for p in decision.powers] == ["principal"] * len(category.powers) + ["related"] * (
            len(category.all_powers) - len(category.powers))
