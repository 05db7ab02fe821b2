"""`powerlist score` — two-way scoring of a period (双向考评, 晒单)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from ._common import EXIT_USAGE, db_file, err, fail, guard_outputs, out, print_json, table, user_errors
from ._help import Command


def register(app: typer.Typer) -> None:
    app.command("score", cls=Command)(score)


def score(
    period: str = typer.Option(..., "--period", help="考核周期：2026Q3、2026-07 或 2026 (the period)"),
    db: str | None = typer.Option(
        None, "--db", help="案件库：SQLite 文件或 postgresql:// URL，从中读取吹哨 (case store to read whistles from: a "
        "SQLite file or a postgresql:// URL)"),
    input_file: Path | None = typer.Option(
        None, "--input", help="吹哨记录表（.xlsx 或 .csv） (whistle spreadsheet, .xlsx or .csv)"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON，供程序读取 (machine-readable output)"),
    out_file: Path | None = typer.Option(None, "--out", help="写出晒单工作簿（.xlsx） (write the 晒单 workbook)"),
    profile: str | None = typer.Option(
        None, "--profile", help="权重方案，见 rules/scoring.toml (weights profile in rules/scoring.toml)"),
    vetoes_file: Path | None = typer.Option(
        None, "--vetoes", help="一票否决名单（.xlsx 或 .csv）：对象、否决事项、日期、说明 (veto list)"),
    rules: Path | None = typer.Option(
        None, "--rules", help="考评规则文件，代替随附的 (scoring rules file instead of the shipped one)"),
    as_of_text: str | None = typer.Option(
        None, "--as-of",
        help="按此时刻的情况计分，未到期的工作不计分；默认为考核周期结束时，周期未结束请给当前时间 "
        "(score as things stood at this time; default: the end of the period)",
    ),
    other_file: Path | None = typer.Option(
        None, "--other", help="年度周期：各单位的其他考核得分（对象、其他考核得分）→ 年度考核 "
        "(year periods: each unit's other assessment score)"
    ),
    department_weight: str = typer.Option(
        "0.30", "--department-weight", help="部门的吹哨考评权重 w，至少 0.30 (w for departments, at least 0.30)"),
    street_weight: str = typer.Option(
        "0.15", "--street-weight", help="街道的吹哨考评权重 w，至少 0.15 (w for streets, at least 0.15)"),
    catalog_dir: str | None = typer.Option(
        None, "--catalog",
        help="目录文件夹（随附目录写 shipped）：排出每个街道、用编制人数和名称，街道、单位可写名称 "
        "(catalog directory, 'shipped' for the shipped one: rank every street, use 编制人数 and names)",
    ),
) -> None:
    """考评 score：按考核周期为部门（街道评部门）和街道（部门评街道）排名，每个分数都可追溯到吹哨 (rank departments and
    streets for a period; every figure traceable to its whistles)."""
    if (db is None) == (input_file is None):
        fail("选项 --db 和 --input 须且只须给一个 (give exactly one of --db FILE or --input FILE)", EXIT_USAGE)
    if out_file is not None and out_file.suffix.lower() != ".xlsx":
        fail("选项 --out 须是 .xlsx 文件 (--out must name an .xlsx file)", EXIT_USAGE)
    guard_outputs([out_file], [db_file(db), input_file, vetoes_file, other_file], rules=rules,
                  catalogs=False if catalog_dir is None else None if catalog_dir == "shipped" else Path(catalog_dir),
                  as_json=as_json)
    with user_errors(as_json):
        from ..scoring import Period, load_config, read_vetoes, read_whistles, score_period, write_report

        chosen = Period.parse(period)
        as_of = _as_of(as_of_text)
        config = load_config(rules)
        config.profile(profile)  # an unknown profile fails before any input is read
        # A w below its floor is refused whenever it is given, not only when --other makes it
        # used: a misconfigured run must not pass silently.
        from ..scoring import annual_score

        annual_score(0, 0, department_weight, "department")
        annual_score(0, 0, street_weight, "street")
        staff: dict[str, int] | None = None
        names: dict[str, str] | None = None
        catalog = None
        if catalog_dir is not None:
            from ..catalog.loader import load_catalogs
            from ..scoring import catalog_context

            catalog = load_catalogs(None if catalog_dir == "shipped" else catalog_dir)
            staff, names = catalog_context(catalog)
        # With a catalog, every unit column is read by code, name or alias, and a unit or street
        # the catalog does not know is a located error (a typo would rank a street twice or
        # veto nobody).
        if input_file is not None:
            records = read_whistles(input_file, catalog=catalog)
        else:
            from ..scoring import read_store

            assert db is not None
            records = read_store(db, chosen)
        vetoes = read_vetoes(vetoes_file, catalog=catalog) if vetoes_file is not None else []
        if catalog is not None:
            from ..scoring import with_catalog

            records = with_catalog(records, catalog)
        # A period is scored as it stood when it ended (deterministic for a closed period); a
        # whistle still inside its time limit then is left unscored, never counted as failed.
        moment = as_of if as_of is not None else chosen.end
        running = as_of is None and chosen.end > datetime.now(chosen.end.tzinfo)
        if running and not as_json:
            err.print(
                f"注意 note：考核周期 {chosen} 尚未结束，按周期结束时计分，届时到期未办的工作计为未完成；周期未结束请给"
                f" --as-of（如当前时间） (period {chosen} has not ended: give --as-of for a running period)",
                highlight=False, markup=False,
            )
        scores = score_period(
            records, chosen, profile, config=config, staff=staff, street_names=names, vetoes=vetoes, as_of=moment
        )
        annual = None
        if other_file is not None:
            from ..scoring import ScoringError, annual_results, read_other_scores

            if chosen.kind != "year":
                raise ScoringError(f"年度考核（--other）须按年度考核周期，如 {chosen.year} "
                                   f"(the annual assessment needs a year period such as {chosen.year})")
            annual = annual_results(
                scores,
                read_other_scores(other_file, catalog=catalog),
                department_weight=department_weight,
                street_weight=street_weight,
                vetoes=vetoes,
                pass_mark=config.params.pass_mark,
            )
        if out_file is not None:
            write_report(scores, out_file, annual)
    if as_json:
        payload = {"ok": True, **scores.as_json()}
        # scored as at `as_of`; `period_running`: the period had not ended when this was run, so
        # work due before its end and not yet done counted as missed (pass --as-of to avoid it)
        payload["as_of"] = moment.isoformat() if isinstance(moment, datetime) else str(moment)
        payload["period_running"] = running
        if annual is not None:
            payload["annual"] = [a.as_json() for a in annual]
        if out_file is not None:
            payload["report"] = str(out_file)
        print_json(payload)
        return
    _show(scores)
    if annual is not None:
        out.print(
            table(
                "年度考核 annual assessment",
                ["对象", "名称", "类别", "吹哨考评", "其他考核", "w", "年度得分", "结果", "原因"],
                [[str(v) if v is not None else "" for v in row] for row in _annual_rows(annual)],
            )
        )
    if out_file is not None:
        out.print(f"晒单已写入 report written: {out_file}", highlight=False, markup=False)


def _as_of(text: str | None) -> datetime | None:
    """--as-of by the one time parser of every reader, in the computable years (naive = Asia/Shanghai)."""
    if text is None:
        return None
    from ._common import option_time

    return option_time(text, "--as-of")


def _annual_rows(annual: object) -> list[list[object]]:
    from ..scoring import annual_rows

    return annual_rows(annual)  # type: ignore[arg-type]


def _text(value: object) -> str:
    from ..scoring import publish

    return "—" if value is None else str(publish(value))  # type: ignore[arg-type]


def _show(scores: object) -> None:
    from ..scoring import PeriodScores

    assert isinstance(scores, PeriodScores)
    p = scores.profile
    out.print(
        f"考核周期 period {scores.period.label} · 权重方案 profile {p.name} · "
        f"部门 响应度 {p.department.response} / 办结度 {p.department.completion} / "
        f"满意度 {p.department.satisfaction} · "
        f"街道 呼叫机制 {p.street.mechanism} / 呼叫次数 {p.street.calls} / 呼叫质效 {p.street.quality}",
        highlight=False,
        markup=False,
    )
    out.print(
        table(
            "部门排名 departments (街道评部门)",
            ["排名", "单位", "名称", "哨数", "得分", "响应度(n)", "办结度(n)", "满意度(n)", "一票否决/说明"],
            [
                [
                    d.rank or "—",
                    d.unit,
                    d.name or "",
                    d.whistles,
                    _text(d.score),
                    f"{_text(d.response)} ({d.counts['response']})",
                    f"{_text(d.completion)} ({d.counts['completion']})",
                    f"{_text(d.satisfaction)} ({d.counts['satisfaction']})",
                    "；".join(v.reason for v in d.vetoes) or "；".join(d.notes),
                ]
                for d in scores.departments
            ],
        )
    )
    out.print(
        table(
            "街道排名 streets (部门评街道)",
            ["排名", "街道", "名称", "哨数", "得分", "呼叫机制", "呼叫次数", "呼叫质效", "不可办", "一票否决"],
            [
                [
                    s.rank or "—",
                    s.street,
                    s.name or "",
                    s.whistles,
                    _text(s.score),
                    _text(s.mechanism),
                    _text(s.calls),
                    _text(s.quality),
                    s.poor,
                    "；".join(v.reason for v in s.vetoes),
                ]
                for s in scores.streets
            ],
        )
    )
    out.print(f"舍入 rounding: {scores.rounding}", highlight=False, markup=False)
    if scores.outside:
        out.print(
            f"另有 {scores.outside} 条哨的受理时间不在 {scores.period.label} 内，未计入 "
            f"({scores.outside} whistle(s) received outside the period were not scored)",
            highlight=False,
            markup=False,
        )
