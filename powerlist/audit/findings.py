"""Audit findings and their stable codes — 审核发现与编码.

Every finding has a `code` (one code, one meaning, forever — like a linter's), the `check` that
produced it, a severity, a location (file, sheet, cell) and a message in Chinese and English.
`CODES` is the table `docs/audit-codes.md` documents; a test keeps the two in step.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]


@dataclass(frozen=True)
class CodeInfo:
    code: str
    check: str
    severity: Severity
    title_zh: str
    title_en: str


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

CODES: dict[str, CodeInfo] = {c.code: c for c in (
    CodeInfo("PL001", "workbook", _I, "表尾签名、说明行已跳过", "a footer row after the data (填表人、审核人、日期…) was skipped"),
    CodeInfo("PL101", "missing-field", _E, "事项名称为空", "the item has no name"),
    CodeInfo("PL102", "missing-field", _E, "权力类型为空", "the item has no power kind"),
    CodeInfo("PL103", "missing-field", _E, "责任事项（内容）为空", "the item has no content (责任事项)"),
    CodeInfo("PL104", "missing-field", _E, "实施主体（边界）为空", "the item has no implementing department (实施主体, its boundary)"),
    CodeInfo("PL105", "missing-field", _E, "追责情形（边界）为空", "the item has no accountability cases (追责情形, its boundary)"),
    CodeInfo("PL201", "missing-legal-basis", _E, "没有实施依据", "no legal basis (实施依据) is cited"),
    CodeInfo("PL202", "missing-legal-basis", _W, "实施依据未引用具体法规名称", "the legal basis names no statute (no 《…》 title)"),
    CodeInfo("PL203", "repealed-legal-basis", _E, "实施依据只引用已废止的法规版本", "the legal basis cites a repealed version of a text and not the version in force"),
    CodeInfo("PL301", "stationed-delegated", _E, "派驻部门的事项下放或委托给街道", "an item of a stationed department is delegated or entrusted to a street"),
    CodeInfo("PL401", "responsibility-without-power", _E, "责任下放而所依赖的权力（依赖事项列）保留在上级", "a responsibility is pushed down while the power it depends on (依赖事项 column) stays above"),
    CodeInfo("PL402", "responsibility-without-power", _W, "检查/责任下放而同部门同主题的处罚、强制权保留在上级", "an inspection or duty is pushed down while the same department's penalties and coercion on the same subject stay above"),
    CodeInfo("PL403", "responsibility-without-power", _W, "依赖事项列出的事项在清单中不存在", "依赖事项 names an item found neither in the workbook nor in the common list"),
    CodeInfo("PL501", "overlap", _E, "同一事项在同一街道有不同承接方式", "one item is held in two ways (two levels or units) for the same street"),
    CodeInfo("PL502", "overlap", _W, "同一事项在同一街道重复列出", "one item is listed twice, in the same way, for the same street"),
    CodeInfo("PL503", "overlap", _E, "同一事项在同一街道由两个单位持有", "one item is held, in the same way, by two units (two departments) for the same street"),
    CodeInfo("PL601", "gap", _E, "通用清单事项在该街道无人承接", "a common-list item has no row for a street: nobody holds it"),
    CodeInfo("PL602", "scope", _I, "本表未涉及某部门的通用清单事项，未做缺口检查", "the workbook lists no item of a department: its common-list items were not checked for gaps"),
    CodeInfo("PL701", "not-in-common-list", _W, "事项不在通用权责清单中", "the item is not in the common power list"),
    CodeInfo("PL702", "not-in-common-list", _W, "事项编码在通用清单中，但名称不同", "the item code is in the common list under another name"),
    CodeInfo("PL801", "missing-from-street", _W, "街道的清单整体缺失", "a street of a district the workbook covers has no row at all"),
    CodeInfo("PL802", "scope", _I, "本表未覆盖某区县的街道，未做检查", "the workbook covers no street of a district: its streets were not checked"),
    CodeInfo("PL901", "capacity", _E, "街道人均承接事项超过阈值", "delegated items per member of street staff above the threshold"),
    CodeInfo("PL902", "capacity", _E, "街道人均月吹哨量超过阈值", "expected monthly whistles per member of street staff above the threshold"),
    CodeInfo("PL903", "capacity", _I, "街道没有编制人数，无法核算承接能力", "the street has no staff number: capacity not checked"),
    CodeInfo("PL1001", "rules-gap", _E, "规则表对某一诉求没有匹配行", "a rules table has no row for an issue of the domain"),
    CodeInfo("PL1002", "rules-overlap", _E, "唯一命中表对某一诉求匹配多行", "a unique table matches several rows for an issue"),
    CodeInfo("PL1003", "rules-masked", _W, "规则行可匹配但永远不会被选中", "a row matches some issue but is never selected (masked)"),
    CodeInfo("PL1004", "rules-unreachable", _W, "规则行在全部取值上都不匹配", "a row matches no issue of the domain (unreachable)"),
    CodeInfo("PL1005", "rules-route-error", _E, "诉求无法派单", "an issue of the domain cannot be routed"),
    CodeInfo("PL1006", "rules-no-principal", _E, "分类有相关权力但没有主要权力", "a leaf category has powers but no principal one: nothing can decide its lead"),
    CodeInfo("PL1101", "principal-unheld", _E, "分类的主要权力在该街道无人持有", "no principal power of a category is held in a street: the category cannot be led there"),
)}

CHECKS: tuple[str, ...] = (
    "missing-field", "missing-legal-basis", "repealed-legal-basis", "stationed-delegated",
    "responsibility-without-power", "overlap", "gap", "principal-unheld", "not-in-common-list",
    "missing-from-street", "capacity", "scope", "workbook",
)
# Each check in Chinese, and the codes it gives: the report's sheet names ("要素缺失 PL101-105").
CHECK_TITLES: dict[str, tuple[str, str]] = {
    "missing-field": ("要素缺失", "PL101-105"),
    "missing-legal-basis": ("缺少依据", "PL201-202"),
    "repealed-legal-basis": ("依据已废止", "PL203"),
    "stationed-delegated": ("派驻事项下放", "PL301"),
    "responsibility-without-power": ("有责无权", "PL401-403"),
    "overlap": ("重复交叉", "PL501-503"),
    "gap": ("无人承接", "PL601"),
    "principal-unheld": ("无人牵头", "PL1101"),
    "not-in-common-list": ("清单外事项", "PL701-702"),
    "missing-from-street": ("街道缺表", "PL801"),
    "capacity": ("承接能力", "PL901-903"),
    "scope": ("审核范围", "PL602 PL802"),
    "workbook": ("表格处理", "PL001"),
    "rules-gap": ("规则缺口", "PL1001"),
    "rules-overlap": ("规则重叠", "PL1002"),
    "rules-masked": ("规则遮蔽", "PL1003"),
    "rules-unreachable": ("规则不可达", "PL1004"),
    "rules-route-error": ("无法派单", "PL1005"),
    "rules-no-principal": ("缺少主要权力", "PL1006"),
}
RULES_CHECKS: tuple[str, ...] = (
    "rules-gap", "rules-overlap", "rules-masked", "rules-unreachable", "rules-route-error",
    "rules-no-principal",
)


@dataclass(frozen=True)
class Finding:
    """One audit finding — 审核发现."""

    code: str
    message_zh: str
    message_en: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None  # e.g. "H17"
    row: int | None = None
    item: str | None = None
    street: str | None = None
    details: tuple[tuple[str, Any], ...] = ()
    item_name: str | None = None  # the item's name, shown beside its code
    street_name: str | None = None  # the street's name, shown beside its code

    @property
    def info(self) -> CodeInfo:
        return CODES[self.code]

    @property
    def check(self) -> str:
        return CODES[self.code].check

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    @property
    def where(self) -> str:
        parts = [p for p in (self.file,) if p]
        if self.sheet and self.cell:
            parts.append(f"{self.sheet}!{self.cell}")
        elif self.sheet:
            parts.append(self.sheet)
        return ": ".join(parts) or "-"

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "check": self.check,
            "severity": self.severity.value,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "item": self.item,
            "item_name": self.item_name,
            "street": self.street,
            "street_name": self.street_name,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "details": {k: v for k, v in self.details},
        }


def counts(findings: list[Finding], checks: tuple[str, ...] = CHECKS) -> dict[str, Any]:
    """Counts per severity and per check × severity (every check listed, zeros included)."""
    by_severity = Counter(f.severity.value for f in findings)
    by_check: dict[str, dict[str, int]] = {c: {s.value: 0 for s in Severity} for c in checks}
    for finding in findings:
        by_check.setdefault(finding.check, {s.value: 0 for s in Severity})
        by_check[finding.check][finding.severity.value] += 1
    return {
        "total": len(findings),
        **{s.value: by_severity.get(s.value, 0) for s in Severity},
        "by_check": by_check,
    }


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
