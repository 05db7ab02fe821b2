"""Reading organisation.xlsx: districts (区县), streets (街道), communities (社区), departments
(部门) and the units departments station in streets (派驻机构).

Checks: duplicate codes in every table; street → district, community → street, stationed
unit → street and department (its code must be ``<street>-<department>`` and its department
marked 是否派驻 = 是); 编制人数 is a whole number and 编制人数性质 示意 or 实数; 是否派驻 is
是 or 否; 区级名称 may use only the {区县} placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ProblemCollector
from ..sheets.rows import row_text
from ..sheets.text import cell_text, clean_token, split_lines
from .catalog_tables import Table, reference, required, unique, whole
from .files import LIST_SEPARATORS, SHEET_REQUIRED
from .models import Community, Department, District, Street, Unit, UnitKind

_YES = {"是", "Y", "YES", "TRUE", "1"}
_NO = {"否", "N", "NO", "FALSE", "0", ""}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Organisation:
    """The organisation tables as read, by code (stationed units in file order)."""

    districts: dict[str, District]
    streets: dict[str, Street]
    communities: dict[str, Community]
    departments: dict[str, Department]
    units: list[Unit]
    # (district, department, name): district units named apart from the 区级名称 pattern
    district_unit_names: tuple[tuple[str, str, str], ...] = ()


def read_organisation(tables: dict[str, Table], problems: ProblemCollector) -> Organisation:
    """The organisation from its sheets' rows (`catalog_tables.read_workbook`)."""
    districts = _districts(tables.get("区县", []), problems)
    streets = _streets(tables.get("街道", []), districts, problems)
    communities = _communities(tables.get("社区", []), streets, problems)
    departments = _departments(tables.get("部门", []), problems)
    units = _stationed(tables.get("派驻机构", []), streets, departments, problems)
    names = _district_unit_names(tables.get("区级机构名称", []), districts, departments, problems)
    return Organisation(districts, streets, communities, departments, units, names)


def _districts(rows: Table, problems: ProblemCollector) -> dict[str, District]:
    out: dict[str, District] = {}
    seen: dict[str, str] = {}
    for header, row in rows:
        v = required(header, row, problems, SHEET_REQUIRED["区县"])
        if v and unique(header, row, v["code"], seen, problems, "district"):
            out[v["code"]] = District(code=v["code"], name=v["name"],
                                      source=row_text(row, "source") or "")
    return out


def _streets(rows: Table, districts: dict[str, District], problems: ProblemCollector
             ) -> dict[str, Street]:
    out: dict[str, Street] = {}
    seen: dict[str, str] = {}
    for header, row in rows:
        v = required(header, row, problems, SHEET_REQUIRED["街道"])
        if not v or not unique(header, row, v["code"], seen, problems, "street"):
            continue
        reference(header, row, "district", v["district"], districts, problems, "district")
        staff = whole(row, header, "staff", problems)
        nature = clean_token(row_text(row, "staff_nature") or "示意")
        if nature not in ("示意", "实数"):
            problems.add("编制人数性质应为 示意 或 实数 (编制人数性质 must be 示意, illustrative, or 实数, real)",
                         sheet=header.sheet, cell=header.cell("staff_nature", row.number),
                         row=row.number, field="staff_nature", value=nature,
                         code="bad-value")
        # kept even when faulty, so that rows citing it are not reported as well
        out[v["code"]] = Street(code=v["code"], name=v["name"], district=v["district"],
                                staff=staff if isinstance(staff, int) and staff is not False
                                else None, staff_illustrative=nature != "实数",
                                source=row_text(row, "source") or "")
    return out


def _communities(rows: Table, streets: dict[str, Street], problems: ProblemCollector
                 ) -> dict[str, Community]:
    out: dict[str, Community] = {}
    seen: dict[str, str] = {}
    for header, row in rows:
        v = required(header, row, problems, SHEET_REQUIRED["社区"])
        if not v or not unique(header, row, v["code"], seen, problems, "community"):
            continue
        reference(header, row, "street", v["street"], streets, problems, "street")
        out[v["code"]] = Community(code=v["code"], name=v["name"], street=v["street"],
                                   source=row_text(row, "source") or "")
    return out


