"""What the catalog adds to scoring: every street's 编制人数 and name, and the names records lack.

- `catalog_context(catalog)`: (staff by street, street names) for `results`/`score_period`, so
  that every street is ranked, even one that raised no whistle, and 呼叫次数 uses its 编制人数.
- `with_catalog(records, catalog)`: records with missing street names, unit names and department
  codes filled in from the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..catalog.catalog import Catalog
from .record import WhistleRecord


def catalog_context(catalog: Catalog) -> tuple[dict[str, int], dict[str, str]]:
    """(staff by street, street names) from a `Catalog`: every street is then ranked, even
    one that raised no whistle, and 呼叫次数 uses each street's 编制人数 (else the default)."""
    staff = {code: street.staff for code, street in catalog.streets.items() if street.staff}
    staff |= {code: 0 for code in catalog.streets if code not in staff}
    return staff, {code: street.name for code, street in catalog.streets.items()}


def with_catalog(records: Iterable[WhistleRecord], catalog: Catalog) -> list[WhistleRecord]:
    """Records with missing street names, unit names and department codes filled from `catalog`."""
    filled: list[WhistleRecord] = []
    for record in records:
        changes: dict[str, Any] = {}
        street = catalog.streets.get(record.street)
        if record.street_name is None and street is not None:
            changes["street_name"] = street.name
        unit = catalog.units.get(record.unit)
        if unit is not None:
            if record.unit_name is None:
                changes["unit_name"] = unit.name
            if record.department is None and unit.department:
                changes["department"] = unit.department
        filled.append(record.model_copy(update=changes) if changes else record)
    return filled
