"""Benchmark: `load_power_list` on a generated 100,000-row list against bare openpyxl.

The baseline is the least any reader must do: open the same file read-only and iterate
every row's values. Both are timed in one run, on the same file, best of `--repeat`; the
ratio is what the loader adds (safety checks, the merged-cell/formula scan of the sheet
XML, header finding, cleaning, validation, PowerItem construction). Target: at most 2×.

    .venv/bin/python benchmarks/bench_load.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from powerlist.catalog.models import PowerKind
from powerlist.catalog.power_list import load_power_list

HEADER = ["序号", "事项编码", "事项名称", "子项", "权力类型", "实施主体", "实施依据", "责任事项", "追责情形",
          "承接方式", "来源", "备注"]
WORDS = "对未按规定经营生产销售使用储存运输危险化学品食品药品建筑施工占道临时设置户外广告违法行为处罚许可检查"
DEPARTMENTS = ["市场监管", "城管执法", "应急", "住建", "生态环境", "卫生健康", "民政", "人社"]
LAWS = ["《中华人民共和国食品安全法》", "《中华人民共和国安全生产法》", "《城市市容和环境卫生管理条例》",
        "《中华人民共和国大气污染防治法》", "《城市道路管理条例》"]
MODES = ["下放", "派驻", "保留区级", "委托", None]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    book = Workbook(write_only=True)
    ws = book.create_sheet("通用权责清单")
    ws.append(["黄石市街道通用权责清单（基准测试，生成数据）"])
    ws.append(HEADER)
    kinds = list(PowerKind)
    for n in range(1, rows + 1):
        name = "".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
        law = rng.choice(LAWS)
        ws.append([
            n,
            100000 + n if n % 2 else f"HS-{100000 + n}",
            name,
            None if n % 5 else f"子项{n % 7}",
            rng.choice(kinds).label if n % 3 else rng.choice(kinds).value,
            rng.choice(DEPARTMENTS),
            f"{law}第{rng.randint(1, 150)}条\n{rng.choice(LAWS)}第{rng.randint(1, 150)}条",
            "受理责任：依法受理\n审查责任：审查证据\n决定责任：作出决定",
            f"{n % 9 + 1}.未依法履行职责",
            rng.choice(MODES),
            "生成数据",
            None,
        ])
    book.save(path)
    _add_dimension(path, f"A1:L{rows + 2}")


def _add_dimension(path: Path, ref: str) -> None:
    """Write-only openpyxl omits <dimension>, which makes every read-only open parse the
    whole sheet once more; Excel and WPS always write it, so the benchmark file has it."""
    part = "xl/worksheets/sheet1.xml"
    staged = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part and b"<dimension" not in data:
                at = min(i for i in (data.find(b"<sheetViews"), data.find(b"<sheetFormatPr"),
                                     data.find(b"<cols"), data.find(b"<sheetData")) if i >= 0)
                data = data[:at] + f'<dimension ref="{ref}"/>'.encode() + data[at:]
            zout.writestr(info, data)
    staged.replace(path)


def bare(path: Path) -> int:
    book = load_workbook(path, read_only=True, data_only=True)
    count = 0
    for _ in book.worksheets[0].iter_rows(values_only=True):
        count += 1
    book.close()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "list.xlsx"
        started = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s "
              f"({path.stat().st_size / 1e6:.1f} MB)")
        base_times, load_times = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            rows = bare(path)
            base_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            loaded = load_power_list(path)
            load_times.append(time.perf_counter() - started)
        assert len(loaded.items) == args.rows and rows == args.rows + 2
        base, load = min(base_times), min(load_times)
        print(f"bare openpyxl read-only iteration: {base:.2f} s")
        print(f"load_power_list:                   {load:.2f} s "
              f"({load / args.rows * 1e6:.1f} µs per row)")
        print(f"ratio: {load / base:.2f}× (target ≤ 2×)")


if __name__ == "__main__":
    main()
