"""The public testers' toolkit: every strategy draws valid values; the fixtures work."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from powerlist.cases.lifecycle import Event, replay
from powerlist.cases.sqlite import SQLiteCaseStore
from powerlist.catalog.catalog import Catalog
from powerlist.catalog.power_list import load_power_list
from powerlist.routing.decision import Decision
from powerlist.routing.issue import Issue
from powerlist.testing import (
    CaseHistory,
    PowerListWorkbook,
    case_histories,
    catalogs,
    issues,
    power_list_workbooks,
    power_lists,
)

pytest_plugins = ["powerlist.testing.fixtures"]
FEW = settings(max_examples=25)


@FEW
@given(issues())
def test_issues_default_to_the_shipped_catalog(issue: Issue) -> None:
    from powerlist.catalog.loader import load_catalogs

    catalog = load_catalogs()
    assert issue.category in catalog.categories
    assert catalog.street_of(issue.location) is not None


@FEW
@given(catalogs().flatmap(lambda c: st.tuples(st.just(c), issues(c))))
def test_issues_over_a_given_catalog(pair: tuple[Catalog, Issue]) -> None:
    catalog, issue = pair
    assert issue.category in catalog.categories and catalog.street_of(issue.location) is not None


@FEW
@given(issues(catalogs=catalogs()))
def test_issues_over_a_strategy_of_catalogs(issue: Issue) -> None:
    assert issue.category.startswith("C")


@FEW
@given(items=power_lists())
def test_power_lists_have_unique_codes(items: tuple[Any, ...]) -> None:
    assert len({i.code for i in items}) == len(items) >= 1


@FEW
@given(book=power_list_workbooks())
def test_power_list_workbooks_load_back_equal(book: PowerListWorkbook) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        loaded = load_power_list(book.write(Path(tmp) / "list.xlsx"))
    assert [i.model_copy(update={"origin": None}) for i in loaded.items] == list(book.items)


@FEW
@given(history=case_histories())
def test_case_histories_replay_and_store(history: CaseHistory) -> None:
    assert history.events[0].event is Event.OPEN
    assert [e.at for e in history.events] == sorted(e.at for e in history.events)
    snapshot = replay(history.events)
    store = SQLiteCaseStore(":memory:")
    try:
        assert history.store_into(store) == snapshot
        assert store.history(history.case_id) == history.events
    finally:
        store.close()


@settings(max_examples=10)
@given(history=case_histories(max_events=40))
def test_long_histories_reach_past_the_first_states(history: CaseHistory) -> None:
    assert history.snapshot.n == len(history.events)


def test_fixtures(shipped_catalog: Catalog, shipped_rules: Any, shipped_router: Any, case_store: Any,
                  escalator: Any) -> None:
    assert shipped_catalog.categories and "routing" in shipped_rules.files
    issue = next(iter(shipped_catalog.categories))
    street = next(iter(shipped_catalog.streets))
    decision = shipped_router.route({"id": "T1", "received_at": "2026-07-01T09:00", "category": issue,
                                     "location": street})
    assert isinstance(decision, Decision) and decision.status == "routed"
    case = escalator.open({"id": "T1", "received_at": "2026-07-01T09:00", "category": issue, "location": street})
    assert case_store.get("T1") == case.snapshot


@settings(max_examples=50)
@given(history=case_histories(max_events=15))
def test_ticks_never_raise_on_histories_the_lifecycle_accepts(history: CaseHistory) -> None:
    """What `case_histories()` is for: the escalator must cope with any history the lifecycle
    allows (a tick that raises rolls back, so one such case would stop every later tick)."""
    from datetime import timedelta

    from powerlist.cases.escalator import Escalator
    from powerlist.cases.lifecycle import unstamp

    store = SQLiteCaseStore(":memory:")
    try:
        history.store_into(store)
        escalator = Escalator(store, None, _rules())
        last = unstamp(history.events[-1].at)
        for days in (1, 5, 30, 90):
            escalator.tick(last + timedelta(days=days))
    finally:
        store.close()


def _rules() -> Any:
    from powerlist.routing.tables import RuleSet

    global _RULES
    if _RULES is None:
        _RULES = RuleSet.load()
    return _RULES


_RULES: Any = None


def test_a_hard_case_completed_before_the_next_tick(escalator: Any) -> None:
    """Found by the property above: reopened `hard_reopens` times the case is 疑难 (hard_at set);
    completed before the next tick, the tick's review tries to 挂牌督办 a completed case, which
    the lifecycle refuses — TransitionError out of tick()."""
    from datetime import datetime, timedelta

    at = datetime(2026, 7, 1, 9)
    escalator.open({"id": "H1", "received_at": at, "category": "BJ0104", "location": "420202001001"})
    for _ in range(escalator.params["hard_reopens"]):
        for event in ("respond", "complete", "reopen"):
            at += timedelta(hours=1)
            escalator.record("H1", event, at)
    for event in ("respond", "complete"):
        at += timedelta(hours=1)
        escalator.record("H1", event, at)
    escalator.tick(at + timedelta(days=1))  # must not raise
    assert escalator.case("H1").state.value == "completed"


def test_issues_refuses_an_ambiguous_or_wrong_catalog() -> None:
    import pytest as _pytest

    from powerlist.testing import catalogs as _catalogs
    from powerlist.testing import issues as _issues
    from powerlist.testing import shipped_catalog as _shipped

    with _pytest.raises(TypeError, match="not both"):
        _issues(_shipped(), catalogs=_catalogs())
    with _pytest.raises(TypeError, match="expected a Catalog"):
        _issues("catalogs/")  # type: ignore[arg-type]
