"""`powerlist cases window | check | migrate`: looking after a case store.

- `window`: show or change the store's plausible time window (`powerlist.cases.instants`).
- `check`: read back and replay every case; name every bad one (exit 1).
- `migrate --from A --to B`: copy store A exactly into the empty store B (e.g. a SQLite file into
  PostgreSQL), verified by replay before it commits (`powerlist.cases.migrate`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..cases.instants import TimeWindow, unstamp
from ..cases.migrate import check_store, migrate
from ..cases.stores import open_store
from ._common import EXIT_FINDINGS, err, out, print_json, user_errors
from ._help import Command
from .cases import TIME_HELP, DbOpt, JsonOpt, _time, cases_app


def register(app: typer.Typer) -> None:
    """The commands join the `cases` group (registered by `cli.cases`)."""
    cases_app.command("window", cls=Command)(window)
    cases_app.command("check", cls=Command)(check)
    cases_app.command("migrate", cls=Command)(migrate_command)


def window(
    db: DbOpt,
    earliest: Annotated[str | None, typer.Option(
        "--earliest", help="新窗口起点 (new earliest time)" + TIME_HELP)] = None,
    latest: Annotated[str | None, typer.Option(
        "--latest", help="新窗口终点，不含 (new latest time, exclusive)" + TIME_HELP)] = None,
    as_json: JsonOpt = False,
) -> None:
    """时间窗口 window：查看或设置案件库的合理时间窗口，窗口外的时间一律拒绝 (show or set the store's plausible
    window: times outside it are refused)."""
    with user_errors(as_json):
        store = open_store(db, create=False, read_only=earliest is None and latest is None)
        try:
            if earliest is not None or latest is not None:
                current = store.window
                low = _time(earliest, "--earliest") if earliest is not None else None
                high = _time(latest, "--latest") if latest is not None else None
                chosen = TimeWindow.of(
                    low if low is not None else unstamp(current.earliest),
                    high if high is not None else unstamp(current.latest),
                )
                store.set_window(chosen)
            shown = store.window.as_json()
        finally:
            store.close()
    if as_json:
        print_json(shown)
    else:
        out.print(f"合理时间窗口 plausible window：[{shown['earliest']}, {shown['latest']})", highlight=False,
                  markup=False)


def check(db: DbOpt, as_json: JsonOpt = False) -> None:
    """核验 check：重放每件案件并与存储的快照比对，列出每件有问题的案件 (replay every case and compare it with its
    stored snapshot; name every bad case)."""
    with user_errors(as_json):
        store = open_store(db, create=False, read_only=True)
        try:
            count, problems = check_store(store)
        finally:
            store.close()
    if as_json:
        print_json({"cases": count, "ok": not problems, "errors": [p.as_json() for p in problems]})
    else:
        out.print(f"已核验 {count} 件案件，{len(problems)} 个问题 ({count} cases checked, {len(problems)} problems)",
                  highlight=False, markup=False)
        for problem in problems:
            err.print(f"  • {problem}", highlight=False, markup=False)
    if problems:
        raise typer.Exit(EXIT_FINDINGS)


def migrate_command(
    source: Annotated[str, typer.Option(
        "--from", help="源案件库：SQLite 文件或 URL (the store to copy: a SQLite file or URL)")],
    target: Annotated[str, typer.Option("--to", help="目标案件库，须为空 (the empty store to copy into, e.g. "
                                                     "postgresql://…)")],
    as_json: JsonOpt = False,
) -> None:
    """迁移 migrate：原样复制案件库（事件、快照、督办动作、问责记录），经重放核验后提交 (copy a store exactly, verified
    by replay)."""
    with user_errors(as_json):
        origin = open_store(source, create=False, read_only=True)
        try:
            destination = open_store(target)
            try:
                done = migrate(origin, destination)
            finally:
                destination.close()
        finally:
            origin.close()
    if as_json:
        print_json(done.as_json())
    else:
        out.print(f"已迁移并经重放核验 (copied and verified by replay): {done.cases} 件案件 cases, "
                  f"{done.events} 个事件 events, {done.actions} 个督办动作 actions, "
                  f"{done.findings} 条问责记录 findings",
                  highlight=False, markup=False)
