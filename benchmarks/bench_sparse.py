"""Benchmark: sparse sheets stay linear in rows — 稀疏工作表 (issue 12).

Hand-made and generated workbooks often carry one stray cell far to the right on every row (a
note in column XFD, a formatting artefact). Read-only openpyxl gives every row as a tuple as wide
as its last cell, so a reader that keeps the full width does ~16,000 steps per row. The sheet
reader (`powerlist.sheets.workbook`) reads rows below the header only as wide as the columns the
header maps, so the cost per row is the cells it has, not the column of the last one.

Measures `load_power_list` on a power list of N rows with and without a cell in column XFD on
every row, for several N, and prints rows/s and the sparse/dense ratio (run by hand; the numbers
are noisy on a shared machine, the ratio much less so):

    .venv/bin/python benchmarks/bench_sparse.py [--rows 2000 8000 32000] [--repeat 3]

Measured on the 2-core development machine shared with other jobs (load average 4–5 during the
runs, so absolute rows/s move by 2× between runs; best of 5), before the change (commit d073e02,
full-width rows) and after it:

| rows | reader | dense rows/s | sparse rows/s | sparse / dense time |
|---:|---|---:|---:|---:|
| 2,000 | before | 2,213 | 1,741 | 1.27 |
| 2,000 | after | 5,370 | 4,920 | 1.09 |
| 8,000 | before | 4,932 | 3,460 | 1.43 |
| 8,000 | after | 4,485 | 3,725 | 1.20 |
| 32,000 | before | 2,692 | 3,518 | 0.77 |
| 32,000 | after | 2,401 | 2,350 | 1.02 |

Both are linear in rows: a profile of the dense list at 4,000 and 16,000 rows makes 4.5 M and
18.1 M function calls (×4.0). What the change removes is exact rather than timed: openpyxl's
`_get_row` built a 16,384-value tuple for every sparse row (≈40 µs a row in a profile, 0.155 s for
4,000 rows); it now builds one as wide as the header's mapped columns
(`tests/test_hostile.py::test_a_sparse_sheet_is_read_as_wide_as_its_header` checks the widths, not
the time). The header search still reads the first rows whole.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from powerlist.catalog.power_list import load_power_list

HEADER = ["序号", "事项编码", "事项名称", "权力类型", "实施主体", "实施依据", "承接方式", "来源"]


def generate(path: Path, rows: int, sparse: bool) -> None:
    book = Workbook(write_only=True)
    ws = book.create_sheet("通用权责清单")
    ws.append(HEADER)
    for n in range(rows):
        row: list[object] = [n + 1, f"B{n:06d}", f"事项{n}", "行政处罚", "城管", "《条例》第一条", "下放", "示意"]
        if sparse:
            row += [None] * (16_384 - len(row) - 1) + ["备注"]
        ws.append(row)
    book.save(path)


def best(path: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        items = load_power_list(path)
        times.append(time.perf_counter() - start)
        assert items
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[2000, 8000, 32000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| rows | dense rows/s | sparse rows/s | sparse / dense time |")
    print("|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            dense, sparse = Path(tmp) / "dense.xlsx", Path(tmp) / "sparse.xlsx"
            generate(dense, rows, sparse=False)
            generate(sparse, rows, sparse=True)
            d, s = best(dense, args.repeat), best(sparse, args.repeat)
            print(f"| {rows:,} | {rows / d:,.0f} | {rows / s:,.0f} | {s / d:.2f} |", flush=True)


if __name__ == "__main__":
    main()
