"""`powerlist route | explain | demo | schema`: route issue files by the power list.

A thin shell: reading files is `powerlist.routing.issue_io`, deciding is `powerlist.routing.router`, making
cells inert is `powerlist.sheets.cells`, a run's output and counts are `powerlist.routing.batch`; with
`--workers N` / `--scheduler URL` the file is routed in parts on Dask (`powerlist.routing.parallel`, the
command's side in `._parallel`). Exit codes: 0 every issue routed, 1 some rejected or the input
unreadable (or the cluster lost), 2 usage error.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO, TextIO, TypeVar

import typer
from rich.table import Table

from ..routing.batch import COLUMNS, RouteCounts, csv_rows, flat_row
from ..routing.decision import Decision
from ..routing.decision_json import decision_json
from ..routing.explain import explain_decision
from ..routing.issue import SHANGHAI
from ..routing.issue_io import read_issues
from ..routing.lines import jsonl_text, route_lines
from ..routing.partitions import ROWS
from ..routing.router import Router
from ..sheets.output import atomic_binary, atomic_text
from ._common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    batch_gc,
    err,
    fail,
    guard_outputs,
    out,
    print_json,
    table,
    terminal_text,
    user_errors,
)
from ._help import Command

if TYPE_CHECKING:
    from rich.progress import Progress

_T = TypeVar("_T")
PROGRESS_FROM = 500  # rows; shorter inputs finish before a bar is worth drawing
WRITE_LINES = 256  # decisions joined into one write


class Engine(StrEnum):
    compiled = "compiled"
    durable = "durable"


class Format(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"
    table = "table"


class SchemaName(StrEnum):
    issue = "issue"
    decision = "decision"


EngineOpt = Annotated[Engine, typer.Option(
    "--engine", help="规则引擎：compiled 编译表（快），durable 为 durable-rules 参照引擎 "
    "(compiled, the fast path, or durable, the durable-rules reference engine)")]
CatalogsOpt = Annotated[Path | None, typer.Option(
    "--catalogs",
    help="目录工作簿所在文件夹，默认用随附目录 (catalog workbooks directory; default: the shipped catalogs)")]
RulesOpt = Annotated[Path | None, typer.Option(
    "--rules", help="规则文件夹，默认用随附规则 (rules directory; default: the shipped rules/)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON，供程序读取 (machine-readable JSON output)")]
EncodingOpt = Annotated[str, typer.Option(
    "--encoding",
    help="诉求文件（CSV、JSONL）的编码：默认 utf-8（有无 BOM 均可）；中文 Windows 上 Excel 另存的普通 CSV 用 gb18030 "
    "(text encoding of a .csv/.jsonl input: utf-8 by default, with or without BOM, or e.g. gb18030)")]
InputArg = Annotated[Path, typer.Argument(
    metavar="FILE", help="诉求文件：.jsonl、.csv、.xlsx 或 .parquet (issues: .jsonl, .csv, .xlsx or .parquet)")]


def register(app: typer.Typer) -> None:
    app.command("route", cls=Command)(route)
    app.command("explain", cls=Command)(explain)
    app.command("demo", cls=Command)(demo)
    app.command("schema", cls=Command)(schema)


def _router(engine: Engine, catalogs: Path | None, rules: Path | None) -> Router:
    return Router.default(
        engine=engine.value,
        catalogs=str(catalogs) if catalogs is not None else None,
        rules=str(rules) if rules is not None else None,
    )


def _encoding(name: str) -> str:
    """The --encoding value, checked: an unknown codec is a usage error, not a traceback."""
    import codecs

    try:
        codecs.lookup(name)
    except LookupError:
        fail(f"不认识的编码 --encoding {name!r}：请写 utf-8 或 gb18030 等 "
             "(unknown --encoding: give a Python codec name such as utf-8 or gb18030)", EXIT_USAGE)
    return name


def _count_rows(path: Path) -> int | None:
    """Lines of a JSONL file, or of a CSV less its header: the progress bar's total (an upper
    bound: blank lines and quoted line breaks count too). None when lines are not rows."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".csv", ".txt"):
        with path.open("rb") as handle:
            lines = sum(1 for _ in handle)
        return max(lines - 1, 0) if suffix in (".csv", ".txt") else lines
    return None


