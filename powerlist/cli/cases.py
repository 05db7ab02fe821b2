"""`powerlist cases open | record | tick | show`: cases over time, in a case store.

A thin shell over `powerlist.cases.escalator`. `--db` is a SQLite file or a `postgresql://` URL,
opened by `powerlist.cases.stores.open_store` (`show` opens it read-only, so a store on a
read-only file or medium can still be shown). Times are ISO 8601; a time without an offset is
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
from ..cases.lifecycle import SATISFACTION_LABELS, Satisfaction, aware
from ..cases.store import CaseStore
from ..cases.stores import open_store
from ..errors import InputError, Problem
from ..routing.instants import instant_problem
from ..routing.tables import RuleSet
from ._common import EXIT_FINDINGS, db_file, err, guard_outputs, out, print_json, table, user_errors

cases_app = typer.Typer(
    help="案件督办 — open cases from issues, record what units do, tick the clock, show a case.",
    no_args_is_help=True,
)

DbOpt = Annotated[str, typer.Option(
    "--db", help="案件库：SQLite 文件或 postgresql:// URL (case store: a SQLite file or a postgresql:// URL)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]
RulesOpt = Annotated[Path | None, typer.Option("--rules", help="rules directory (default: the shipped rules/)")]
CatalogsOpt = Annotated[Path | None, typer.Option(
    "--catalogs", help="catalog workbooks directory (default: the shipped catalogs)")]


def register(app: typer.Typer) -> None:
    app.add_typer(cases_app, name="cases")


def _time(text: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            [Problem(message="not an ISO 8601 time, e.g. 2026-07-01T09:00 or 2026-07-01T09:00+08:00",
                     field=option, value=text, code="bad-time")],
            "时间无效 (invalid time)",
        ) from None
    # 0001-01-01T00:00 or 9999-12-31 would overflow the first conversion or time limit.
    problem = instant_problem(moment)
    if problem is not None:
        raise InputError([Problem(message=problem[1], field=option, value=text, code=problem[0])],
                         "时间无效 (invalid time)")
    return aware(moment)


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
        rows.append([record.n, record.as_json()["at"], record.event.value, record.actor or "",
                     record.rule or "", to or "", note])
    return rows


def _print_case(case: Case) -> None:
    s = case.snapshot
    # Case ids and unit names are user data: printed with markup=False, never read as rich markup.
    out.print(
        f"{s.case_id}  {s.state.label} ({s.state.value})  级别 level {s.level}  "
        f"牵头 lead {s.lead['name']}  承办 now {s.assignee['name']}",
        highlight=False,
        markup=False,
    )
    shown = case.as_json()
    out.print(f"报到时限 respond_by {shown['respond_by']}  办结时限 complete_by {shown['complete_by']}  "
              f"下次到期 next due {shown['next_due_at']}  标记 labels {'、'.join(s.labels) or '-'}",
              highlight=False, markup=False)
    out.print(table("留痕 history", ["#", "at", "event", "actor", "rule", "to", "note"], _case_rows(case)))


@cases_app.command("open")
def open_cases(
    input: Annotated[Path, typer.Argument(help="issues: .jsonl, .csv or .xlsx")],
    db: DbOpt,
    catalogs: CatalogsOpt = None,
    rules: RulesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Route each issue and open its case (受理 + 派单); an issue id already open is left as is.

    Reads `powerlist intake` output as it is: a line with `duplicate_of` opens no case of its own;
    it is listed under `linked` with the case it repeats (whose repeat_count intake has raised)."""
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
            f"案件 cases ({sum(c['new'] for c in opened)} new)",
            ["case", "new", "state", "level", "lead", "respond_by", "complete_by"],
            [[c["case_id"], "yes" if c["new"] else "existing", c["state"], c["level"], c["lead"]["name"],
              c["respond_by"], c["complete_by"]] for c in opened],
        ))
        for link in linked:
            out.print(f"重复 duplicate {link['issue_id']} → {link['duplicate_of']}", highlight=False, markup=False)
        for r in rejected:
            err.print(f"rejected {r['issue_id']}: " + "; ".join(e["message"] for e in r["errors"]),
                      highlight=False, markup=False)
    if rejected:
        raise typer.Exit(EXIT_FINDINGS)


