"""Properties of the audit over random changes to a delegation (in memory, no files)."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_audit import DATA, MANIFEST, restricted

from powerlist.audit import AuditConfig, audit_workbook, read_audit_workbook
from powerlist.audit.workbook import AuditRow
from powerlist.catalog.catalog import Catalog
from powerlist.catalog.loader import load_catalogs
from powerlist.catalog.models import DelegationMode


@pytest.fixture(scope="module")
def two_streets() -> Catalog:
    return restricted(load_catalogs(), MANIFEST["streets"])


@pytest.fixture(scope="module")
def base_book(two_streets: Catalog):
    return read_audit_workbook(DATA / "base.xlsx", two_streets)


@pytest.fixture(scope="module")
def config() -> AuditConfig:
    return AuditConfig.load()


@settings(max_examples=30)
@given(data=st.data())
def test_removed_rows_are_exactly_the_gaps(data, base_book, two_streets, config) -> None:
    rows = base_book.rows
    removed = data.draw(st.sets(st.integers(0, len(rows) - 1), max_size=6))
    if data.draw(st.booleans()):
        # also every principal power of one category in one street, so unheld categories occur
        small = sorted(c for c, cat in two_streets.categories.items() if 0 < len(cat.powers) <= 3)
        category = two_streets.categories[data.draw(st.sampled_from(small))]
        street = data.draw(st.sampled_from(sorted({r.row.street for r in rows})))
        removed |= {i for i, r in enumerate(rows) if r.row.street == street and r.row.code in category.powers}
    book = replace(base_book, rows=tuple(r for i, r in enumerate(rows) if i not in removed))
    findings = audit_workbook(book, two_streets, config)
    assert {(f.item, f.street) for f in findings if f.check == "gap"} == {
        (rows[i].row.code, rows[i].row.street) for i in removed}
    # a category is unheld in a street exactly when every one of its principal powers was removed there
    gone = {(rows[i].row.code, rows[i].row.street) for i in removed}
    unheld = {(code, street) for street in {s for _, s in gone}
              for code, category in two_streets.categories.items()
              if category.powers and all((p, street) in gone for p in category.powers)}
    assert {(dict(f.details)["category"], f.street) for f in findings if f.check == "principal-unheld"} == unheld
    assert all(f.check in ("gap", "responsibility-without-power", "principal-unheld") for f in findings)


def _moved(audit_row: AuditRow, number: int, mode: DelegationMode) -> AuditRow:
    row = audit_row.row
    cells = {field: f"{ref.rstrip('0123456789')}{number}" for field, ref in row.cells.items()}
    return AuditRow(replace(row, mode=mode, origin=row.origin.model_copy(update={"row": number}),
                            cells=MappingProxyType(cells)), ())


@settings(max_examples=30)
@given(data=st.data())
def test_repeated_rows_are_exactly_the_overlaps(data, base_book, two_streets, config) -> None:
    rows = base_book.rows
    picks = data.draw(st.lists(st.tuples(st.integers(0, len(rows) - 1),
                                         st.sampled_from(list(DelegationMode))),
                               max_size=4, unique_by=lambda p: p[0]))
    last = max(r.row.origin.row for r in rows)
    added = [_moved(rows[i], last + n + 1, mode) for n, (i, mode) in enumerate(picks)]
    findings = audit_workbook(replace(base_book, rows=rows + tuple(added)), two_streets, config)
    expected = {("PL502" if mode is rows[i].row.mode else "PL501",
                 added[n].row.cells["mode"], rows[i].row.street)
                for n, (i, mode) in enumerate(picks)}
    assert {(f.code, f.cell, f.street) for f in findings if f.check == "overlap"} == expected
