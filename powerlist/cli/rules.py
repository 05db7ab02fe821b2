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


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="规则 rules: check the routing tables over the catalog's domains.",
                        no_args_is_help=True)
    group.command("check")(check)
    app.add_typer(group, name="rules")


def check(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    catalogs: Annotated[Path | None, typer.Option("--catalogs", help="catalogs directory "
                                                  "(default: the shipped Huangshi catalogs)")]
    = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="rules directory (default: the "
                                               "shipped rules)")] = None,
) -> None:
    """检查 check: every routing table complete (no gaps), unambiguous (no overlaps), with no
    masked or unreachable rows, over every category × street/community × flag × request kind ×
    repeat-count boundary. Exit 1 on any gap, overlap or routing error."""
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
            line = f" (line {finding.row})" if finding.row else ""
            err.print(f"  • [{finding.code} {finding.severity.value}] {finding.file or ''}{line}: "
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
