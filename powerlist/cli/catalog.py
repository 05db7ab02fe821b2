"""`powerlist catalog`: check power lists and catalogs, show a catalog, write a template."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from ..catalog.catalog import Catalog
from ..catalog.delegation import is_delegation_workbook
from ..catalog.loader import load_catalogs, load_delegation_workbook
from ..catalog.power_list import load_power_list
from ..catalog.template import write_template
from ..errors import InputError, Problem
from ._common import EXIT_FINDINGS, err, guard_outputs, out, print_json, table, user_errors
from ._help import Command, Group


def register(app: typer.Typer) -> None:
    group = typer.Typer(cls=Group, help="目录 catalog：检查权责清单和目录、展示目录、生成空白模板 "
                        "(check power lists and catalogs, show, template).", no_args_is_help=True)
    group.command("check", cls=Command)(check)
    group.command("show", cls=Command)(show)
    group.command("template", cls=Command)(template)
    app.add_typer(group, name="catalog")


def check(
    paths: Annotated[list[Path], typer.Argument(
        metavar="PATH", help="权责清单工作簿（.xlsx）或目录文件夹 (power-list workbooks or catalogs directories)")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON，供程序读取 (machine-readable output)")] = False,
) -> None:
    """检查 check：每个文件都能加载时退出码为 0，否则为 1 (exit 0 when every file loads, 1 otherwise).

    目录文件夹计其权力事项；权责清单计其事项；承接表（带“街道”列的清单）计其不同事项，并对照所属目录
    （所在文件夹有全部五个目录工作簿时）或随附目录检查。组织、分类和调休工作簿随其整个文件夹检查，不计事项
    (a delegation workbook is checked against the catalog of its directory, or the shipped one)."""
    items = 0
    problems: list[Problem] = []
    notes: list[Problem] = []  # what loading skipped (footer rows), said, not failed
    # catalogs directories checked whole, once each: their catalog, or None when it failed
    directories: dict[Path, Catalog | None] = {}
    for path in paths:
        try:
            if path.is_dir():
                home = path.resolve()
                if home not in directories:
                    directories[home] = None
                    directories[home] = load_catalogs(path)
                catalog = directories[home]
                items += len(catalog.items) if catalog is not None else 0
            elif is_delegation_workbook(path):
                # a catalog's own delegation.xlsx names that catalog's streets, not Huangshi's
                owner = catalog_directory(path)
                if owner is not None and owner in directories:
                    catalog = directories[owner]
                    if catalog is None:
                        continue  # its catalog failed, and was reported, already
                elif owner is not None:
                    directories[owner] = None
                    catalog = directories[owner] = load_catalogs(path.parent)
                else:
                    catalog = None
                delegation = load_delegation_workbook(path, catalog)
                items += len({row.code or row.name for row in delegation.rows})
                notes += delegation.notes
            else:
                try:
                    power_list = load_power_list(path)
                    items += len(power_list)
                    notes += power_list.notes
                except InputError as error:
                    sheets = catalog_sheets(path) if _no_power_list_header(error) else ()
                    if not sheets:
                        raise
                    items += _check_catalog_workbook(path, sheets, directories)
        except InputError as error:
            problems += error.problems
    # a workbook named alone and again through its directory reports its problems once
    problems = list(dict.fromkeys(problems))
    if as_json:
        print_json({
            "ok": not problems,
            "items": items,
            "errors": [{"file": p.file, "sheet": p.sheet, "cell": p.cell, "value": p.value,
                        "message": p.message} for p in problems],
            "notes": [{"file": p.file, "sheet": p.sheet, "cell": p.cell, "value": p.value,
                       "message": p.message, "code": p.code} for p in notes],
        })
    elif problems:
        err.print(f"[bold red]{len(problems)} 个问题 problem(s)[/]", highlight=False)
        for problem in problems:
            err.print(f"  • {problem}", highlight=False, markup=False)
    else:
        out.print(f"通过 ok: {len(paths)} 个文件/目录 path(s), {items} 个事项 item(s)",
                  highlight=False)
    if not as_json:
        for note in notes:
            err.print(f"  提示 note: {note}", highlight=False, markup=False)
    if problems:
        raise typer.Exit(EXIT_FINDINGS)


def _no_power_list_header(error: InputError) -> bool:
    return any(p.code == "no-header" for p in error.problems)


def catalog_sheets(path: Path) -> tuple[str, ...]:
    """The catalog sheets (区县, 街道, 问题分类, 调休调整 …) a workbook has: non-empty when it is
    one of a catalog's organisation, taxonomy or calendar workbooks rather than a power list."""
    from ..catalog.files import SHEET_FIELDS
    from ..sheets.workbook import Workbook

    try:
        with Workbook(path) as book:
            return tuple(s.name for s in book.sheets if s.name in SHEET_FIELDS)
    except InputError:
        return ()


def catalog_directory(path: Path) -> Path | None:
    """The catalogs directory a workbook belongs to: it has a catalog file's name and sits
    beside all the others. None for a free-standing workbook."""
    from ..catalog.files import FILES, STATUTES

    directory = path.parent.resolve()
    needed = [name for name in FILES if name != STATUTES]  # statutes.xlsx is optional
    if path.name in FILES and all((directory / name).is_file() for name in needed):
        return directory
    return None


