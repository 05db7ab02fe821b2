"""Text cells that cannot be taken as data: too long, an Excel error value, or text a spreadsheet
program would run as a formula (formula injection). Such a cell is reported once, where it is
read, and then reads as `REFUSED`, so no reader reports it again as empty and no value of it
travels into a report. Any single cell is capped at `MAX_CELL_CHARS` (32,767 characters, Excel's
own limit).
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import Problem

MAX_CELL_CHARS = 32_767


class _Refused:
    """A cell already reported as unusable (see `cell_problem`): reads as empty, and a
    reader checking required cells skips it (`is_refused`) so it is reported once."""

    def __repr__(self) -> str:
        return "REFUSED"


REFUSED: Any = _Refused()


def is_refused(value: Any) -> bool:
    return value is REFUSED


EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!"})
# The pieces of formula text (see `cell_problem`): a function call, a DDE link, and an
# operand (a number, a name or a cell reference, a "string", in optional parentheses) between
# operators. White space is matched only around operators, so a long hostile cell is matched
# in linear time.
_CALL = r"[A-Za-z_][\w.]*\s*\("
_DDE = r"\w+\|\s*'"
_OPERAND = r"\(*(?:\d+(?:\.\d*)?%?|\$?[A-Za-z_][\w.$]*|\"[^\"]*\")\)*"  # no white space: no backtracking
_FORMULA_TEXT = re.compile(rf"""\s*(?:
      =                                     # anything after =
    | [@+\-]\s*{_CALL}                      # a signed function call: @SUM(, -cmd(
    | [@+\-]?\s*{_DDE}                      # a DDE link, signed or not: cmd|' /C calc'!A0
    | [@+\-]\s*(?:{_OPERAND}\s*[-+*/^&]\s*)+  # signed arithmetic: +1+1, -2+3+cmd|'…'
      (?:{_CALL}|{_DDE}|{_OPERAND}\s*$)
)""", re.VERBOSE)
_TRIGGERS = frozenset("=@+-#") | frozenset(" \t\u3000\u00a0")


def cell_problem(value: str) -> tuple[str, str] | None:
    """(code, message) when a text cell cannot be taken as data, else None:

    - ``cell-too-long``: more than `MAX_CELL_CHARS` characters;
    - ``error-value``: an Excel error (#N/A, #REF! …), a formula's cached failure;
    - ``formula-text``: text a spreadsheet program would run as a formula. After any leading
      white space, that is text
        - starting with "=" (``=1``, ``=HYPERLINK(…)``);
        - starting with "@", "+" or "-" followed by a function call (``@SUM(``, ``-cmd(1)``);
        - starting with a DDE link, with or without a sign (``cmd|' /C calc'!A0``);
        - starting with "@", "+" or "-" followed by an arithmetic expression: two or more
          operands (numbers, names such as ``cmd`` or ``A1``, "strings", optionally in parentheses)
          joined by + - * / ^ &, up to the end of the text or to a function call or a DDE
          link (``+1+1``, ``-(1+1)``, ``-2+3+cmd|' /C calc'!A0``, and so ``+86-138-0000``).
      Such a value is refused, not loaded, so it can never travel from a user's file into a
      report. A sign before one value is data, not a formula: ``-``, ``-1``, ``+86 0714``
      (operands side by side, no operator), ``-住建``, ``@街道``; so are text that does not
      start like a formula (``A|B``, ``#1 事项``) and arithmetic followed by other text
      (``-1 + 2 个``), which no spreadsheet program can run."""
    if len(value) > MAX_CELL_CHARS:
        return "cell-too-long", (f"cell of {len(value)} characters, more than the limit of "
                                 f"{MAX_CELL_CHARS}")
    if not value or value[0] not in _TRIGGERS and "|" not in value:
        return None
    text = value.strip()
    if text in EXCEL_ERRORS:
        return "error-value", "the cell holds an Excel error value: fix the formula or the value"
    if _FORMULA_TEXT.match(text):
        return "formula-text", ("text that a spreadsheet program would run as a formula "
                                "(formula injection?): remove the leading =, +, - or @")
    return None


def drop_shadowed(problems: list[Problem]) -> list[Problem]:
    """Without the "empty cell" problems of cells already reported as formulas without a
    cached value (the same cell, one cause)."""
    formulas = {(p.sheet, p.cell) for p in problems if p.code == "formula-no-value"}
    if not formulas:
        return problems
    return [p for p in problems
            if not (p.code in ("empty-cell", "empty-code") and (p.sheet, p.cell) in formulas)]
