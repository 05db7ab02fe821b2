"""`route_lines` (JSON lines in, JSON lines out, the short way `powerlist route` takes for a JSONL
file) writes what `read_issues` → `Router.route_many` → `decision_json` write, byte for byte,
and counts what `RouteCounts.add` counts: on random files of plain and odd lines — ids used
twice (also written with spaces, or as numbers), lines that are not JSON or not objects, blank
lines, unknown categories and places, years the calendar does not know or cannot hold, escapes,
U+2028, lone surrogates, keys given twice, the keys `powerlist intake` adds, Chinese headers and
yes/no cells — on both engines; and `powerlist route` itself writes the same file either way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from powerlist.catalog.catalog import Catalog
from powerlist.errors import InputError
from powerlist.routing.batch import RouteCounts
from powerlist.routing.decision_json import decision_json
from powerlist.routing.issue_io import read_issues
from powerlist.routing.lines import jsonl_text, route_lines
from powerlist.routing.router import Router
from powerlist.routing.tables import RuleSet

RULES = RuleSet.load()


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    from powerlist.catalog.loader import load_catalogs

    return load_catalogs()


def _long_way(router: Router, path: Path) -> tuple[list[str], RouteCounts]:
    counts = RouteCounts()
    texts = []
    for decision in router.route_many(read_issues(path)):
        counts.add(decision, router.calendar)
        texts.append(decision_json(decision))
    return texts, counts


def _short_way(router: Router, path: Path) -> tuple[list[str], RouteCounts]:
    found = jsonl_text(path)
    assert found is not None
    counts = RouteCounts()
    return [line.decode("utf-8") for line in route_lines(router, *found, counts)], counts


_IDS = st.sampled_from(["HS-1", "HS-2", "HS-3", " HS-1", "HS-2 ", "中-1", "q\"1", "7", "7.0", 7, 7.0]) | st.from_regex(
    r"HS-[0-9]{1,3}", fullmatch=True)
_TIMES = st.sampled_from(["2026-11-23T09:12", "2025-01-02T02:27:00", "2026-09-30T18:00:00+08:00", "2027-03-02T09:00",
                          "2029-12-31T23:00", "2099-03-02T09:00", "9999-12-31T12:00", " 2026-11-23T09:12",
                          "2026/11/23 9:05", "2026-02-30T09:00", "no time"]) | st.integers(0, 50_000)


@st.composite
def _line(draw: st.DrawFn, categories: list[str], places: list[str]) -> str:
    kind = draw(st.integers(0, 19))
    if kind == 0:
        return draw(st.sampled_from(["", "   ", "{not json", "[1, 2]", "null", '"text"', "{}"]))
    issue: dict[str, Any] = {}
    if draw(st.integers(0, 9)):
        issue["id"] = draw(_IDS)
    issue["received_at"] = draw(_TIMES)
    issue["category"] = draw(st.sampled_from(categories) | st.sampled_from(["NOPE", "占道经营", " RX0302"]))
    issue["location"] = draw(st.sampled_from(places) | st.sampled_from(["nowhere", "纺织社区"]))
    for key in draw(st.lists(st.sampled_from(["emergency", "key_work", "needs_enforcement", "cross_department",
                                              "repeat_count", "request_kind", "channel", "description"]),
                             max_size=5, unique=True)):
        issue[key] = draw({
            "repeat_count": st.integers(-1, 5) | st.just("3"),
            "request_kind": st.sampled_from(["complaint", "投诉", "建议", "nope", None]),
            "channel": st.sampled_from(["12345", "网格", "12345热线", "fax", None]),
            "description": st.sampled_from(["路灯不亮", "井盖缺失 \"危险\"", "a\u2028b", "\ud800", " x ", "", None]),
        }.get(key, st.booleans() | st.sampled_from(["是", "否", 1, None])))
    if kind == 1:  # a Chinese header
        issue["编号"] = issue.pop("id", "HS-9")
    if kind == 2:  # keys powerlist intake adds
        issue["match"] = {"category": issue["category"], "score": 0.9}
        issue["duplicate_of"] = "HS-1"
    if kind == 3:  # a float, which orjson would read otherwise
        issue["repeat_count"] = 2.0
    text = json.dumps(issue, ensure_ascii=draw(st.booleans()), separators=draw(st.sampled_from([(", ", ": "),
                                                                                                 (",", ":")])))
    if kind == 4 and len(issue) > 1:  # a key given twice
        first = next(iter(issue))
        text = text[:-1] + f', "{first}": ' + json.dumps(issue[first]) + "}"
    if kind == 5:
        text += "\r"
    return text


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_short_way_writes_and_counts_what_the_long_way_does(shipped: Catalog, tmp_path_factory: Any,
                                                                data: st.DataObject) -> None:
    categories = sorted(shipped.categories)[:40]
    places = sorted(shipped.streets)[:3] + sorted(shipped.communities)[:5]
    lines = data.draw(st.lists(_line(categories, places), min_size=1, max_size=25))
    # the same issue again with another id or clock: plans kept and stamped again
    lines += [line.replace("HS-", "HT-") for line in lines[:5]]
    lines += data.draw(st.lists(st.sampled_from(lines), max_size=4))  # the same lines again: ids used before
    path = tmp_path_factory.mktemp("lines") / "issues.jsonl"
    path.write_text("\n".join(lines) + data.draw(st.sampled_from(["", "\n"])), encoding="utf-8", errors="surrogatepass")
    engine = data.draw(st.sampled_from(["compiled", "compiled", "durable"]))
    try:
        long = _long_way(Router(shipped, RULES, engine=engine), path)
    except InputError as error:  # a lone surrogate written raw: the file is not UTF-8
        with pytest.raises(InputError) as again:
            _short_way(Router(shipped, RULES, engine=engine), path)
        assert again.value.problems == error.problems
        return
    short = _short_way(Router(shipped, RULES, engine=engine), path)
    assert short[0] == long[0]
    assert short[1] == long[1]


def test_the_benchmark_s_kind_of_file(shipped: Catalog, tmp_path: Path) -> None:
    """Random leaves and places, a few bad lines (as make_route_input.py writes): equal, and most
    lines take the short way."""
    import random

    rng = random.Random(16)
    leaves = sorted(shipped.categories)
    places = sorted(shipped.streets) + sorted(shipped.communities)
    rows = []
    for n in range(400):
        row: dict[str, Any] = {"id": f"B-{n % 390}", "received_at": f"202{rng.choice('567')}-0{rng.randint(1, 9)}-1"
                               f"{rng.randint(0, 9)}T0{rng.randint(0, 9)}:00", "category": rng.choice(leaves),
                               "location": rng.choice(places)}
        if rng.random() < 0.3:
            row["emergency"] = True
        rows.append(json.dumps(row, ensure_ascii=False))
    path = tmp_path / "day.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    router = Router(shipped, RULES)
    taken = []
    route_plain = router.route_plain
    router.route_plain = lambda issue: taken.append(issue) or route_plain(issue)  # type: ignore[method-assign]
    assert _short_way(router, path) == _long_way(Router(shipped, RULES), path)
    assert len(taken) > 300


def test_other_files_are_not_lines(tmp_path: Path) -> None:
    array = tmp_path / "issues.json"
    array.write_text('[{"id": "1"}]', encoding="utf-8")
    assert jsonl_text(array) is None
    table = tmp_path / "issues.csv"
    table.write_text("id\n1\n", encoding="utf-8")
    assert jsonl_text(table) is None


def test_powerlist_route_writes_the_same_file_either_way(shipped: Catalog, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from powerlist.cli import app
    from powerlist.cli import route as route_cli

    if not any(c.name == "route" for c in app.registered_commands):
        route_cli.register(app)
    lines = [
        '{"id": "C1", "received_at": "2026-11-23T09:12", "category": "RX0302", "location": "420202001001"}',
        '{"id": "C1", "received_at": "2026-11-23T09:12", "category": "RX0302", "location": "420202001001"}',
        '{"id": "C2", "received_at": "2029-11-23T09:12", "category": "RX0302", "location": "420202001"}',
        '{"id": "C3", "received_at": "2026-11-23T09:12", "category": "NOPE", "location": "420202001"}',
        "not json",
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()
    short = runner.invoke(app, ["route", str(source), "--out", str(tmp_path / "short.jsonl")])
    monkeypatch.setattr(route_cli, "jsonl_text", lambda path, encoding: None)
    long = runner.invoke(app, ["route", str(source), "--out", str(tmp_path / "long.jsonl")])
    assert (tmp_path / "short.jsonl").read_bytes() == (tmp_path / "long.jsonl").read_bytes()
    assert short.exit_code == long.exit_code == 1
    assert short.stderr == long.stderr and "2029" in short.stderr
