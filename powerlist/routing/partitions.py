"""An issue file in parts — 分片: the same records `issue_io.read_issues` gives, read part by part.

`split(path)` reads and checks the file once, as `read_issues` does (so a file that cannot be
read at all raises the same located `InputError` before any part exists), and cuts it into
`Partition`s of about `rows` records each, every part knowing where it starts — its first line
(or row) of the file and its first record's position among all records — so that a part read
anywhere numbers its lines, rows and "#N" positions exactly as one reader of the whole file does:

- JSONL: the decoded text, cut at line ends ("\\n"); a part's records are `jsonl_records` of
  its lines;
- CSV: the decoded text, cut after a complete record (the csv module parses the file once here
  to find them, so a quoted cell with line breaks is never cut), the header row given to every
  part;
- Parquet: row groups sliced to size, each slice sent as Arrow IPC bytes (only its own rows);
- XLSX and a .json array: read here whole (`read_issues`), their records handed out in slices.

`Partition.records(seen, first)` gives the part's records with ids checked for duplicates as
`read_issues` checks them: `seen` names ids used by earlier parts (id → "row 7"), `first`
collects where each id is first used in this part, so a caller that reads the parts in order
can find an id a later part uses again (`powerlist.routing.parallel` does: a part's result
keeps its records with ids as read (`base_records`), and the few an earlier part used are
decided again where the results meet). tests/test_partitions.py proves the parts' records, in order, equal
`read_issues` on files of every format, with blank lines, broken lines, quoted line breaks and
duplicate ids across parts.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..sheets.csvfiles import data_rows, decode
from .issue_io import (
    CANNOT_READ,
    CSV_SUFFIXES,
    JSONL_SUFFIXES,
    PARQUET_SUFFIXES,
    IssueRecord,
    csv_header,
    csv_records,
    is_json_array,
    issue_file,
    jsonl_records,
    parquet_records,
    read_issues,
    unique_ids,
)

ROWS = 5_000  # records a part, by default
# A line that is not blank: what `jsonl_records` skips is a line `str.strip` empties, and `\s`
# is the same whitespace (Py_UNICODE_ISSPACE) — "\n" aside, which ends the line.
_NOT_BLANK = re.compile(r"^[^\S\n]*\S", re.MULTILINE)


@dataclass(frozen=True)
class Partition:
    """One part of an issue file: its records, and where they stand in the whole file."""

    index: int  # 0-based, in file order
    file: str
    kind: str  # "jsonl" | "csv" | "parquet" | "records"
    first_line: int  # first line (JSONL, CSV) or row (Parquet) of the file in this part
    first_position: int  # the position of its first record among the file's records, from 1
    count: int  # records in this part
    data: Any  # JSONL: text; CSV: (header, known, text); Parquet: Arrow IPC bytes; records: tuple

    def records(self, seen: Mapping[str, str] | None = None,
                first: dict[str, str] | None = None) -> Iterator[IssueRecord]:
        """This part's records, as `read_issues` gives them; see the module docstring."""
        if self.kind == "records":
            # Read whole by the splitter, duplicates already named across the file.
            return iter(self.data)
        return unique_ids(self.base_records(), seen, first)

    @property
    def checked(self) -> bool:
        """Whether its records' ids were checked across the whole file already (read whole)."""
        return self.kind == "records"

    def base_records(self) -> Iterator[IssueRecord]:
        """This part's records before their ids are checked for duplicates (`issue_io.check_id`;
        for a part read whole, already checked)."""
        if self.kind == "records":
            return iter(self.data)
        if self.kind == "jsonl":
            found = jsonl_records(self.data, self.file, self.first_line)
        elif self.kind == "csv":
            header, known, text = self.data
            offset = self.first_line - 1
            rows = ((number + offset, values) for number, values in
                    data_rows(csv.reader(io.StringIO(text, newline=""))))
            found = csv_records(rows, header, known, self.file)
        else:
            import pyarrow as pa

            from .issue_parquet import parquet_rows

            table = pa.ipc.open_stream(self.data).read_all()
            found = parquet_records(parquet_rows(table, self.file, self.first_line), self.file)
        return found

    @property
    def where(self) -> str:
        """The lines (or rows) this part holds, for messages: "lines 5001–10000"."""
        if self.kind == "records":
            rows = [r.row for r in self.data]
            return f"rows {rows[0]}–{rows[-1]}" if rows else "no rows"
        unit = "rows" if self.kind == "parquet" else "lines"
        return f"{unit} {self.first_line}–{self.first_line + max(self.lines - 1, 0)}"

    @property
    def lines(self) -> int:
        if self.kind == "jsonl":
            return int(self.data.count("\n") + (not self.data.endswith("\n")))
        if self.kind == "csv":
            return int(self.data[2].count("\n") + (not self.data[2].endswith("\n")))
        return self.count