def _check_catalog_workbook(path: Path, sheets: tuple[str, ...],
                            directories: dict[Path, Catalog | None]) -> int:
    """A catalog workbook given as a file is checked with its catalog: the directory it sits in,
    once. It holds no power items itself (power_list.xlsx counts them)."""
    from ..catalog.files import FILES

    directory = catalog_directory(path)
    if directory is None:
        raise InputError([Problem(
            message=f"这是目录工作簿（工作表 {'、'.join(sheets)}），不是权责清单：须与其他目录工作簿"
                    f"（{'、'.join(FILES)}）放在同一文件夹，运行 `powerlist catalog check DIR` (a catalog workbook, "
                    f"not a power list: it is checked together with the other catalog workbooks; put them in one "
                    f"directory and run `powerlist catalog check DIR`)",
            file=str(path), code="catalog-workbook")], f"{path} 不是权责清单 (not a power list)")
    if directory not in directories:
        directories[directory] = None
        directories[directory] = load_catalogs(path.parent)  # problems name the path as given
    return 0


def show(
    catalogs: Annotated[Path | None, typer.Option("--catalogs", help="目录文件夹，默认用随附的黄石目录 "
                                                  "(catalogs directory; default: the shipped Huangshi catalogs)")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON，供程序读取 (machine-readable output)")] = False,
) -> None:
    """展示 show：按区县、街道、部门、权力类型和承接方式统计 (counts by district, street, department, kind
    and delegation mode)."""
    with user_errors(as_json):
        catalog = load_catalogs(catalogs)
    payload = summary(catalog)
    if as_json:
        print_json(payload)
        return
    counts = payload["counts"]
    districts = {d.code: d.name for d in catalog.districts.values()}
    out.print(table("区县 districts", ["编码 code", "名称 name", "街道 streets", "社区 communities"],
                    [[c, districts[c], n["streets"], n["communities"]]
                     for c, n in counts["districts"].items()]))
    out.print(table("街道 streets", ["编码 code", "名称 name", "区县 district", "社区 communities",
                                   "编制 staff", "下放/委托 delegated"],
                    [[s["code"], s["name"], districts.get(s["district"], s["district"]),
                      counts["streets"][s["code"]]["communities"],
                      counts["streets"][s["code"]]["staff"],
                      counts["streets"][s["code"]]["delegated"]] for s in payload["streets"]]))
    out.print(table("部门 departments", ["编码 code", "名称 name", "派驻 stationed",
                                       "事项 items"],
                    [[d["code"], d["name"], "是 yes" if d["stationed"] else "否 no",
                      counts["departments"].get(d["code"], 0)] for d in payload["departments"]]))
    out.print(table("权力类型 kinds", ["编码 code", "类型 kind", "事项 items"],
                    [[k, v["label"], v["items"]] for k, v in counts["kinds"].items()]))
    out.print(table("承接方式 delegation modes", ["编码 code", "方式 mode", "街道×事项 pairs"],
                    [[k, v["label"], v["pairs"]] for k, v in counts["modes"].items()]))
    out.print(f"权力事项 power items: {payload['power_items']}；问题分类 categories: "
              f"{len(payload['categories'])}", highlight=False)


def template(
    directory: Annotated[Path, typer.Argument(
        metavar="DIR", help="写入目录工作簿的文件夹 (directory to write the catalog workbooks in)")],
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件 (overwrite existing files)")] = False,
) -> None:
    """模板 template：为新城市生成带表头的空白目录工作簿 (empty catalog workbooks with the expected headers).

    区县、街道、部门、通用权责清单和问题分类各至少填一行后才能通过 `catalog check` (the empty template does not
    pass `catalog check` until each of these sheets has a row)."""
    from ..catalog.template import TEMPLATE_SHEETS

    # Even with --force, never over the shipped catalogs every other command reads.
    guard_outputs([directory / name for name in TEMPLATE_SHEETS], [], catalogs=None, writable=False)
    with user_errors():
        written = write_template(directory, overwrite=force)
    for path in written:
        out.print(f"写入 wrote {path}", highlight=False)


def summary(catalog: Catalog) -> dict[str, Any]:
    """The `catalog show --json` payload."""
    data = catalog.data
    per_street_communities = Counter(c.street for c in data.communities)
    delegated = Counter(d.street for d in data.delegations if d.mode.value in
                        ("delegated", "entrusted"))
    streets_per_district = Counter(s.district for s in data.streets)
    communities_per_district = Counter(catalog.streets[c.street].district
                                       for c in data.communities)
    per_department = Counter(catalog.department_code(i.department) or "" for i in data.items)
    per_kind = Counter(i.kind for i in data.items)
    per_mode = Counter(d.mode for d in data.delegations)
    return {
        "name": data.name,
        "districts": [{"code": d.code, "name": d.name} for d in data.districts],
        "streets": [{"code": s.code, "name": s.name, "district": s.district}
                    for s in data.streets],
        "communities": [{"code": c.code, "name": c.name, "street": c.street}
                        for c in data.communities],
        "departments": [{"code": d.code, "name": d.name, "stationed": d.stationed}
                        for d in data.departments],
        "categories": [{"code": c.code, "name": c.name, "scope": c.scope.value}
                       for c in data.categories],
        "power_items": len(data.items),
        "counts": {
            "districts": {d.code: {"streets": streets_per_district[d.code],
                                   "communities": communities_per_district[d.code]}
                          for d in data.districts},
            "streets": {s.code: {"communities": per_street_communities[s.code],
                                 "staff": s.staff, "delegated": delegated[s.code]}
                        for s in data.streets},
            "departments": {code: n for code, n in sorted(per_department.items()) if code},
            "unresolved_department_items": per_department.get("", 0),
            "kinds": {k.value: {"label": k.label, "items": per_kind[k]}
                      for k in sorted(per_kind)},
            "modes": {m.value: {"label": m.label, "pairs": per_mode[m]}
                      for m in sorted(per_mode)},
            "delegations": len(data.delegations),
            "stationed_units": len(data.stationed_units),
        },
    }
