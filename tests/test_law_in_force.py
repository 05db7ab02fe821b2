"""The law cited is the law in force on the issue's date (issue 11), on the shipped catalog.

Dates and articles are the statutes': 《治安管理处罚法》 2025 revision in force 2026-01-01 (赌博
第七十条 → 第八十二条, 社会生活噪声 第五十八条 → 第八十八条, 饲养动物 第七十五条 → 第八十九条);
《传染病防治法》 revision in force 2025-09-01; 《食品安全法》 amendment in force 2025-12-01;
总局令第78号 in force 2023-12-01 in place of 第17号; 《住房租赁条例》 in force 2025-09-15;
《大气污染防治法》 第八十二条 bans burning asphalt, rubber, plastics, leather, garbage … in populated
areas and 第一百一十九条 punishes it (第七十七条 is the straw-and-leaves ban).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from powerlist.catalog.catalog import Catalog
from powerlist.catalog.loader import clear_cache, load_catalogs
from powerlist.catalog.statutes import Citation
from powerlist.errors import InputError
from powerlist.routing.issue import SHANGHAI, Issue
from powerlist.routing.router import Router

HSG = "420202001"


@pytest.fixture(scope="module")
def router(catalog: Catalog) -> Router:
    return Router(catalog)


def basis(router: Router, category: str, day: str, code: str) -> tuple[str, ...]:
    at = datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI)
    decision = router.route(Issue(id="L1", received_at=at, category=category, location=HSG))
    (power,) = [p for p in decision.powers if p.code == code]
    return power.legal_basis


def test_the_same_gambling_report_cites_different_texts_in_december_and_january(router: Router) -> None:
    assert basis(router, "RX0306", "2025-12-15", "GA-02-007") == (
        "《中华人民共和国治安管理处罚法》（2012年修正）第七十条",)
    assert basis(router, "RX0306", "2026-01-05", "GA-02-007") == (
        "《中华人民共和国治安管理处罚法》（2025年修订）第八十二条",)


def test_explain_shows_the_version_in_force(router: Router) -> None:
    old = router.explain({"id": "E1", "category": "SJ0507", "location": HSG, "received_at": "2025-12-31T18:00"})
    new = router.explain({"id": "E1", "category": "SJ0507", "location": HSG, "received_at": "2026-01-01T08:00"})
    assert "（2012年修正）第七十五条" in old and "（2025年修订）" not in old
    assert "（2025年修订）第八十九条" in new and "（2012年修正）" not in new
    assert "[statutes.in_force]" in new and "2026-01-01" in new


def test_infectious_disease_inspection_cites_the_2025_revision_from_september(router: Router) -> None:
    august = basis(router, "ZD0103", "2025-08-31", "WJ-06-002")
    september = basis(router, "ZD0103", "2025-09-01", "WJ-06-002")
    assert august == ("《中华人民共和国传染病防治法》（2013年修正）第五十三条",)
    assert september == ("《中华人民共和国传染病防治法》（2025年修订）",)  # new numbering not checked


def test_food_safety_law_is_cited_with_its_version(router: Router) -> None:
    before = basis(router, "RX0201", "2025-11-30", "SCJG-02-001")
    after = basis(router, "RX0201", "2025-12-01", "SCJG-02-001")
    assert before == ("《中华人民共和国食品安全法》（2021年修正）第一百二十二条",)
    assert after == ("《中华人民共和国食品安全法》（2025年修正）第一百二十二条",)


def test_the_food_business_licence_rules_of_2023_replace_order_17(catalog: Catalog) -> None:
    item = catalog.items["SCJG-01-001-01"]
    on = lambda day: [c.text for c in catalog.statutes.cited_on(item.legal_basis, day)]  # noqa: E731
    assert "《食品经营许可管理办法》（国家食品药品监督管理总局令第17号）" in on(date(2023, 11, 30))
    assert "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）" in on(date(2023, 12, 1))
    assert not any("第17号" in text for text in on(date(2023, 12, 1)))


def test_the_housing_rental_regulation_applies_from_15_september_2025(router: Router) -> None:
    before = basis(router, "RX0307", "2025-09-14", "FG-02-005")
    after = basis(router, "RX0307", "2025-09-15", "FG-02-005")
    assert not any("住房租赁条例" in b for b in before)
    assert "《住房租赁条例》（2025年）" in after
    assert any("商品房屋租赁管理办法" in b for b in after)  # still in force beside it


def test_the_yangtze_fishing_ban_cites_the_yangtze_protection_law(router: Router) -> None:
    cited = basis(router, "ZD0106", "2026-07-01", "NY-02-003")
    assert cited == ("《中华人民共和国长江保护法》（2020年）第五十三条、第八十六条",)


def test_burning_garbage_cites_the_ban_and_the_penalty_of_the_air_law(catalog: Catalog) -> None:
    (line,) = catalog.items["CG-02-015"].legal_basis
    assert line == "《中华人民共和国大气污染防治法》（2018年修正）第八十二条、第一百一十九条"
    (leaves,) = catalog.items["CG-02-024"].legal_basis
    assert "第七十七条" in leaves and "秸秆" in catalog.items["CG-02-024"].name


def test_every_citation_of_a_modelled_text_names_its_version(catalog: Catalog) -> None:
    statutes = catalog.statutes
    for item in catalog.items.values():
        for line in item.legal_basis:
            citation = Citation.parse(line)
            if citation.title and statutes.work_of(citation.title):
                assert citation.label, (item.code, line)
                assert statutes.version(citation) is not None


DAYS = st.dates(min_value=date(2023, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=400)
@given(st.data(), DAYS)
def test_for_every_power_and_day_exactly_one_version_of_each_cited_text_is_in_force(data: st.DataObject,
                                                                                   day: date) -> None:
    catalog = load_catalogs()
    code = data.draw(st.sampled_from(sorted(catalog.items)))
    statutes = catalog.statutes
    cited: dict[str, list[str]] = {}
    for line in catalog.items[code].legal_basis:
        version = statutes.version(Citation.parse(line))
        if version is not None:
            cited.setdefault(version.work, []).append(version.id)
    for work, ids in cited.items():
        if day < statutes.by_work[work][0].in_force:
            continue  # the text did not exist yet
        live = [i for i in ids if statutes.by_id[i].in_force_on(day)]
        assert len(live) == 1, (code, work, day, live)
        # and the decision cites exactly that version of it
        texts = [c.text for c in statutes.cited_on(catalog.items[code].legal_basis, day)
                 if c.version is not None and c.version.work == work]
        assert len(texts) == 1 and statutes.by_id[live[0]].citation_title in texts[0]


@settings(max_examples=60)
@given(st.sampled_from(["RX0306", "SJ0507", "RX0301", "ZD0103", "RX0201"]),
       st.datetimes(min_value=datetime(2025, 6, 1), max_value=datetime(2026, 6, 30)))
def test_both_engines_cite_alike_on_every_day(category: str, moment: datetime) -> None:
    issue = Issue(id="D1", received_at=moment.replace(tzinfo=SHANGHAI), category=category, location=HSG)
    compiled, durable = _routers()
    assert compiled.route(issue) == durable.route(issue)


_PAIR: list[Router] = []


def _routers() -> list[Router]:
    if not _PAIR:
        _PAIR.extend([Router.default(engine="compiled"), Router.default(engine="durable")])
    return _PAIR


# ---- the statutes workbook is checked, every problem located ---------------------------------


def _copy_shipped(tmp_path: Path) -> Path:
    import shutil

    from powerlist.resources import catalogs_dir

    root = tmp_path / "c"
    shutil.copytree(catalogs_dir(), root)
    clear_cache()
    return root


def test_bad_statute_rows_are_located(tmp_path: Path) -> None:
    root = _copy_shipped(tmp_path)
    book = load_workbook(root / "statutes.xlsx")
    ws = book["法律法规"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in header}
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    old, new = rows["ZAGLCF@2012年修正"], rows["ZAGLCF@2025年修订"]
    ws.cell(old, col["废止日期"]).value = "2026-02-01"  # overlaps the 2025 revision by a month
    ws.cell(rows["CJBH@2020年"], col["施行日期"]).value = "2021年3月1日"
    ws.cell(rows["SPAQ@2021年修正"], col["替代版本"]).value = "SPAQ@2099年"
    book.save(root / "statutes.xlsx")
    with pytest.raises(InputError) as caught:
        load_catalogs(root)
    found = {(p.sheet, p.cell, p.code) for p in caught.value.problems}
    letter = lambda name: "ABCDEFGHIJ"[col[name] - 1]  # noqa: E731
    assert ("法律法规", f"{letter('施行日期')}{new}", "overlapping-versions") in found
    assert ("法律法规", f"{letter('施行日期')}{rows['CJBH@2020年']}", "bad-date") in found
    assert ("法律法规", f"{letter('替代版本')}{rows['SPAQ@2021年修正']}", "unknown-version") in found


def test_a_citation_of_an_unknown_version_is_located_at_its_legal_basis_cell(tmp_path: Path) -> None:
    root = _copy_shipped(tmp_path)
    book = load_workbook(root / "power_list.xlsx")
    ws = book.worksheets[0]
    header = [c.value for c in ws[2]]
    code_col, basis_col = header.index("事项编码") + 1, header.index("实施依据") + 1
    (row,) = [r for r in range(3, ws.max_row + 1) if ws.cell(r, code_col).value == "GA-02-007"]
    ws.cell(row, basis_col).value = "《中华人民共和国治安管理处罚法》（2006年）第七十条"
    book.save(root / "power_list.xlsx")
    with pytest.raises(InputError) as caught:
        load_catalogs(root)
    (problem,) = [p for p in caught.value.problems if p.code == "unknown-version"]
    assert problem.cell == f"{'ABCDEFGHIJKL'[basis_col - 1]}{row}" and problem.field == "legal_basis"
    assert "2012年修正" in problem.message and "2025年修订" in problem.message


def test_a_catalog_without_a_statutes_workbook_cites_as_written(tmp_path: Path) -> None:
    root = _copy_shipped(tmp_path)
    (root / "statutes.xlsx").unlink()
    catalog = load_catalogs(root)
    decision = Router(catalog).route(Issue(id="W1", received_at=datetime(2026, 1, 5, tzinfo=SHANGHAI),
                                           category="RX0306", location=HSG))
    (power,) = decision.powers
    assert len(power.legal_basis) == 2  # both texts, as the list writes them
    assert not any(step.rule == "statutes.in_force" for step in decision.trace)


def test_a_day_before_a_version_and_the_day_it_starts(router: Router) -> None:
    start = datetime(2026, 1, 1, 0, 0, 0, tzinfo=SHANGHAI)
    for moment, label in ((start - timedelta(seconds=1), "2012年修正"), (start, "2025年修订")):
        decision = router.route(Issue(id="B1", received_at=moment, category="RX0306", location=HSG))
        assert decision.powers[0].legal_basis[0].startswith(f"《中华人民共和国治安管理处罚法》（{label}）")
