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


class ChannelCode(StrEnum):
    HOTLINE = "12345"
    DIGITAL_CITY = "szcg"
    VIDEO = "xueliang"
    PETITION = "xinfang"
    POLICE = "110"
    GRID = "grid"


def register(app: typer.Typer) -> None:
    app.command("intake")(intake)


def intake(
    files: Annotated[list[Path], typer.Argument(help="channel exports: .xlsx, .csv or .jsonl")],
    channel: Annotated[list[ChannelCode], typer.Option(
        "--channel", help="12345 热线 · szcg 数字城管 · xueliang 雪亮工程 · xinfang 阳光信访 · 110 非警务警情 · "
                          "grid 网格 (once for all files, or once per file)")],
    gazetteer: Annotated[Path | None, typer.Option("--gazetteer", help="gazetteer workbook (default: the shipped one)")]
    = None,
    model: Annotated[Path | None, typer.Option("--model", help="matcher model (default: the shipped model)")] = None,
    boundaries: Annotated[Path | None, typer.Option("--boundaries", help="community boundaries, GeoJSON")] = None,
    catalogs: Annotated[Path | None, typer.Option("--catalogs", help="catalogs directory (default: the shipped)")]
    = None,
    window_hours: Annotated[float, typer.Option("--window-hours", min=0.0,
                                                help="duplicates: hours after the first report")] = 72.0,
    distance_m: Annotated[float, typer.Option("--distance-m", min=0.0,
                                              help="duplicates: metres between coordinates")] = 200.0,
    siblings: Annotated[bool, typer.Option("--siblings/--same-category",
                                           help="duplicates: sibling categories count")] = True,
    threshold: Annotated[float | None, typer.Option("--threshold", min=0.0, max=1.0,
                                                    help="review threshold (default: the model's)")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="category candidates per issue")] = 3,
    encoding: Annotated[str, typer.Option("--encoding", help="CSV/JSONL encoding, e.g. gb18030")] = "utf-8",
    out_file: Annotated[Path | None, typer.Option("--out", help="write the JSONL here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSONL on standard output")] = False,
) -> None:
    """受理 intake: match each row's words to a category, its address to a place, link duplicates."""
    if len(channel) not in (1, len(files)):
        fail(f"give one --channel for all files or one per file ({len(files)} files, {len(channel)} channels)",
             EXIT_USAGE)
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
            err.print(f"{len(bad)} 行有问题 rows with problems (listed, not dropped)", highlight=False, markup=False)
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
    out.print(table(f"受理 intake: {len(records)} 行 rows, {sum(1 for r in records if r.duplicate_of)} 重复 duplicates",
                    ["channel", "id", "category", "conf", "review", "location", "duplicate_of", "repeat", "problems"],
                    rows))
