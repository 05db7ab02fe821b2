"""Cited texts and their versions (issue 11): the law cited is the law in force on the issue's date.

The facts below are the statutes', not the code's: 《中华人民共和国治安管理处罚法》 was revised on
2025-06-27 and the revision is in force from 2026-01-01 (renumbered, 119 → 144 articles; 赌博 moved
from 第七十条 to 第八十二条); 《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号） replaced
总局令第17号 from 2023-12-01; 《住房租赁条例》 is in force from 2025-09-15.
"""

from __future__ import annotations

from datetime import date

from powerlist.catalog.models import StatuteVersion
from powerlist.catalog.statutes import Citation, Statutes, bare_title

ZA_2012 = StatuteVersion(
    id="ZAGLCF@2012年修正", work="ZAGLCF", title="《中华人民共和国治安管理处罚法》", label="2012年修正",
    adopted=date(2012, 10, 26), in_force=date(2013, 1, 1), repealed=date(2026, 1, 1),
    replaced_by="ZAGLCF@2025年修订", articles=119,
)
ZA_2025 = StatuteVersion(
    id="ZAGLCF@2025年修订", work="ZAGLCF", title="《中华人民共和国治安管理处罚法》", label="2025年修订",
    adopted=date(2025, 6, 27), in_force=date(2026, 1, 1), articles=144,
)
SP_17 = StatuteVersion(
    id="SPJYXK@17", work="SPJYXK", title="《食品经营许可管理办法》", label="国家食品药品监督管理总局令第17号",
    in_force=date(2015, 10, 1), repealed=date(2023, 12, 1), replaced_by="SPJYXK@78",
)
SP_78 = StatuteVersion(
    id="SPJYXK@78", work="SPJYXK", title="《食品经营许可和备案管理办法》", label="国家市场监督管理总局令第78号",
    in_force=date(2023, 12, 1),
)
ZL = StatuteVersion(id="ZFZL@2025年", work="ZFZL", title="《住房租赁条例》", label="2025年", in_force=date(2025, 9, 15))
TABLE = Statutes((ZA_2012, ZA_2025, SP_17, SP_78, ZL))

GAMBLING = (
    "《中华人民共和国治安管理处罚法》（2012年修正）第七十条",
    "《中华人民共和国治安管理处罚法》（2025年修订）第八十二条",
)


def texts(basis: tuple[str, ...], day: date) -> list[str]:
    return [c.text for c in TABLE.cited_on(basis, day)]


def test_the_same_matter_cites_different_texts_either_side_of_2026_01_01() -> None:
    assert texts(GAMBLING, date(2025, 12, 15)) == ["《中华人民共和国治安管理处罚法》（2012年修正）第七十条"]
    assert texts(GAMBLING, date(2026, 1, 5)) == ["《中华人民共和国治安管理处罚法》（2025年修订）第八十二条"]
    # the last day of the old text and the first of the new
    assert texts(GAMBLING, date(2025, 12, 31)) == [GAMBLING[0]]
    assert texts(GAMBLING, date(2026, 1, 1)) == [GAMBLING[1]]


def test_a_replaced_title_is_cited_by_its_own_name_on_each_side() -> None:
    basis = ("《食品经营许可管理办法》（国家食品药品监督管理总局令第17号）",
             "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）")
    assert texts(basis, date(2023, 11, 30)) == [basis[0]]
    assert texts(basis, date(2023, 12, 1)) == [basis[1]]


def test_a_text_not_yet_in_force_is_left_out_and_unmodelled_texts_stay() -> None:
    basis = ("《商品房屋租赁管理办法》（住房和城乡建设部令第6号）第八条", "《住房租赁条例》")
    assert texts(basis, date(2025, 9, 14)) == [basis[0]]
    assert texts(basis, date(2025, 9, 15)) == [basis[0], "《住房租赁条例》（2025年）"]


def test_a_citation_without_its_label_gets_the_label_of_the_only_version() -> None:
    (cited,) = TABLE.cited_on(("《住房租赁条例》第十条",), date(2026, 3, 1))
    assert cited.text == "《住房租赁条例》（2025年）第十条" and cited.label == "2025年"


def test_titles_match_with_or_without_the_state_prefix() -> None:
    assert bare_title("《中华人民共和国治安管理处罚法》") == bare_title("《治安管理处罚法》")
    citation = Citation.parse("《治安管理处罚法》（2025年修订）第八十九条")
    assert TABLE.version(citation) == ZA_2025 and citation.rest == "第八十九条"


def test_exactly_one_version_of_each_text_is_in_force_on_every_day_it_exists() -> None:
    for work, versions in TABLE.by_work.items():
        first = versions[0].in_force
        day = first
        while day < date(2030, 12, 31):
            live = TABLE.in_force(work, day)
            assert len(live) == 1, (work, day, live)
            day = date.fromordinal(day.toordinal() + 1)


def test_a_basis_citing_only_a_repealed_text_is_found_and_one_also_citing_the_new_is_not() -> None:
    old_only = ("《中华人民共和国治安管理处罚法》（2012年修正）第七十条",)
    found = TABLE.repealed_citations(old_only, date(2026, 2, 1))
    assert [(line, v.id) for line, v in found] == [(old_only[0], "ZAGLCF@2012年修正")]
    assert TABLE.repealed_citations(GAMBLING, date(2026, 2, 1)) == []
    assert TABLE.repealed_citations(old_only, date(2025, 12, 31)) == []