def progress_bar(total: int | None, label: str = "派单 routing") -> Progress | None:
    """A progress bar on stderr with the time left (ETA), or None when stderr is not a terminal
    or the run is too short to need one."""
    if not err.is_terminal or (total is not None and total < PROGRESS_FROM):
        return None
    from rich.progress import (  # imported for a bar on a terminal only
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = [SpinnerColumn(), TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("剩余 ETA"), TimeRemainingColumn()]
    return Progress(*columns, console=err, transient=True)


def _with_progress(decisions: Iterable[_T], total: int | None) -> Iterator[_T]:
    bar = progress_bar(total)
    if bar is None:
        yield from decisions
        return
    with bar:
        task = bar.add_task("route", total=total)
        for decision in decisions:
            bar.advance(task)
            yield decision


class _Counter:
    def __init__(self, decisions: Iterable[Decision], router: Router | None = None) -> None:
        self.decisions = decisions
        self.router = router
        self.counts = RouteCounts()

    def __iter__(self) -> Iterator[Decision]:
        calendar = self.router.calendar if self.router is not None else None
        for decision in self.decisions:
            self.counts.add(decision, calendar)
            yield decision


def provisional_warning(counts: RouteCounts) -> str | None:
    """One line for stderr when some deadline is provisional (calendar.unknown_year)."""
    if not counts.provisional:
        return None
    years = "、".join(str(y) for y in sorted(counts.years)) or "?"
    return (
        f"警告 warning：{counts.total} 条中有 {counts.provisional} 条派单的时限为暂定时限：工作日历未收录 {years} 年的"
        f"放假安排，仅按固定日期的法定节假日推算（决策过程 calendar.unknown_year）；请将国务院办公厅通知录入 "
        f"catalogs/calendar_overrides.xlsx 工作表“调休调整” ({counts.provisional} of {counts.total} decision(s) have "
        f"PROVISIONAL deadlines: the working-day calendar does not know {years})"
    )


def write_jsonl(decisions: Iterable[Decision], stream: TextIO) -> None:
    """One JSON line per decision (`decision_json`: the same text as `dumps(model_dump(mode="json"))`),
    written a few hundred lines at a time."""
    lines: list[str] = []
    for decision in decisions:
        lines.append(decision_json(decision))
        if len(lines) >= WRITE_LINES:
            lines.append("")
            stream.write("\n".join(lines))
            lines.clear()
    if lines:
        lines.append("")
        stream.write("\n".join(lines))


def write_lines(texts: Iterable[bytes], stream: BinaryIO) -> None:
    """Each text (UTF-8) as one line, written a few hundred lines at a time."""
    lines: list[bytes] = []
    for text in texts:
        lines.append(text)
        if len(lines) >= WRITE_LINES:
            lines.append(b"")
            stream.write(b"\n".join(lines))
            lines.clear()
    if lines:
        lines.append(b"")
        stream.write(b"\n".join(lines))


def write_csv(decisions: Iterable[Decision], stream: TextIO) -> None:
    writer = csv.writer(stream)
    writer.writerow(COLUMNS)
    writer.writerows(csv_rows(decisions))


def write_xlsx(decisions: Iterable[Decision], path: Path) -> None:
    """The decisions as a workbook at `path`, written atomically (`powerlist.sheets.output`)."""
    from openpyxl import Workbook

    from ..sheets.cells import append_row
    from ..sheets.output import save_workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("派单结果")
    append_row(sheet, list(COLUMNS))
    for decision in decisions:
        row = flat_row(decision)
        append_row(sheet, [row[c] for c in COLUMNS])
    save_workbook(book, path)


def _shown_time(moment: datetime | None) -> str:
    # The table is for reading (all times Asia/Shanghai); JSON/CSV/XLSX keep full ISO 8601.
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def decisions_table(decisions: Iterable[Decision], title: str) -> Table:
    rows: list[list[str | None]] = []
    for d in decisions:
        if d.status == "rejected":
            # the Chinese of each problem: the table is for reading; JSON and --explain say all
            reasons = "；".join(p.message.split(" (")[0] for p in d.errors)
            rows.append([d.issue_id, "未派单 rejected", "", "", "", "", reasons])
            continue
        rows.append([
            d.issue_id,
            d.whistle_label,
            d.grade.value if d.grade else "",
            d.lead.name if d.lead else "",
            "、".join(u.name for u in d.co_units),
            _shown_time(d.respond_by),
            _shown_time(d.complete_by),
        ])
    shown = [[terminal_text(cell) for cell in row] for row in rows]
    columns = ["编号 id", "哨类 whistle", "分级 grade", "牵头 lead", "协办 co-units", "响应 respond by",
               "办结 complete by"]
    return table(terminal_text(title), columns, shown)


WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", min=1,
    help="在本机 N 个 Dask 工作进程上分片派单（须 pip install 'powerlist[dask]'）"
    "(route on a local Dask cluster of N worker processes)")]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="在 tcp://主机:端口 运行中的 Dask 集群上派单，其工作进程须能导入 powerlist "
    "(route on the running Dask cluster at tcp://HOST:PORT; its workers must import powerlist)")]
