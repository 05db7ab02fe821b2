"""`powerlist route | explain | demo | schema`: route issue files by the power list.

A thin shell: reading files is `powerlist.routing.issue_io`, deciding is `powerlist.routing.router`, making
cells inert is `powerlist.sheets.cells`. Exit codes: 0 every issue routed, 1 some rejected or the input
unreadable, 2 usage error.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..routing.decision import Decision
from ..routing.decision_json import decision_json
from ..routing.explain import explain_decision
from ..routing.issue import SHANGHAI
from ..routing.issue_io import read_issues
from ..routing.plan import uses_unknown_year
from ..routing.router import Router
from ._common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    err,
    fail,
    out,
    print_json,
    table,
    terminal_text,
    user_errors,
)

PROGRESS_FROM = 500  # rows; shorter inputs finish before a bar is worth drawing
WRITE_LINES = 256  # decisions joined into one write
COLUMNS = (
    "issue_id", "status", "category", "street", "whistle", "whistle_label", "grade", "level",
    "lead_code", "lead_name", "co_units", "escalation_path", "powers", "legal_basis",
    "respond_by", "complete_by", "rules", "rules_version", "errors",
)


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
    "--engine", help="compiled (fast) or durable (the durable-rules reference engine)")]
CatalogsOpt = Annotated[Path | None, typer.Option(
    "--catalogs", help="catalog workbooks directory (default: the shipped catalogs)")]
RulesOpt = Annotated[Path | None, typer.Option("--rules", help="rules directory (default: the shipped rules/)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]
EncodingOpt = Annotated[str, typer.Option(
    "--encoding",
    help="text encoding of a .csv/.jsonl input: utf-8 (default, with or without BOM), or e.g. gb18030 for a "
    "plain 'CSV' saved by Excel on Chinese Windows")]


def register(app: typer.Typer) -> None:
    app.command("route")(route)
    app.command("explain")(explain)
    app.command("demo")(demo)
    app.command("schema")(schema)


def _router(engine: Engine, catalogs: Path | None, rules: Path | None) -> Router:
    return Router.default(
        engine=engine.value,
        catalogs=str(catalogs) if catalogs is not None else None,
        rules=str(rules) if rules is not None else None,
    )


def flat_row(decision: Decision) -> dict[str, Any]:
    """One decision as flat spreadsheet cells (lists joined with ；, newlines in legal basis)."""
    return {
        "issue_id": decision.issue_id,
        "status": decision.status,
        "category": decision.category,
        "street": decision.street,
        "whistle": decision.whistle.value if decision.whistle else None,
        "whistle_label": decision.whistle_label,
        "grade": decision.grade.value if decision.grade else None,
        "level": decision.level.value if decision.level else None,
        "lead_code": decision.lead.code if decision.lead else None,
        "lead_name": decision.lead.name if decision.lead else None,
        "co_units": "；".join(f"{u.name}({u.code})" for u in decision.co_units),
        "escalation_path": " → ".join(u.name for u in decision.escalation_path),
        "powers": "；".join(f"{p.code} {p.name}" for p in decision.powers),
        "legal_basis": "\n".join(b for p in decision.powers for b in p.legal_basis),
        "respond_by": decision.respond_by.isoformat(timespec="seconds") if decision.respond_by else None,
        "complete_by": decision.complete_by.isoformat(timespec="seconds") if decision.complete_by else None,
        "rules": " ".join(step.rule for step in decision.trace),
        "rules_version": decision.rules_version,
        "errors": "\n".join(str(problem) for problem in decision.errors),
    }


def _encoding(name: str) -> str:
    """The --encoding value, checked: an unknown codec is a usage error, not a traceback."""
    import codecs

    try:
        codecs.lookup(name)
    except LookupError:
        fail(f"unknown --encoding {name!r}: give a Python codec name such as utf-8 or gb18030", EXIT_USAGE)
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


def _with_progress(decisions: Iterable[Decision], total: int | None) -> Iterator[Decision]:
    if not err.is_terminal or (total is not None and total < PROGRESS_FROM):
        yield from decisions
        return
    columns = [SpinnerColumn(), TextColumn("派单 routing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("route", total=total)
        for decision in decisions:
            progress.advance(task)
            yield decision


class _Counter:
    def __init__(self, decisions: Iterable[Decision], router: Router | None = None) -> None:
        self.decisions = decisions
        self.router = router
        self.rejected = 0
        self.total = 0
        self.provisional = 0  # decisions whose deadline used the calendar's unknown-year fallback
        self.years: set[int] = set()

    def __iter__(self) -> Iterator[Decision]:
        for decision in self.decisions:
            self.total += 1
            self.rejected += decision.status == "rejected"
            if decision.trace and uses_unknown_year(decision):
                self.provisional += 1
                if self.router is not None:
                    for moment in (decision.respond_by, decision.complete_by):
                        if moment is None:
                            continue
                        year = moment.astimezone(SHANGHAI).year
                        if self.router.calendar.is_provisional_year(year):
                            self.years.add(year)
            yield decision

    def warning(self) -> str | None:
        """One line for stderr when some deadline is provisional (calendar.unknown_year)."""
        if not self.provisional:
            return None
        years = "、".join(str(y) for y in sorted(self.years)) or "?"
        return (
            f"警告 warning: {self.provisional} of {self.total} decision(s) have PROVISIONAL deadlines (暂定时限): "
            f"the working-day calendar does not know {years}, counted on the fixed-date statutory holidays only "
            f"(trace step calendar.unknown_year); enter the State Council notice in "
            f"catalogs/calendar_overrides.xlsx, sheet 调休调整"
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


def write_csv(decisions: Iterable[Decision], stream: TextIO) -> None:
    from ..sheets.cells import csv_cell

    writer = csv.writer(stream)
    writer.writerow(COLUMNS)
    for decision in decisions:
        row = flat_row(decision)
        writer.writerow([csv_cell(row[c]) for c in COLUMNS])


def write_xlsx(decisions: Iterable[Decision], path: Path) -> None:
    from openpyxl import Workbook

    from ..sheets.cells import append_row

    book = Workbook(write_only=True)
    sheet = book.create_sheet("派单结果")
    append_row(sheet, list(COLUMNS))
    for decision in decisions:
        row = flat_row(decision)
        append_row(sheet, [row[c] for c in COLUMNS])
    book.save(path)


def _shown_time(moment: datetime | None) -> str:
    # The table is for reading (all times Asia/Shanghai); JSON/CSV/XLSX keep full ISO 8601.
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def decisions_table(decisions: Iterable[Decision], title: str) -> Table:
    rows: list[list[str | None]] = []
    for d in decisions:
        if d.status == "rejected":
            rows.append([d.issue_id, "未派单 rejected", "", "", "", "", "；".join(p.message for p in d.errors)])
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


def route(
    input: Annotated[Path, typer.Argument(help="issues: .jsonl, .csv or .xlsx")],
    engine: EngineOpt = Engine.compiled,
    format: Annotated[Format, typer.Option(
        "--format", help="jsonl (default), csv, xlsx (needs --out) or table")] = Format.jsonl,
    out_file: Annotated[Path | None, typer.Option(
        "--out",
        help="write here instead of stdout (with --format table: the decisions as JSONL, the table still shown)",
    )] = None,
    catalogs: CatalogsOpt = None,
    rules: RulesOpt = None,
    encoding: EncodingOpt = "utf-8",
) -> None:
    """Route every issue of a file: one decision per issue, in input order. 派单."""
    if format is Format.xlsx and out_file is None:
        fail("--format xlsx writes a workbook: give --out FILE.xlsx", EXIT_USAGE)
    if out_file is not None and out_file.resolve() == input.resolve():
        fail("--out names the input file itself: the decisions would overwrite the issues", EXIT_USAGE)
    encoding = _encoding(encoding)
    with user_errors():
        router = _router(engine, catalogs, rules)
        records = read_issues(input, encoding)
        counter = _Counter(_with_progress(router.route_many(records), _count_rows(input)), router)
        if format is Format.xlsx:
            assert out_file is not None
            write_xlsx(counter, out_file)
        elif format is Format.table:
            decisions = list(counter)
            if out_file is not None:
                with out_file.open("w", encoding="utf-8") as handle:
                    write_jsonl(decisions, handle)
            out.print(decisions_table(decisions, f"派单结果 decisions — {input.name}"))
        else:
            writer = write_csv if format is Format.csv else write_jsonl
            if out_file is None:
                writer(counter, sys.stdout)
            else:
                encoding = "utf-8-sig" if format is Format.csv else "utf-8"
                with out_file.open("w", encoding=encoding, newline="") as handle:
                    writer(counter, handle)
    warning = counter.warning()
    if warning is not None:
        err.print(warning, highlight=False, markup=False, soft_wrap=True)
    if counter.total == 0:  # a header-only export or the wrong file: say so, not silence
        err.print(f"警告 warning: {terminal_text(input)} holds no issues (没有诉求): nothing was routed",
                  highlight=False, markup=False, soft_wrap=True)
    if counter.rejected:
        err.print(f"{counter.rejected} of {counter.total} issue(s) rejected (未派单); see their errors",
                  highlight=False)
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_OK)


def explain(
    input: Annotated[Path, typer.Argument(help="issues: .jsonl, .csv or .xlsx")],
    id: Annotated[str | None, typer.Option("--id", help="explain only the issue with this id")] = None,
    engine: EngineOpt = Engine.compiled,
    catalogs: CatalogsOpt = None,
    rules: RulesOpt = None,
    as_json: JsonOpt = False,
    encoding: EncodingOpt = "utf-8",
) -> None:
    """Explain, in Chinese and English, why each issue goes where it goes. 派单说明."""
    encoding = _encoding(encoding)
    with user_errors(as_json):
        router = _router(engine, catalogs, rules)
        decisions = [d for d in router.route_many(read_issues(input, encoding)) if id is None or d.issue_id == id]
    if not decisions:
        fail(f"no issue with id {id!r} in {input}")
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
    """Route the shipped sample issues (every whistle kind, grades A–D) and show the result."""
    with user_errors(as_json):
        router = Router.default(engine=engine.value)
        decisions = list(router.route_many(read_issues(demo_issues_path())))
    if as_json:
        print_json([d.model_dump(mode="json") for d in decisions])
    else:
        out.print(decisions_table(decisions, f"示例派单 demo ({engine.value} engine, rules {router.rules_version})"))
    raise typer.Exit(EXIT_FINDINGS if any(d.status == "rejected" for d in decisions) else EXIT_OK)


def schema(name: Annotated[SchemaName, typer.Argument(help="issue or decision")]) -> None:
    """Print the JSON Schema of an issue (input) or a decision (output)."""
    from ..routing.schema import SCHEMAS

    sys.stdout.write(json.dumps(SCHEMAS[name.value](), ensure_ascii=False, indent=2) + "\n")


__all__ = ["register", "flat_row", "write_csv", "write_jsonl", "write_xlsx"]
