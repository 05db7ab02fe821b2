"""Reading statutes.xlsx (法律法规): the versions of the texts a power list cites.

One row per version (see `powerlist.catalog.statutes`). Checks, each a located problem:
duplicate 版本编码; a date that is not YYYY-MM-DD; 废止日期 not after 施行日期; 替代版本 naming no
version of the table, or a version of another text; two versions with the same 名称 and 版本; two
versions of one text in force on the same day; 条文数 not a whole number. Across files
(`check_citations`): a power item citing a modelled text by a version the table does not have, or
without naming the version when the text has several.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime

from ..errors import Problem, ProblemCollector
from ..sheets.headers import Header
from ..sheets.rows import SheetRow, row_text
from ..sheets.text import cell_text, clean_token
from .catalog_tables import Table, required, whole
from .files import SHEET_REQUIRED, STATUTES
from .models import PowerItem, SourceRef, StatuteVersion
from .statutes import Citation, Statutes, bare_title

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_statutes(rows: Table, problems: ProblemCollector) -> tuple[StatuteVersion, ...]:
    """The versions of the 法律法规 sheet's rows, in sheet order."""
    out: list[StatuteVersion] = []
    seen: dict[str, str] = {}
    titles: dict[tuple[str, str], str] = {}
    where: dict[str, tuple[Header, SheetRow]] = {}
    for header, row in rows:
        v = required(header, row, problems, SHEET_REQUIRED["法律法规"])
        if not v or not _unique_id(header, row, v["id"], seen, problems):
            continue
        in_force = _date(header, row, "in_force", problems)
        adopted = _date(header, row, "adopted", problems)
        repealed = _date(header, row, "repealed", problems)
        articles = whole(row, header, "articles", problems)
        if not isinstance(in_force, date) or adopted is False or repealed is False or articles is False:
            continue
        if isinstance(repealed, date) and repealed <= in_force:
            problems.add("废止日期须晚于施行日期 (the repeal date must be after the in-force date)",
                         sheet=header.sheet, cell=header.cell("repealed", row.number), row=row.number,
                         field="repealed", value=repealed.isoformat(), code="bad-date")
            continue
        key = (bare_title(v["title"]), clean_token(v["label"]))
        if key in titles:
            problems.add(f"同名同版本重复，首次在 {titles[key]} (the same title and version twice, first at "
                         f"{titles[key]})", sheet=header.sheet, cell=header.cell("label", row.number),
                         row=row.number, field="label", value=v["label"], code="duplicate-code")
            continue
        titles[key] = f"{header.sheet}!{header.cell('label', row.number)}"
        version = StatuteVersion(
            id=v["id"], work=clean_token(v["work"]), title=v["title"].strip(), label=clean_token(v["label"]),
            adopted=adopted if isinstance(adopted, date) else None, in_force=in_force,
            repealed=repealed if isinstance(repealed, date) else None,
            replaced_by=clean_token(row_text(row, "replaced_by") or "") or None,
            articles=articles if isinstance(articles, int) and not isinstance(articles, bool) else None,
            source=row_text(row, "source") or "",
            origin=SourceRef(file=STATUTES, sheet=header.sheet, row=row.number),
        )
        where[version.id] = (header, row)
        out.append(version)
    by_id = {v.id: v for v in out}
    for version in out:
        header, row = where[version.id]
        target = by_id.get(version.replaced_by or "")
        if version.replaced_by and (target is None or target.work != version.work):
            what = "不在本表" if target is None else "属于另一部法规"
            problems.add(f"替代版本{what} (the replacing version is "
                         f"{'not in the table' if target is None else 'a version of another text'})",
                         sheet=header.sheet, cell=header.cell("replaced_by", row.number), row=row.number,
                         field="replaced_by", value=version.replaced_by, code="unknown-version")
    for versions in Statutes(tuple(out)).by_work.values():
        for older, newer in zip(versions, versions[1:], strict=False):
            if older.repealed is None or older.repealed > newer.in_force:
                header, row = where[newer.id]
                problems.add(f"与 {older.id} 的施行期间重叠：同一法规同一天只能有一个版本施行 (overlaps {older.id}: "
                             "one text has one version in force on any day)", sheet=header.sheet,
                             cell=header.cell("in_force", row.number), row=row.number, field="in_force",
                             value=newer.in_force.isoformat(), code="overlapping-versions")
    return tuple(out)


def check_citations(items: Iterable[PowerItem], statutes: Statutes, file: str,
                    locate: Callable[[PowerItem, str], tuple[str, str] | None]) -> list[Problem]:
    """Problems for every citation of a modelled text that names no version of the table (or
    none, for a text with several versions), located at the item's 实施依据 cell."""
    out: list[Problem] = []
    if not statutes:
        return out
    for item in items:
        for line in item.legal_basis:
            citation = Citation.parse(line)
            try:
                statutes.version(citation)
            except KeyError:
                place = locate(item, "legal_basis")
                versions = "、".join(v.label for v in statutes.by_work[statutes.work_of(citation.title or "") or ""])
                out.append(Problem(
                    message=f"实施依据引用的版本不在法律法规表中，或未写明版本；该法规的版本有：{versions} "
                    f"(the legal basis cites a version statutes.xlsx does not list, or names none; its versions: "
                    f"{versions})", file=file, sheet=place[0] if place else None,
                    cell=place[1] if place else None, row=item.origin.row if item.origin else None,
                    field="legal_basis", value=line, code="unknown-version"))
    return out


def _unique_id(header: Header, row: SheetRow, code: str, seen: dict[str, str], problems: ProblemCollector) -> bool:
    cell = header.cell("id", row.number)
    if code in seen:
        problems.add(f"版本编码重复，首次在 {seen[code]} (duplicate version code, first at {seen[code]})",
                     sheet=header.sheet, cell=cell, row=row.number, field="id", value=code, code="duplicate-code")
        return False
    seen[code] = f"{header.sheet}!{cell}"
    return True


def _date(header: Header, row: SheetRow, name: str, problems: ProblemCollector) -> date | None | bool:
    """The cell's date; None when empty; False (after a problem) when not a date."""
    value = row.values.get(name)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_token(cell_text(value) or "")
    if not text:
        return None
    if _ISO.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    problems.add("日期须写作 YYYY-MM-DD (a date must be written YYYY-MM-DD)", sheet=header.sheet,
                 cell=header.cell(name, row.number), row=row.number, field=name, value=text, code="bad-date")
    return False


__all__ = ["check_citations", "read_statutes"]
