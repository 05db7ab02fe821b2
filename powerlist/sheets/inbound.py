"""The one Unicode policy for text entering powerlist — from issue files (JSONL, JSON, CSV, XLSX),
catalog and whistle sheets, dicts given to the API, and command-line arguments.

1. **Lone surrogates are refused, located.** A code point between U+D800 and U+DFFF that is not
   half of a pair is not a character: JSON may carry one (``"\\udfff"``), and Python turns a
   non-UTF-8 byte of a file name or argument into one. No encoder can write it, so it would
   crash every writer (CSV, JSONL, XLSX, the terminal) or the case store. The field it is in
   is a problem (code ``lone-surrogate``), and wherever the text is shown it is escaped
   (``\\udfff``, `powerlist.errors.escape_surrogates`), never carried. Where it is applied:
   every `Issue` and whistle field (`powerlist.routing.issue.checked_text`), CSV text after
   decoding (an exotic ``--encoding`` such as utf-7), command-line arguments
   (`powerlist.cli.argument_problems`), and every `Problem` and rejected decision (escaped).
   XLSX needs no check: XML cannot hold a surrogate, and its parser refuses one.
2. **Lines are split on line feeds only** (`input_lines`). ``str.splitlines`` also breaks on
   U+2028, U+2029, U+0085, U+000B, U+000C, U+001C–U+001E, which are legal inside a JSON string:
   a JSONL line holding one would be cut in two, the issue rejected and every later line
   renumbered. A carriage return before the line feed is dropped (Windows line ends). What
   powerlist writes as JSON lines escapes U+2028, U+2029 and U+0085 (`escape_line_breaks`), so
   its own output stays one line for every reader.
3. **Ids and codes are compared as NFKC** (`normalise_code`: full-width ＨＳ－１ is HS-1), **and
   invisible characters in them are refused** (`code_problem`): bidirectional controls
   (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), zero-width characters (U+200B–U+200D,
   U+2060–U+2064, U+FEFF, U+180E, U+00AD), so that two ids that look identical are identical.
   Control characters are visible: the terminal shows them escaped (``\x1b``), XLSX cells too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from ..errors import escape_surrogates

LONE_SURROGATE = re.compile("[\ud800-\udfff]")
INVISIBLE = re.compile(
    "[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional controls
    "\u200b-\u200d\u2060-\u2064\ufeff\u180e\u00ad]"  # zero-width and invisible
)


def text_problem(text: str) -> tuple[str, str] | None:
    """(code, message) when `text` cannot enter powerlist, else None (rule 1 above)."""
    found = LONE_SURROGATE.search(text)
    if found is None:
        return None
    point = f"U+{ord(found.group()):04X}"
    return "lone-surrogate", (f"文本含孤立代理码位 {point}，不是有效的 Unicode 字符（JSON 的 \\u 转义写错，或文件不是 "
                              f"UTF-8？）(the text holds a lone surrogate {point}, which is not a Unicode character: "
                              "a broken \\u escape in JSON, or bytes that are not UTF-8?)")


def shown(text: str) -> str:
    """`text` as a problem or an output may show it: lone surrogates escaped."""
    return escape_surrogates(text)


def input_lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) of `text`, split on line feeds only (rule 2 above)."""
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line[:-1] if line.endswith("\r") else line


def normalise_code(text: str) -> str:
    """An id or a code as compared: NFKC, no white space at either end."""
    return unicodedata.normalize("NFKC", text).strip()


def code_problem(text: str) -> tuple[str, str] | None:
    """(code, message) when an id or code holds a character it must not (rules 1 and 3 above)."""
    problem = text_problem(text)
    if problem is not None:
        return problem
    found = INVISIBLE.search(unicodedata.normalize("NFKC", text))
    if found is None:
        return None
    point = f"U+{ord(found.group()):04X}"
    name = unicodedata.name(found.group(), "control character")
    return "invisible-character", (f"编码/编号中含不可见字符 {point}（{name}）：两个看起来相同的编号可能不同，请删除 "
                                   f"(an id or code holds the invisible character {point} {name}: two ids that look "
                                   "the same could differ; delete it)")


# Legal inside a JSON string, but line breaks to str.splitlines and to JavaScript: escaped, so a
# JSONL line stays one line for every reader.
_LINE_BREAKS = re.compile("[\u2028\u2029\u0085]")


def escape_line_breaks(json_text: str) -> str:
    """JSON text with U+2028, U+2029 and U+0085 written as \\u escapes (the same JSON value)."""
    if json_text.isascii() or ("\u2028" not in json_text and "\u2029" not in json_text and "\x85" not in json_text):
        return json_text
    return _LINE_BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)