PartRowsOpt = Annotated[int, typer.Option(
    "--part-rows", min=1, help="与 --workers/--scheduler 同用：每个分片的诉求条数 "
    "(with --workers/--scheduler: issues a worker routes at a time)")]


def route(
    input: InputArg,
    engine: EngineOpt = Engine.compiled,
    format: Annotated[Format, typer.Option(
        "--format", help="输出格式：jsonl（默认）、csv、xlsx（须给 --out）或 table 表格 "
        "(jsonl, csv, xlsx with --out, or table)")] = Format.jsonl,
    out_file: Annotated[Path | None, typer.Option(
        "--out",
        help="写入此文件而非标准输出；与 --format table 同用时写 JSONL，表格照常显示 "
        "(write here instead of stdout; with --format table, the decisions as JSONL)",
    )] = None,
    catalogs: CatalogsOpt = None,
    rules: RulesOpt = None,
    encoding: EncodingOpt = "utf-8",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    part_rows: PartRowsOpt = ROWS,
) -> None:
    """派单 route：逐条派单，每条诉求一个派单结果，按输入顺序 (route every issue of a file: one decision
    per issue, in input order). 给 --workers N 或 --scheduler 时在 Dask 集群上分片派单，输出与单进程逐字节相同，
    全部分片完成后才写出 (with --workers N or --scheduler, routed in parts on a Dask cluster: byte for byte
    the one-process output, written only when every part is routed)."""
    if format is Format.xlsx and out_file is None:
        fail("选项 --format xlsx 输出工作簿，请用 --out 给出 .xlsx 文件 "
             "(--format xlsx writes a workbook: give --out FILE.xlsx)", EXIT_USAGE)
    if workers is not None and scheduler is not None:
        fail("--workers（本机集群）与 --scheduler（运行中的集群）只能给一个 "
             "(give --workers, a local cluster, or --scheduler, a running one, not both)", EXIT_USAGE)
    guard_outputs([out_file], [input], catalogs=catalogs, rules=rules)
    encoding = _encoding(encoding)
    with user_errors():
        router = _router(engine, catalogs, rules)
        if workers is not None or scheduler is not None:
            counts = _route_on_cluster(input, router, format, out_file, encoding, workers, scheduler, part_rows)
        else:
            counts = _route_here(input, router, format, out_file, encoding)
    warning = provisional_warning(counts)
    if warning is not None:
        err.print(warning, highlight=False, markup=False, soft_wrap=True)
    if counts.total == 0:  # a header-only export or the wrong file: say so, not silence
        err.print(f"警告 warning：{terminal_text(input)} 没有诉求，未派单 (holds no issues: nothing was routed)",
                  highlight=False, markup=False, soft_wrap=True)
    if counts.rejected:
        err.print(f"{counts.total} 条诉求中 {counts.rejected} 条未派单，原因见各条 errors "
                  f"({counts.rejected} of {counts.total} issue(s) rejected; see their errors)", highlight=False)
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_OK)


def _route_here(input: Path, router: Router, format: Format, out_file: Path | None, encoding: str) -> RouteCounts:
    if format is Format.jsonl:
        found = jsonl_text(input, encoding)
        if found is not None:  # JSON lines in, JSON lines out: the short way (`routing.lines`)
            counts = RouteCounts()
            lines = _with_progress(route_lines(router, *found, counts), _count_rows(input))
            with batch_gc():
                if out_file is None:
                    sys.stdout.flush()
                    write_lines(lines, sys.stdout.buffer)
                else:
                    with atomic_binary(out_file) as handle:
                        write_lines(lines, handle)
            return counts
    records = read_issues(input, encoding)
    counter = _Counter(_with_progress(router.route_many(records), _count_rows(input)), router)
    with batch_gc():
        if format is Format.xlsx:
            assert out_file is not None
            write_xlsx(counter, out_file)
        elif format is Format.table:
            decisions = list(counter)
            if out_file is not None:
                with atomic_text(out_file, encoding="utf-8") as handle:
                    write_jsonl(decisions, handle)
            out.print(decisions_table(decisions, f"派单结果 decisions — {input.name}"))
        else:
            writer = write_csv if format is Format.csv else write_jsonl
            if out_file is None:
                writer(counter, sys.stdout)
            else:
                encoding = "utf-8-sig" if format is Format.csv else "utf-8"
                with atomic_text(out_file, encoding=encoding, newline="") as handle:
                    writer(counter, handle)
    return counter.counts


