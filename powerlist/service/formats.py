"""Open311 answers as JSON and XML — 数据格式.

XML is the spec's required format and JSON follows it by the Spark convention: a list of
requests is `<service_requests><request>…</request></service_requests>`, a nested list is an
element per item under the list's element (`<attributes><attribute>`, `<values><value>`,
`<endpoints><endpoint>`, `<formats><format>`), null is an empty element, booleans are `true` /
`false`. Every XML answer starts with the XML declaration naming UTF-8; characters XML 1.0
cannot carry are dropped (the service refuses them on input anyway).

Errors are a list of `{code, description}` (`<errors><error>`), HTTP 400, 403 or 404 as the
spec says; `code` is the HTTP status.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree import ElementTree as ET

from starlette.responses import Response

from ..errors import InputError, Problem

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")
# element name of one item of each list, by the list's element name (the Spark convention)
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "history": "event",
}
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(parent: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _add(parent, str(key), child)
    elif isinstance(value, (list, tuple)):
        item = ITEM_NAMES.get(parent.tag, "item")
        for child in value:
            _add(parent, item, child)
    else:
        parent.text = _text(value)


def _add(parent: ET.Element, name: str, value: Any) -> None:
    _fill(ET.SubElement(parent, name), value)


def to_xml(root: str, value: Any) -> bytes:
    """`value` as an XML document whose root element is `root`."""
    element = ET.Element(root)
    _fill(element, value)
    body: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def to_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def answer(fmt: str, root: str, value: Any, status: int = 200) -> Response:
    """An Open311 answer in `fmt` ("json" or "xml"); `root` names the XML root element."""
    if fmt == "xml":
        return Response(to_xml(root, value), status_code=status, media_type=XML_TYPE)
    return Response(to_json(value), status_code=status, media_type=JSON_TYPE)


def describe(problem: Problem) -> str:
    """A located problem as one line for an Open311 error description."""
    where = f"{problem.field}: " if problem.field else ""
    shown = f" (value {problem.value!r})" if problem.value is not None and problem.code != "bad-key" else ""
    return f"{where}{problem.message}{shown}"


def errors(fmt: str, status: int, descriptions: Iterable[str]) -> Response:
    """The spec's error list: every description with the HTTP status as its code."""
    listed = [{"code": status, "description": d} for d in descriptions]
    return answer(fmt, "errors", listed, status)


def input_errors(fmt: str, error: InputError, status: int = 400) -> Response:
    return errors(fmt, status, (describe(p) for p in error.problems))


__all__ = ["FORMATS", "JSON_TYPE", "XML_TYPE", "answer", "describe", "errors", "input_errors", "to_json", "to_xml"]
