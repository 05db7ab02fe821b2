"""Loading a city's catalogs (organisation, power list, delegation, taxonomy, calendar).

`load_catalogs(directory=None)` reads the five workbooks of a catalogs directory (None: the
shipped Huangshi catalogs, `resources.catalogs_dir()`), checks every cross reference, and
returns an immutable `Catalog`, or raises one `InputError` carrying every problem of every
file. The result is cached per process, keyed on the resolved directory and the files'
modification times and sizes, so the many callers that load the shipped catalog share one.

Parsing the workbooks costs seconds, paid by every command and every new process, so a loaded
catalog is also kept on disk (`_DiskCache`): a JSON file (`CatalogData.model_dump_json`, never
pickle) named and stamped by a SHA-256 of the catalog files' bytes, the powerlist version, a
cache schema version and the source of the modules that shape a catalog (so editing the loader
never serves a stale catalog). Its directory is ``$POWERLIST_CACHE_DIR``, else
``$XDG_CACHE_HOME/powerlist``, else ``~/.cache/powerlist``; ``POWERLIST_NO_CACHE=1`` turns it
off. A cache entry is used only when it parses, its stamp equals the key, it validates as
`CatalogData` and the current user owns it; anything else (a corrupt, foreign or unreadable
file, an unwritable directory) falls back to reading the workbooks, silently. Entries are
written atomically (temporary file + ``os.replace``), only for catalogs that loaded; the
directory keeps the most recently used `_DiskCache.KEEP` entries.
Item origins name the file alone (``power_list.xlsx``), so a catalog — and its
fingerprint — does not depend on where the directory lies.

| file | sheets (header names) | at least one row |
|---|---|---|
| organisation.xlsx | 区县 (区县编码, 区县名称, 来源) | yes |
| | 街道 (街道编码, 街道名称, 所属区县编码, 编制人数, 编制人数性质, 来源) | yes |
| | 社区 (社区编码, 社区名称, 所属街道编码, 来源) | no |
| | 部门 (部门编码, 部门简称, 市级名称, 区级名称, 是否派驻, 派驻机构名称, 别名, 来源) | yes |
| | 派驻机构 (机构编码, 机构名称, 所属街道编码, 部门编码, 来源) | no |
| power_list.xlsx | any sheet with a power-list header (`powerlist.catalog.power_list`) | yes |
| delegation.xlsx | any sheet with a delegation header (`powerlist.catalog.power_list`) | no |
| taxonomy.xlsx | 问题分类 (分类编码, 分类名称, 上级分类编码, 吹哨范围, 候选权力事项编码, 国标对应, 来源) | yes |
| calendar_overrides.xlsx (optional file) | 调休调整 (日期, 类型, 说明, 来源) | no |

Checks: duplicate codes in every table; street → district, community → street, stationed
unit → street and department (its code must be ``<street>-<department>`` and its department
marked 是否派驻 = 是); a power item's 实施主体, when written, names a catalog department;
delegation → item and street; taxonomy parent categories exist and do not form a cycle,
吹哨范围 is one of 普通问题/重点工作/综合执法/应急处置, candidate powers are catalog items;
override dates are ISO dates (YYYY-MM-DD), unique, of type 上班 or 休息; 编制人数 is a
whole number and 编制人数性质 示意 or 实数; 是否派驻 is 是 or 否; 区级名称 may use only
the {区县} placeholder. 国标对应 is read for people and not stored.

An empty template (`powerlist catalog template`) does not load: the tables marked "at least
one row" are empty, and a catalog that routes nothing is not a usable catalog.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from .. import resources
from ..errors import InputError, Problem, ProblemCollector
from ..sheets.workbook import (
    Header,
    SheetRow,
    Vocabulary,
    Workbook,
    cell_text,
    clean_code,
    clean_line,
    clean_token,
    is_refused,
    split_lines,
)
from .catalog import Catalog
from .models import (
    CalendarOverride,
    CatalogData,
    Category,
    Community,
    Delegation,
    DelegationMode,
    Department,
    District,
    PowerItem,
    PowerKind,
    Scope,
    Street,
    Unit,
    UnitKind,
)
from .power_list import item_key, load_power_list, read_delegation_workbook

ORGANISATION = "organisation.xlsx"
POWER_LIST = "power_list.xlsx"
DELEGATION = "delegation.xlsx"
TAXONOMY = "taxonomy.xlsx"
CALENDAR = "calendar_overrides.xlsx"
FILES = (ORGANISATION, POWER_LIST, DELEGATION, TAXONOMY, CALENDAR)

SHEET_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "区县": {"code": ("区县编码",), "name": ("区县名称",), "source": ("来源",)},
    "街道": {
        "code": ("街道编码",),
        "name": ("街道名称",),
        "district": ("所属区县编码", "区县编码"),
        "staff": ("编制人数",),
        "staff_nature": ("编制人数性质",),
        "source": ("来源",),
    },
    "社区": {
        "code": ("社区编码",),
        "name": ("社区名称",),
        "street": ("所属街道编码", "街道编码"),
        "source": ("来源",),
    },
    "部门": {
        "code": ("部门编码",),
        "name": ("部门简称",),
        "city_name": ("市级名称",),
        "district_name": ("区级名称",),
        "stationed": ("是否派驻",),
        "stationed_unit_name": ("派驻机构名称",),
        "aliases": ("别名",),
        "source": ("来源",),
    },
    "派驻机构": {
        "code": ("机构编码",),
        "name": ("机构名称",),
        "street": ("所属街道编码", "街道编码"),
        "department": ("部门编码",),
        "source": ("来源",),
    },
    "问题分类": {
        "code": ("分类编码",),
        "name": ("分类名称",),
        "parent": ("上级分类编码",),
        "scope": ("吹哨范围",),
        "powers": ("候选权力事项编码",),
        "gb": ("国标对应",),
        "source": ("来源",),
    },
    "调休调整": {
        "day": ("日期",),
        "type": ("类型",),
        "note": ("说明",),
        "source": ("来源",),
    },
}
SHEET_REQUIRED: dict[str, tuple[str, ...]] = {
    "区县": ("code", "name"),
    "街道": ("code", "name", "district"),
    "社区": ("code", "name", "street"),
    "部门": ("code", "name", "city_name", "district_name"),
    "派驻机构": ("code", "name", "street", "department"),
    "问题分类": ("code", "name", "scope"),
    "调休调整": ("day", "type"),
}
NOT_EMPTY = {"区县", "街道", "部门", "问题分类"}
LIST_SEPARATORS = ("、", "；", ";", "，", ",")
_YES = {"是", "Y", "YES", "TRUE", "1"}
_NO = {"否", "N", "NO", "FALSE", "0", ""}
_WORKDAY = {"上班": True, "补班": True, "调休上班": True, "休息": False, "放假": False, "休": False}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def vocabulary(sheet: str) -> Vocabulary:
    return Vocabulary(SHEET_FIELDS[sheet], required=SHEET_REQUIRED[sheet], near_miss=2)


# ---- public API ------------------------------------------------------------------------------


def load_catalogs(directory: str | Path | None = None) -> Catalog:
    """The catalogs in `directory` (None: the shipped ones) as one validated `Catalog`."""
    root = Path(directory) if directory is not None else resources.catalogs_dir()
    if not root.is_dir():
        raise InputError([Problem(message="catalog directory not found", file=str(root),
                                  code="not-found")], f"cannot read {root}")
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
        data = disk.get(digest) if disk is not None and digest is not None else None
        if data is not None:
            catalog = Catalog(data)
        else:
            # problems name the directory as given; the catalog itself does not depend on it
            catalog = _CatalogReader(resolved, root).load()
            if disk is not None and digest is not None:
                disk.put(digest, catalog.data)
        while len(_CACHE) >= _CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]
        _CACHE[key] = catalog
    return catalog


def clear_cache() -> None:
    """Forget cached catalogs (tests that rewrite a file within one mtime tick use this)."""
    _CACHE.clear()


_CACHE: dict[tuple[Path, tuple[tuple[str, int, int], ...]], Catalog] = {}
_CACHE_SIZE = 8


# ---- the on-disk cache -----------------------------------------------------------------------

# Bump when the cache file's layout changes (the CatalogData schema is covered by the source
# digest below).
CACHE_SCHEMA = 1
# The code that decides what a catalog directory loads as: the catalog and sheets packages and
# the error types, as paths relative to the powerlist package.
_SHAPING_PACKAGES = ("catalog", "sheets")
_SHAPING_MODULES = ("errors.py",)


def _shaping_sources() -> list[Path]:
    root = Path(__file__).resolve().parent.parent
    files = [root / name for name in _SHAPING_MODULES]
    for package in _SHAPING_PACKAGES:
        files.extend(sorted((root / package).glob("*.py")))
    return files


def cache_dir() -> Path:
    """Where loaded catalogs are kept: $POWERLIST_CACHE_DIR, $XDG_CACHE_HOME/powerlist or
    ~/.cache/powerlist."""
    explicit = os.environ.get("POWERLIST_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "powerlist"
    return Path.home() / ".cache" / "powerlist"


class _DiskCache:
    """Validated catalogs as JSON files keyed by a hash of what they were loaded from."""

    KEEP = 16  # entries kept; tests that write many catalogs must not fill the disk

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def open(cls) -> _DiskCache | None:
        if os.environ.get("POWERLIST_NO_CACHE", "").strip() not in ("", "0"):
            return None
        try:
            return cls(cache_dir())
        except (OSError, RuntimeError):  # no home directory
            return None

    @staticmethod
    def key(directory: Path) -> str | None:
        """SHA-256 of the catalog files' bytes, the version and the loading code; None when a
        file cannot be read (the workbook reader then reports it)."""
        from .. import __version__

        digest = hashlib.sha256(f"powerlist-catalog:{CACHE_SCHEMA}:{__version__}\n".encode())
        root = Path(__file__).resolve().parent.parent
        try:
            for module in _shaping_sources():
                name = module.relative_to(root).as_posix()
                digest.update(_framed(name, module.read_bytes()))
            for name in FILES:
                path = directory / name
                digest.update(_framed(name, path.read_bytes() if path.exists() else None))
        except OSError:
            return None
        return digest.hexdigest()

    def path(self, key: str) -> Path:
        return self.root / f"catalog-{key}.json"

    def get(self, key: str) -> CatalogData | None:
        path = self.path(key)
        try:
            with open(path, "rb") as handle:
                if hasattr(os, "getuid") and os.fstat(handle.fileno()).st_uid != os.getuid():
                    return None  # planted by another user: not trusted
                stored = json.loads(handle.read())
            if not isinstance(stored, dict) or stored.get("key") != key:
                return None
            data = CatalogData.model_validate_json(stored["data"])
        except Exception:  # noqa: BLE001 — any unreadable entry is a miss, never an error
            return None
        try:
            os.utime(path)  # most recently used
        except OSError:
            pass
        return data

    def put(self, key: str, data: CatalogData) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            payload = json.dumps({"key": key, "data": data.model_dump_json()}, ensure_ascii=False)
            handle, temporary = tempfile.mkstemp(prefix=".catalog-", suffix=".tmp", dir=self.root)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(payload)
                os.replace(temporary, self.path(key))
            except BaseException:
                os.unlink(temporary)
                raise
            self._prune()
        except OSError:
            pass  # an unwritable cache only costs the next process a slow load

    def _prune(self) -> None:
        entries = []
        for path in self.root.glob("catalog-*.json"):
            try:
                entries.append((path.stat().st_mtime_ns, path))
            except OSError:
                continue
        entries.sort(reverse=True)
        for _, path in entries[self.KEEP:]:
            try:
                path.unlink()
            except OSError:
                pass


def _framed(name: str, content: bytes | None) -> bytes:
    # Length-framed, so no two different file sets hash the same byte stream.
    if content is None:
        return f"{name}\0missing\0".encode()
    return f"{name}\0{len(content)}\0".encode() + content


# ---- reading ---------------------------------------------------------------------------------


class _CatalogReader:
    def __init__(self, root: Path, shown: Path) -> None:
        self.root = root
        self.shown = shown
        self.problems: list[Problem] = []

    def file(self, name: str) -> str:
        return str(self.shown / name)

    def load(self) -> Catalog:
        org = ProblemCollector(self.file(ORGANISATION))
        tables = self._read_workbook(ORGANISATION, ("区县", "街道", "社区", "部门", "派驻机构"), org)
        districts = self._districts(tables.get("区县", []), org)
        streets = self._streets(tables.get("街道", []), districts, org)
        communities = self._communities(tables.get("社区", []), streets, org)
        departments = self._departments(tables.get("部门", []), org)
        units = self._stationed(tables.get("派驻机构", []), streets, departments, org)
        self.problems += org.problems

        items = self._items(districts, departments)
        delegations = self._delegations(streets, items)
        categories = self._categories(items)
        overrides = self._overrides()
        if self.problems:
            raise InputError(self.problems, f"{self.shown}: the catalogs cannot be loaded "
                             f"({len(self.problems)} problem(s))")
        data = CatalogData(
            districts=tuple(districts.values()),
            streets=tuple(streets.values()),
            communities=tuple(communities.values()),
            departments=tuple(departments.values()),
            items=tuple(items.values()),
            categories=tuple(categories.values()),
            delegations=tuple(delegations),
            calendar_overrides=tuple(overrides),
            stationed_units=tuple(units),
        )
        return Catalog(data)

    # -- generic sheet reading ----------------------------------------------------------------

    def _read_workbook(self, name: str, sheets: tuple[str, ...], problems: ProblemCollector,
                       optional: bool = False) -> dict[str, list[tuple[Header, SheetRow]]]:
        path = self.root / name
        if not path.exists():
            if not optional:
                problems.add(f"missing catalog file {name}", code="not-found")
            return {}
        out: dict[str, list[tuple[Header, SheetRow]]] = {}
        try:
            with Workbook(path, self.file(name)) as book:
                present = {s.name for s in book.sheets}
                for sheet in sheets:
                    if sheet not in present:
                        problems.add(f"missing sheet {sheet!r} (sheets found: "
                                     f"{'、'.join(sorted(present)) or 'none'})", sheet=sheet,
                                     code="missing-sheet")
                        continue
                    header, rows = book.table(sheet, vocabulary(sheet), problems)
                    if header is None:
                        if not any(p.sheet == sheet for p in problems.problems):
                            labels = "、".join(SHEET_FIELDS[sheet][f][0]
                                              for f in SHEET_REQUIRED[sheet])
                            problems.add(f"no header found in the first 20 rows: expected a "
                                         f"row naming {labels}", sheet=sheet, code="no-header")
                        continue
                    out[sheet] = [(header, row) for row in rows]
                    if not out[sheet] and sheet in NOT_EMPTY:
                        problems.add("the sheet has a header but no rows", sheet=sheet,
                                     cell=f"A{header.row}", code="no-items")
        except InputError as error:
            problems.problems.extend(error.problems)
        return out

    def _required(self, header: Header, row: SheetRow, problems: ProblemCollector,
                  names: tuple[str, ...]) -> dict[str, str] | None:
        values: dict[str, str] = {}
        ok = True
        for name in names:
            text = _text(row, name)
            if text is None and is_refused(row.values.get(name)):
                ok = False
            elif text is None:
                problems.add(f"empty required cell: {SHEET_FIELDS[header.sheet][name][0]}",
                             sheet=header.sheet, cell=header.cell(name, row.number),
                             row=row.number, field=name, code="empty-cell")
                ok = False
            else:
                values[name] = clean_code(text) if name in _CODE_FIELDS else text
        return values if ok else None

    def _unique(self, header: Header, row: SheetRow, code: str, seen: dict[str, str],
                problems: ProblemCollector, what: str) -> bool:
        cell = header.cell("code", row.number)
        first = seen.get(code)
        if first is not None:
            problems.add(f"duplicate {what} code {code!r}, first at {first}", sheet=header.sheet,
                         cell=cell, row=row.number, field="code", value=code,
                         code="duplicate-code")
            return False
        seen[code] = f"{header.sheet}!{cell}"
        return True

    def _reference(self, header: Header, row: SheetRow, name: str, value: str,
                   known: dict[str, Any], problems: ProblemCollector, what: str) -> bool:
        if value in known:
            return True
        problems.add(f"unknown {what} code; expected one of the {what} codes of the catalog",
                     sheet=header.sheet, cell=header.cell(name, row.number), row=row.number,
                     field=name, value=value, code=f"unknown-{what}")
        return False

    # -- organisation -------------------------------------------------------------------------

    def _districts(self, rows: list[tuple[Header, SheetRow]], problems: ProblemCollector
                   ) -> dict[str, District]:
        out: dict[str, District] = {}
        seen: dict[str, str] = {}
        for header, row in rows:
            v = self._required(header, row, problems, SHEET_REQUIRED["区县"])
            if v and self._unique(header, row, v["code"], seen, problems, "district"):
                out[v["code"]] = District(code=v["code"], name=v["name"],
                                          source=_text(row, "source") or "")
        return out

    def _streets(self, rows: list[tuple[Header, SheetRow]], districts: dict[str, District],
                 problems: ProblemCollector) -> dict[str, Street]:
        out: dict[str, Street] = {}
        seen: dict[str, str] = {}
        for header, row in rows:
            v = self._required(header, row, problems, SHEET_REQUIRED["街道"])
            if not v or not self._unique(header, row, v["code"], seen, problems, "street"):
                continue
            self._reference(header, row, "district", v["district"], districts, problems,
                            "district")
            staff = _whole(row, header, "staff", problems)
            nature = clean_token(_text(row, "staff_nature") or "示意")
            if nature not in ("示意", "实数"):
                problems.add("编制人数性质 must be 示意 (illustrative) or 实数 (real)",
                             sheet=header.sheet, cell=header.cell("staff_nature", row.number),
                             row=row.number, field="staff_nature", value=nature,
                             code="bad-value")
            # kept even when faulty, so that rows citing it are not reported as well
            out[v["code"]] = Street(code=v["code"], name=v["name"], district=v["district"],
                                    staff=staff if isinstance(staff, int) and staff is not False
                                    else None, staff_illustrative=nature != "实数",
                                    source=_text(row, "source") or "")
        return out

    def _communities(self, rows: list[tuple[Header, SheetRow]], streets: dict[str, Street],
                     problems: ProblemCollector) -> dict[str, Community]:
        out: dict[str, Community] = {}
        seen: dict[str, str] = {}
        for header, row in rows:
            v = self._required(header, row, problems, SHEET_REQUIRED["社区"])
            if not v or not self._unique(header, row, v["code"], seen, problems, "community"):
                continue
            self._reference(header, row, "street", v["street"], streets, problems, "street")
            out[v["code"]] = Community(code=v["code"], name=v["name"], street=v["street"],
                                       source=_text(row, "source") or "")
        return out

    def _departments(self, rows: list[tuple[Header, SheetRow]], problems: ProblemCollector
                     ) -> dict[str, Department]:
        out: dict[str, Department] = {}
        seen: dict[str, str] = {}
        for header, row in rows:
            v = self._required(header, row, problems, SHEET_REQUIRED["部门"])
            if not v or not self._unique(header, row, v["code"], seen, problems, "department"):
                continue
            flag = clean_token(_text(row, "stationed") or "").upper()
            if flag not in _YES | _NO:
                problems.add("是否派驻 must be 是 or 否", sheet=header.sheet,
                             cell=header.cell("stationed", row.number), row=row.number,
                             field="stationed", value=flag, code="bad-value")
            pattern = v["district_name"].replace("{区县}", "{district}")
            bad = [p for p in _PLACEHOLDER.findall(pattern) if p != "district"]
            if bad or pattern.count("{") != pattern.count("}"):
                problems.add("区级名称 may use only the placeholder {区县}", sheet=header.sheet,
                             cell=header.cell("district_name", row.number), row=row.number,
                             field="district_name", value=v["district_name"], code="bad-value")
                pattern = pattern.replace("{", "{{").replace("}", "}}")  # kept inert
            aliases = split_lines(cell_text(row.values.get("aliases")) or "", LIST_SEPARATORS)
            out[v["code"]] = Department(
                code=v["code"], name=v["name"], city_name=v["city_name"],
                district_name=pattern, stationed=flag in _YES,
                stationed_unit_name=_text(row, "stationed_unit_name"),
                aliases=aliases, source=_text(row, "source") or "",
            )
        return out

    def _stationed(self, rows: list[tuple[Header, SheetRow]], streets: dict[str, Street],
                   departments: dict[str, Department], problems: ProblemCollector) -> list[Unit]:
        out: list[Unit] = []
        seen: dict[str, str] = {}
        for header, row in rows:
            v = self._required(header, row, problems, SHEET_REQUIRED["派驻机构"])
            if not v or not self._unique(header, row, v["code"], seen, problems, "unit"):
                continue
            ok = self._reference(header, row, "street", v["street"], streets, problems, "street")
            ok &= self._reference(header, row, "department", v["department"], departments,
                                  problems, "department")
            if ok and v["code"] != f"{v['street']}-{v['department']}":
                problems.add(f"a stationed unit's code must be <street>-<department>, here "
                             f"{v['street']}-{v['department']}", sheet=header.sheet,
                             cell=header.cell("code", row.number), row=row.number,
                             field="code", value=v["code"], code="bad-code")
                ok = False
            if ok and not departments[v["department"]].stationed:
                problems.add("a stationed unit of a department not marked 是否派驻 = 是",
                             sheet=header.sheet, cell=header.cell("department", row.number),
                             row=row.number, field="department", value=v["department"],
                             code="not-stationed")
                ok = False
            if ok:
                out.append(Unit(code=v["code"], name=v["name"], kind=UnitKind.STATIONED_UNIT,
                                district=streets[v["street"]].district, street=v["street"],
                                department=v["department"]))
        return out

    # -- power list, delegation ---------------------------------------------------------------

    def _items(self, districts: dict[str, District], departments: dict[str, Department]
               ) -> dict[str, PowerItem]:
        path = self.root / POWER_LIST
        if not path.exists():
            self.problems.append(Problem(message=f"missing catalog file {POWER_LIST}",
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
                    message="实施主体 names no department of the catalog (部门简称, 市级名称, "
                    "区级名称 or 别名 expected)", file=power_list.file,
                    sheet=where[0] if where else None, cell=where[1] if where else None,
                    row=item.origin.row if item.origin else None, field="department",
                    value=item.department, code="unknown-department"))
        # origins name the file alone, so the catalog (and its fingerprint) is the same
        # wherever the directory lies and however it was spelled
        return {item.code: _relative(item) for item in power_list.items}

    def _delegations(self, streets: dict[str, Street], items: dict[str, PowerItem]
                     ) -> list[Delegation]:
        path = self.root / DELEGATION
        if not path.exists():
            self.problems.append(Problem(message=f"missing catalog file {DELEGATION}",
                                         file=self.file(DELEGATION), code="not-found"))
            return []
        by_name = {item_key(i.name, i.sub_item): i.code for i in items.values()}
        try:
            # an unloadable power list is reported once, not once per delegation row
            workbook = read_delegation_workbook(path, streets.values(), by_name,
                                                file=self.file(DELEGATION), allow_empty=True,
                                                known_items=items.keys() if items else None)
        except InputError as error:
            self.problems += error.problems
            return []
        return [Delegation(item=row.code, street=row.street, mode=row.mode, source=row.source)
                for row in workbook.rows if row.code is not None and row.code in items]

    # -- taxonomy, calendar -------------------------------------------------------------------

    def _categories(self, items: dict[str, PowerItem]) -> dict[str, Category]:
        problems = ProblemCollector(self.file(TAXONOMY))
        rows = self._read_workbook(TAXONOMY, ("问题分类",), problems).get("问题分类", [])
        out: dict[str, Category] = {}
        parents: list[tuple[Header, SheetRow, str, str]] = []
        seen: dict[str, str] = {}
        for header, row in rows:
            v = self._required(header, row, problems, SHEET_REQUIRED["问题分类"])
            if not v or not self._unique(header, row, v["code"], seen, problems, "category"):
                continue
            ok = True
            scope = Scope.parse(clean_token(v["scope"]))
            if scope is None:
                problems.add("吹哨范围 must be 普通问题, 重点工作, 综合执法 or 应急处置",
                             sheet=header.sheet, cell=header.cell("scope", row.number),
                             row=row.number, field="scope", value=v["scope"], code="bad-scope")
                ok = False
            powers = tuple(clean_code(p) for p in split_lines(
                cell_text(row.values.get("powers")) or "", LIST_SEPARATORS))
            for code in powers:
                if items and code not in items:
                    problems.add("unknown power item: the code is not in power_list.xlsx",
                                 sheet=header.sheet, cell=header.cell("powers", row.number),
                                 row=row.number, field="powers", value=code,
                                 code="unknown-item")
                    ok = False
            parent_raw = _text(row, "parent")
            parent = clean_code(parent_raw) if parent_raw else None
            if parent is not None:
                parents.append((header, row, v["code"], parent))
            if ok and scope is not None:
                out[v["code"]] = Category(code=v["code"], name=v["name"], parent=parent,
                                          scope=scope, powers=powers,
                                          source=_text(row, "source") or "")
        links = {code: parent for _, _, code, parent in parents}
        for header, row, code, parent in parents:
            problem = None
            if parent not in seen:
                problem = "unknown parent category code"
            elif _cycles(code, links):
                problem = "the parent categories form a cycle"
            if problem:
                problems.add(problem, sheet=header.sheet, cell=header.cell("parent", row.number),
                             row=row.number, field="parent", value=parent,
                             code="bad-parent")
                out.pop(code, None)
        self.problems += problems.problems
        return out

    def _overrides(self) -> list[CalendarOverride]:
        problems = ProblemCollector(self.file(CALENDAR))
        rows = self._read_workbook(CALENDAR, ("调休调整",), problems, optional=True)
        out: list[CalendarOverride] = []
        seen: dict[str, str] = {}
        for header, row in rows.get("调休调整", []):
            v = self._required(header, row, problems, SHEET_REQUIRED["调休调整"])
            if not v:
                continue
            day = clean_token(v["day"])
            ok = bool(_ISO_DATE.match(day))
            if ok:
                try:
                    date.fromisoformat(day)
                except ValueError:
                    ok = False
            cell = header.cell("day", row.number)
            if not ok:
                problems.add("日期 must be a date written YYYY-MM-DD", sheet=header.sheet,
                             cell=cell, row=row.number, field="day", value=v["day"],
                             code="bad-date")
                continue
            if day in seen:
                problems.add(f"date given twice, first at {seen[day]}", sheet=header.sheet,
                             cell=cell, row=row.number, field="day", value=day,
                             code="duplicate-date")
                continue
            seen[day] = f"{header.sheet}!{cell}"
            workday = _WORKDAY.get(clean_token(v["type"]))
            if workday is None:
                problems.add("类型 must be 上班 (an extra working day) or 休息 (a day off)",
                             sheet=header.sheet, cell=header.cell("type", row.number),
                             row=row.number, field="type", value=v["type"], code="bad-value")
                continue
            out.append(CalendarOverride(day=day, workday=workday, note=_text(row, "note") or "",
                                        source=_text(row, "source") or ""))
        self.problems += problems.problems
        return sorted(out, key=lambda o: o.day)


_CODE_FIELDS = {"code", "district", "street", "department"}


def _relative(item: PowerItem) -> PowerItem:
    if item.origin is None:
        return item
    return item.model_copy(update={"origin": item.origin.model_copy(update={"file": POWER_LIST})})


def _text(row: SheetRow, name: str) -> str | None:
    text = cell_text(row.values.get(name))
    return (clean_line(text) or None) if text is not None else None


def _whole(row: SheetRow, header: Header, name: str, problems: ProblemCollector
           ) -> int | None | bool:
    """A whole number ≥ 0, None when empty, False (after a problem) when not one."""
    value = row.values.get(name)
    text = clean_token(cell_text(value) or "")
    if not text:
        return None
    if text.isdigit():
        return int(text)
    problems.add("expected a whole number", sheet=header.sheet, cell=header.cell(name, row.number),
                 row=row.number, field=name, value=text, code="bad-number")
    return False


def _cycles(start: str, links: dict[str, str]) -> bool:
    seen = {start}
    current = links.get(start)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = links.get(current)
    return False

__all__ = ["FILES", "SHEET_FIELDS", "cache_dir", "clear_cache", "load_catalogs", "vocabulary"]


# ---- templates -------------------------------------------------------------------------------

POWER_LIST_HEADER = ("序号", "事项编码", "事项名称", "子项", "权力类型", "实施主体", "实施依据",
                     "责任事项", "追责情形", "承接方式", "来源", "备注")
DELEGATION_HEADER = ("序号", "事项编码", "事项名称", "权力类型", "实施主体", "实施依据", "街道",
                     "承接方式", "来源")
TEMPLATE_SHEETS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    ORGANISATION: tuple(
        (sheet, f"{sheet}（每行一个；编码唯一；来源列写明出处或“示意”）",
         tuple(aliases[0] for aliases in SHEET_FIELDS[sheet].values()))
        for sheet in ("区县", "街道", "社区", "部门", "派驻机构")
    ),
    POWER_LIST: (("通用权责清单", "街道通用权责清单（实施依据每行一条；责任事项每行一个环节）",
                  POWER_LIST_HEADER),),
    DELEGATION: (("街道承接", "街道承接情况（每个事项每个街道一行，或在街道列用“、”分隔多个街道）",
                  DELEGATION_HEADER),),
    TAXONOMY: (("问题分类", "问题分类（吹哨范围：普通问题/重点工作/综合执法/应急处置）",
                tuple(aliases[0] for aliases in SHEET_FIELDS["问题分类"].values())),),
    CALENDAR: (("调休调整", "调休调整（国务院办公厅放假通知中、本软件尚未收录的日期）",
                tuple(aliases[0] for aliases in SHEET_FIELDS["调休调整"].values())),),
}
CALENDAR_HELP = (
    "说明 / How to use",
    "每行一个日期：日期写作 YYYY-MM-DD；类型写“上班”（调休上班）或“休息”（放假）。",
    "Only for a year whose State Council holiday notice the installed calendar does not know yet.",
    "空表有效：没有需要调整的日期时保持为空。An empty sheet is valid.",
)


TEMPLATE_ROWS = 2000  # rows below the header that carry the drop-down lists


def template_choices() -> dict[tuple[str, str], tuple[str, ...]]:
    """(sheet, header) → the values its drop-down offers: what the loader reads there."""
    kinds = tuple(k.label for k in PowerKind)
    modes = tuple(m.label for m in DelegationMode)
    return {
        ("街道", "编制人数性质"): ("示意", "实数"),
        ("部门", "是否派驻"): ("是", "否"),
        ("通用权责清单", "权力类型"): kinds,
        ("通用权责清单", "承接方式"): modes,
        ("街道承接", "权力类型"): kinds,
        ("街道承接", "承接方式"): modes,
        ("问题分类", "吹哨范围"): tuple(s.label for s in Scope),
        ("调休调整", "类型"): ("上班", "休息"),
    }


def write_template(directory: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write the five catalog workbooks with title and header rows and no data, for a new
    city. Columns with a closed vocabulary (权力类型, 承接方式, 吹哨范围, 是否派驻 …) carry a
    drop-down of the values the loader reads; typing another value only warns, since the
    loader also reads codes (e.g. 02 for 行政处罚) and reports anything it cannot read.
    Refuses to overwrite existing files unless `overwrite`. Returns the paths written."""
    from openpyxl import Workbook as NewWorkbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    choices = template_choices()

    root = Path(directory)
    targets = [root / name for name in TEMPLATE_SHEETS]
    existing = [p for p in targets if p.exists()]
    if existing and not overwrite:
        raise InputError([Problem(message="file exists; not overwritten", file=str(p),
                                  code="exists") for p in existing],
                         f"{root}: the template would overwrite files")
    root.mkdir(parents=True, exist_ok=True)
    for path in targets:
        book = NewWorkbook()
        book.remove(book.active)
        for sheet, title, header in TEMPLATE_SHEETS[path.name]:
            ws = book.create_sheet(sheet)
            ws.append([title])
            ws.append(list(header))
            for cell in ws[2]:
                cell.font = Font(bold=True)
            for column, name in enumerate(header, start=1):
                values = choices.get((sheet, name))
                if values is None:
                    continue
                rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"',
                                      allow_blank=True, errorStyle="warning",
                                      error=f"{name}：{'、'.join(values)}", errorTitle=name,
                                      prompt="、".join(values), promptTitle=name)
                letter = get_column_letter(column)
                rule.add(f"{letter}3:{letter}{TEMPLATE_ROWS + 2}")
                ws.add_data_validation(rule)
        if path.name == CALENDAR:
            ws = book.create_sheet("说明")
            for line in CALENDAR_HELP:
                ws.append([line])
        book.save(path)
    return targets
