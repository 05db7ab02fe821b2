"""Bounded fuzzing of every loader and of the router (issue 7 §4), run in CI.

Random bytes and mutated valid files must give a value or an `InputError` — never any other
exception; random dict issues must give a `Decision` or an `InputError`. Longer runs: the
atheris harnesses under fuzz/ (see fuzz/README.md), or HYPOTHESIS_PROFILE=long.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from powerlist.catalog.loader import load_catalogs, load_delegation_workbook
from powerlist.catalog.power_list import load_power_list
from powerlist.errors import InputError
from powerlist.routing.decision import Decision
from powerlist.routing.issue_io import read_issues
from powerlist.routing.router import Router
from powerlist.routing.tables import RuleSet
from powerlist.scoring import read_vetoes, read_whistles

REPO = Path(__file__).resolve().parent.parent
FUZZ = settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(max_examples=8, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_ROUTER: Router | None = None


def router() -> Router:
    global _ROUTER
    if _ROUTER is None:
        _ROUTER = Router.default()
    return _ROUTER


def value_or_input_error(load: Callable[[Path], Any], path: Path) -> Any:
    try:
        return load(path)
    except InputError as error:
        assert error.problems
        return None


def _xlsx(rows: list[list[Any]], title: str = "Sheet1") -> bytes:
    book = openpyxl.Workbook()
    book.active.title = title
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


VALID: dict[str, bytes] = {
    "power_list.xlsx": _xlsx([["事项编码", "事项名称", "权力类型", "实施主体", "实施依据", "承接方式"],
                              *[[1000 + n, f"事项{n}", "行政处罚", "城管执法", f"《某法》第{n}条", "下放"]
                                for n in range(8)]]),
    "delegation.xlsx": _xlsx([["事项编码", "事项名称", "权力类型", "街道", "承接方式"],
                              ["CG-02-010", "x", "行政处罚", "420202001", "下放"],
                              ["CG-02-010", "x", "行政处罚", "沈家营街道、胜阳港", "委托"]], "街道承接"),
    "issues.jsonl": (REPO / "examples" / "issues.jsonl").read_bytes(),
    "issues.csv": ("工单编号,受理时间,问题分类,发生地点,诉求类型,是否紧急,重复次数\n"
                   "HS-1,2026-07-01T09:00:00,RX0302,420202001001,求助,否,0\n"
                   "HS-2,2026/7/1 10:00,BJ0102,420202001,投诉,是,3\n").encode("utf-8-sig"),
    "issues.xlsx": _xlsx([["工单导出"], ["工单编号", "受理时间", "问题分类", "发生地点", "是否紧急"],
                          ["HS-1", datetime(2026, 7, 1, 9), "RX0302", "420202001001", "否"],
                          ["HS-2", "2026-07-01 10:00", "BJ0102", 420202001, "是"]]),
    "issues.json": ("[" + ",".join(line for line in (REPO / "examples" / "issues.jsonl").read_text(encoding="utf-8")
                                   .splitlines()[:3]) + "]").encode(),
    "routing.toml": (REPO / "rules" / "routing.toml").read_bytes(),
    "whistles.csv": ("案件编号,街道,责任单位,部门,哨类,等级,受理时间,响应时限,响应时间,办结时限,办结时间,满意度,"
                     "第三方回访得分\n"
                     "W-1,420202001,420202-CG,CG,日常哨,C,2026-07-01 09:00,2026-07-02 23:59:59,2026-07-01 10:00,"
                     "2026-07-15 23:59:59,2026-07-10 16:00,满意,90\n").encode(),
    "vetoes.csv": "对象,否决事项,日期,说明\n420202001,安全生产,2026-07-01,示意\n".encode(),
}
VALID["whistles.xlsx"] = _xlsx([line.split(",") for line in VALID["whistles.csv"].decode().splitlines()])

LOADERS: dict[str, Callable[[Path], Any]] = {
    "power_list.xlsx": load_power_list,
    "delegation.xlsx": lambda p: load_delegation_workbook(p, router().catalog),
    "issues.jsonl": lambda p: list(router().route_many(read_issues(p))),
    "issues.json": lambda p: list(router().route_many(read_issues(p))),
    "issues.csv": lambda p: list(router().route_many(read_issues(p))),
    "issues.xlsx": lambda p: list(router().route_many(read_issues(p))),
    "routing.toml": lambda p: RuleSet.load(p.parent),
    "whistles.csv": read_whistles,
    "whistles.xlsx": read_whistles,
    "vetoes.csv": read_vetoes,
}


def test_the_valid_seeds_load() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in VALID.items():
            path = Path(tmp) / name
            path.write_bytes(data)
            assert LOADERS[name](path) is not None, name
            path.unlink()


def mutate(data: bytes, flips: list[tuple[int, int]], cut: int | None, insert: bytes) -> bytes:
    blob = bytearray(data)
    for position, mask in flips:
        blob[position % len(blob)] ^= mask
    blob = blob[: cut % (len(blob) + 1)] if cut is not None else blob
    if insert:
        at = (flips[0][0] if flips else 0) % (len(blob) + 1)
        blob[at:at] = insert
    return bytes(blob)


mutations = st.tuples(
    st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(1, 255)), max_size=6),
    st.none() | st.integers(0, 1 << 20),
    st.binary(max_size=16)
    | st.sampled_from([b"", b"\x00", b"\xff\xfe", b'"', b"\n", b"[[", b"{", b"=", b"\xef\xbb\xbf"]),
)


@pytest.mark.parametrize("name", sorted(LOADERS))
@FUZZ
@given(change=mutations)
def test_mutated_files_give_only_input_errors(name: str, change: tuple[Any, Any, bytes]) -> None:
    data = mutate(VALID[name], *change)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        value_or_input_error(LOADERS[name], path)


@pytest.mark.parametrize("name", sorted(LOADERS))
@FUZZ
@given(blob=st.binary(max_size=400))
def test_random_bytes_give_only_input_errors(name: str, blob: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(blob)
        value_or_input_error(LOADERS[name], path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
ISSUE_KEYS = ["id", "received_at", "category", "location", "channel", "request_kind", "emergency", "key_work",
              "needs_enforcement", "cross_department", "repeat_count", "description", "工单编号", "受理时间",
              "问题分类", "街道", "社区", "是否紧急", "重复次数", "extra"]
cell_values = (st.none() | st.booleans() | st.integers(-10**6, 10**12) | st.floats() | st.text(max_size=20)
               | st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2200, 1, 1))
               | st.dates(min_value=date(1900, 3, 1)) | st.sampled_from(
                   ["RX0302", "BJ0102", "420202001", "420202001001", "2026-07-01T09:00", "是", "否", "12345", "求助",
                    "emergency", "-1", "1e400", "NaN"]))


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.dictionaries(st.sampled_from(ISSUE_KEYS) | st.text(max_size=6), cell_values | json_values, max_size=10))
def test_random_dict_issues_give_a_decision_or_an_input_error(raw: dict[str, Any]) -> None:
    try:
        decision = router().route(raw)
    except InputError as error:
        assert error.problems
    else:
        assert isinstance(decision, Decision) and decision.status == "routed"
    (decision,) = router().route_many([raw])
    assert isinstance(decision, Decision)


@FUZZ
@given(lines=st.lists(st.dictionaries(st.sampled_from(ISSUE_KEYS), json_values, max_size=8) | json_values, max_size=5))
def test_random_json_lines_give_decisions(lines: list[Any]) -> None:
    import json

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "issues.jsonl"
        path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
        decisions = value_or_input_error(LOADERS["issues.jsonl"], path)
        assert decisions is None or all(isinstance(d, Decision) for d in decisions)


@FUZZ
@given(grid=st.lists(st.lists(cell_values, max_size=6), max_size=6),
       header=st.lists(st.sampled_from(["工单编号", "受理时间", "问题分类", "发生地点", "是否紧急", "重复次数", "x"]),
                       max_size=6))
def test_random_issue_workbooks_give_decisions_or_input_errors(grid: list[list[Any]], header: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "issues.xlsx"
        try:
            path.write_bytes(_xlsx([header, *grid]))
        except (ValueError, TypeError, IllegalCharacterError):  # values openpyxl will not write
            return
        value_or_input_error(LOADERS["issues.xlsx"], path)


@pytest.mark.parametrize("target", ["organisation.xlsx", "taxonomy.xlsx", "calendar_overrides.xlsx"])
@settings(max_examples=6, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(change=mutations)
def test_mutated_catalogs_give_only_input_errors(target: str, change: tuple[Any, Any, bytes],
                                                 light_catalogs: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "catalogs"
        shutil.copytree(light_catalogs, root)
        (root / target).write_bytes(mutate((light_catalogs / target).read_bytes(), *change))
        value_or_input_error(load_catalogs, root)
