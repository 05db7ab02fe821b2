"""`fast_issue` (the short way from canonical data to an Issue) gives exactly what
`Issue.model_validate` gives whenever it gives anything, on data of every shape — and it does
take the shapes real input has, so the router's hot path is not the long way in disguise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from powerlist.routing.issue import FIELD_ALIASES, REQUEST_KIND_LABELS, Channel, Issue, RequestKind, canonical
from powerlist.routing.issue_fast import fast_issue, to_issue

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "issues.jsonl"

_odd_chars = st.characters(codec=None, categories=None) | st.sampled_from(
    ["\x1c", "\x1f", "\x85", "\xa0", "\u180e", "\u200b", "\u2028", "\u3000", "\ufeff", "\ud800", "\udfff",
     "Ｈ", "１", "\u202e", " ", "\t", "\n", "-", ":", "T", "Z", "+", "."])
_texts = st.text(_odd_chars, max_size=12) | st.text(max_size=12) | st.sampled_from(
    ["", " ", "HS-1", " HS-1", "HS-1 ", "420202001", "RX0302", "42020200１", "0", "1.5", "-3", "1e3"])
_times = st.sampled_from([
    "2026-11-23T09:12:00", "2026-11-23T09:12", "2026-11-23 09:12", "2026-11-23", "2026-11-23T09:12:00Z",
    "2026-11-23T09:12:00+08:00", "2026-11-23T09:12:00-05:30", "2026-11-23T09:12:00.123456",
    "2026-11-23T09:12:00.1234567", "2026-11-23T24:00:00", "2026-02-30T09:00", "2026-13-01", "2026-1-2",
    "20261123T091200", " 2026-11-23T09:12", "2026-11-23T09:12 ", "1700000000", "2026-", "9999-12-31T23:59:59",
    "0001-01-01T00:00", "1986-06-01T12:00", "2026-11-23T09:12:00+14:00", "2026-11-23t09:12", "２０２６-11-23",
]) | st.text(max_size=20) | st.integers() | st.floats(allow_nan=True)
_values = (
    _texts | st.booleans() | st.none() | st.integers(-3, 1_000_003) | st.integers() | st.floats()
    | st.sampled_from([c.value for c in Channel] + ["12345热线", "黄石110", "其它"])
    | st.sampled_from([k.value for k in RequestKind] + list(REQUEST_KIND_LABELS.values()))
    | st.lists(st.integers(), max_size=2)
)
_keys = st.sampled_from([*Issue.model_fields, "street", "community", "extra", "编号"])


@st.composite
def _data(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": draw(_texts | st.just("HS-1")),
        "received_at": draw(_times),
        "category": draw(_texts | st.just("RX0302")),
        "location": draw(_texts | st.just("420202001001")),
    }
    for key in draw(st.lists(_keys, max_size=6)):
        data[key] = draw(_times if key == "received_at" else _values)
    for key in draw(st.lists(st.sampled_from(["id", "received_at", "category", "location"]), max_size=2)):
        data.pop(key, None)
    return data


_plain_texts = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 _\-]{0,8}[A-Za-z0-9]?", fullmatch=True)
_plain_values: dict[str, st.SearchStrategy[Any]] = {
    "channel": st.sampled_from([c.value for c in Channel] + ["12345热线", "黄石110", "其它"]),
    "request_kind": st.sampled_from([k.value for k in RequestKind] + list(REQUEST_KIND_LABELS.values())),
    "emergency": st.booleans(), "key_work": st.booleans(), "needs_enforcement": st.booleans(),
    "cross_department": st.booleans(), "repeat_count": st.integers(0, 1_000_000),
    "description": st.text(min_size=1, max_size=30),
}


@st.composite
def _plain_data(draw: st.DrawFn) -> dict[str, Any]:
    """Data of the plain shape, some of it with one or two values made odd."""
    stamp = draw(st.datetimes()).isoformat(timespec=draw(st.sampled_from(["minutes", "seconds", "microseconds"])))
    data: dict[str, Any] = {"id": draw(_plain_texts | st.text(max_size=5)), "received_at": stamp,
                            "category": draw(_plain_texts), "location": draw(_plain_texts)}
    for key in draw(st.lists(st.sampled_from(sorted(_plain_values)), max_size=8, unique=True)):
        data[key] = draw(_plain_values[key])
    for key in draw(st.lists(st.sampled_from(sorted(data)), max_size=2)):
        data[key] = draw(_times if key == "received_at" else _values)
    if draw(st.booleans()):
        data["received_at"] = stamp + draw(st.sampled_from(["Z", "+08:00", "-03:30", "+14:00", " ", "x", ".5"]))
    return data


def _same(fast: Issue, data: dict[str, Any]) -> None:
    full = Issue.model_validate(data)
    assert fast == full
    assert fast.model_fields_set == full.model_fields_set
    assert repr(fast) == repr(full)
    assert fast.model_dump() == full.model_dump()
    assert fast.model_dump_json() == full.model_dump_json()
    assert list(fast.__dict__) == list(full.__dict__)
    assert hash(fast) == hash(full)


@settings(max_examples=1500, deadline=None)
@given(_data() | _plain_data())
def test_the_short_way_equals_validation_whenever_it_answers(data: dict[str, Any]) -> None:
    for candidate in (data, canonical(data)[0]):
        fast = fast_issue(candidate)
        if fast is None:
            continue
        _same(fast, candidate)


@settings(max_examples=300, deadline=None)
@given(_data())
def test_to_issue_raises_or_returns_what_as_issue_does(data: dict[str, Any]) -> None:
    from powerlist.routing.issue import as_issue

    try:
        expected: Issue | type[Exception] = as_issue(data)
    except Exception as error:  # noqa: BLE001 - whichever error as_issue raises, to_issue must too
        expected = type(error)
    try:
        got: Issue | type[Exception] = to_issue(data)
    except Exception as error:  # noqa: BLE001
        got = type(error)
    assert got == expected


def test_the_short_way_takes_the_shapes_of_real_input() -> None:
    rows = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows.append({"id": "A-1", "received_at": "2026-11-23T09:12:00+08:00", "category": "RX0302",
                 "location": "420202001001", "channel": "12345热线", "request_kind": "投诉", "emergency": True,
                 "key_work": False, "needs_enforcement": True, "cross_department": False, "repeat_count": 3,
                 "description": "楼上漏水"})
    for raw in rows:
        data, twice = canonical(raw)
        assert not twice
        fast = fast_issue(data)
        assert fast is not None, raw
        _same(fast, data)


def test_what_the_short_way_leaves_to_validation() -> None:
    base = {"id": "A-1", "received_at": "2026-11-23T09:12", "category": "RX0302", "location": "420202001001"}
    for change in ({"id": 42}, {"received_at": 45843}, {"received_at": "45843"}, {"emergency": "是"},
                   {"channel": "电话"}, {"repeat_count": -1}, {"repeat_count": True}, {"description": "a\ud800"},
                   {"id": "ＨＳ-1"}, {"unknown": 1}, {"id": " A-1"}):
        data = {**base, **change}
        assert fast_issue(data) is None, change
    missing = dict(base)
    del missing["location"]
    assert fast_issue(missing) is None
    try:
        Issue.model_validate(missing)
    except ValidationError:
        pass
    else:  # pragma: no cover - the model must require a location
        raise AssertionError("location is required")


def test_aliases_still_name_fields() -> None:
    # The memo of key names answers as the long way does, for every alias and a noisy one.
    from powerlist.routing import issue

    for name, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            for key in (alias, f" {alias.upper()} ", f"{alias}（说明）"):
                assert issue.field_name(key) == issue._LOOKUP.get(issue._normal(key)) == name


@settings(max_examples=1500, deadline=None)
@given(_data() | _plain_data())
def test_a_plain_row_is_its_own_canonical_data(data: dict[str, Any]) -> None:
    from powerlist.routing.issue_fast import plain_issue

    issue = plain_issue(data)
    if issue is None:
        return
    canonical_data, twice = canonical(data)
    assert not twice and canonical_data == data
    _same(issue, canonical_data)
