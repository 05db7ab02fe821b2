"""`powerlist intake FILE… --channel C`: channel exports → one JSONL stream of issues (多网合一).

Each line is an issue ready for `powerlist route` and `powerlist cases open` (the Issue fields)
plus `match`, `place`, `duplicate_of`, `trace`, `source` and `problems` (see
`powerlist.intake.pipeline`). Several files may be given, one `--channel` for all or one per
file in order; duplicates are linked across all of them. Rows that cannot be matched or placed
are written with their problems, never dropped. Exit codes: 0 every row is a routable issue,
1 some rows have problems (or the input is unusable), 2 usage error.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ._common import EXIT_FINDINGS, EXIT_USAGE, dumps, err, fail, out, table, user_errors
from ._help import Command


class ChannelCode(StrEnum):
    HOTLINE = "12345"
    DIGITAL_CITY = "szcg"
    VIDEO = "xueliang"
    PETITION = "xinfang"
    POLICE = "110"
    GRID = "grid"


def register(app: typer.Typer) -> None:
    app.command("intake", cls=Command)(intake)


def intake(
    files: Annotated[list[Path], typer.Argument(
        metavar="FILE", help="各渠道导出的文件：.xlsx、.csv 或 .jsonl (channel exports: .xlsx, .csv or .jsonl)")],
    channel: Annotated[list[ChannelCode], typer.Option(
        "--channel", help="渠道：12345 热线 · szcg 数字城管 · xueliang 雪亮工程 · xinfang 阳光信访 · 110 非警务警情 · "
                          "grid 网格；所有文件给一个，或每个文件依次给一个 (once for all files, or once per file)")],
    gazetteer: Annotated[Path | None, typer.Option("--gazetteer", help="地名地址库工作簿，默认用随附的 "
                                                   "(gazetteer workbook; default: the shipped one)")] = None,
    model: Annotated[Path | None, typer.Option("--model", help="自动匹配模型，默认用随附模型 "
                                               "(matcher model; default: the shipped model)")] = None,
    boundaries: Annotated[Path | None, typer.Option("--boundaries", help="社区边界，GeoJSON "
                                                    "(community boundaries, GeoJSON)")] = None,
    catalogs: Annotated[Path | None, typer.Option("--catalogs", help="目录文件夹，默认用随附目录 "
                                                  "(catalogs directory; default: the shipped)")] = None,
    window_hours: Annotated[float, typer.Option("--window-hours", min=0.0,
                                                help="重复诉求：首次反映后多少小时内算重复 "
                                                "(duplicates: hours after the first report)")] = 72.0,
    distance_m: Annotated[float, typer.Option("--distance-m", min=0.0,
                                              help="重复诉求：坐标相距多少米内算重复 "
                                              "(duplicates: metres between coordinates)")] = 200.0,
    siblings: Annotated[bool, typer.Option("--siblings/--same-category",
                                           help="重复诉求：同一上级下的相邻分类也算 "
                                           "(duplicates: sibling categories count)")] = True,
    threshold: Annotated[float | None, typer.Option("--threshold", min=0.0, max=1.0,
                                                    help="复核阈值，默认取模型自带的 "
                                                    "(review threshold; default: the model's)")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="每条诉求的候选分类数 (category candidates per issue)")] = 3,
    encoding: Annotated[str, typer.Option("--encoding", help="文本编码（CSV/JSONL），如 gb18030 "
                                          "(CSV/JSONL encoding, e.g. gb18030)")] = "utf-8",
    out_file: Annotated[Path | None, typer.Option("--out", help="把 JSONL 写到此文件 (write the JSONL here)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="在标准输出上输出 JSONL (JSONL on standard output)")] = False,
) -> None:
    """受理 intake：把每行文字匹配到问题分类、地址定位到社区或街道，并关联重复诉求 (match each row's words to a
    category, its address to a place, link duplicates)."""
    if len(channel) not in (1, len(files)):
        fail(f"选项 --channel 须给一个（用于所有文件）或每个文件一个：现有 {len(files)} 个文件、{len(channel)} 个渠道 "
             f"(give one --channel for all files or one per file)", EXIT_USAGE)
    with user_errors(as_json):
        records = _run(files, [c.value for c in channel], gazetteer, model, boundaries, catalogs, encoding,
                       window_hours, distance_m, siblings, threshold, top)
        lines = [dumps(record.as_json()) for record in records]
        if out_file is not None:
            out_file.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    bad = [r for r in records if r.problems]
    if as_json:
        sys.stdout.write("".join(line + "\n" for line in lines))
    else:
        _show(records)
    if bad:
        if not as_json:
            err.print(f"{len(bad)} 行有问题，已列出、未丢弃 (rows with problems: listed, not dropped)",
                      highlight=False, markup=False)
        raise typer.Exit(EXIT_FINDINGS)


def _run(files: list[Path], channels: list[str], gazetteer: Path | None, model: Path | None,
         boundaries: Path | None, catalogs: Path | None, encoding: str, window_hours: float, distance_m: float,
         siblings: bool, threshold: float | None, top: int) -> list[Any]:
    from ..catalog.loader import load_catalogs
    from ..intake.channel_io import read_channel
    from ..intake.channels import CHANNELS
    from ..intake.gazetteer import Gazetteer
    from ..intake.geo import Boundaries
    from ..intake.matcher import Matcher
    from ..intake.pipeline import Intake, IntakeOptions

    catalog = load_catalogs(str(catalogs) if catalogs else None)
    places = Gazetteer.load(gazetteer, catalog) if gazetteer is not None else Gazetteer.default(catalog)
    shapes = Boundaries.load(boundaries, catalog) if boundaries is not None else None
    matcher = Matcher.load(model) if model is not None else Matcher.default()
    pairs = list(zip(files, channels * len(files) if len(channels) == 1 else channels, strict=False))
    rows = [(CHANNELS[code], row) for path, code in pairs for row in read_channel(path, CHANNELS[code], encoding)]
    options = IntakeOptions(top=top, window=timedelta(hours=window_hours), max_distance_m=distance_m,
                            siblings=siblings, review_threshold=threshold)
    return Intake(matcher, places, shapes, options).run(rows)


def _show(records: list[Any]) -> None:
    rows = []
    for r in records:
        review = "复核" if r.match is not None and r.match.needs_review else ""
        rows.append([r.spec.code, r.id or "", r.category or "-", f"{r.match.confidence:.2f}" if r.match else "",
                     review, r.location or "-", r.duplicate_of or "", r.repeat_count,
                     "; ".join(p.message for p in r.problems)])
    duplicates = sum(1 for r in records if r.duplicate_of)
    out.print(table(f"受理 intake：{len(records)} 行 rows，重复 {duplicates} 条 duplicates",
                    ["渠道 channel", "编号 id", "分类 category", "置信度 conf", "复核 review", "地点 location",
                     "重复于 duplicate_of", "重复次数 repeat", "问题 problems"],
                    rows))
