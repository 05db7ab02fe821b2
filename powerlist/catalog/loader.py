"""Loading a city's catalogs (organisation, power list, delegation, taxonomy, calendar).

`load_catalogs(directory=None)` reads the workbooks of a catalogs directory (None: the
shipped Huangshi catalogs, `resources.catalogs_dir()`; the files and their sheets are listed
in `powerlist.catalog.files`), checks every cross reference, and returns an immutable
`Catalog`, or raises one `InputError` carrying every problem of every file. The result is
cached per process, keyed on the resolved directory and the files' modification times and
sizes, so the many callers that load the shipped catalog share one; a new process finds it
in the on-disk cache (`powerlist.catalog.cache`) unless a file or the loading code changed.
Item origins name the file alone (``power_list.xlsx``), so a catalog — and its
fingerprint — does not depend on where the directory lies.

Checks across files: a power item's 实施主体, when written, names a catalog department;
delegation → item and street; a category's principal and related powers are catalog items;
a power item citing a text statutes.xlsx models names one of its versions. The checks of
each table are those of `organisation`, `power_list`, `delegation`, `taxonomy` and
`calendar_overrides`.

`load_delegation_workbook(path, catalog=None)` reads a delegation workbook on its own,
resolving streets and item names against a loaded catalog (None: the shipped one).
"""

from __future__ import annotations

from pathlib import Path

from .. import resources
from ..errors import InputError, Problem, ProblemCollector
from .cache import DiskCache as _DiskCache  # under the loader's private name: tests patch it here
from .calendar_overrides import read_overrides
from .catalog import Catalog
from .catalog_tables import read_workbook
from .delegation import DelegationWorkbook, read_delegation_workbook
from .files import CALENDAR, DELEGATION, FILES, ORGANISATION, ORGANISATION_SHEETS, POWER_LIST, STATUTES, TAXONOMY
from .item_rows import item_key
from .models import (
    CalendarOverride,
    CatalogData,
    Category,
    Delegation,
    Department,
    District,
    PowerItem,
    SourceRef,
    StatuteVersion,
    Street,
)
from .organisation import read_organisation
from .power_list import load_power_list
from .statutes import Statutes
from .statutes_sheet import check_citations, read_statutes
from .taxonomy import read_categories

# ---- public API ------------------------------------------------------------------------------


def load_catalogs(directory: str | Path | None = None) -> Catalog:
    """The catalogs in `directory` (None: the shipped ones) as one validated `Catalog`."""
    root = Path(directory) if directory is not None else resources.catalogs_dir()
    if not root.is_dir():
        raise InputError([Problem(message="目录文件夹不存在 (catalog directory not found)", file=str(root),
                                  code="not-found")], f"无法读取 {root} (cannot read {root})")
    resolved = root.resolve()
    stamp = []
    for name in FILES:
        try:
            stat = (resolved / name).stat()
            stamp.append((name, stat.st_mtime_ns, stat.st_size))
        except OSError:
            stamp.append((name, 0, -1))
    key = (resolved, tuple(stamp))
    catalog = _CACHE.get(key)
    if catalog is None:
        disk = _DiskCache.open()
        digest = disk.key(resolved) if disk is not None else None
        entry = disk.entry(digest) if disk is not None and digest is not None else None
        if entry is not None:
            catalog = Catalog(entry[0], fingerprint=entry[1])
        else:
            # problems name the directory as given; the catalog itself does not depend on it
            catalog = _CatalogReader(resolved, root).load()
            if disk is not None and digest is not None:
                disk.put(digest, catalog.data, catalog.fingerprint)
        while len(_CACHE) >= _CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]
        _CACHE[key] = catalog
    return catalog


def clear_cache() -> None:
    """Forget cached catalogs (tests that rewrite a file within one mtime tick use this)."""
    _CACHE.clear()


def load_delegation_workbook(path: str | Path, catalog: Catalog | None = None, *,
                             file: str | None = None) -> DelegationWorkbook:
    """Load a delegation workbook, resolving streets (by code, or by name with or without
    the 街道 suffix) and item codes against `catalog` (None: the shipped catalog)."""
    if catalog is None:
        catalog = load_catalogs()
    items_by_name = {item_key(i.name, i.sub_item): i.code for i in catalog.items.values()}
    return read_delegation_workbook(path, catalog.streets.values(), items_by_name, file=file,
                                    districts=catalog.districts)


_CACHE: dict[tuple[Path, tuple[tuple[str, int, int], ...]], Catalog] = {}
_CACHE_SIZE = 8


# ---- reading a directory ---------------------------------------------------------------------


