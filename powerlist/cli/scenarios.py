"""`powerlist scenarios run FILE.xlsx`: check a scenario workbook's expected decisions.

A thin shell over `powerlist.testing.scenarios`. Exit codes: 0 every scenario passes, 1 some fail or the
workbook cannot be read, 2 usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    err,
    fail,
    guard_outputs,
    out,
    print_json,
    table,
    terminal_text,
    user_errors,
)
from ._help import Command, Group

scenarios_app = typer.Typer(cls=Group,
                            help="场景测试 scenarios：带预期结果的诉求，由派单程序逐条核对 "
                            "(issues with expected decisions, checked by the router).",
                            no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(scenarios_app, name="scenarios")


def default_out(path: Path) -> Path:
    """Where results go without --out: beside the input, FILE.results.xlsx."""
    return path.with_name(f"{path.stem}.results.xlsx")


@scenarios_app.command("run", cls=Command)
def run(
    input: Annotated[Path, typer.Argument(
        metavar="FILE", help="场景工作簿（.xlsx）：诉求各列加“预期…”列 (scenario workbook: issue columns plus 预期… "
        "columns)")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="结果工作簿，默认在场景工作簿旁写 FILE.results.xlsx (result workbook; default: "
        "FILE.results.xlsx beside FILE)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON，供程序读取 (machine-readable output)")] = False,
    catalogs: Annotated[Path | None, typer.Option(
        "--catalogs", help="目录工作簿所在文件夹，默认用随附目录 (catalog workbooks directory; default: the shipped "
        "catalogs)")] = None,
    rules: Annotated[Path | None, typer.Option(
        "--rules", help="规则文件夹，默认用随附规则 (rules directory; default: the shipped rules/)")] = None,
    engine: Annotated[str, typer.Option(
        "--engine", help="规则引擎：compiled 或 durable (compiled or durable)")] = "compiled",
) -> None:
    """运行 run：逐条派单并与预期核对，写出标色的结果工作簿 (route every scenario, compare with its expected
    values, write the coloured result workbook)."""
    from ..routing.router import Router
    from ..testing.scenarios import read_scenarios, results_json, run_scenarios, write_results

    if engine not in ("compiled", "durable"):
        fail("选项 --engine 只能是 compiled 或 durable (--engine is compiled or durable)", EXIT_USAGE)
    target = out_file if out_file is not None else default_out(input)
    if target.suffix.lower() != ".xlsx":
        fail("选项 --out 须是 .xlsx 文件 (--out must name an .xlsx file)", EXIT_USAGE)
    guard_outputs([target], [input], catalogs=catalogs, rules=rules, as_json=as_json)
    with user_errors(as_json):
        scenarios = read_scenarios(input)
        router = Router.default(engine=engine, catalogs=str(catalogs) if catalogs else None,
                                rules=str(rules) if rules else None)
        results = run_scenarios(scenarios, router)
        write_results(results, target)
    payload = results_json(results)
    if as_json:
        print_json({**payload, "report": str(target)})
    else:
        rows = []
        for result in results:
            if result.passed:
                continue
            for check in result.checks:
                if not check.ok:
                    rows.append([result.scenario.row, result.decision.issue_id, check.field, check.expected,
                                 check.actual])
            if result.decision.errors:  # why it was rejected, not only that it was
                rows.append([result.scenario.row, result.decision.issue_id, "errors 问题", "",
                             "\n".join(str(problem) for problem in result.decision.errors)])
        rows = [[terminal_text(cell) for cell in row] for row in rows]
        if rows:
            columns = ["行 row", "编号 issue", "字段 field", "预期 expected", "实际 actual"]
            out.print(table("未通过 failed checks", columns, rows))
        out.print(f"场景 scenarios: {payload['total']}，通过 passed {payload['passed']}，未通过 failed "
                  f"{payload['failed']}；结果 results: {target}", highlight=False, markup=False)
    if payload["failed"]:
        err.print(f"{payload['failed']} 个场景未通过 ({payload['failed']} scenario(s) failed)", highlight=False)
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_OK)
