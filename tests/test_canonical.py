"""The store's canonical JSON (`powerlist.cases.canonical`): orjson is used only where it reads
the value the standard library reads and writes the bytes it writes — for every value, every
character, every float; otherwise the standard library does both, as before."""

from __future__ import annotations

import json
import math
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlist.cases import canonical
from powerlist.cases.lifecycle import Snapshot, replay
from powerlist.testing import case_histories

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=30)


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values (so also -0.0 vs 0.0 and int vs float are told apart)."""
    return canonical.dumps(a) == canonical.dumps(b) and type(a) is type(b)


@settings(max_examples=1500)
@given(values)
def test_stored_text_reads_as_the_standard_library_reads_it_and_writes_back_the_same(value: Any) -> None:
    for text in (canonical.dumps(value), orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
                 if _orjson_can(value) else canonical.dumps(value)):
        got, exact = canonical.load(text.encode())
        expected = json.loads(text)
        assert _same(got, expected) and got == expected
        assert canonical.load(text)[0] == expected  # text in, the same
        if exact:
            assert canonical.dump(got, exact=True) == canonical.dumps(expected).encode()
            # and for what a tick builds from an exact value's parts, strings, ints and bools
            built = {"from": got, "n": 3, "reason": "催办", "hard": True, "parts": [got, None]}
            assert canonical.dump(built, exact=True) == canonical.dumps(built).encode()
        assert canonical.dump(got, exact=False) == canonical.dumps(expected).encode()


def _orjson_can(value: Any) -> bool:
    try:
        orjson.dumps(value)
    except TypeError:  # integers past 64 bits
        return False
    return True


@settings(max_examples=3000)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_is_exact_only_where_orjson_writes_it_as_python_does(x: float) -> None:
    for text in (json.dumps({"x": x}), orjson.dumps({"x": x}).decode()):
        got, exact = canonical.load(text)
        assert got == {"x": x}
        if exact:
            assert orjson.dumps(got) == json.dumps(got, separators=(",", ":")).encode()
    if x == 0 or abs(x) >= 1e-4:  # every other float takes the fast path
        assert canonical.load(json.dumps({"x": x}, separators=(",", ":")))[1]


def test_every_character_is_written_alike() -> None:
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert orjson.dumps({"s": every, every[:5000]: 1}, option=orjson.OPT_SORT_KEYS) == canonical.dumps(
        {"s": every, every[:5000]: 1}).encode()
    keys = {chr(c): c for c in (0x41, 0x61, 0xE9, 0x4E2D, 0xFFFD, 0x1F600, 0x10FFFF, 0x7F, 0x1F)}
    assert canonical.dump(keys, exact=True) == canonical.dumps(keys).encode()


@pytest.mark.parametrize("text", [
    '{"a":1e-05}', '{"a":0.00001}', '{"a":1e-7}', '{"a":[NaN]}', '{"a":Infinity}', '{"a":123456789012345678901234}',
    '{"a": 1}', '{"b":1,"a":2}', '{"a":1,"a":2}', '"\\ud800"', '{"a":"\\u00e9"}', '\ufeff{"a":1}',
])
def test_text_that_orjson_would_read_or_write_otherwise_is_left_to_the_standard_library(text: str) -> None:
    try:
        expected = json.loads(text)
    except ValueError as error:
        with pytest.raises(ValueError) as raised:
            canonical.load(text.encode())
        assert type(raised.value) is type(error) and str(raised.value) == str(error)
        return
    got, exact = canonical.load(text.encode("utf-8", "surrogatepass"))
    assert not exact
    assert _same(got, expected) or (isinstance(got, dict) and math.isnan(got["a"][0]))


def test_bytes_that_are_not_utf8_are_a_value_error() -> None:
    with pytest.raises(ValueError):
        canonical.load(b'{"a":"\xff"}')


@settings(max_examples=300)
@given(case_histories())
def test_a_snapshot_reads_back_exact_and_writes_the_same_bytes(history: Any) -> None:
    snapshot = replay(history.events)
    text = snapshot.dumps()
    read, exact = Snapshot.read(text.encode())
    assert read == snapshot and exact
    assert read.dump(exact=True) == text.encode() == read.dump(exact=False)
    assert Snapshot.loads(text) == snapshot
