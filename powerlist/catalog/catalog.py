"""The Catalog: one immutable, indexed value built from loaded catalog data.

Loaded once, indexed once (street × item, codes, names), shared by everything downstream;
nothing downstream re-reads a spreadsheet.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property

from .models import (
    CatalogData,
    Category,
    Community,
    Delegation,
    DelegationMode,
    Department,
    District,
    PowerItem,
    Street,
    Unit,
    UnitKind,
)
from .names import NameIndex
from .statutes import Statutes

SUPERVISION_OFFICE = "supervision"  # department-like code of the city supervision office


class Catalog:
    """Organisation, power list, per-street delegation, taxonomy and calendar overrides."""

    def __init__(self, data: CatalogData, city_code: str = "420200", *, fingerprint: str | None = None) -> None:
        """`fingerprint`: the data's `fingerprint` when known already (the disk cache keeps it)."""
        self.data = data
        if fingerprint is not None:
            self.__dict__["fingerprint"] = fingerprint  # what the cached_property would compute
        self.city_code = city_code
        self.districts: dict[str, District] = {d.code: d for d in data.districts}
        self.streets: dict[str, Street] = {s.code: s for s in data.streets}
        self.communities: dict[str, Community] = {c.code: c for c in data.communities}
        self.departments: dict[str, Department] = {d.code: d for d in data.departments}
        self.items: dict[str, PowerItem] = {i.code: i for i in data.items}
        self.categories: dict[str, Category] = {c.code: c for c in data.categories}
        self._modes: dict[tuple[str, str], DelegationMode] = {
            (d.item, d.street): d.mode for d in data.delegations
        }
        self._delegations: dict[tuple[str, str], Delegation] = {(d.item, d.street): d for d in data.delegations}
        self.statutes = Statutes(data.statutes)
        self._district_names = {(district, dept): name for district, dept, name in data.district_unit_names}
        self.units: dict[str, Unit] = {u.code: u for u in self._build_units()}

    # ---- identity -------------------------------------------------------------------------

    @cached_property
    def fingerprint(self) -> str:
        """A hash of everything the catalog holds (part of a decision's rules_version)."""
        payload = json.dumps(self.data.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    # ---- units ----------------------------------------------------------------------------

    def city_department_code(self, dept: str) -> str:
        return f"{self.city_code}-{dept}"

    def district_department_code(self, district: str, dept: str) -> str:
        return f"{district}-{dept}"

    def stationed_unit_code(self, street: str, dept: str) -> str:
        return f"{street}-{dept}"

    @property
    def supervision_office(self) -> Unit:
        """市委督查室 / 市政府政务督查室: lists disputed, buck-passed and hard cases."""
        return self.units[f"{self.city_code}-{SUPERVISION_OFFICE}"]

    def _build_units(self) -> list[Unit]:
        units: list[Unit] = []
        for dept in self.data.departments:
            units.append(
                Unit(
                    code=self.city_department_code(dept.code),
                    name=dept.city_name,
                    kind=UnitKind.CITY_DEPARTMENT,
                    department=dept.code,
                )
            )
            for district in self.data.districts:
                units.append(
                    Unit(
                        code=self.district_department_code(district.code, dept.code),
                        name=self._district_names.get(
                            (district.code, dept.code), dept.district_name.format(district=district.name)
                        ),
                        kind=UnitKind.DISTRICT_DEPARTMENT,
                        district=district.code,
                        department=dept.code,
                    )
                )
        for street in self.data.streets:
            units.append(
                Unit(
                    code=street.code,
                    name=f"{street.name}办事处",
                    kind=UnitKind.STREET_OFFICE,
                    district=street.district,
                    street=street.code,
                )
            )
        for community in self.data.communities:
            street = self.streets[community.street]
            units.append(
                Unit(
                    code=community.code,
                    name=f"{community.name}居委会",
                    kind=UnitKind.COMMUNITY,
                    district=street.district,
                    street=street.code,
                )
            )
        units.extend(self.data.stationed_units)
        units.append(
            Unit(
                code=f"{self.city_code}-{SUPERVISION_OFFICE}",
                name="市委督查室、市政府政务督查室",
                kind=UnitKind.SUPERVISION_OFFICE,
            )
        )
        return units

    # ---- lookups --------------------------------------------------------------------------

    @cached_property
    def names(self) -> NameIndex:
        """Every name and documented alias of streets, communities, categories, units and
        departments (`powerlist.catalog.names`): what a clerk writes instead of a code."""
        return NameIndex(districts=self.districts, streets=self.streets, communities=self.communities,
                         categories=self.categories, units=self.units, departments=self.departments)

    @cached_property
    def _department_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for dept in self.data.departments:
            for name in (dept.code, dept.name, dept.city_name, *dept.aliases):
                names["".join(name.split())] = dept.code
            for district in self.data.districts:
                names[dept.district_name.format(district=district.name)] = dept.code
            for (_, code), name in self._district_names.items():
                if code == dept.code:
                    names["".join(name.split())] = dept.code
            names[dept.district_name.format(district="")] = dept.code
        return names

    def department_code(self, written: str | None) -> str | None:
        """The department a power list names (实施主体, as written), or None if unknown."""
        if not written:
            return None
        return self._department_names.get("".join(written.split()))

    def street_of(self, location: str) -> Street | None:
        """The street of a street or community code."""
        if location in self.streets:
            return self.streets[location]
        community = self.communities.get(location)
        return self.streets.get(community.street) if community else None

    def community_unit(self, location: str) -> Unit | None:
        return self.units.get(location) if location in self.communities else None

    def mode(self, item: str, street: str) -> DelegationMode:
        """How `street` holds `item`: the delegation table, else the list's own column, else
        stationed for a stationed department and retained by the district otherwise."""
        found = self._modes.get((item, street))
        if found is not None:
            return found
        power = self.items[item]
        if power.mode is not None:
            return power.mode
        dept = self.departments.get(self.department_code(power.department) or "")
        return DelegationMode.STATIONED if dept and dept.stationed else DelegationMode.DISTRICT

    def delegation(self, item: str, street: str) -> Delegation | None:
        """The delegation row (with its origin in the workbook) that says how `street` holds
        `item`; None when the mode comes from the list's own column or the default."""
        return self._delegations.get((item, street))

    def holder(self, item: str, street: str) -> tuple[Unit, DelegationMode]:
        """The unit that exercises `item` for `street`, and how it holds it."""
        mode = self.mode(item, street)
        st = self.streets[street]
        dept = self.department_code(self.items[item].department)
        if mode in (DelegationMode.DELEGATED, DelegationMode.ENTRUSTED) or dept is None:
            return self.units[street], mode
        if mode is DelegationMode.STATIONED:
            unit = self.units.get(self.stationed_unit_code(street, dept))
            if unit is not None:
                return unit, mode
            return self.units[self.district_department_code(st.district, dept)], mode
        if mode is DelegationMode.DISTRICT:
            return self.units[self.district_department_code(st.district, dept)], mode
        return self.units[self.city_department_code(dept)], mode
