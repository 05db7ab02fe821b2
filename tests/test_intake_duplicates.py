"""Duplicates across channels: order-independent within the window, never across streets, the
first report stays the case and its repeat_count rises, the evidence is in the trace."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlist.intake import CHANNELS, Gazetteer, Intake, Matcher, Report, link_duplicates, read_channel
from powerlist.intake.pipeline import IntakeOptions
from powerlist.routing.issue import SHANGHAI

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
PARENTS = {"A1": "A", "A2": "A", "B1": "B"}
STREETS = {"C1": "S1", "C2": "S1", "C3": "S2", "S1": "S1", "S2": "S2"}

reports = st.lists(
    st.builds(
        lambda n, minutes, location, category, point: Report(
            id=f"R{n}", received_at=T0 + timedelta(minutes=minutes), street=STREETS[location], location=location,
            category=category, channel="12345", point=point),
        st.integers(0, 10_000), st.integers(0, 60 * 24 * 6), st.sampled_from(sorted(STREETS)),
        st.sampled_from(sorted(PARENTS)),
        st.one_of(st.none(), st.tuples(st.floats(115.0, 115.01), st.floats(30.0, 30.01)))),
    max_size=40, unique_by=lambda r: r.id)


@settings(max_examples=200)
@given(reports, st.randoms(use_true_random=False))
def test_linking_is_order_independent(items: list[Report], rng: Any) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)
    first = link_duplicates(items, PARENTS)
    second = link_duplicates(shuffled, PARENTS)
    assert {k: (v.duplicate_of, v.position, v.duplicates) for k, v in first.items()} == \
           {k: (v.duplicate_of, v.position, v.duplicates) for k, v in second.items()}


@settings(max_examples=200)
@given(reports)
def test_links_hold_only_what_the_rules_allow(items: list[Report]) -> None:
    window = timedelta(days=3)
    by_id = {r.id: r for r in items}
    links = link_duplicates(items, PARENTS, window=window)
    for issue_id, link in links.items():
        if link.duplicate_of is None:
            continue
        later, first = by_id[issue_id], by_id[link.duplicate_of]
        assert later.street == first.street  # never across streets
        assert PARENTS[later.category] == PARENTS[first.category]
        assert timedelta(0) <= later.received_at - first.received_at <= window
        assert links[first.id].duplicate_of is None  # linked to a first report, never to a duplicate
    counted = sum(1 for link in links.values() if link.duplicate_of is not None)
    assert counted == sum(link.duplicates for link in links.values())


def test_window_distance_and_siblings() -> None:
    def report(n: int, hours: float, category: str = "A1", point: tuple[float, float] | None = None,
               location: str = "C1") -> Report:
        return Report(f"R{n}", T0 + timedelta(hours=hours), STREETS[location], location, category, "x", point)

    links = link_duplicates([report(1, 0), report(2, 10), report(3, 80)], PARENTS)
    assert links["R2"].duplicate_of == "R1" and links["R3"].duplicate_of is None  # 80 h > the 72 h window
    assert links["R1"].duplicates == 1 and links["R2"].position == 1
    sibling = link_duplicates([report(1, 0, "A1"), report(2, 1, "A2"), report(3, 1, "B1")], PARENTS)
    assert sibling["R2"].duplicate_of == "R1" and sibling["R3"].duplicate_of is None
    assert sibling["R2"].evidence["category"] == "sibling of A"
    strict = link_duplicates([report(1, 0, "A1"), report(2, 1, "A2")], PARENTS, siblings=False)
    assert strict["R2"].duplicate_of is None
    near, far = (115.0, 30.0), (115.01, 30.0)  # ~960 m apart
    spaced = link_duplicates([report(1, 0, point=near), report(2, 1, point=far), report(3, 2, point=near)], PARENTS)
    assert spaced["R2"].duplicate_of is None and spaced["R3"].duplicate_of == "R1"
    assert spaced["R3"].evidence["distance_m"] == 0.0
    other_community = link_duplicates([report(1, 0), report(2, 1, location="C2")], PARENTS)
    assert other_community["R2"].duplicate_of is None


# ---- across channels, through intake -------------------------------------------------------


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_the_same_pothole_from_three_channels(tmp_path: Path, catalog: Any) -> None:
    hotline = _csv(tmp_path / "12345.csv", ["工单编号", "受理时间", "诉求内容", "诉求地址"], [
        ["H-2", "2026-11-23 11:00", "磁湖路88号门口的井盖又丢了，还没人管", "磁湖路88号"],
        ["H-9", "2026-11-23 12:00", "湖山小区门口井盖丢了", "磁湖路200号"],  # another street: never linked
    ])
    city = _csv(tmp_path / "szcg.csv", ["任务号", "上报时间", "小类名称", "问题描述", "位置描述"], [
        ["S-1", "2026-11-23 09:00", "污水井盖", "井盖缺失", "磁湖路88号"],
    ])
    grid = _csv(tmp_path / "grid.csv", ["事件编号", "上报时间", "事件描述", "事件地址"], [
        ["G-5", "2026-11-24 08:00", "磁湖社区路口井盖被偷了", "磁湖路60号"],
        ["G-6", "2026-11-28 08:00", "磁湖路井盖又丢了一个", "磁湖路61号"],  # after the window: a new case
    ])
    rows = [(CHANNELS[code], row) for path, code in ((hotline, "12345"), (city, "szcg"), (grid, "grid"))
            for row in read_channel(path, CHANNELS[code])]
    records = {r.id: r for r in Intake(Matcher.default(), Gazetteer.default(catalog), None, IntakeOptions()).run(rows)}
    assert all(r.ok for r in records.values())
    assert records["S-1"].duplicate_of is None and records["S-1"].repeat_count == 2
    assert records["H-2"].duplicate_of == "S-1" and records["G-5"].duplicate_of == "S-1"
    assert records["H-9"].duplicate_of is None and records["G-6"].duplicate_of is None
    step = next(s for s in records["H-2"].trace if s["rule"] == "intake.duplicate")
    assert step["evidence"]["location"] == "420202002003" and step["evidence"]["channels"] == ["szcg", "12345"]
    assert step["evidence"]["minutes_after"] == 120.0
    issue = records["S-1"].issue()
    assert issue is not None and issue.repeat_count == 2


@pytest.mark.parametrize("window_hours", [1.0, 1000.0])
def test_window_is_configurable(tmp_path: Path, catalog: Any, window_hours: float) -> None:
    path = _csv(tmp_path / "h.csv", ["工单编号", "受理时间", "诉求内容", "诉求地址"], [
        ["1", "2026-11-23 09:00", "井盖丢了", "磁湖路88号"], ["2", "2026-11-23 12:00", "井盖丢了", "磁湖路88号"]])
    rows = [(CHANNELS["12345"], row) for row in read_channel(path, CHANNELS["12345"])]
    options = IntakeOptions(window=timedelta(hours=window_hours))
    records = Intake(Matcher.default(), Gazetteer.default(catalog), None, options).run(rows)
    assert (records[1].duplicate_of == "1") is (window_hours > 3)
