"""The delegation audit (issue 6): planted faults found at their cell and nothing else."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from powerlist.audit import CODES, AuditConfig, audit_workbook, read_audit_workbook
from powerlist.audit.findings import CHECKS, Severity
from powerlist.audit.workbook import DEPENDS_ON
from powerlist.catalog.catalog import Catalog
from powerlist.catalog.delegation import read_delegation_workbook
from powerlist.catalog.item_rows import item_key
from powerlist.catalog.loader import load_delegation_workbook
from powerlist.errors import InputError

DATA = Path(__file__).parent / "data" / "audit"
MANIFEST = json.loads((DATA / "planted.json").read_text(encoding="utf-8"))
ROOT = Path(__file__).resolve().parents[1]


def restricted(catalog: Catalog, streets: list[str]) -> Catalog:
    """The catalog cut down to `streets` (the planted workbooks cover two streets)."""
    data = catalog.data
    return Catalog(data.model_copy(update={
        "streets": tuple(s for s in data.streets if s.code in streets),
        "communities": tuple(c for c in data.communities if c.street in streets),
        "stationed_units": tuple(u for u in data.stationed_units if u.street in streets),
        "delegations": tuple(d for d in data.delegations if d.street in streets),
    }), city_code=catalog.city_code)


@pytest.fixture(scope="module")
def two_streets(catalog: Catalog) -> Catalog:
    return restricted(catalog, MANIFEST["streets"])


@pytest.fixture(scope="module")
def config() -> AuditConfig:
    return AuditConfig.load()


def keys(findings):
    return {(f.code, f.cell, f.item, f.street) for f in findings}


AS_OF = date(2026, 3, 1)  # after 2026-01-01, when the 2025 治安管理处罚法 replaced the 2012 text


def audit(name: str, catalog: Catalog, config: AuditConfig):
    book = read_audit_workbook(DATA / name, catalog)
    return audit_workbook(book, catalog, config, as_of=AS_OF)


@pytest.fixture(scope="module")
def base(two_streets: Catalog, config: AuditConfig):
    return audit("base.xlsx", two_streets, config)


def test_base_workbook_has_no_error(base) -> None:
    assert not [f for f in base if f.severity is Severity.ERROR]
    assert {f.check for f in base} <= {"responsibility-without-power"}


def test_shipped_delegation_has_no_error(catalog: Catalog, config: AuditConfig) -> None:
    findings = audit_workbook(read_audit_workbook(ROOT / "catalogs" / "delegation.xlsx", catalog),
                              catalog, config, as_of=AS_OF)
    assert not [f for f in findings if f.severity is Severity.ERROR]


@pytest.mark.parametrize("name", sorted(MANIFEST["files"]))
def test_planted_fault_found_at_its_cell_and_nothing_else(name: str, two_streets: Catalog,
                                                        config: AuditConfig, base) -> None:
    findings = audit(name, two_streets, config)
    expected = {(e["code"], e["cell"], e["item"], e["street"]) for e in MANIFEST["files"][name]}
    added = keys(findings) - keys(base)
    assert added == expected
    removed = keys(base) - keys(findings)
    if name == "missing_street.xlsx":
        gone = MANIFEST["streets"][1]
        assert all(street == gone for _, _, _, street in removed)
    else:
        assert removed == set()
    for finding in findings:
        if (finding.code, finding.cell, finding.item, finding.street) in expected:
            if finding.check == "principal-unheld":  # located at the category's taxonomy row
                assert (finding.file, finding.sheet) == ("taxonomy.xlsx", "问题分类") and finding.row
            else:
                assert finding.file == str(DATA / name)
                assert finding.sheet == "街道承接"
            assert finding.message_zh and finding.message_en
            assert finding.check == CODES[finding.code].check


def test_every_check_is_planted() -> None:
    planted = {CODES[e["code"]].check for found in MANIFEST["files"].values() for e in found}
    clerk = tomllib.loads((DATA.parent / "clerk" / "expected.toml").read_text(encoding="utf-8"))
    planted |= {CODES[e["code"]].check for book in clerk["audit"].values() for e in book["findings"]}
    assert planted == set(CHECKS) - {"capacity"}  # capacity: thresholds below


def test_capacity_items_per_staff(two_streets: Catalog) -> None:
    first, second = MANIFEST["streets"]
    book = read_audit_workbook(DATA / "base.xlsx", two_streets)
    held = {r.row.code for r in book.rows
            if r.row.street == first and r.row.mode.value in ("delegated", "entrusted")}
    staff = two_streets.streets[first].staff
    limit = len(held) / staff - 0.01  # just under the first street's ratio
    assert len({r.row.code for r in book.rows if r.row.street == second
                and r.row.mode.value in ("delegated", "entrusted")}) / \
        two_streets.streets[second].staff < limit
    findings = audit_workbook(book, two_streets, AuditConfig(max_items_per_staff=limit))
    capacity = [f for f in findings if f.check == "capacity"]
    assert [(f.code, f.street) for f in capacity] == [("PL901", first)]
    assert dict(capacity[0].details)["items"] == len(held)
    assert dict(capacity[0].details)["staff"] == staff


def test_capacity_without_staff_is_info(two_streets: Catalog, config: AuditConfig) -> None:
    first = MANIFEST["streets"][0]
    data = two_streets.data
    nostaff = Catalog(data.model_copy(update={"streets": tuple(
        s.model_copy(update={"staff": None}) if s.code == first else s for s in data.streets)}))
    findings = audit_workbook(read_audit_workbook(DATA / "base.xlsx", nostaff), nostaff, config)
    assert [(f.code, f.street, f.severity) for f in findings if f.check == "capacity"] == [
        ("PL903", first, Severity.INFO)]


def test_overlap_keeps_both_rows(two_streets: Catalog) -> None:
    book = read_audit_workbook(DATA / "overlap.xlsx", two_streets)
    base = read_audit_workbook(DATA / "base.xlsx", two_streets)
    assert len(book.rows) == len(base.rows) + 2


def test_the_audit_reads_through_the_public_delegation_reader(two_streets: Catalog) -> None:
    """The plain loader refuses the overlap workbook; the audit keeps both rows and the
    依赖事项 column through `read_delegation_workbook`'s documented options."""
    with pytest.raises(InputError) as caught:
        load_delegation_workbook(DATA / "overlap.xlsx", two_streets)
    assert {p.code for p in caught.value.problems} == {"duplicate-delegation"}
    book = read_audit_workbook(DATA / "responsibility.xlsx", two_streets)
    by_name = {item_key(i.name, i.sub_item): i.code for i in two_streets.items.values()}
    plain = read_delegation_workbook(DATA / "responsibility.xlsx", two_streets.streets.values(), by_name,
                                     keep_duplicates=True, extra_fields={"depends_on": DEPENDS_ON})
    assert [r.row for r in book.rows] == list(plain.rows)
    assert [(r.row.origin.row, r.depends_on) for r in book.rows if r.depends_on] == [(59, ("JY-01-001",))]
    assert book.columns == plain.columns and book.has_column("街道承接", "depends_on")


