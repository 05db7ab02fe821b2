"""Reading hand-made spreadsheets safely: one place for every .xlsx reader in powerlist.

Staffing offices' workbooks are made by hand: title rows above the header, merged cells,
blank rows, full-width spaces, numbers stored as text, line breaks inside cells. They also
arrive renamed, truncated or hostile. A `Workbook` opens a file only after checking the
package (`powerlist.sheets.package`), finds a sheet's header row by a vocabulary of aliases
(`powerlist.sheets.headers`), streams its rows (openpyxl read-only), applies merged-cell
inheritance (`powerlist.sheets.rows`), and turns every failure into an `InputError` that names
the file, sheet and cell.

Formula cells are read from their cached values (openpyxl ``data_only``). A formula cell
without a cached value (a file written by a program that never calculated it) in a column
that is read, below the header, is an error naming the cell; elsewhere it is ignored.
Hidden and very hidden sheets are never read; `Workbook.sheets` lists them with `hidden`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, ProblemCollector
from .cellrefs import column_index_from_string, coordinate_from_string
from .headers import Header, Vocabulary, find_header
from .package import SheetScan, check_package, describe, input_error, scan_sheet_xml
from .rows import SheetRow, data_rows
from .text import is_blank

MAX_MERGED_RANGES = 200_000


@dataclass(frozen=True)
class SheetInfo:
    name: str
    hidden: bool


class Workbook:
    """An .xlsx workbook opened safely, read-only, with cached formula values.

    Use as a context manager. `file` is the name problems report (the path as given)."""

    def __init__(self, path: str | Path, file: str | None = None) -> None:
        self.path = Path(path)
        self.file = file if file is not None else str(path)
        check_package(self.path, self.file)
        from openpyxl import load_workbook  # imported when a workbook is read (`cellrefs`)

        try:
            self._book = load_workbook(self.path, read_only=True, data_only=True,
                                       keep_links=False)
        except InputError:
            raise
        except Exception as error:  # noqa: BLE001 — any library failure is a bad file
            raise input_error(self.file, describe(error, "cannot open the workbook"),
                              code="corrupt") from error
        try:
            self._archive = zipfile.ZipFile(self.path)
        except Exception as error:  # noqa: BLE001
            self._book.close()
            raise input_error(self.file, describe(error, "cannot open the workbook"),
                              code="corrupt") from error
        self._sheets = {ws.title: ws for ws in self._book.worksheets}
        self._scans: dict[str, SheetScan] = {}

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._book.close()
        self._archive.close()

    @property
    def sheets(self) -> list[SheetInfo]:
        return [SheetInfo(ws.title, ws.sheet_state != "visible") for ws in self._sheets.values()]

    def _scan(self, sheet: str) -> SheetScan:
        found = self._scans.get(sheet)
        if found is not None:
            return found
        # the stubs omit ReadOnlyWorksheet's part name in the zip, set by openpyxl's reader
        part = str(self._sheets[sheet]._worksheet_path).lstrip("/")  # type: ignore[attr-defined]
        try:
            with self._archive.open(part) as stream:
                found = scan_sheet_xml(stream)
        except Exception as error:  # noqa: BLE001 — inflating or reading the part failed
            raise input_error(self.file, describe(error, "cannot read the sheet"),
                              code="corrupt", sheet=sheet) from error
        if found.backwards is not None:
            # read-only openpyxl skips a row numbered at or before the previous one: refuse the
            # sheet rather than read it short
            previous, row = found.backwards
            raise input_error(
                self.file,
                f"工作表的行号倒退：第 {row} 行写在第 {previous} 行之后，逐行读取会悄悄丢掉这些行；请用 Excel 或 WPS "
                f"打开后重新保存 (row numbers go backwards: row {row} comes after row {previous} in the sheet's "
                "XML, and a streaming reader would silently drop rows; open the file in Excel or WPS and save "
                "it again)", code="rows-out-of-order", sheet=sheet, cell=f"A{row}")
        self._scans[sheet] = found
        return found

    def _raw_rows(self, sheet: str, first: int = 1, width: int | None = None
                  ) -> Generator[tuple[int, tuple[Any, ...]], None, None]:
        """(row number, values) from row `first` on; with `width`, each row only that many
        columns wide (read-only openpyxl otherwise gives every row as wide as its last cell)."""
        self._scan(sheet)  # refuses a sheet whose rows would be dropped
        ws = self._sheets[sheet]
        ws.reset_dimensions()  # a wrong <dimension> would silently cut rows off
        rows = ws.iter_rows(min_row=first, max_col=width, values_only=True)
        number = first - 1
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as error:  # noqa: BLE001 — openpyxl failed on the sheet's XML
                raise input_error(self.file, describe(error, "cannot read the sheet"),
                                  code="corrupt", sheet=sheet,
                                  cell=f"A{number + 1}" if number else None) from error
            number += 1
            yield number, values

    def is_empty(self) -> bool:
        """True when no visible sheet holds any value."""
        for info in self.sheets:
            if info.hidden:
                continue
            for _, values in self._raw_rows(info.name):
                if any(not is_blank(v) for v in values):
                    return False
        return True

    def tables(self, vocabulary: Vocabulary, problems: ProblemCollector
               ) -> Iterator[tuple[str, Header, Iterator[SheetRow]]]:
        """(sheet name, header, rows) of every visible sheet in which `table` finds a header,
        in workbook order."""
        for info in self.sheets:
            if info.hidden:
                continue
            header, rows = self.table(info.name, vocabulary, problems)
            if header is not None:
                yield info.name, header, rows

    def table(self, sheet: str, vocabulary: Vocabulary, problems: ProblemCollector
              ) -> tuple[Header | None, Iterator[SheetRow]]:
        """Find `sheet`'s header and stream its non-blank data rows.

        Returns (None, empty) when the sheet has no header (problems are added when a row
        looks like a header but lacks a required column). Problems in cells (too long, a
        formula without cached value, a duplicate column) go to `problems`; the rows keep
        coming so that every problem of the file is found in one pass."""
        scan = self._scan(sheet)
        if len(scan.merges) > MAX_MERGED_RANGES:
            problems.add(f"{len(scan.merges)} merged ranges, more than the limit of "
                         f"{MAX_MERGED_RANGES}", sheet=sheet, code="too-many-merges")
            return None, iter(())
        rows = self._raw_rows(sheet)
        header, head = find_header(sheet, rows, vocabulary, problems)
        if header is None:
            return None, iter(())
        read = {i + 1 for cols in header.columns.values() for i in cols}
        for ref in scan.uncached_formulas:
            if ref != "?":  # a formula in a title row or an ignored column is never read
                letters, row_number = coordinate_from_string(ref)
                if row_number <= header.row or column_index_from_string(letters) not in read:
                    continue
            problems.add("formula without a cached value: open the file in Excel or WPS and "
                         "save it, or type the value", sheet=sheet,
                         cell=None if ref == "?" else ref, code="formula-no-value")
        remaining = [item for item in head if item[0] > header.row]
        # Below the header only the mapped columns are read: a stray cell in column XFD of every
        # row would otherwise make each row 16,384 values wide (benchmarks/bench_sparse.py).
        width = max(i for cols in header.columns.values() for i in cols) + 1
        after = remaining[-1][0] if remaining else header.row
        rows.close()
        return header, data_rows(sheet, header, vocabulary, scan.merges,
                                 _chain(remaining, self._raw_rows(sheet, after + 1, width)), problems)


def _chain(first: Iterable[Any], second: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from second
