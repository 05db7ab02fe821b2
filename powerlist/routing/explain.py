"""A decision explained — 派单说明: readable text, Chinese first with the English after it, that
cites the rules, the powers and their legal basis, and the trace of how it was decided."""

from __future__ import annotations

from datetime import datetime

from ..catalog.models import DelegationMode
from .decision import Decision, UnitRef
from .plan import uses_unknown_year


def _unit(ref: UnitRef) -> str:
    return f"{ref.name}（{ref.code}，{ref.level.label}级 {ref.level.value}）"


def _time(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "-"


def explain_decision(decision: Decision) -> str:
    """The explanation text of a decision (routed or rejected)."""
    lines = [f"诉求 issue {decision.issue_id}"]
    if decision.status == "rejected":
        lines.append("未派单：输入有误 (rejected: the input is invalid or unknown)")
        lines += [f"  - {problem}" for problem in decision.errors]
        return "\n".join(lines)
    assert decision.whistle is not None and decision.grade is not None and decision.lead is not None
    lines += [
        f"哨类 whistle: {decision.whistle_label} ({decision.whistle.value})",
        f"分级 grade: {decision.grade.value}级，{decision.grade.level.label}级处置 "
        f"(handled at {decision.grade.level.value} level)",
        f"牵头单位 lead: {_unit(decision.lead)}",
    ]
    if decision.co_units:
        lines.append("协办单位 co-units: " + "；".join(_unit(u) for u in decision.co_units))
    lines.append("呼叫链 escalation path: " + " → ".join(u.name for u in decision.escalation_path))
    lines.append(f"响应时限 respond by: {_time(decision.respond_by)}")
    lines.append(f"办结时限 complete by: {_time(decision.complete_by)}")
    if uses_unknown_year(decision):
        lines.append("  注意：暂定时限，见决策过程 [calendar.unknown_year] "
                     "(note: provisional deadline, see the step calendar.unknown_year below)")
    if decision.powers:
        lines.append("权力事项与实施依据（引用受理日施行的版本） powers and legal basis (the versions in force "
                     "on the day received):")
        for power in decision.powers:
            role = "主要权力 principal" if power.role == "principal" else "相关权力 related（只协办 co-unit only）"
            lines.append(f"  - {power.code} {power.name}（权力类型 kind {power.kind}；{role}）")
            if power.holder is not None and power.mode is not None:
                mode = DelegationMode(power.mode)
                lines.append(f"      承接 held: {mode.label} {mode.value}，{_unit(power.holder)}"
                             + (f"；见 from {power.delegation}" if power.delegation else ""))
            for basis in power.legal_basis:
                lines.append(f"      依据 basis: {basis}")
            if not power.legal_basis:
                lines.append("      依据 basis: 受理日无施行中的引文 (no cited text in force on the day received)")
    else:
        lines.append("权力事项 powers: 无需行政权力 (none needed)")
    lines.append("决策过程 how it was decided (rule — reason):")
    lines += [f"  {n}. [{step.rule}] {step.reason}" for n, step in enumerate(decision.trace, start=1)]
    lines.append(f"规则版本 rules version: {decision.rules_version}")
    return "\n".join(lines)
