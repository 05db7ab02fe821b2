"""powerlist's testers' toolkit: hypothesis strategies and pytest fixtures, for your own rules.

Needs the `test` extra (hypothesis, pytest). Property-test a city's own rules and catalogs
with the same generators powerlist's test suite uses::

    # conftest.py
    pytest_plugins = ["powerlist.testing.fixtures"]

    # test_my_rules.py
    from hypothesis import given
    from powerlist.testing import issues

    @given(issues())                       # valid issues over the shipped catalog
    def test_every_issue_is_routed(shipped_router, issue):
        decision = shipped_router.route(issue)
        assert decision.status == "routed" and decision.lead is not None

Strategies (`powerlist.testing.strategies`, re-exported here):

- `catalogs()`: small, complete, valid `Catalog`s (districts, streets, communities,
  departments — some stationed — items, categories of every scope, per-street delegation modes);
- `issues(catalog=None)`: valid `Issue`s over a catalog: the shipped one by default, a
  `Catalog`, or a strategy of catalogs (`issues(catalogs=catalogs())`);
- `power_lists()`: tuples of valid `PowerItem`s with unique codes, as `load_power_list`
  returns them;
- `power_list_workbooks()`: `PowerListWorkbook(items, content)`: the items written to .xlsx
  bytes with layout noise (title rows, alias headers with stray spaces, any column order, blank
  rows, codes as numbers, kinds by name or code, several sheets, a hidden stale sheet);
  `load_power_list` must give `items` back;
- `case_histories()`: `CaseHistory(case_id, events)`: event logs the lifecycle accepts, in
  time order; `.snapshot` folds them, `.store_into(store)` writes them.

To keep a catalog together with issues drawn over it::

    worlds = catalogs().flatmap(lambda c: st.tuples(st.just(c), st.lists(issues(c), max_size=4)))

Fixtures (`powerlist.testing.fixtures`): `shipped_catalog`, `shipped_rules`, `shipped_router`,
`case_store` (a temporary SQLite store), `escalator`.
"""

from . import strategies as _strategies
from .strategies import *  # noqa: F403 — the strategies module says what is public

__all__ = list(_strategies.__all__)