def _route_on_cluster(input: Path, router: Router, format: Format, out_file: Path | None, encoding: str,
                      workers: int | None, scheduler: str | None, rows: int) -> RouteCounts:
    from ._parallel import route_on_cluster

    if format in (Format.jsonl, Format.csv):
        return route_on_cluster(input, router, format.value, out_file, encoding, workers=workers,
                                scheduler=scheduler, rows=rows, progress=progress_bar)
    decisions: list[Decision] = []
    counts = route_on_cluster(input, router, "decisions", None, encoding, workers=workers, scheduler=scheduler,
                              rows=rows, progress=progress_bar, decisions_sink=decisions)
    if format is Format.xlsx:
        assert out_file is not None
        write_xlsx(decisions, out_file)
        return counts
    if out_file is not None:
        with atomic_text(out_file, encoding="utf-8") as handle:
            text = io.StringIO()
            write_jsonl(decisions, text)
            handle.write(text.getvalue())
    out.print(decisions_table(decisions, f"派单结果 decisions — {input.name}"))
    return counts


def explain(
    input: InputArg,
    id: Annotated[str | None, typer.Option(
        "--id", help="只说明此编号的诉求 (explain only the issue with this id)")] = None,
    engine: EngineOpt = Engine.compiled,
    catalogs: CatalogsOpt = None,
    rules: RulesOpt = None,
    as_json: JsonOpt = False,
    encoding: EncodingOpt = "utf-8",
) -> None:
    """派单说明 explain：逐条说明为何派给该单位，引用规则、权力事项和法律依据 (why each issue goes where it
    goes, citing rules, powers and legal basis)."""
    encoding = _encoding(encoding)
    with user_errors(as_json):
        router = _router(engine, catalogs, rules)
        decisions = [d for d in router.route_many(read_issues(input, encoding)) if id is None or d.issue_id == id]
    if not decisions:
        fail(f"{input} 中没有编号为 {id!r} 的诉求 (no issue with id {id!r} in {input})")
    if as_json:
        print_json([{"decision": d.model_dump(mode="json"), "explanation": explain_decision(d)} for d in decisions])
    else:
        out.print(terminal_text("\n\n".join(explain_decision(d) for d in decisions)), markup=False, highlight=False)
    raise typer.Exit(EXIT_FINDINGS if any(d.status == "rejected" for d in decisions) else EXIT_OK)


def demo_issues_path() -> Path:
    """The shipped sample issues: examples/issues.jsonl in a clone, its copy in rules/samples/."""
    from ..resources import examples_dir, rules_dir

    examples = examples_dir()
    if examples is not None and (examples / "issues.jsonl").is_file():
        return examples / "issues.jsonl"
    return rules_dir() / "samples" / "issues.jsonl"


def demo(
    engine: EngineOpt = Engine.compiled,
    as_json: JsonOpt = False,
) -> None:
    """示例 demo：为随附的示例诉求派单并显示结果（四种哨类、A–D 四级） (route the shipped sample issues:
    every whistle kind, grades A–D)."""
    with user_errors(as_json):
        router = Router.default(engine=engine.value)
        decisions = list(router.route_many(read_issues(demo_issues_path())))
    if as_json:
        print_json([d.model_dump(mode="json") for d in decisions])
    else:
        out.print(decisions_table(decisions, f"示例派单 demo ({engine.value} engine, rules {router.rules_version})"))
    raise typer.Exit(EXIT_FINDINGS if any(d.status == "rejected" for d in decisions) else EXIT_OK)


def schema(name: Annotated[SchemaName, typer.Argument(
        metavar="NAME", help="写 issue（诉求，输入）或 decision（派单结果，输出） (issue or decision)")]) -> None:
    """数据格式 schema：打印诉求（输入）或派单结果（输出）的 JSON Schema (the JSON Schema of an issue or a
    decision)."""
    from ..routing.schema import SCHEMAS

    sys.stdout.write(json.dumps(SCHEMAS[name.value](), ensure_ascii=False, indent=2) + "\n")


__all__ = ["register", "flat_row", "write_csv", "write_jsonl", "write_xlsx"]
