"""End to end (issue 4 on issue 3): the real Router decides, the escalator escalates.

Random catalogs and issues come from powerlist.testing.strategies; the shipped catalogs are
used when they load."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powerlist.cases.escalator import Escalator
from powerlist.cases.lifecycle import State, rank
from powerlist.cases.sqlite import SQLiteCaseStore
from powerlist.catalog.catalog import Catalog
from powerlist.errors import InputError, PowerlistError
from powerlist.routing.router import Router
from powerlist.routing.tables import RuleSet
from powerlist.testing.strategies import catalogs, issues

RULES = RuleSet.load()

worlds = catalogs().flatmap(
    lambda c: st.tuples(st.just(c), st.lists(issues(c), min_size=1, max_size=4, unique_by=lambda i: i.id))
)


def _open_all(world: Any) -> tuple[Catalog, Router, Escalator, list[Any]]:
    """A router and an escalator over the world's catalog, and (issue, case) of every issue
    the escalator opened."""
    catalog, items = world
    router = Router(catalog, RULES)
    esc = Escalator(SQLiteCaseStore(), router, RULES)
    opened = []
    for issue in items:
        try:
            opened.append((issue, esc.open(issue)))
        except InputError:
            continue  # an issue the router rejects opens nothing
    return catalog, router, esc, opened


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(worlds)
def test_cases_opened_through_the_router_escalate_upwards_only(world: Any) -> None:
    catalog, router, esc, opened = _open_all(world)
    for issue, case in opened:
        decision = router.route(issue)
        assert case.lead["code"] == decision.lead.code
        assert esc.open(issue).snapshot == esc.case(issue.id).snapshot  # no second case
        holders = {h["unit"]["code"] for h in case.snapshot.holders}
        # the case's holders are the principal powers' (issue 11: related powers bring co-units only)
        assert holders == {catalog.holder(p.code, decision.street)[0].code for p in decision.powers
                           if p.role == "principal"}
    assert esc.store.count_cases() == len(opened)
    if not opened:
        return
    start = max(i.received_at for i, _ in opened)
    for days in (1, 3, 10, 30, 60):
        actions = esc.tick(start + timedelta(days=days))
        for action in actions:
            if action.action == "escalate":
                frm = catalog.units[action.from_unit].level
                to = catalog.units[action.to_unit].level
                assert to.rank > frm.rank
    for issue, _ in opened:
        case = esc.case(issue.id)
        assert rank(case.level) >= rank(router.route(issue).level)
        assert esc.store.replay(issue.id) == case.snapshot


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(worlds)
def test_a_holder_returning_its_own_power_is_buck_passing_citing_the_list(world: Any) -> None:
    catalog, router, esc, opened = _open_all(world)
    if not opened:
        return
    at = max(issue.received_at for issue, _ in opened) + timedelta(minutes=1)
    returned = []
    for issue, case in opened:
        if not case.snapshot.holders:
            continue
        holding = case.snapshot.holders[0]
        if holding["unit"]["code"] != case.assignee["code"]:
            # only the unit a case is dispatched to can return it
            esc.record(issue.id, "dispatch", at, to=holding["unit"]["code"])
        with contextlib.suppress(PowerlistError):
            esc.record(issue.id, "respond", at, by=holding["unit"]["code"])
        esc.record(issue.id, "return", at + timedelta(minutes=1), by=holding["unit"]["code"])
        returned.append((issue, holding))
    actions = esc.tick(at + timedelta(minutes=2))
    for issue, holding in returned:
        review = [a for a in actions if a.case_id == issue.id and a.rule.startswith("esc_review")]
        assert review, actions
        assert review[0].finding == "推诿"
        assert review[0].to_unit == holding["unit"]["code"]
        assert holding["power"] in review[0].reason
        for basis in catalog.items[holding["power"]].legal_basis:
            assert basis in review[0].reason
        assert esc.case(issue.id).state in (State.DISPATCHED, State.SUPERVISED)


def _shipped_issues(router: Router) -> list[dict[str, Any]]:
    """examples/issues.jsonl when there is one, else one issue per category, round the streets."""
    from powerlist.resources import examples_dir

    folder = examples_dir()
    path = folder / "issues.jsonl" if folder else None
    if path is not None and path.is_file():
        from powerlist.routing.issue_io import read_issues

        return [record.data for record in read_issues(path) if not record.problems]
    places = sorted(router.catalog.communities) + sorted(router.catalog.streets)
    return [
        {"id": f"E{n:03d}", "received_at": "2026-07-01T09:00:00", "category": code, "location": places[n % len(places)],
         "emergency": n % 7 == 0}
        for n, code in enumerate(sorted(router.catalog.categories))
    ]


def test_shipped_catalogs_end_to_end(tmp_path: Any) -> None:
    router = Router.default()
    esc = Escalator(SQLiteCaseStore(tmp_path / "cases.db"), router, RULES)
    opened = []
    for data in _shipped_issues(router):
        try:
            opened.append(esc.open(data))
        except InputError:
            continue
    assert len(opened) >= 10
    from powerlist.cases.lifecycle import unstamp

    start = unstamp(max(case.snapshot.opened_at for case in opened))
    # a unit holding a power returns its case: 推诿, citing the power and its legal basis
    held = next(case for case in opened if case.snapshot.holders)
    holding = held.snapshot.holders[0]
    if holding["unit"]["code"] != held.assignee["code"]:
        # only the unit holding a case returns it
        esc.record(held.case_id, "dispatch", start, to=holding["unit"]["code"])
    esc.record(held.case_id, "return", start + timedelta(minutes=1), by=holding["unit"]["code"])
    first = esc.tick(start + timedelta(minutes=2))
    passing = [a for a in first if a.case_id == held.case_id and a.finding == "推诿"]
    assert passing and holding["power"] in passing[0].reason
    assert all(basis in passing[0].reason for basis in router.catalog.items[holding["power"]].legal_basis)
    actions = first + esc.tick(start + timedelta(days=90))
    assert {"remind", "escalate"} <= {a.action for a in actions}
    for action in actions:
        assert action.rule and action.reason
        if action.action == "escalate":
            assert router.catalog.units[action.to_unit].level.rank > router.catalog.units[action.from_unit].level.rank
    assert esc.tick(start + timedelta(days=90)) == []
    for case in opened:
        assert esc.store.replay(case.case_id) == esc.case(case.case_id).snapshot