class _CatalogReader:
    def __init__(self, root: Path, shown: Path) -> None:
        self.root = root
        self.shown = shown
        self.problems: list[Problem] = []

    def file(self, name: str) -> str:
        return str(self.shown / name)

    def load(self) -> Catalog:
        org_problems = ProblemCollector(self.file(ORGANISATION))
        tables = read_workbook(self.root / ORGANISATION, self.file(ORGANISATION),
                               ORGANISATION_SHEETS, org_problems)
        org = read_organisation(tables, org_problems)
        self.problems += org_problems.problems

        statutes = self._statutes()
        items = self._items(org.districts, org.departments, Statutes(statutes))
        delegations = self._delegations(org.streets, items, org.districts)
        categories = self._categories(items)
        overrides = self._overrides()
        if self.problems:
            raise InputError(self.problems, f"目录无法加载：{self.shown}，{len(self.problems)} 处问题 "
                             f"({self.shown}: the catalogs cannot be loaded, {len(self.problems)} problem(s))")
        data = CatalogData(
            districts=tuple(org.districts.values()),
            streets=tuple(org.streets.values()),
            communities=tuple(org.communities.values()),
            departments=tuple(org.departments.values()),
            items=tuple(items.values()),
            categories=tuple(categories.values()),
            delegations=tuple(delegations),
            calendar_overrides=tuple(overrides),
            stationed_units=tuple(org.units),
            statutes=statutes,
            district_unit_names=org.district_unit_names,
        )
        return Catalog(data)

    def _statutes(self) -> tuple[StatuteVersion, ...]:
        problems = ProblemCollector(self.file(STATUTES))
        rows = read_workbook(self.root / STATUTES, self.file(STATUTES), ("法律法规",), problems,
                             optional=True).get("法律法规", [])
        versions = read_statutes(rows, problems)
        self.problems += problems.problems
        return versions

    def _items(self, districts: dict[str, District], departments: dict[str, Department],
               statutes: Statutes) -> dict[str, PowerItem]:
        path = self.root / POWER_LIST
        if not path.exists():
            self.problems.append(Problem(message=f"缺少目录文件 {POWER_LIST} (missing catalog file {POWER_LIST})",
                                         file=self.file(POWER_LIST), code="not-found"))
            return {}
        try:
            power_list = load_power_list(path, file=self.file(POWER_LIST))
        except InputError as error:
            self.problems += error.problems
            return {}
        names = Catalog(CatalogData(districts=tuple(districts.values()), streets=(),
                                    communities=(), departments=tuple(departments.values()),
                                    items=(), categories=(), delegations=()))
        for item in power_list.items:
            if item.department and names.department_code(item.department) is None:
                where = power_list.location(item, "department")
                self.problems.append(Problem(
                    message="实施主体不是目录中的部门：应写部门简称、市级名称、区级名称或别名 "
                    "(实施主体 names no department of the catalog)", file=power_list.file,
                    sheet=where[0] if where else None, cell=where[1] if where else None,
                    row=item.origin.row if item.origin else None, field="department",
                    value=item.department, code="unknown-department"))
        self.problems += check_citations(power_list.items, statutes, power_list.file, power_list.location)
        # origins name the file alone, so the catalog (and its fingerprint) is the same
        # wherever the directory lies and however it was spelled
        return {item.code: _relative(item) for item in power_list.items}

    def _delegations(self, streets: dict[str, Street], items: dict[str, PowerItem],
                     districts: dict[str, District]) -> list[Delegation]:
        path = self.root / DELEGATION
        if not path.exists():
            self.problems.append(Problem(message=f"缺少目录文件 {DELEGATION} (missing catalog file {DELEGATION})",
                                         file=self.file(DELEGATION), code="not-found"))
            return []
        by_name = {item_key(i.name, i.sub_item): i.code for i in items.values()}
        try:
            # an unloadable power list is reported once, not once per delegation row
            workbook = read_delegation_workbook(path, streets.values(), by_name,
                                                file=self.file(DELEGATION), allow_empty=True,
                                                known_items=items.keys() if items else None,
                                                districts=districts)
        except InputError as error:
            self.problems += error.problems
            return []
        return [Delegation(item=row.code, street=row.street, mode=row.mode, source=row.source,
                           origin=SourceRef(file=DELEGATION, sheet=row.origin.sheet, row=row.origin.row))
                for row in workbook.rows if row.code is not None and row.code in items]

    def _categories(self, items: dict[str, PowerItem]) -> dict[str, Category]:
        problems = ProblemCollector(self.file(TAXONOMY))
        rows = read_workbook(self.root / TAXONOMY, self.file(TAXONOMY), ("问题分类",),
                             problems).get("问题分类", [])
        categories = read_categories(rows, items, problems)
        self.problems += problems.problems
        return categories

    def _overrides(self) -> list[CalendarOverride]:
        problems = ProblemCollector(self.file(CALENDAR))
        rows = read_workbook(self.root / CALENDAR, self.file(CALENDAR), ("调休调整",), problems,
                             optional=True).get("调休调整", [])
        overrides = read_overrides(rows, problems)
        self.problems += problems.problems
        return overrides


def _relative(item: PowerItem) -> PowerItem:
    if item.origin is None:
        return item
    return item.model_copy(update={"origin": item.origin.model_copy(update={"file": POWER_LIST})})


__all__ = ["clear_cache", "load_catalogs", "load_delegation_workbook"]
