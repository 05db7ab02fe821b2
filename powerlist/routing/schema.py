"""JSON Schemas of the values that cross the library's edge: an Issue in, a Decision out.

Other systems (a hotline platform, a dashboard) validate against these; they are generated
from the pydantic models, so they cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from .decision import Decision
from .issue import REQUEST_KIND_LABELS, Issue

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# An ISO 8601 date or date-time without an offset: the Issue reads it as Asia/Shanghai time.
# JSON Schema's "date-time" format (RFC 3339) requires an offset, so alone it would reject the
# naive times the library accepts and examples/issues.jsonl uses.
NAIVE_DATE_TIME = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?)?$"
)
# Decisions always carry Asia/Shanghai times with their offset.
SHANGHAI_DATE_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?\+08:00$"


def issue_schema() -> dict[str, Any]:
    """The schema an issue (one JSONL line, one API request) must satisfy."""
    schema = Issue.model_json_schema(mode="validation")
    properties = schema["properties"]
    properties["received_at"] = {
        "title": properties["received_at"].get("title", "Received At"),
        "description": "ISO 8601; without an offset it is Asia/Shanghai time",
        "anyOf": [
            {"type": "string", "format": "date-time"},
            {"type": "string", "pattern": NAIVE_DATE_TIME},
        ],
    }
    kinds = properties["request_kind"]
    kinds["anyOf"] = [
        option for option in kinds["anyOf"] if option.get("type") != "null"
    ] + [
        {"type": "string", "enum": list(REQUEST_KIND_LABELS.values())},
        {"type": "null"},
    ]
    schema["$schema"] = DIALECT
    schema["description"] = (
        "An issue to route (诉求/事件). A received_at without an offset is Asia/Shanghai time; "
        "request_kind also accepts 咨询/求助/投诉/举报/建议."
    )
    return schema


def decision_schema() -> dict[str, Any]:
    """The schema of `decision.model_dump(mode="json")`."""
    schema = Decision.model_json_schema(mode="serialization")
    properties = schema["properties"]
    for name in ("respond_by", "complete_by"):
        properties[name]["anyOf"] = [
            {"type": "string", "format": "date-time", "pattern": SHANGHAI_DATE_TIME}
            if option.get("type") == "string" else option
            for option in properties[name]["anyOf"]
        ]
    # model_dump writes every field, defaults included: a consumer may rely on each key.
    schema["required"] = list(properties)
    schema["$schema"] = DIALECT
    schema["description"] = (
        "A routing decision (派单决定): whistle, grade, lead, co-units, escalation path, powers "
        "with legal basis, time limits (+08:00), trace of the rules that decided, rules version; "
        "or, when status is rejected, the located errors."
    )
    return schema


SCHEMAS = {"issue": issue_schema, "decision": decision_schema}
