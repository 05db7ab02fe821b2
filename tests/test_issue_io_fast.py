"""`json_object` reads a plain JSON line with orjson and any other with json's decoder: on random
lines — issues as `json.dumps` writes them with every option, keys given twice, escapes, lone
surrogates, floats, integers past 64 bits, nested values, NaN, broken JSON — it returns what
json's decoder alone returns (the same keys in the same order, values of the same types, the
same `_Keys` for a repeated key, the same message for a line that is not an object)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from powerlist.routing import issue_io
from powerlist.routing.issue_io import json_object, plain_object


def _json_only(line: str | bytes) -> dict[str, Any] | str:
    """What json_object returned before orjson: json's decoder (with the repeated-key hook) only."""
    try:
        raw = issue_io._loads(line.decode("utf-8") if isinstance(line, bytes) else line)
    except (ValueError, RecursionError) as error:
        return issue_io._json_problem(error)
    if not isinstance(raw, dict):
        return "每行应为一个 JSON 对象 (a line must be one JSON object)"
    return raw


def _same(got: Any, expected: Any) -> None:
    assert type(got) is type(expected)
    if isinstance(expected, dict):
        assert list(got) == list(expected)
        for key in expected:
            _same(got[key], expected[key])
        assert getattr(got, "twice", None) == getattr(expected, "twice", None)
    elif isinstance(expected, list):
        assert len(got) == len(expected)
        for a, b in zip(got, expected, strict=True):
            _same(a, b)
    elif isinstance(expected, float) and expected != expected:
        assert got != got  # NaN
    else:
        assert got == expected


_KEYS = st.sampled_from(["id", "received_at", "category", "location", "emergency", "repeat_count", "description",
                         "编号", "a\"b", "a/b", "", " id", "\u2028", "\ud800", "é"]) | st.text(max_size=6)
_SCALARS = (st.none() | st.booleans() | st.integers(-(2 ** 70), 2 ** 70) | st.floats(allow_nan=True)
            | st.text(max_size=12) | st.sampled_from(["2026-11-23T09:12", "RX0302", "是", "a\\u0062", "\ud83d"]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
                       max_leaves=6)


@st.composite
def _lines(draw: st.DrawFn) -> str:
    pairs: list[tuple[str, Any]] = draw(st.lists(st.tuples(_KEYS, _VALUES), max_size=7))
    twice: bool = draw(st.booleans())
    if pairs and twice:  # a key given twice, with the same or another value
        key, value = draw(st.sampled_from(pairs))
        again: Any = draw(st.just(value) | _VALUES)
        pairs.insert(draw(st.integers(0, len(pairs))), (key, again))
    ascii_only = draw(st.booleans())
    colon, comma = draw(st.sampled_from([(":", ","), (": ", ", "), (" : ", " , "), ("\t:", ",\t")]))
    body = comma.join(json.dumps(k, ensure_ascii=ascii_only) + colon + json.dumps(v, ensure_ascii=ascii_only)
                      for k, v in pairs)
    line = draw(st.sampled_from(["", " ", "\r"])) + "{" + body + "}" + draw(st.sampled_from(["", " ", "\r", " x"]))
    if draw(st.integers(0, 9)) == 0:  # broken: a character cut out or put in
        at = draw(st.integers(0, len(line)))
        line = line[:at] + draw(st.sampled_from(["", '"', "\\", "}", ",", "\x00"])) + line[at + 1:]
    return line


@settings(max_examples=600, deadline=None)
@given(_lines())
@example('{"id": "A", "id": "A"}')
@example('{"id" : "A", "id": 1}')
@example('{"a": 1, "a": null}')
@example('{"a": ":", "a": 2}')
@example('{"a/b": 1, "a\\/b": 2}')
@example('{"a": 123456789012345678901234567890}')
@example('{"a": 1.0}')
@example('{"a": NaN}')
@example('{"a": "\\ud800"}')
@example('{"a": "x"} {"b": 1}')
@example('[1, 2]')
@example('{"a": {"b": 1, "b": 2}}')
def test_json_object_is_json_s_decoder(line: str) -> None:
    expected = _json_only(line)
    _same(json_object(line), expected)
    _same(json_object(line.encode("utf-8", "surrogatepass")), _json_only(line.encode("utf-8", "surrogatepass")))
    if plain_object(line) is not None:  # the short way is taken only where it cannot differ
        assert type(expected) is dict


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='{}[]":,\\ 0123456789.eE+-truefalsnl\u2028\ud800é', max_size=30))
def test_json_object_on_random_text(line: str) -> None:
    _same(json_object(line), _json_only(line))


def test_plain_lines_take_the_short_way() -> None:
    line = json.dumps({"id": "HS-1", "received_at": "2026-07-08T23:02", "category": "RX0102",
                       "location": "420205002003", "request_kind": "建议", "needs_enforcement": True,
                       "repeat_count": 2, "channel": None}, ensure_ascii=False)
    assert plain_object(line) == json.loads(line)
    for other in ('{"a": 1.5}', '{"a": "\\"q\\""}', '{"a": [1]}', '{"a": 1, "a": 1}', "[1]", "{"):
        assert plain_object(other) is None
