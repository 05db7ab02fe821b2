"""Property (issue 12): any text that enters leaves every writer without raising.

Text enters as a JSONL file (where JSON's \\u escapes can carry lone surrogates), a CSV file, or
a dict given to `Router.route_many`; it may hold anything: lone surrogates, control characters,
U+2028/U+2029/U+0085, bidirectional controls, zero-width characters, full-width formula
triggers. Every decision — routed or rejected — then goes through every writer: JSONL and CSV
files (atomic, UTF-8), the XLSX workbook, the terminal table and the explanation (encoded as a
UTF-8 terminal would), and the JSON report. None may raise; what they write must read back:
JSONL one decision per line, CSV no runnable formula, XLSX a workbook.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from powerlist.cli._common import dumps
from powerlist.cli.route import decisions_table, write_csv, write_jsonl, write_xlsx
from powerlist.routing.decision import Decision
from powerlist.routing.explain import explain_decision
from powerlist.routing.issue_io import read_issues
from powerlist.routing.router import Router
from powerlist.sheets.cells import is_dangerous
from powerlist.sheets.output import atomic_text

SPECIAL = ["\udfff", "\ud800", "\udc80", "\u2028", "\u2029", "\u0085", "\x00", "\x1b[2J", "\x07", "\r", "\n",
           "\t", "\u202e", "\u2066", "\u200b", "\ufeff", "\u2060", "＝", "＋", "－", "＠", "﹦", "=", "+", "-", "@",
           '"', ",", "[/]", "[bold]", "\\", "\x85", "\x7f", "\U0001f600", "长"]
PIECES = st.one_of(st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
                   st.sampled_from(SPECIAL))
TEXT = st.lists(PIECES, max_size=12).map("".join)
VALID = {"id": "HS-1", "received_at": "2026-07-01T09:00:00", "category": "RX0302", "location": "420202001001"}
FIELDS = ["id", "received_at", "category", "location", "channel", "request_kind", "emergency", "description",
          "repeat_count", "工单编号", "问题描述"]


@st.composite
def issues(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = []
    for n in range(draw(st.integers(1, 4))):
        row: dict[str, Any] = {**VALID, "id": f"HS-{n}"}
        for field in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
            row[field] = draw(TEXT)
        if draw(st.booleans()):
            row[draw(TEXT)] = draw(TEXT)  # a hostile key
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.default()


def write_everything(decisions: list[Decision], out: Path) -> None:
    """Every writer a decision meets, each as the user gets it."""
    with atomic_text(out / "out.jsonl", encoding="utf-8") as handle:
        write_jsonl(decisions, handle)
    with atomic_text(out / "out.csv", encoding="utf-8-sig", newline="") as handle:
        write_csv(decisions, handle)
    write_xlsx(decisions, out / "out.xlsx")
    terminal = io.StringIO()
    Console(file=terminal, width=100).print(decisions_table(decisions, "派单结果 decisions"))
    terminal.getvalue().encode("utf-8")
    for decision in decisions:
        explain_decision(decision).encode("utf-8")
        dumps(decision.model_dump(mode="json")).encode("utf-8")
    json.dumps([d.model_dump(mode="json") for d in decisions], ensure_ascii=False, indent=2).encode("utf-8")

    lines = (out / "out.jsonl").read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) - 1 == len(decisions)
    assert [json.loads(line)["issue_id"] for line in lines[:-1]] == [d.issue_id for d in decisions]
    with (out / "out.csv").open(encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [cell for cell in cells if is_dangerous(cell)]
    assert openpyxl.load_workbook(out / "out.xlsx").active.max_row == len(decisions) + 1


PROPERTY = settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
                    deadline=None)


@PROPERTY
@given(rows=issues())
def test_text_from_a_jsonl_file_leaves_every_writer(rows: list[dict[str, Any]], router: Router,
                                                    tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("jsonl")
    source = out / "in.jsonl"
    # ensure_ascii: JSON's own escapes, the one way a lone surrogate travels in a UTF-8 file
    source.write_text("\n".join(json.dumps(row, ensure_ascii=True) for row in rows) + "\n", encoding="utf-8")
    decisions = list(router.route_many(read_issues(source)))
    assert len(decisions) == len(rows)
    write_everything(decisions, out)


@PROPERTY
@given(rows=issues())
def test_text_from_a_dict_leaves_every_writer(rows: list[dict[str, Any]], router: Router,
                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    decisions = list(router.route_many(rows))
    assert len(decisions) == len(rows)
    write_everything(decisions, tmp_path_factory.mktemp("dict"))


@PROPERTY
@given(rows=issues())
def test_text_from_a_csv_file_leaves_every_writer(rows: list[dict[str, Any]], router: Router,
                                                  tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("csv")
    source = out / "in.csv"
    header = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(key, "") for key in header])
    # a UTF-8 file cannot hold a lone surrogate: written as the replacement a program would make
    source.write_bytes(buffer.getvalue().encode("utf-8", "replace"))
    try:
        records = list(read_issues(source))
    except Exception as error:  # noqa: BLE001 — only a located refusal of the whole file is allowed
        from powerlist.errors import InputError

        assert isinstance(error, InputError), repr(error)
        return
    write_everything(list(router.route_many(records)), out)
