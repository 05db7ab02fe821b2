"""API keys — 密钥: who a request acts for, read from `keys.csv`.

`keys.csv` has the header `key,role,unit`. `role` is one of resident, community, street,
department, supervision, admin; `unit` is the catalog unit code the key acts for (a community,
a street office, a department's unit, the supervision office), empty for resident and admin.
Every problem in the file is reported at once, located by row and field; a key never appears in
a problem, a log line or a page (only its row number does).

Lookups compare the SHA-256 digests of the given key and of every known key with
`hmac.compare_digest`, always against all keys, so the time taken says nothing about how much of
a key was right or which row matched.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..catalog.catalog import Catalog
from ..catalog.models import UnitKind
from ..errors import InputError, Problem, ProblemCollector

HEADER = ("key", "role", "unit")
MIN_KEY_LENGTH = 1
STRONG_KEY_LENGTH = 16  # shorter keys are accepted with a warning (`KeyRing.weak_rows`)
MAX_KEY_LENGTH = 200


class Role(StrEnum):
    """What a key may see and do — 角色 (graded permissions, 分级权限)."""

    RESIDENT = "resident"  # 居民
    COMMUNITY = "community"  # 社区
    STREET = "street"  # 街道
    DEPARTMENT = "department"  # 部门
    SUPERVISION = "supervision"  # 督查室
    ADMIN = "admin"  # 管理员

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.RESIDENT: "居民",
    Role.COMMUNITY: "社区",
    Role.STREET: "街道",
    Role.DEPARTMENT: "部门",
    Role.SUPERVISION: "督查室",
    Role.ADMIN: "管理员",
}

# The unit kinds a role's unit may be (None: the role acts for no unit).
_UNIT_KINDS: dict[Role, frozenset[UnitKind] | None] = {
    Role.RESIDENT: None,
    Role.ADMIN: None,
    Role.COMMUNITY: frozenset({UnitKind.COMMUNITY}),
    Role.STREET: frozenset({UnitKind.STREET_OFFICE}),
    Role.DEPARTMENT: frozenset({UnitKind.DISTRICT_DEPARTMENT, UnitKind.CITY_DEPARTMENT, UnitKind.STATIONED_UNIT}),
    Role.SUPERVISION: frozenset({UnitKind.SUPERVISION_OFFICE}),
}


@dataclass(frozen=True)
class Principal:
    """Who a request acts for: a key's role and unit, never the key itself.

    `owner` identifies a resident's key in the request log (a keyed hash of the key, so the
    log never holds a key); `row` is the key's row in keys.csv, for messages.
    """

    role: Role
    unit: str | None
    unit_name: str | None
    owner: str
    row: int

    @property
    def label(self) -> str:
        """How the principal appears in logs and pages: role and unit, never the key."""
        where = f" {self.unit_name or self.unit}" if self.unit else ""
        return f"{self.role.label}{where}"

    def as_json(self) -> dict[str, Any]:
        return {"role": self.role.value, "role_label": self.role.label, "unit": self.unit, "unit_name": self.unit_name}


@dataclass(frozen=True)
class _Entry:
    digest: bytes
    principal: Principal
    length: int


def digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


class KeyRing:
    """The keys of one service. `KeyRing.load(path, catalog)`; `ring.lookup(key)` → Principal or None."""

    def __init__(self, entries: Iterable[_Entry] = ()) -> None:
        self._entries = tuple(entries)

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def load(cls, path: str | Path, catalog: Catalog) -> KeyRing:
        file = str(path)
        try:
            raw = Path(path).read_bytes()
        except OSError as error:
            raise InputError([Problem(message=f"无法读取密钥文件 (cannot read the keys file): {error.strerror}",
                                      file=file, code="not-found")], "invalid keys file") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InputError([Problem(message="密钥文件不是 UTF-8 文本 (the keys file is not UTF-8 text)",
                                      file=file, row=raw[: error.start].count(b"\n") + 1, code="bad-encoding")],
                             "invalid keys file") from None
        return cls.parse(text, catalog, file=file)

    @classmethod
    def parse(cls, text: str, catalog: Catalog, *, file: str = "keys.csv") -> KeyRing:
        problems = ProblemCollector(file)
        rows = list(csv.reader(io.StringIO(text, newline="")))
        if not rows or tuple(c.strip().lower() for c in rows[0]) != HEADER:
            problems.add("表头应为 key,role,unit (the header must be key,role,unit)", row=1, code="bad-header",
                         value=",".join(rows[0]) if rows else "")
            problems.raise_if_any("invalid keys file")
        entries: list[_Entry] = []
        seen: dict[bytes, int] = {}
        for number, cells in enumerate(rows[1:], start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != 3:
                problems.add(f"应有 3 列，实有 {len(cells)} 列 (expected 3 columns, found {len(cells)})", row=number,
                             code="bad-row")
                continue
            key, role_text, unit_text = (c.strip() for c in cells)
            entry = _entry(key, role_text, unit_text, number, catalog, problems, seen)
            if entry is not None:
                entries.append(entry)
        problems.raise_if_any("invalid keys file")
        return cls(entries)

    def lookup(self, key: str | None) -> Principal | None:
        """The principal of `key`, or None for a missing or unknown key (constant time)."""
        if not key or len(key) > MAX_KEY_LENGTH:
            return None
        given = digest(key)
        found: Principal | None = None
        for entry in self._entries:
            if hmac.compare_digest(given, entry.digest):
                found = entry.principal
        return found

    @property
    def weak_rows(self) -> list[int]:
        """Rows of keys shorter than STRONG_KEY_LENGTH: guessable, worth replacing."""
        return [e.principal.row for e in self._entries if e.length < STRONG_KEY_LENGTH]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for entry in self._entries:
            out[entry.principal.role.value] = out.get(entry.principal.role.value, 0) + 1
        return out


def _entry(key: str, role_text: str, unit_text: str, number: int, catalog: Catalog, problems: ProblemCollector,
           seen: dict[bytes, int]) -> _Entry | None:
    ok = True
    if len(key) < MIN_KEY_LENGTH or len(key) > MAX_KEY_LENGTH or any(c.isspace() or ord(c) < 32 for c in key):
        # The key itself is never echoed: a problem names only its row.
        problems.add(f"密钥应为 {MIN_KEY_LENGTH}–{MAX_KEY_LENGTH} 个非空白字符 (a key is {MIN_KEY_LENGTH} to "
                     f"{MAX_KEY_LENGTH} characters without spaces)", row=number, field="key", code="bad-key")
        ok = False
    else:
        d = digest(key)
        if d in seen:
            problems.add(f"密钥与第 {seen[d]} 行重复 (the same key is on row {seen[d]})", row=number, field="key",
                         code="duplicate-key")
            ok = False
        seen.setdefault(d, number)
    try:
        role = Role(role_text.lower())
    except ValueError:
        problems.add("角色应为 " + "、".join(f"{r.value}（{r.label}）" for r in Role) + " 之一 (unknown role)",
                     row=number, field="role", value=role_text, code="bad-role")
        return None
    kinds = _UNIT_KINDS[role]
    unit_name: str | None = None
    if kinds is None:
        if unit_text:
            problems.add(f"{role.value} 密钥不代表任何单位，unit 应为空 (a {role.value} key acts for no unit: leave "
                         "unit empty)", row=number, field="unit", value=unit_text, code="unit-not-allowed")
            ok = False
    else:
        unit = catalog.units.get(unit_text)
        if not unit_text:
            problems.add(f"{role.value} 密钥须填写单位编码 (a {role.value} key needs the code of the unit it acts for)",
                         row=number, field="unit", code="missing-unit")
            ok = False
        elif unit is None:
            problems.add("单位编码不在目录中 (no unit of the catalog has this code)", row=number, field="unit",
                         value=unit_text, code="unknown-unit")
            ok = False
        elif unit.kind not in kinds:
            problems.add(f"{role.value} 密钥的单位应为 " + "、".join(sorted(k.value for k in kinds))
                         + f"，此单位是 {unit.kind.value} (the unit is of the wrong kind for this role)",
                         row=number, field="unit", value=unit_text, code="wrong-unit-kind")
            ok = False
        else:
            unit_name = unit.name
    if not ok:
        return None
    owner = hashlib.sha256(b"powerlist-owner\x00" + digest(key)).hexdigest()[:32]
    return _Entry(digest(key), Principal(role, unit_text or None, unit_name, owner, number), len(key))


__all__ = ["HEADER", "KeyRing", "Principal", "Role", "ROLE_LABELS"]
