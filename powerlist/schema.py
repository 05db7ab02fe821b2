"""JSON Schemas of the values that cross the library's edge: an Issue in, a Decision out.

Other systems (a hotline platform, a dashboard) validate against these; they are generated
from the pydantic models, so they cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from .decision import Decision
from .issue import Issue

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def issue_schema() -> dict[str, Any]:
    """The schema an issue (one JSONL line, one API request) must satisfy."""
    schema = Issue.model_json_schema(mode="validation")
    schema["$schema"] = DIALECT
    schema["description"] = (
        "An issue to route (诉求/事件). A received_at without an offset is Asia/Shanghai time; "
        "request_kind also accepts 咨询/求助/投诉/举报/建议."
    )
    return schema


def decision_schema() -> dict[str, Any]:
    """The schema of `decision.model_dump(mode="json")`."""
    schema = Decision.model_json_schema(mode="serialization")
    schema["$schema"] = DIALECT
    schema["description"] = (
        "A routing decision (派单决定): whistle, grade, lead, co-units, escalation path, powers "
        "with legal basis, time limits (+08:00), trace of the rules that decided, rules version; "
        "or, when status is rejected, the located errors."
    )
    return schema


SCHEMAS = {"issue": issue_schema, "decision": decision_schema}