# A record as a part's result keeps it for deciding it again (`slim`): what `issue_io.check_id` and
# a rejection read of it — its id as checked, file, row, sheet, the id's cell, the raw id, the
# category, its problems.
SlimRecord = tuple[str, str, int, "str | None", "str | None", Any, Any, tuple[Any, ...]]


def slim(record: IssueRecord) -> SlimRecord:
    """What of `record` its id check and its rejection read, as a plain tuple (cheap to send)."""
    data = record.data
    return (record.issue_id(record.row), record.file, record.row, record.sheet, record.cells.get("id"),
            data.get("id"), data.get("category"), record.problems)


def unslim(kept: SlimRecord) -> IssueRecord:
    """The record `slim` kept, enough of it for `check_id` and `router.record_rejection`."""
    _, file, row, sheet, cell, issue_id, category, problems = kept
    data = {"id": issue_id} if category is None else {"id": issue_id, "category": category}
    return IssueRecord(file, row, data, problems, sheet, {"id": cell} if cell is not None else {})


def split(path: str | Path, encoding: str = "utf-8", rows: int = ROWS) -> tuple[int, list[Partition]]:
    """(records in all, the parts) of an issue file; raises what `read_issues` raises for a file
    that cannot be read at all."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    path, file, suffix = issue_file(path)
    if suffix in JSONL_SUFFIXES:
        text = decode(path, file, encoding, CANNOT_READ)
        if not is_json_array(path, text):
            return _split_jsonl(text, file, rows)
    elif suffix in CSV_SUFFIXES:
        return _split_csv(decode(path, file, encoding, CANNOT_READ), file, rows)
    elif suffix in PARQUET_SUFFIXES:
        return _split_parquet(path, file, rows)
    return _split_records(list(read_issues(path, encoding)), file, rows)


def _split_jsonl(text: str, file: str, rows: int) -> tuple[int, list[Partition]]:
    parts: list[Partition] = []
    newlines = text.count("\n")
    # Cut by characters at a line end near `rows` lines of the file's average length.
    size = max(1, len(text) * rows // max(1, newlines + 1))
    start, line, position = 0, 1, 1
    while start < len(text):
        end = text.find("\n", min(start + size, len(text)) - 1)
        end = len(text) if end < 0 else end + 1
        chunk = text[start:end]
        count = len(_NOT_BLANK.findall(chunk))
        if count:
            parts.append(Partition(len(parts), file, "jsonl", line, position, count, chunk))
        line += chunk.count("\n")
        position += count
        start = end
    return position - 1, parts


def _split_csv(text: str, file: str, rows: int) -> tuple[int, list[Partition]]:
    header, known, _ = csv_header(text, file)  # the same checks and errors as the reader's
    ends: list[int] = []

    def tracked() -> Iterator[str]:
        at = 0
        for physical in io.StringIO(text, newline=""):
            at += len(physical)
            ends.append(at)
            yield physical

    reader = csv.reader(tracked())
    next(reader)  # the header, read as csv_header read it
    parts: list[Partition] = []
    start = ends[-1] if ends else len(text)
    first_line, position, count = len(ends) + 1, 1, 0

    def cut(end: int, last_line: int) -> None:
        nonlocal start, first_line, position, count
        if count:
            parts.append(Partition(len(parts), file, "csv", first_line, position, count,
                                   (header, known, text[start:end])))
        start, first_line, position, count = end, last_line + 1, position + count, 0

    for number, values in data_rows(reader):
        count += 1
        if count >= rows and not isinstance(values, csv.Error):
            cut(ends[number - 1], number)
    cut(len(text), len(ends))
    return position - 1, parts


def _split_parquet(path: Path, file: str, rows: int) -> tuple[int, list[Partition]]:
    import pyarrow as pa

    from .issue_parquet import parquet_file, read_row_group

    handle = parquet_file(path, file)
    parts: list[Partition] = []
    row = 1
    for group in range(handle.num_row_groups):
        table = read_row_group(handle, group, file)
        for offset in range(0, table.num_rows, rows):
            piece = table.slice(offset, rows)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, piece.schema) as writer:
                writer.write_table(piece)
            parts.append(Partition(len(parts), file, "parquet", row, row, piece.num_rows,
                                   sink.getvalue().to_pybytes()))
            row += piece.num_rows
    return row - 1, parts


def _split_records(records: list[IssueRecord], file: str, rows: int) -> tuple[int, list[Partition]]:
    parts = [Partition(n, file, "records", 0, start + 1, len(records[start:start + rows]),
                       tuple(records[start:start + rows]))
             for n, start in enumerate(range(0, len(records), rows))]
    return len(records), parts


__all__ = ["ROWS", "Partition", "SlimRecord", "slim", "split", "unslim"]
