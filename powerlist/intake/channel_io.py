"""Reading a channel's export (XLSX, CSV or JSONL) into located rows of channel fields.

XLSX goes through `powerlist.sheets.workbook` (size and zip-bomb checks, header under title rows,
merged cells); every visible sheet with the channel's header is read in workbook order. CSV goes
through `powerlist.sheets.csvfiles` (UTF-8 with or without BOM, or `encoding`, e.g. gb18030 for
an export saved by Excel in Chinese Windows). JSONL: one object a line, keys as the headers.
A file that cannot be read at all, or whose header lacks the channel's id, time or any text
column, raises `InputError`; a row's own problems stay with the row.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, ProblemCollector
from ..sheets.cell_checks import is_refused
from ..sheets.csvfiles import data_rows, decode, open_csv
from ..sheets.headers import Vocabulary, normalise_header
from ..sheets.text import cell_text
from ..sheets.workbook import Workbook
from .channels import PLACE_FIELDS, TEXT_FIELDS, ChannelSpec

SUMMARY = "无法读取渠道导出文件 (cannot read the channel export)"


@dataclass(frozen=True)
class ChannelRow:
    """One row of a channel export: channel field → value (multi-column fields joined)."""

    file: str
    row: int
    values: dict[str, Any]
    sheet: str | None = None
    cells: dict[str, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def where(self, name: str) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "cell": self.cells.get(name), "field": name}


def vocabulary(spec: ChannelSpec) -> Vocabulary:
    return Vocabulary(spec.all_fields, required=("source_id", "received_at"), multi=spec.multi, near_miss=2,
                      free_text=("title", "content", "address", "channel_category", "grid", "phone", "person"))


def read_channel(path: str | Path, spec: ChannelSpec, encoding: str = "utf-8") -> Iterator[ChannelRow]:
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError([Problem(message="没有这个文件 (no such file)", file=file, code="not-found")], SUMMARY)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(path, file, spec)
    if suffix in (".csv", ".txt"):
        return _csv(path, file, spec, encoding)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return _jsonl(path, file, spec, encoding)
    raise InputError([Problem(message=f"未知的文件类型 {suffix or '(无)'}，应为 .xlsx、.csv 或 .jsonl "
                              "(unknown file type; expected .xlsx, .csv or .jsonl)", file=file,
                              code="unknown-format")], SUMMARY)


def _check_columns(found: set[str], spec: ChannelSpec, file: str, sheet: str | None = None) -> None:
    vocab = spec.all_fields
    problems = []
    for name in ("source_id", "received_at"):
        if name not in found:
            problems.append(Problem(message=f"缺少列：{vocab[name][0]}（或 {'、'.join(vocab[name][1:4])}）"
                                    f"(missing column for {name})", file=file, sheet=sheet, row=1, field=name,
                                    code="missing-column"))
    if not found & set(TEXT_FIELDS):
        names = "、".join(vocab[n][0] for n in TEXT_FIELDS if n in vocab)
        problems.append(Problem(message=f"没有诉求文字列（{names}）(no text column)", file=file, sheet=sheet, row=1,
                                field="content", code="missing-column"))
    if problems:
        raise InputError(problems, f"{spec.label}: {SUMMARY}")


def _join(values: Any) -> str | None:
    parts = [t for t in (cell_text(v) if not isinstance(v, str) else v.strip() for v in values if not is_refused(v))
             if t]
    return " ".join(parts) if parts else None


def _xlsx(path: Path, file: str, spec: ChannelSpec) -> Iterator[ChannelRow]:
    vocab = vocabulary(spec)
    problems = ProblemCollector(file)
    book = Workbook(path, file)
    try:
        tables = list(book.tables(vocab, problems))
        if not tables and not problems:
            _check_columns(set(), spec, file)
        problems.raise_if_any(f"{spec.label}: {SUMMARY}")
        for sheet, header, _ in tables:
            _check_columns(set(header.columns), spec, file, sheet)
    except BaseException:
        book.close()
        raise
    return _xlsx_rows(book, tables, spec, file, problems)


def _xlsx_rows(book: Workbook, tables: list[Any], spec: ChannelSpec, file: str,
               found: ProblemCollector) -> Iterator[ChannelRow]:
    seen = 0
    try:
        for sheet, header, rows in tables:
            for row in rows:
                cell_problems = tuple(found.problems[seen:])
                seen = len(found.problems)
                values = {k: v for k, v in row.values.items() if not is_refused(v)}
                for name, columns in row.extra.items():
                    values[name] = _join(columns)
                cells = {name: f"{letter}{row.number}" for name, letter in header.letters.items()}
                yield ChannelRow(file, row.number, values, sheet, cells, cell_problems)
    finally:
        book.close()


def _csv(path: Path, file: str, spec: ChannelSpec, encoding: str) -> Iterator[ChannelRow]:
    text = decode(path, file, encoding, SUMMARY)
    header, reader = open_csv(text, file, SUMMARY)
    lookup = vocabulary(spec).lookup
    names = [lookup.get(normalise_header(h)) for h in header]
    _check_columns({n for n in names if n}, spec, file)
    return _csv_rows(reader, header, names, spec, file)


def _csv_rows(reader: Any, header: list[str], names: list[str | None], spec: ChannelSpec,
              file: str) -> Iterator[ChannelRow]:
    from openpyxl.utils import get_column_letter

    for number, values in data_rows(reader):
        if isinstance(values, csv.Error):
            problem = Problem(message=f"CSV 行无法读取 (unreadable CSV row: {values})", file=file, row=number,
                              code="csv")
            yield ChannelRow(file, number, {}, problems=(problem,))
            continue
        row: dict[str, list[str]] = {}
        cells: dict[str, str] = {}
        for index, value in enumerate(values[: len(header)]):
            name = names[index]
            if name is not None:
                row.setdefault(name, []).append(value)
                cells.setdefault(name, f"{get_column_letter(index + 1)}{number}")
        joined = {name: (_join(parts) if name in spec.multi else (parts[0].strip() or None))
                  for name, parts in row.items()}
        yield ChannelRow(file, number, {k: v for k, v in joined.items() if v is not None}, cells=cells)


def _jsonl(path: Path, file: str, spec: ChannelSpec, encoding: str) -> Iterator[ChannelRow]:
    text = decode(path, file, encoding, SUMMARY)
    lookup = vocabulary(spec).lookup
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    keys: set[str] = set()
    parsed: list[tuple[int, Any, Problem | None]] = []
    for number, line in lines:
        try:
            raw = json.loads(line)
        except (ValueError, RecursionError) as error:
            parsed.append((number, None, Problem(message=f"不是有效的 JSON (not valid JSON: {error})", file=file,
                                                 row=number, code="json")))
            continue
        if not isinstance(raw, dict):
            parsed.append((number, None, Problem(message="每行应为一个 JSON 对象 (a line must be one JSON object)",
                                                 file=file, row=number, code="json")))
            continue
        keys.update(n for n in (lookup.get(normalise_header(k)) for k in raw) if n)
        parsed.append((number, raw, None))
    if any(raw is not None for _, raw, _ in parsed):
        _check_columns(keys, spec, file)
    return _jsonl_rows(parsed, lookup, spec, file)


def _jsonl_rows(parsed: list[tuple[int, Any, Problem | None]], lookup: Any, spec: ChannelSpec,
                file: str) -> Iterator[ChannelRow]:
    for number, raw, problem in parsed:
        if raw is None:
            yield ChannelRow(file, number, {}, problems=(problem,) if problem else ())
            continue
        row: dict[str, list[Any]] = {}
        for key, value in raw.items():
            name = lookup.get(normalise_header(key))
            if name is not None and value is not None and value != "":
                row.setdefault(name, []).append(value)
        values = {name: (_join(parts) if name in spec.multi else parts[0]) for name, parts in row.items()}
        yield ChannelRow(file, number, values)


__all__ = ["ChannelRow", "PLACE_FIELDS", "TEXT_FIELDS", "read_channel", "vocabulary"]