def _departments(rows: Table, problems: ProblemCollector) -> dict[str, Department]:
    out: dict[str, Department] = {}
    seen: dict[str, str] = {}
    for header, row in rows:
        v = required(header, row, problems, SHEET_REQUIRED["部门"])
        if not v or not unique(header, row, v["code"], seen, problems, "department"):
            continue
        flag = clean_token(row_text(row, "stationed") or "").upper()
        if flag not in _YES | _NO:
            problems.add("是否派驻应为 是 或 否 (是否派驻 must be 是 or 否)", sheet=header.sheet,
                         cell=header.cell("stationed", row.number), row=row.number,
                         field="stationed", value=flag, code="bad-value")
        pattern = v["district_name"].replace("{区县}", "{district}")
        bad = [p for p in _PLACEHOLDER.findall(pattern) if p != "district"]
        if bad or pattern.count("{") != pattern.count("}"):
            problems.add("区级名称只能用占位符 {区县} (区级名称 may use only the placeholder {区县})",
                         sheet=header.sheet,
                         cell=header.cell("district_name", row.number), row=row.number,
                         field="district_name", value=v["district_name"], code="bad-value")
            pattern = pattern.replace("{", "{{").replace("}", "}}")  # kept inert
        aliases = split_lines(cell_text(row.values.get("aliases")) or "", LIST_SEPARATORS)
        out[v["code"]] = Department(
            code=v["code"], name=v["name"], city_name=v["city_name"],
            district_name=pattern, stationed=flag in _YES,
            stationed_unit_name=row_text(row, "stationed_unit_name"),
            aliases=aliases, source=row_text(row, "source") or "",
        )
    return out


def _stationed(rows: Table, streets: dict[str, Street], departments: dict[str, Department],
               problems: ProblemCollector) -> list[Unit]:
    out: list[Unit] = []
    seen: dict[str, str] = {}
    for header, row in rows:
        v = required(header, row, problems, SHEET_REQUIRED["派驻机构"])
        if not v or not unique(header, row, v["code"], seen, problems, "unit"):
            continue
        ok = reference(header, row, "street", v["street"], streets, problems, "street")
        ok &= reference(header, row, "department", v["department"], departments, problems,
                        "department")
        if ok and v["code"] != f"{v['street']}-{v['department']}":
            problems.add(f"派驻机构编码应为“街道编码-部门编码”，此处应为 {v['street']}-{v['department']} "
                         f"(a stationed unit's code must be <street>-<department>)", sheet=header.sheet,
                         cell=header.cell("code", row.number), row=row.number,
                         field="code", value=v["code"], code="bad-code")
            ok = False
        if ok and not departments[v["department"]].stationed:
            problems.add("该部门未标为 是否派驻 = 是，不能有派驻机构 "
                         "(a stationed unit of a department not marked 是否派驻 = 是)",
                         sheet=header.sheet, cell=header.cell("department", row.number),
                         row=row.number, field="department", value=v["department"],
                         code="not-stationed")
            ok = False
        if ok:
            out.append(Unit(code=v["code"], name=v["name"], kind=UnitKind.STATIONED_UNIT,
                            district=streets[v["street"]].district, street=v["street"],
                            department=v["department"]))
    return out


def _district_unit_names(rows: Table, districts: dict[str, District], departments: dict[str, Department],
                         problems: ProblemCollector) -> tuple[tuple[str, str, str], ...]:
    """区级机构名称: a district's unit of a department named apart from the 区级名称 pattern (a
    county-level city's 公安局, not 分局). One row per district × department."""
    out: list[tuple[str, str, str]] = []
    seen: dict[tuple[str, str], str] = {}
    for header, row in rows:
        v = required(header, row, problems, SHEET_REQUIRED["区级机构名称"])
        if not v:
            continue
        ok = reference(header, row, "district", v["district"], districts, problems, "district")
        ok &= reference(header, row, "department", v["department"], departments, problems, "department")
        pair = (v["district"], v["department"])
        if ok and pair in seen:
            problems.add(f"同一区县、部门的机构名称重复，首次在 {seen[pair]} (the same district and department "
                         f"named twice, first at {seen[pair]})", sheet=header.sheet,
                         cell=header.cell("department", row.number), row=row.number, field="department",
                         value=v["department"], code="duplicate-code")
            ok = False
        if ok:
            seen[pair] = f"{header.sheet}!{header.cell('district', row.number)}"
            out.append((v["district"], v["department"], v["name"]))
    return tuple(out)
