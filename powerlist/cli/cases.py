"""`powerlist cases open | record | tick | show`: cases over time, in a case store.

A thin shell over `powerlist.cases.escalator`. `--db` is a SQLite file or a `postgresql://` URL,
opened by `powerlist.cases.stores.open_store` (`show` opens it read-only, so a store on a
read-only file or medium can still be shown). Times are read by the one time parser of every
reader (`powerlist.sheets.timetext`: ISO 8601, 2026/7/1 9:00, 2026年7月1日 9时 …) and checked against
the years powerlist can compute with (`powerlist.routing.instants`); a time without an offset is
Asia/Shanghai. Exit codes: 0 fine, 1 invalid input, a refused transition, a rejected issue or a
case a tick could not work (named), 2 usage error. `cases window | check | migrate` are in
`cases_admin`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from ..cases.escalator import Case, Escalator
from ..cases.lifecycle import SATISFACTION_LABELS, Event, Satisfaction, State
from ..cases.recording import EVENT_LABELS, user_event
from ..cases.store import CaseStore
from ..cases.stores import open_store, without_password
from ..catalog.models import Level
from ..errors import InputError, Problem
from ..routing.tables import RuleSet
from ._common import (
    EXIT_FINDINGS,
    db_file,
    err,
    guard_outputs,
    option_time,
    out,
    print_json,
    table,
    user_errors,
)
from ._help import Command, Group

cases_app = typer.Typer(
    cls=Group,
    help="案件督办 cases：由诉求立案，登记各单位办理情况，按时钟检查督办，查看案件 "
    "(open cases from issues, record what units do, tick the clock, show a case).",
    no_args_is_help=True,
)

DbOpt = Annotated[str, typer.Option(
    "--db", help="案件库：SQLite 文件或 postgresql:// URL (case store: a SQLite file or a postgresql:// URL)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON，供程序读取 (machine-readable JSON output)")]
RulesOpt = Annotated[Path | None, typer.Option(
    "--rules", help="规则文件夹，默认用随附规则 (rules directory; default: the shipped rules/)")]
CatalogsOpt = Annotated[Path | None, typer.Option(
    "--catalogs",
    help="目录工作簿所在文件夹，默认用随附目录 (catalog workbooks directory; default: the shipped catalogs)")]
CaseArg = Annotated[str, typer.Argument(metavar="CASE", help="案件编号，即诉求编号 (case id: the issue id)")]
# The escalation tables' actions (rules/escalation.toml), in Chinese for the tick table.
ACTION_LABELS = {
    "remind": "催办", "escalate": "升级", "supervise": "挂牌督办", "urge": "督办催办", "note": "记录",
    "extend": "延期", "send_back": "退回", "redispatch": "改派", "criticise": "通报批评", "interview": "约谈",
    "refer": "移交问责",
}
TIME_HELP = "；时间可写 2026-07-01T09:00、2026/7/1 9:00、2026年7月1日 9时，无时区即北京时间"


def register(app: typer.Typer) -> None:
    app.add_typer(cases_app, name="cases")


def _time(text: str, option: str) -> datetime:
    """An option's time (`_common.option_time`: the one time parser, the computable years)."""
    return option_time(text, option)


def _existing(db: str, *, read_only: bool = False) -> CaseStore:
    """An existing case store (a missing one is a located error, never created by a typo)."""
    return open_store(db, create=False, read_only=read_only)


def _rules(rules: Path | None) -> RuleSet:
    return RuleSet.load(rules)


def _case_rows(case: Case) -> list[list[Any]]:
    rows = []
    for record in case.history:
        d = record.details
        to = d.get("to", {}).get("name") if isinstance(d.get("to"), dict) else None
        note = d.get("reason") or d.get("satisfaction") or ""
        if record.event is Event.EVALUATE and isinstance(note, str) and note in Satisfaction._value2member_map_:
            note = SATISFACTION_LABELS[Satisfaction(note)]
        rows.append([record.n, record.as_json()["at"], f"{EVENT_LABELS[record.event]} {record.event.value}",
                     record.actor or "", record.rule or "", to or "", note])
    return rows


