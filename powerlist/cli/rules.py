"""`powerlist rules check`: prove the routing tables complete and unambiguous (issue 6 §3)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..audit.findings import RULES_CHECKS, counts, has_errors
from ..audit.rules_check import check_rules
from ..catalog.loader import load_catalogs
from ..routing.tables import RuleSet
from ._common import EXIT_FINDINGS, err, out, print_json, table, user_errors
from ._help import Command, Group


def register(app: typer.Typer) -> None:
    group = typer.Typer(cls=Group, help="规则 rules：在目录的全部取值上检查派单规则表 "
                        "(check the routing tables over the catalog's domains).", no_args_is_help=True)
    group.command("check", cls=Command)(check)
    app.add_typer(group, name="rules")


def check(
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON，供程序读取 (machine-readable output)")] = False,
    catalogs: Annotated[Path | None, typer.Option("--catalogs", help="目录文件夹，默认用随附的黄石目录 "
                                                  "(catalogs directory; default: the shipped Huangshi catalogs)")]
    = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="规则文件夹，默认用随附规则 (rules directory; "
                                               "default: the shipped rules)")] = None,
) -> None:
    """检查 check：证明每张派单规则表在全部分类 × 街道社区 × 标记 × 诉求类型 × 重复次数边界上无缺口、无重叠、
    无遮蔽行和不可达行；有缺口、重叠或无法派单时退出码为 1 (prove every routing table complete,
    unambiguous, with no masked or unreachable rows; exit 1 on any gap, overlap or routing error)."""
    with user_errors(as_json):
        report = check_rules(load_catalogs(catalogs), RuleSet.load(rules))
    failed = has_errors(report.findings)
    if as_json:
        print_json(report.as_json())
    else:
        stats = report.stats
        tally = counts(report.findings, RULES_CHECKS)
        out.print(table("规则表 tables", ["表 table", "命中策略 hit policy", "行 rows",
                                        "事实组合 fact tuples"],
                        [[n, t["hit_policy"], t["rows"], t["fact_tuples"]]
                         for n, t in stats["tables"].items()]))
        out.print(f"取值域 domain: {stats['categories']} 分类 categories × {stats['locations']} "
                  f"地点 locations × 16 标记组合 flag sets × {len(stats['request_kinds'])} 诉求类型 "
                  f"request kinds × 重复次数 repeat counts {stats['repeat_counts']} = "
                  f"{stats['domain_issues']} 条诉求 issues ({stats['pipeline_runs']} runs)",
                  highlight=False)
        for finding in report.findings:
            line = f"（第 {finding.row} 行 line {finding.row}）" if finding.row else ""
            severity = f"{finding.severity.label} {finding.severity.value}"
            err.print(f"  • [{finding.code} {severity}] {finding.file or ''}{line}: "
                      f"{finding.message_zh} — {finding.message_en}", highlight=False,
                      markup=False)
            example = dict(finding.details).get("counter_example")
            if example:
                import json

                err.print(f"      反例 counter-example: {json.dumps(example, ensure_ascii=False)}",
                          highlight=False, markup=False)
        verdict = "未通过 failed" if failed else "通过 ok"
        out.print(f"{verdict}: {tally['error']} 错误 error(s), {tally['warning']} 警告 warning(s)",
                  highlight=False)
    if failed:
        raise typer.Exit(EXIT_FINDINGS)
