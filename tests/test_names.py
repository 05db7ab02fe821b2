"""Names and aliases resolved against the catalog, alike in every reader (issues, whistles,
vetoes, other scores, delegation workbooks): a code, a full name or a documented alias; never a
guess between two."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from powerlist.catalog.catalog import Catalog
from powerlist.catalog.models import Community
from powerlist.catalog.names import UnresolvedName
from powerlist.cli import app
from powerlist.cli import catalog as catalog_cli
from powerlist.errors import InputError
from powerlist.routing.router import Router
from powerlist.scoring.readers import read_other_scores, read_vetoes, read_whistles

HUANGSHIGANG, SHENJIAYING = "420202001", "420202002"
FANGZHI = "420202001001"  # 纺织社区 of 黄石港街道


@pytest.fixture(scope="module")
def twin(catalog: Catalog) -> Catalog:
    """The shipped catalog with a second 纺织社区, in 沈家营街道: one name, two communities."""
    data = catalog.data
    second = Community(code="420202002099", name="纺织社区", street=SHENJIAYING, source="test")
    return Catalog(data.model_copy(update={"communities": (*data.communities, second)}), city_code=catalog.city_code)


@pytest.mark.parametrize(("kind", "written", "code", "how"), [
    ("place", FANGZHI, FANGZHI, "code"),
    ("place", "纺织社区", FANGZHI, "name"),
    ("place", "纺织社区居委会", FANGZHI, "alias"),
    ("place", "黄石港街道", HUANGSHIGANG, "name"),
    ("place", "黄石港", HUANGSHIGANG, "alias"),
    ("place", "黄石港街道办事处", HUANGSHIGANG, "alias"),
    ("street", "黄石港区花湖街道", "420202004", "alias"),
    ("street", "　黄石港 街道 ", HUANGSHIGANG, "name"),  # full-width and inner spaces
    ("category", "rx0302", "RX0302", "case"),
    ("category", "邻里纠纷", "RX0302", "name"),
    ("category", "公用设施", "BJ01", "alias"),  # its name is 公用设施（部件）
    ("unit", "黄石港区城市管理执法局", "420202-CG", "name"),
    ("unit", "黄石港街道", HUANGSHIGANG, "alias"),  # a street's office, by the street's name
    ("department", "市场监管", "SCJG", "name"),
    ("department", "黄石市市场监督管理局", "SCJG", "alias"),
])
def test_a_code_a_name_or_a_documented_alias(catalog: Catalog, kind: str, written: str, code: str, how: str) -> None:
    match = catalog.names.resolve(kind, written)
    assert (match.code, match.how) == (code, how)
    assert match.trace().startswith(("街道", "社区", "问题分类", "单位", "部门")) and code in match.trace()


def test_an_unknown_name_says_what_to_write(catalog: Catalog) -> None:
    with pytest.raises(UnresolvedName) as caught:
        catalog.names.resolve("street", "黄石岗街道")
    assert caught.value.code == "unknown-street" and str(caught.value).startswith("街道“黄石岗街道”")


def test_a_name_two_communities_share_is_never_guessed(twin: Catalog) -> None:
    with pytest.raises(UnresolvedName) as caught:
        twin.names.resolve("place", "纺织社区")
    assert caught.value.code == "ambiguous-name"
    assert set(caught.value.candidates) == {f"{FANGZHI} 纺织社区", "420202002099 纺织社区"}
    assert "在社区名前写街道名" in str(caught.value)
    # the street before it picks one, however it is joined
    for written in ("黄石港街道纺织社区", "黄石港街道/纺织社区", "黄石港 纺织社区", f"{HUANGSHIGANG}/纺织社区"):
        assert twin.names.resolve("place", written).code == FANGZHI
    assert twin.names.resolve("place", "沈家营街道·纺织社区").code == "420202002099"


def test_an_issue_names_the_street_beside_an_ambiguous_community(twin: Catalog) -> None:
    router = Router(twin)
    issue = {"工单编号": "T1", "受理时间": "2026-08-03 09:00", "问题分类": "邻里纠纷", "街道": "沈家营街道",
             "社区": "纺织社区"}
    decision = router.route(issue)
    assert decision.street == SHENJIAYING and decision.lead is not None
    assert decision.lead.code == "420202002099"
    alone = {"id": "T2", "received_at": "2026-08-03 09:00", "category": "RX0302", "location": "纺织社区"}
    with pytest.raises(InputError) as caught:
        router.route(alone)
    (problem,) = caught.value.problems
    assert (problem.field, problem.code) == ("location", "ambiguous-name")


def test_a_code_costs_no_resolution_and_adds_no_trace_step(catalog: Catalog) -> None:
    router = Router(catalog)
    decision = router.route({"id": "C1", "received_at": "2026-08-03T09:00", "category": "RX0302", "location": FANGZHI})
    assert not any(step.rule.startswith("resolve.") for step in decision.trace)


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_vetoes_and_other_scores_name_their_subject(tmp_path: Path, catalog: Catalog) -> None:
    vetoes = _sheet(tmp_path / "v.xlsx", [["对象", "否决事项", "日期"],
                                          ["黄石港街道", "安全生产", "2026年8月1日"],
                                          ["黄石港区城市管理执法局", "环境保护", "2026.8.2"]])
    found = read_vetoes(vetoes, catalog=catalog)
    assert [(v.subject, v.date) for v in found] == [(HUANGSHIGANG, date(2026, 8, 1)), ("420202-CG", date(2026, 8, 2))]
    # without a catalog, as written
    assert [v.subject for v in read_vetoes(vetoes)] == ["黄石港街道", "黄石港区城市管理执法局"]
    others = _sheet(tmp_path / "o.xlsx", [["对象", "其他考核得分"], ["黄石港", 90], ["城管执法 黄石港区", 80]])
    with pytest.raises(InputError) as caught:
        read_other_scores(others, catalog=catalog)
    (problem,) = caught.value.problems
    assert (problem.cell, problem.code) == ("A3", "unknown-subject")
    good = _sheet(tmp_path / "g.xlsx", [["对象", "其他考核得分"], ["黄石港", 90], ["420202-CG", 80]])
    assert read_other_scores(good, catalog=catalog) == {HUANGSHIGANG: 90, "420202-CG": 80}


def test_whistles_resolve_street_unit_and_department(tmp_path: Path, catalog: Catalog) -> None:
    path = _sheet(tmp_path / "w.xlsx", [
        ["案件编号", "街道", "责任单位", "部门", "受理时间"],
        ["W1", "黄石港", "黄石港区城市管理执法局", "城管执法", "2026-07-01 09:00"],
        ["W2", "黄石港街道", "EXT-9", "EXT", "2026-07-02 09:00"],  # another system's codes are kept
        ["W3", "黄石港街道", "EXT-9", "外部门", "2026-07-03 09:00"],  # but a name must be the catalog's
    ])
    with pytest.raises(InputError) as caught:
        read_whistles(path, catalog=catalog)
    (problem,) = caught.value.problems
    assert (problem.cell, problem.code) == ("D4", "unknown-department")
    path = _sheet(tmp_path / "w.xlsx", [
        ["案件编号", "街道", "责任单位", "部门", "受理时间"],
        ["W1", "黄石港", "黄石港区城市管理执法局", "城管执法", "2026-07-01 09:00"],
        ["W2", "黄石港街道", "EXT-9", "EXT", "2026-07-02 09:00"],
    ])
    first, second = read_whistles(path, catalog=catalog)
    assert (first.street, first.street_name, first.unit, first.unit_name, first.department) == (
        HUANGSHIGANG, "黄石港街道", "420202-CG", "黄石港区城市管理执法局", "CG")
    assert (second.street, second.unit, second.department) == (HUANGSHIGANG, "EXT-9", "EXT")


def test_a_power_list_with_a_footer_is_checked_with_a_note(tmp_path: Path) -> None:
    if not any(g.name == "catalog" for g in app.registered_groups):
        catalog_cli.register(app)
    path = _sheet(tmp_path / "list.xlsx", [
        ["某街道权责清单"], ["序号", "事项编码", "事项名称", "权力类型", "实施主体", "实施依据"],
        [1, "X-1", "对某事项的检查", "行政检查", "城管执法", "《某条例》"],
        [], ["填表人：张三", None, "审核人：李四"],
    ])
    result = CliRunner().invoke(app, ["catalog", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "提示 note" in result.stderr and "A5" in result.stderr and "填表人" in result.stderr