def _print_case(case: Case) -> None:
    s = case.snapshot
    # Case ids and unit names are user data: printed with markup=False, never read as rich markup.
    out.print(
        f"{s.case_id}  {s.state.label} ({s.state.value})  层级 level {Level(s.level).label} {s.level}  "
        f"牵头 lead {s.lead['name']}  承办 now {s.assignee['name']}",
        highlight=False,
        markup=False,
    )
    shown = case.as_json()
    out.print(f"报到时限 respond_by {shown['respond_by']}  办结时限 complete_by {shown['complete_by']}  "
              f"下次到期 next due {shown['next_due_at']}  标记 labels {'、'.join(s.labels) or '-'}",
              highlight=False, markup=False)
    out.print(table("留痕 history", ["序号 #", "时间 at", "事件 event", "单位 actor", "规则 rule", "交办 to",
                                   "说明 note"], _case_rows(case)))


@cases_app.command("open", cls=Command)
def open_cases(
    input: Annotated[Path, typer.Argument(
        metavar="FILE", help="诉求文件：.jsonl、.csv 或 .xlsx (issues: .jsonl, .csv or .xlsx)")],
    db: DbOpt,
    catalogs: CatalogsOpt = None,
    rules: RulesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """立案 open：逐条派单并立案（受理 + 派单）；已立案的诉求编号保持不变 (route each issue and open its
    case; an issue id already open is left as is).

    可直接读 `powerlist intake` 的输出：带 duplicate_of 的诉求不另立案，列在 linked 下并注明它重复的案件（intake
    已提高该案件的 repeat_count） (reads intake output as it is: a line with duplicate_of opens no case of
    its own; it is listed under linked with the case it repeats)."""
    from ..routing.issue_io import read_issues
    from ..routing.router import Router

    guard_outputs([db_file(db)], [input], catalogs=catalogs, rules=rules, as_json=as_json, writable=False)
    with user_errors(as_json):
        router = Router.default(catalogs=str(catalogs) if catalogs else None, rules=str(rules) if rules else None)
        store = open_store(db)
        esc = Escalator(store, router, router.rules)
        opened: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        linked: list[dict[str, Any]] = []
        for position, record in enumerate(read_issues(input), start=1):
            issue_id = record.issue_id(position)
            first = record.intake.get("duplicate_of")
            if first and not record.problems:
                linked.append({"issue_id": issue_id, "duplicate_of": str(first),
                               "case_open": store.get(str(first)) is not None})
                continue
            if record.problems:
                rejected.append({"issue_id": issue_id, "errors": [p.as_json() for p in record.problems]})
                continue
            existed = store.get(issue_id) is not None
            try:
                case = esc.open(record.data)
            except InputError as error:
                rejected.append({"issue_id": issue_id, "errors": [record.locate(p).as_json() for p in error.problems]})
                continue
            opened.append({
                "case_id": case.case_id,
                "new": not existed,
                "state": case.state.value,
                "level": case.level,
                "lead": case.lead,
                "respond_by": case.as_json()["respond_by"],
                "complete_by": case.as_json()["complete_by"],
            })
        store.close()
    if as_json:
        print_json({"cases": opened, "rejected": rejected, "linked": linked})
    else:
        out.print(table(
            f"案件 cases（新立 {sum(c['new'] for c in opened)} 件 new）",
            ["案件 case", "新立 new", "状态 state", "层级 level", "牵头 lead", "报到时限 respond by",
             "办结时限 complete by"],
            [[c["case_id"], "新立 new" if c["new"] else "已有 existing", f"{State(c['state']).label} {c['state']}",
              f"{Level(c['level']).label} {c['level']}", c["lead"]["name"], c["respond_by"], c["complete_by"]]
             for c in opened],
        ))
        for link in linked:
            out.print(f"重复诉求 duplicate {link['issue_id']} → {link['duplicate_of']}（并入该案件 linked）",
                      highlight=False, markup=False)
        for r in rejected:
            err.print(f"未立案 rejected {r['issue_id']}：" + "；".join(e["message"] for e in r["errors"]),
                      highlight=False, markup=False)
    if rejected:
        raise typer.Exit(EXIT_FINDINGS)


@cases_app.command("record", cls=Command)
def record(
    case_id: CaseArg,
    event: Annotated[str, typer.Argument(
        metavar="EVENT",
        help="事件，中文或代码均可：派单 dispatch、报到 respond、处置 handle、办结 complete、反馈 feed_back、"
        "评价 evaluate、结案 close、退单 return、延期 extend、重新打开 reopen、升级 escalate、督办 supervise")],
    at: Annotated[str, typer.Option("--at", help="发生时间 (when it happened)" + TIME_HELP)],
    db: DbOpt,
    by: Annotated[str | None, typer.Option(
        "--by", help="办理单位编码，默认为承办单位 (acting unit code; default: the unit holding the case)")] = None,
    satisfaction: Annotated[str | None, typer.Option(
        "--satisfaction",
        help="评价时填：满意 | 基本满意 | 不满意 (for evaluate: satisfied, basically_satisfied, dissatisfied)")] = None,
    to: Annotated[str | None, typer.Option(
        "--to", help="派单、升级、督办时填：交办单位编码 (for dispatch/escalate/supervise: the unit code)")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="延期时填：新的办结时限 (for extend: the new completion deadline)" + TIME_HELP)] = None,
    third_party: Annotated[str | None, typer.Option(
        "--third-party", help="评价时可填：第三方回访得分，0–100 (for evaluate: the third-party survey score)")] = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="说明，记入留痕，如退单理由 (free text kept in the history, e.g. why a return)")] = None,
    rules: RulesOpt = None,
    catalogs: CatalogsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """登记 record：登记单位或平台的办理情况（报到、办结、退单、延期、评价 …） (record what a unit or the
    platform did)."""
    with user_errors(as_json):
        chosen = user_event(event).value  # a Chinese name (报到) is its code (respond)
        # An option the event does not use would be dropped or kept as noise in the history;
        # refuse it so that a mistyped event name is not recorded with the wrong meaning.
        belongs = {"--satisfaction": ("evaluate",), "--third-party": ("evaluate",),
                   "--to": ("dispatch", "escalate", "supervise"), "--until": ("extend",)}
        misplaced = [
            Problem(message=f"选项 {option} 只用于 {'、'.join(EVENT_LABELS[Event(e)] for e in belongs[option])}，"
                    f"不用于“{event}” ({option} applies to {' / '.join(belongs[option])} only, not to {chosen!r})",
                    field=option, value=str(value), code="misplaced-option")
            for option, value in (("--satisfaction", satisfaction), ("--third-party", third_party), ("--to", to),
                                  ("--until", until))
            if value is not None and chosen not in belongs[option]
        ]
        if misplaced:
            raise InputError(misplaced, "选项不适用于此事件 (options that do not apply to this event)")
        if satisfaction is not None and Satisfaction.parse(satisfaction) is None:
            raise InputError([Problem(
                message="满意度应为 满意、基本满意 或 不满意 (satisfaction is one of "
                + ", ".join(f"{v.value} ({label})" for v, label in SATISFACTION_LABELS.items()) + ")",
                field="--satisfaction", value=satisfaction, code="bad-satisfaction")],
                "满意度无效 (invalid satisfaction)")
        when = _time(at, "--at")
        details: dict[str, Any] = {"satisfaction": satisfaction, "third_party": third_party, "to": to, "reason": reason}
        if until is not None:
            details["until"] = _time(until, "--until")
        store = _existing(db)
        # A unit named by --by or --to may be any unit of the catalog, not only one of the case.
        catalog = None
        if by is not None or to is not None:
            from ..catalog.loader import load_catalogs

            catalog = load_catalogs(catalogs)
        esc = Escalator(store, None, _rules(rules), catalog=catalog)
        case = esc.record(case_id, chosen, when, by=by, **{k: v for k, v in details.items() if v is not None})
        store.close()
    if as_json:
        print_json(case.as_json())
    else:
        _print_case(case)


