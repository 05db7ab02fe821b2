"""The compiled escalation engine decides what the durable-rules engine decides (differential).

Two levels, as for routing (tests/test_router_engines.py):
- table by table: every escalation table, on facts drawn over its inputs' domains (the values its
  rows name, both bools, missing inputs and values of the wrong type), selects the same rows on
  the compiled tables, on durable-rules and in the reference scan — or both refuse alike;
- tick by tick: the same random scenarios (cases opened, events recorded, clock ticks) and the
  same random case histories played on two stores, one per engine, give the same actions, the
  same histories event for event, and the same findings.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_escalation import RULES, T0, run, scenario

from powerlist.cases.escalation_rules import TABLES, EscalationRules
from powerlist.cases.escalator import Escalator
from powerlist.cases.sqlite import SQLiteCaseStore
from powerlist.routing.durable_tables import durable_table
from powerlist.routing.engines import CompiledEvaluator, ReferenceEvaluator
from powerlist.routing.tables import AmbiguousMatch, DecisionTable
from powerlist.testing.strategies import case_histories


def _domain(table: DecisionTable, name: str) -> st.SearchStrategy[Any]:
    named = sorted({repr(v): v for row in table.rows if (c := row.when.get(name)) for v in c.values}.values(),
                   key=repr)
    return st.sampled_from([*named, True, False]) | st.sampled_from([None, 0, 1, "", "true", "other"])


def _facts(table: DecisionTable) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={name: _domain(table, name) for name in table.inputs})


def _rows(evaluate: Any, table: DecisionTable, facts: dict[str, Any]) -> list[str] | type[Exception]:
    try:
        return [row.id for row in evaluate(table, facts)]
    except AmbiguousMatch:
        return AmbiguousMatch


@pytest.mark.parametrize("name", TABLES)
def test_each_table_selects_the_same_rows_on_every_engine(name: str) -> None:
    table = RULES.table(name)
    compiled, reference = CompiledEvaluator(RULES), ReferenceEvaluator()
    durable = durable_table(table, RULES.version)

    @settings(max_examples=300, deadline=None)
    @given(_facts(table))
    def check(facts: dict[str, Any]) -> None:
        expected = _rows(reference, table, facts)
        assert _rows(compiled, table, facts) == expected
        assert _rows(lambda t, f: durable.evaluate(f), table, facts) == expected

    check()


def test_every_row_of_every_table_is_reached_by_the_domains() -> None:
    # The drawn domains are wide enough to fire every row somewhere (else the test above could
    # pass on tables it never really exercises).
    import itertools

    for name in TABLES:
        table = RULES.table(name)
        values = [[*{repr(v): v for row in table.rows if (c := row.when.get(i)) for v in c.values}.values(),
                   True, False, None] for i in table.inputs]
        fired = set()
        for combo in itertools.product(*values):
            try:
                fired.update(row.id for row in table.evaluate(dict(zip(table.inputs, combo, strict=True))))
            except AmbiguousMatch:
                continue
        assert fired == {row.id for row in table.rows}, name


def test_the_engine_is_named_and_checked() -> None:
    assert EscalationRules(RULES).engine == "compiled"
    assert EscalationRules(RULES, "durable").engine == "durable"
    with pytest.raises(ValueError):
        EscalationRules(RULES, "fast")


def _state(esc: Escalator, case_ids: list[str]) -> list[Any]:
    histories = [[(r.n, r.at, r.event, r.actor, r.rule, r.details) for r in esc.case(c).history] for c in case_ids]
    actions = sorted((a.key, a.case_id, a.action, a.from_unit, a.to_unit, a.rule, a.reason, a.at)
                     for a in esc.store.actions())
    return [histories, actions, esc.store.findings()]


@settings(max_examples=40, deadline=None)
@given(scenario)
def test_random_scenarios_tick_alike_on_both_engines(value: Any) -> None:
    compiled, compiled_log, _ = run(value, engine="compiled")
    durable, durable_log, _ = run(value, engine="durable")
    assert compiled_log == durable_log
    case_ids = [f"I{i}" for i in range(len(value[0]))]
    assert _state(compiled, case_ids) == _state(durable, case_ids)


@settings(max_examples=40, deadline=None)
@given(st.lists(case_histories(max_events=10), min_size=1, max_size=4, unique_by=lambda h: h.case_id),
       st.lists(st.integers(0, 20 * 24), min_size=1, max_size=4))
def test_random_case_histories_tick_alike_on_both_engines(histories: list[Any], ticks: list[int]) -> None:
    escalators = {}
    for engine in ("compiled", "durable"):
        store = SQLiteCaseStore()
        for history in histories:
            history.store_into(store)
        escalators[engine] = Escalator(store, None, RULES, engine=engine)
    latest = max(history.snapshot.last_at for history in histories)
    from powerlist.cases.lifecycle import unstamp

    clock = max(unstamp(latest), T0)
    for hours in sorted(ticks):
        now = clock + timedelta(hours=hours)
        got = {engine: [(a.case_id, a.action, a.from_unit, a.to_unit, a.rule, a.key) for a in esc.tick(now)]
               for engine, esc in escalators.items()}
        assert got["compiled"] == got["durable"]
    case_ids = [history.case_id for history in histories]
    assert _state(escalators["compiled"], case_ids) == _state(escalators["durable"], case_ids)
