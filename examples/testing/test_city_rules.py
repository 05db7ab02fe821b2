"""An example of a city testing its own rules with powerlist's testers' toolkit (docs/testing.md).

Copy this file and the `pytest_plugins` line into your own project's tests. It runs in powerlist's
CI too, so what it shows keeps working.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlist import Catalog, Escalator, Issue, Router, SQLiteCaseStore
from powerlist.testing import (
    CaseHistory,
    PowerListWorkbook,
    case_histories,
    catalogs,
    issues,
    power_list_workbooks,
)

pytest_plugins = ["powerlist.testing.fixtures"]


@settings(max_examples=25)
@given(issues())
def test_every_issue_over_the_shipped_catalog_has_one_lead(shipped_router: Router, issue: Issue) -> None:
    decision = shipped_router.route(issue)
    assert decision.status == "routed"
    assert decision.lead is not None
    assert decision.lead.code not in {unit.code for unit in decision.co_units}


@settings(max_examples=10)
@given(catalogs().flatmap(lambda c: st.tuples(st.just(c), st.lists(issues(c), min_size=1, max_size=3))))
def test_a_random_city_routes_every_issue_to_a_unit_it_has(world: tuple[Catalog, list[Issue]]) -> None:
    catalog, drawn = world
    router = Router(catalog)
    for issue in drawn:
        decision = router.route(issue)
        assert decision.lead is not None and decision.lead.code in catalog.units


@settings(max_examples=10)
@given(power_list_workbooks())
def test_our_power_list_layout_noise_loads_back(tmp_path_factory: pytest.TempPathFactory,
                                                workbook: PowerListWorkbook) -> None:
    from powerlist import load_power_list

    path = workbook.write(tmp_path_factory.mktemp("pl") / "list.xlsx")
    # the loader adds where each row came from (`origin`); the drawn items have none
    assert tuple(item.model_copy(update={"origin": None}) for item in load_power_list(path)) == workbook.items


@settings(max_examples=10)
@given(case_histories())
def test_a_stored_history_replays_to_its_snapshot(tmp_path_factory: pytest.TempPathFactory,
                                                  history: CaseHistory) -> None:
    store = SQLiteCaseStore(tmp_path_factory.mktemp("store") / "cases.db")
    try:
        assert history.store_into(store) == history.snapshot
    finally:
        store.close()


def test_the_escalator_fixture_opens_a_case(escalator: Escalator) -> None:
    case = escalator.open({"id": "EX-1", "received_at": "2026-11-23T09:12:00", "category": "RX0302",
                           "location": "420202001001", "request_kind": "求助"})
    assert case.case_id == "EX-1"