@cases_app.command("record")
def record(
    case_id: Annotated[str, typer.Argument(help="case id (the issue id)")],
    event: Annotated[str, typer.Argument(help="dispatch, respond, handle, complete, feed_back, evaluate, close, "
                                              "return, extend, reopen, escalate, supervise")],
    at: Annotated[str, typer.Option("--at", help="when it happened (ISO 8601)")],
    db: DbOpt,
    by: Annotated[str | None, typer.Option(
        "--by", help="acting unit code (default: the unit holding the case)")] = None,
    satisfaction: Annotated[str | None, typer.Option(
        "--satisfaction",
        help="for evaluate: 满意 | 基本满意 | 不满意 (or satisfied, basically_satisfied, dissatisfied)")] = None,
    to: Annotated[str | None, typer.Option("--to", help="for dispatch/escalate/supervise: the unit code")] = None,
    until: Annotated[str | None, typer.Option("--until", help="for extend: the new completion deadline")] = None,
    third_party: Annotated[str | None, typer.Option(
        "--third-party", help="for evaluate: the third-party call-back survey score (第三方回访得分), 0–100")] = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="free text kept in the history (e.g. why a return)")] = None,
    rules: RulesOpt = None,
    catalogs: CatalogsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record what a unit or the platform did (报到, 办结, 退单, 延期, 评价 …)."""
    with user_errors(as_json):
        # An option the event does not use would be dropped or kept as noise in the history;
        # refuse it so that a mistyped event name is not recorded with the wrong meaning.
        belongs = {"--satisfaction": ("evaluate",), "--third-party": ("evaluate",),
                   "--to": ("dispatch", "escalate", "supervise"), "--until": ("extend",)}
        misplaced = [
            Problem(message=f"{option} applies to {' / '.join(belongs[option])} only, not to {event!r}", field=option,
                    value=str(value), code="misplaced-option")
            for option, value in (("--satisfaction", satisfaction), ("--third-party", third_party), ("--to", to),
                                  ("--until", until))
            if value is not None and event not in belongs[option]
        ]
        if misplaced:
            raise InputError(misplaced, "options that do not apply to this event")
        if satisfaction is not None and Satisfaction.parse(satisfaction) is None:
            raise InputError([Problem(
                message="satisfaction is one of "
                + ", ".join(f"{v.value} ({label})" for v, label in SATISFACTION_LABELS.items()),
                field="--satisfaction", value=satisfaction, code="bad-satisfaction")], "invalid satisfaction")
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
        case = esc.record(case_id, event, when, by=by, **{k: v for k, v in details.items() if v is not None})
        store.close()
    if as_json:
        print_json(case.as_json())
    else:
        _print_case(case)


@cases_app.command("tick")
def tick(
    now: Annotated[str, typer.Option("--now", help="the clock (ISO 8601); ticks never read the system clock")],
    db: DbOpt,
    rules: RulesOpt = None,
    batch: Annotated[int, typer.Option(
        "--batch", min=1, help="每批提交的到期案件数 (due cases per committed batch)")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Act on every case due at NOW: reminders, escalations, extensions, supervision, accountability.

    Each action shows when it was taken (at) and when it fell due (due_at); the tick reports its
    lag. A case the tick cannot work is named and skipped (exit 1); every other case is ticked."""
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
            f"督办动作 actions at {moment.isoformat(timespec='seconds')}: {len(actions)}",
            ["case", "action", "from", "to", "due_at", "rule", "reason"],
            [[a["case_id"], a["action"], a["from"], a["to"], a["due_at"], a["rule"], a["reason"]] for a in actions],
        ))
        hours = shown["lag_seconds"] / 3600
        out.print(f"滞后 lag: {hours:.1f} 小时 hours（最早到期 oldest due {shown['oldest_due_at']}）",
                  highlight=False, markup=False)
    for bad in shown["failed"]:
        err.print(f"  • {bad['message']}", highlight=False, markup=False)


@cases_app.command("show")
def show(
    case_id: Annotated[str, typer.Argument(help="case id (the issue id)")],
    db: DbOpt,
    as_json: JsonOpt = False,
) -> None:
    """A case's state, level, lead and full history (留痕)."""
    with user_errors(as_json):
        store = _existing(db, read_only=True)
        snapshot = store.get(case_id)
        if snapshot is None:
            store.close()
            if as_json:
                print_json({"ok": False, "errors": [{"message": f"no case {case_id!r} in {db}"}]})
                raise typer.Exit(EXIT_FINDINGS)
            err.print(f"错误 error: no case {case_id!r} in {db}", highlight=False, markup=False)
            raise typer.Exit(EXIT_FINDINGS)
        case = Case(snapshot, store.history(case_id))
        store.close()
    if as_json:
        print_json(case.as_json())
    else:
        _print_case(case)
