"""`powerlist gazetteer template | check | resolve`: the gazetteer (地名地址库) behind intake's
address → place. Exit codes: 0 fine, 1 invalid input or an unresolved place, 2 usage error."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import EXIT_FINDINGS, fail, out, print_json, table, user_errors
from ._help import Command, Group

gazetteer_app = typer.Typer(cls=Group, help="地名地址库 gazetteer：生成本市自己的模板、检查地名地址库、解析地址 "
                            "(template for a city's own, check one, resolve addresses)",
                            no_args_is_help=True)
CatalogsOpt = Annotated[Path | None, typer.Option("--catalogs", help="目录文件夹，默认用随附目录 "
                                                  "(catalogs directory; default: the shipped)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON，供程序读取 (machine-readable JSON output)")]


def register(app: typer.Typer) -> None:
    app.add_typer(gazetteer_app, name="gazetteer")


@gazetteer_app.command("template", cls=Command)
def template(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="要写出的 .xlsx (the .xlsx to write)")],
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件 (overwrite an existing file)")] = False,
) -> None:
    """模板 template：空白的地名地址库工作簿（表头和说明页），供本市填写道路、小区和地标 (an empty gazetteer
    workbook, header and a 说明 sheet, for a city's own roads, 小区 and landmarks)."""
    from ..intake.gazetteer_book import write_template

    if path.exists() and not force:
        fail(f"文件已存在，未覆盖：{path}（覆盖请加 --force） ({path} exists: use --force to overwrite)")
    write_template(path)
    out.print(f"模板 template：{path}", highlight=False, markup=False)


@gazetteer_app.command("check", cls=Command)
def check(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="地名地址库工作簿（.xlsx） (gazetteer workbook)")],
    catalogs: CatalogsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """检查 check：对照目录读取地名地址库，列出每个问题及其位置 (read a gazetteer against the catalog: every
    problem, located)."""
    from collections import Counter

    from ..catalog.loader import load_catalogs
    from ..intake.gazetteer_book import read_gazetteer

    with user_errors(as_json):
        entries = read_gazetteer(path, load_catalogs(str(catalogs) if catalogs else None))
    kinds = Counter(e.kind for e in entries)
    if as_json:
        print_json({"ok": True, "rows": len(entries), "kinds": dict(sorted(kinds.items()))})
        return
    out.print(f"{path}：{len(entries)} 行，无问题 rows ok — " + "，".join(f"{k} {n}" for k, n in sorted(kinds.items())),
              highlight=False, markup=False)


@gazetteer_app.command("resolve", cls=Command)
def resolve(
    texts: Annotated[list[str], typer.Argument(
        metavar="TEXT", help="地址或地点描述 (addresses or place descriptions)")],
    gazetteer: Annotated[Path | None, typer.Option("--gazetteer", help="地名地址库工作簿，默认用随附的 "
                                                   "(gazetteer workbook; default: the shipped)")] = None,
    catalogs: CatalogsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """解析 resolve：每段文字指向哪里：社区和街道编码，或未解析及其候选 (where each text points: community and
    street codes, or unresolved with candidates)."""
    from ..catalog.loader import load_catalogs
    from ..intake.gazetteer import Gazetteer

    with user_errors(as_json):
        catalog = load_catalogs(str(catalogs) if catalogs else None)
        places = Gazetteer.load(gazetteer, catalog) if gazetteer is not None else Gazetteer.default(catalog)
        matches = [places.resolve(text) for text in texts]
    if as_json:
        print_json([m.as_json() for m in matches])
    else:
        out.print(table("地点 places", ["文字 text", "地点 location", "层级 level", "置信度 confidence",
                                        "依据 evidence", "候选 candidates"],
                        [[m.text, m.location or "未解析 unresolved", m.level or "", f"{m.confidence:.2f}",
                          "；".join(m.evidence), " ".join(f"{c.name}:{c.confidence:.2f}" for c in m.candidates)]
                         for m in matches]))
    if any(m.unresolved for m in matches):
        raise typer.Exit(EXIT_FINDINGS)