@cases_app.command("tick", cls=Command)
def tick(
    now: Annotated[str, typer.Option(
        "--now", help="检查时刻；检查从不读取系统时钟 (the clock; ticks never read the system clock)" + TIME_HELP)],
    db: DbOpt,
    rules: RulesOpt = None,
    batch: Annotated[int, typer.Option(
        "--batch", min=1, help="每批提交的到期案件数 (due cases per committed batch)")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """督办检查 tick：处理截至 --now 到期的全部案件：催办、升级、延期、督办、问责 (act on every case due at
    NOW: reminders, escalations, extensions, supervision, accountability).

    每个动作给出执行时刻（at）和到期时刻（due_at），并报告滞后（lag）；无法处理的案件列出并跳过（退出码 1），
    其余案件照常处理
    (each action shows when it was taken and when it fell due; the tick reports its lag. A case the tick
    cannot work is named and skipped, exit 1; every other case is ticked)."""
    with user_errors(as_json):
        moment = _time(now, "--now")
        store = _existing(db)
        try:
            report = Escalator(store, None, _rules(rules)).tick_report(moment, batch=batch)
        finally:
            store.close()
    if as_json:
        print_json(report.as_json())
    else:
        _print_tick(report.as_json(), moment)
    if report.failed:
        raise typer.Exit(EXIT_FINDINGS)


def _print_tick(shown: dict[str, Any], moment: datetime) -> None:
    actions = shown["actions"]
    if not actions:
        out.print("无到期案件 (nothing due)")
    else:
        out.print(table(
            f"督办动作 actions：{moment.isoformat(timespec='seconds')}，共 {len(actions)} 项",
            ["案件 case", "动作 action", "原单位 from", "交办 to", "到期 due_at", "规则 rule", "理由 reason"],
            [[a["case_id"], f"{ACTION_LABELS.get(a['action'], '')} {a['action']}".strip(), a["from"], a["to"],
              a["due_at"], a["rule"], a["reason"]] for a in actions],
        ))
        hours = shown["lag_seconds"] / 3600
        out.print(f"滞后 lag：{hours:.1f} 小时 hours（最早到期 oldest due {shown['oldest_due_at']}）",
                  highlight=False, markup=False)
    for bad in shown["failed"]:
        err.print(f"  • {bad['message']}", highlight=False, markup=False)


@cases_app.command("show", cls=Command)
def show(
    case_id: CaseArg,
    db: DbOpt,
    as_json: JsonOpt = False,
) -> None:
    """查看 show：案件的状态、层级、牵头单位和全部留痕 (a case's state, level, lead and full history)."""
    with user_errors(as_json):
        store = _existing(db, read_only=True)
        snapshot = store.get(case_id)
        if snapshot is None:
            store.close()
            shown = without_password(db)
            message = f"案件库 {shown} 中没有案件 {case_id!r} (no case {case_id!r} in {shown})"
            if as_json:
                print_json({"ok": False, "errors": [{"message": message, "code": "unknown-case"}]})
                raise typer.Exit(EXIT_FINDINGS)
            err.print(f"错误 error: {message}", highlight=False, markup=False)
            raise typer.Exit(EXIT_FINDINGS)
        case = Case(snapshot, store.history(case_id))
        store.close()
    if as_json:
        print_json(case.as_json())
    else:
        _print_case(case)
