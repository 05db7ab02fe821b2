"""`powerlist audit`: the staffing office's audit of a delegation workbook (issue 6)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..audit import (
    AuditConfig,
    audit_workbook,
    counts,
    has_errors,
    load_history,
    proposed_catalog,
    read_audit_workbook,
    write_report,
)
from ..audit.findings import Finding
from ..audit.history import tally_parts_on_cluster, tally_records
from ..audit.report import check_sheet_name
from ..audit.whatif import WhatIf, street_loads, what_if_from
from ..catalog.catalog import Catalog
from ..catalog.loader import load_catalogs
from ..routing.partitions import ROWS
from ..routing.tables import RuleSet
from ._common import EXIT_FINDINGS, EXIT_USAGE, err, fail, guard_outputs, out, print_json, table, user_errors
from ._help import Command
from .route import PartRowsOpt, SchedulerOpt, WorkersOpt, progress_bar


class Scope(StrEnum):
    claimed = "claimed"
    all = "all"


def register(app: typer.Typer) -> None:
    app.command("audit", cls=Command)(audit)


def audit(
    file: Annotated[Path | None, typer.Argument(
        metavar="FILE", help="待审核的承接表（.xlsx） (delegation workbook to audit)")] = None,
    catalogs: Annotated[Path | None, typer.Option("--catalogs", help="目录文件夹，默认用随附的黄石目录 "
                                                  "(catalogs directory; default: the shipped Huangshi catalogs)")]
    = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="规则文件夹，阈值见 audit.toml，默认用随附规则 "
                                               "(rules directory; thresholds in audit.toml)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON，供程序读取 (machine-readable output)")] = False,
    out_path: Annotated[Path | None, typer.Option(
        "--out", help="写出 Excel 审核报告 (write the Excel report here)")] = None,
    what_if_path: Annotated[Path | None, typer.Option(
        "--what-if", help="拟调整的承接表：按它重新派单 --history (proposed delegation workbook: re-route --history "
        "under it)")] = None,
    history: Annotated[Path | None, typer.Option(
        "--history", help="历史诉求（JSONL/CSV/XLSX/Parquet）：核算人均月吹哨量 "
        "(issues: monthly whistles per member of staff)")] = None,
    scope: Annotated[Scope, typer.Option(
        "--scope", help="审核范围：claimed（默认）只审本表覆盖的区县和部门，未覆盖的在汇总中说明；"
        "all 按整个目录审核 (claimed: the districts and departments the workbook covers; all: the whole catalog)")]
    = Scope.claimed,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="按此日现行的法规判断实施依据是否已废止，如 2026-03-01 或 2026年3月1日，默认今天（上海时间） "
        "(the day the legal basis is judged on; default: today, Asia/Shanghai)")]
    = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    part_rows: PartRowsOpt = ROWS,
) -> None:
    """审核 audit：权力下放前的职责准入审核；有错误时退出码为 1 (check a delegation workbook before powers go
    down; exit 1 on any error).

    给 --history 时也核算人均月吹哨量；给 --what-if 时按历史诉求比较现行承接与拟调整的承接（不给 FILE 时审核拟调整的
    承接表本身） (with --history, also whistles per member of staff; with --what-if, today's delegation
    against the proposed one over the history)."""
    if file is None and what_if_path is None:
        fail("请给出待审核的承接表，或 --what-if 承接表.xlsx (give a delegation workbook to audit, or --what-if "
             "DELEGATION.xlsx)", EXIT_USAGE)
    if what_if_path is not None and history is None:
        fail("选项 --what-if 须同时给 --history 历史诉求 (--what-if needs --history ISSUES)", EXIT_USAGE)
    if workers is not None and scheduler is not None:
        fail("--workers（本机集群）与 --scheduler（运行中的集群）只能给一个 "
             "(give --workers, a local cluster, or --scheduler, a running one, not both)", EXIT_USAGE)
    if (workers is not None or scheduler is not None) and history is None:
        fail("--workers/--scheduler 用于按 --history 历史诉求分片派单，请给出 --history "
             "(--workers/--scheduler route the --history ISSUES: give --history)", EXIT_USAGE)
    guard_outputs([out_path], [file, what_if_path, history], catalogs=catalogs, rules=rules, as_json=as_json)
    findings = []
    result = None
    day: date | None = None
    if as_of is not None:
        from ..sheets.timetext import TimeTextError, parse_date

        try:
            day = parse_date(as_of)
        except TimeTextError as error:
            fail(f"选项 --as-of 的日期无法识别：{error}", EXIT_USAGE)
    with user_errors(as_json):
        catalog = load_catalogs(catalogs)
        config = AuditConfig.load(rules)
        rule_set = RuleSet.load(rules) if history is not None else None
        # The history is read (or split, for a cluster) first: an unreadable one is reported
        # before the workbooks are.
        records = parts = None
        if history is not None:
            if workers is None and scheduler is None:
                records = load_history(history)
            else:
                from ..routing.partitions import split

                parts = split(history, "utf-8", part_rows)
        book = read_audit_workbook(file, catalog) if file is not None else None
        proposed = read_audit_workbook(what_if_path, catalog) if what_if_path is not None else None
        under: list[Catalog] = []  # the catalogs the history is routed under, once each
        if proposed is not None:
            under += [catalog, proposed_catalog(catalog, proposed)]
        if book is not None and history is not None:
            under.append(proposed_catalog(catalog, book))
        routed = None
        if rule_set is not None and history is not None:
            if records is not None:
                routed = tally_records(under, rule_set, records)
            else:
                assert parts is not None
                routed = tally_parts_on_cluster(under, rule_set, parts, workers=workers, scheduler=scheduler,
                                                progress=lambda total: progress_bar(total, "承接模拟 what-if"))
        if book is not None:
            loads = street_loads(routed.tallies[-1], routed.months) if routed is not None else None
            findings = audit_workbook(book, catalog, config, loads, as_of=day, scope=scope.value)
        if proposed is not None and routed is not None:
            assert what_if_path is not None
            result = what_if_from(catalog, proposed, config, routed, history=str(history))
            if file is None:
                # A proposed delegation is audited before its workload is simulated: a what-if
                # over a delegation with a missing legal basis or a stationed power handed down
                # must not pass as "ok".
                file = what_if_path
                findings = audit_workbook(proposed, catalog, config, street_loads(routed.tallies[1], routed.months),
                                          as_of=day, scope=scope.value)
        if out_path is not None:
            write_report(out_path, findings, source=file, source_name=str(file) if file else None,
                         what_if=result)
    failed = has_errors(findings)
    if as_json:
        payload: dict[str, Any] = {
            "ok": not failed,
            "file": str(file) if file else None,
            "counts": counts(findings),
            "thresholds": {"max_items_per_staff": config.max_items_per_staff,
                           "max_monthly_whistles_per_staff":
                               config.max_monthly_whistles_per_staff},
            "findings": [f.as_json() for f in findings],
        }
        if result is not None:
            payload["what_if"] = result.as_json()
        if out_path is not None:
            payload["report"] = str(out_path)
        print_json(payload)
    else:
        _print(findings, result, out_path)
    if failed:
        raise typer.Exit(EXIT_FINDINGS)


def _print_finding(f: Finding) -> None:
    where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "")
    street = f"［{f.street_name or ''} {f.street}］" if f.street and not f.cell else ""
    err.print(f"  {f.severity.label} {f.code} {where}{street}：{f.message_zh}", highlight=False, markup=False)


def _print(findings: list[Finding], result: WhatIf | None, out_path: Path | None) -> None:
    tally = counts(findings)
    if findings or result is None:
        out.print(table("审核结果 findings", ["检查 check", "错误 error", "警告 warning", "提示 info"],
                        [[f"{check_sheet_name(c)} {c}", n["error"], n["warning"], n["info"]]
                         for c, n in tally["by_check"].items()]))
    for f in findings:  # errors first: they block delegation
        if f.severity.value == "error":
            _print_finding(f)
    for f in findings:
        if f.severity.value != "error":
            _print_finding(f)
    if result is not None:
        out.print(table(
            f"承接模拟 what-if（{result.issues} 条诉求，{result.months} 个月）",
            ["街道 street", "编制 staff", "调整前 before", "调整后 after", "人均月 before/staff",
             "人均月 after/staff", "超阈值 over"],
            [[s.name, s.staff, s.before, s.after, s.before_monthly_per_staff,
              s.after_monthly_per_staff, ("因调整超出 pushed over" if s.pushed_over else
                                          "是 yes" if s.over_after else "")]
             for s in result.streets if s.before or s.after]))
        out.print(table("部门 departments", ["部门 department", "调整前 before", "调整后 after"],
                        [[d.name, d.before, d.after] for d in result.departments
                         if d.before or d.after]))
    summary = (f"错误 {tally['error']} 项、警告 {tally['warning']} 项、提示 {tally['info']} 项 "
               f"({tally['error']} error(s), {tally['warning']} warning(s), {tally['info']} info)")
    out.print(("未通过 failed: " if tally["error"] else "通过 ok: ") + summary, highlight=False)
    if out_path is not None:
        out.print(f"报告 report: {out_path}", highlight=False)