def test_unreadable_workbook_is_an_input_error(tmp_path: Path, two_streets: Catalog) -> None:
    bad = tmp_path / "bad.xlsx"
    book = load_workbook(DATA / "base.xlsx")
    book["街道承接"]["G3"] = "不存在街道"
    book["街道承接"]["H4"] = "上交"
    book.save(bad)
    with pytest.raises(InputError) as caught:
        read_audit_workbook(bad, two_streets)
    assert caught.value.summary.startswith("承接表无法审核")
    assert "the delegation workbook cannot be audited" in caught.value.summary
    assert [(p.cell, p.code) for p in caught.value.problems] == [("G3", "unknown-street"), ("H4", "bad-mode")]


def test_bad_threshold_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        AuditConfig.from_params({"max_items_per_staff": "many", "subjects": [1]})
    assert {p.field for p in caught.value.problems} == {"params.max_items_per_staff",
                                                         "params.subjects"}


def test_shipped_thresholds_load() -> None:
    config = AuditConfig.load()
    assert config.max_items_per_staff > 0 and "公安" in config.stationed_departments


def test_codes_documented() -> None:
    doc = (ROOT / "docs" / "audit-codes.md").read_text(encoding="utf-8")
    rows = {m.group(1): (m.group(2), m.group(3))
            for m in re.finditer(r"^\| (PL\d+) \| `([a-z-]+)` \| (\w+) \|", doc, re.M)}
    assert rows == {c: (i.check, i.severity.value) for c, i in CODES.items()}


def test_planted_workbooks_follow_the_shipped_delegation() -> None:
    """base.xlsx is the shipped delegation's rows of the two streets: when the shipped file
    changes, run tests/data/audit/make_planted.py (every planted file derives from base)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_planted", DATA / "make_planted.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    _, header, rows = module.read_source()
    committed = load_workbook(DATA / "base.xlsx", read_only=True)
    values = [list(r) for r in committed.active.iter_rows(values_only=True)]
    committed.close()
    assert values[1] == header
    assert values[2:] == rows


def test_rules_directory_without_audit_file_uses_shipped_thresholds(tmp_path: Path) -> None:
    assert AuditConfig.load(tmp_path) == AuditConfig.load()


def test_one_item_held_the_same_way_by_two_units_is_an_overlap(tmp_path: Path, two_streets: Catalog,
                                                                config: AuditConfig, base) -> None:
    """overlap: "the same item held ... by two units, for the same street" — two rows with the
    same 承接方式 but two departments' 实施主体 are an error (PL503), not a repeated row (PL502)."""
    book = load_workbook(DATA / "base.xlsx")
    ws = book["街道承接"]
    header = next(r for r in ws.iter_rows(min_row=1, max_row=5) if any(c.value == "实施主体" for c in r))
    col = {c.value: c.column for c in header}
    source = next(r for r in ws.iter_rows(min_row=header[0].row + 1)
                  if r[col["事项编码"] - 1].value and r[col["承接方式"] - 1].value == "保留区级"
                  and r[col["实施主体"] - 1].value not in (None, "", "住建"))
    values = [c.value for c in source]
    values[col["实施主体"] - 1] = "住建"
    ws.append(values)
    last = ws.max_row
    path = tmp_path / "two_units.xlsx"
    book.save(path)
    findings = audit_workbook(read_audit_workbook(path, two_streets), two_streets, config)
    added = keys(findings) - keys(base)
    item = values[col["事项编码"] - 1]
    letter = header[col["实施主体"] - 1].column_letter
    assert {(code, cell) for code, cell, _, _ in added} == {("PL503", f"{letter}{last}")}, added
    (finding,) = [f for f in findings if f.code == "PL503"]
    assert finding.item == item and finding.severity is Severity.ERROR and finding.check == "overlap"
    assert dict(finding.details)["departments"][1] == "ZJ"
