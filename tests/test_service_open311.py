"""Open311 GeoReport v2 by the spec: JSON answers valid against the Open311 JSON Schemas, XML with
the spec's element names, errors as {code, description} lists with 400/403/404, empty optional
parameters as absent ones, ids as strings, idempotent POST with a client token.

The JSON Schemas are the open311/schema-validation repository's georeport-v2 schemas (commit
47e06a4, folder schema/georeport-v2/), kept as test data in tests/data/open311_schemas/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from service_support import KEYS, Clock, new_request, post_request, service_client

SCHEMAS = Path(__file__).parent / "data" / "open311_schemas"

# Element names the spec (GeoReport v2, "API methods") gives each answer.
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
ATTRIBUTE_FIELDS = {"variable", "code", "datatype", "required", "datatype_description", "order", "description",
                    "values"}


def _validator(name: str) -> Draft7Validator:
    resources = [
            (p.name, Resource.from_contents(json.loads(p.read_text(encoding="utf-8")), default_specification=_draft7()))
                 for p in SCHEMAS.glob("*.json")]
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


def _draft7() -> Any:
    from referencing.jsonschema import DRAFT7

    return DRAFT7


def _valid(name: str, document: Any) -> None:
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in _validator(name).iter_errors(document)]
    assert not problems, problems


def _xml(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>'), text[:60]
    return ET.fromstring(text.encode("utf-8"))


@pytest.fixture
def client(tmp_path: Path) -> Any:
    with service_client(tmp_path) as c:
        yield c


def test_services_json_is_valid_and_one_per_leaf_category(client: Any) -> None:
    from powerlist import load_catalogs

    catalog = load_catalogs()
    parents = {c.parent for c in catalog.categories.values() if c.parent}
    answer = client.get("/open311/v2/services.json")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json; charset=utf-8"
    services = answer.json()
    _valid("services.json", services)
    assert {s["service_code"] for s in services} == set(catalog.categories) - parents
    for s in services:
        category = catalog.categories[s["service_code"]]
        assert s["service_name"] == category.name and s["type"] == "realtime"
        assert s["group"] == catalog.categories[category.parent].name
        assert s["keywords"].split(", ")[0] in category.name


def test_services_xml_uses_the_spec_elements(client: Any) -> None:
    root = _xml(client.get("/open311/v2/services.xml").text)
    assert root.tag == "services" and len(root) == len(client.get("/open311/v2/services.json").json())
    for service in root:
        assert service.tag == "service"
        assert {child.tag for child in service} == SERVICE_FIELDS
        assert service.findtext("type") == "realtime" and service.findtext("metadata") == "true"


def test_service_definition_lists_the_router_flags(client: Any) -> None:
    definition = client.get("/open311/v2/services/SJ0403.json").json()
    _valid("service-definition.json", definition)
    codes = [a["code"] for a in definition["attributes"]]
    assert codes[:4] == ["emergency", "key_work", "needs_enforcement", "cross_department"] and "request_kind" in codes
    orders = [a["order"] for a in definition["attributes"]]
    assert orders == sorted(set(orders))
    root = _xml(client.get("/open311/v2/services/SJ0403.xml").text)
    assert root.tag == "service_definition" and root.findtext("service_code") == "SJ0403"
    for attribute in root.find("attributes") or []:
        assert attribute.tag == "attribute" and {c.tag for c in attribute} == ATTRIBUTE_FIELDS
        assert all(v.tag == "value" and {c.tag for c in v} == {"key", "name"} for v in attribute.find("values") or [])


@pytest.mark.parametrize("path", ["/open311/v2/services/NOPE.json", "/open311/v2/services/BJ01.json"])
def test_unknown_or_parent_service_is_404_error_list(client: Any, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404
    (error,) = answer.json()
    assert error["code"] == 404 and "service_code" in error["description"]
    xml = client.get(path.replace(".json", ".xml"))
    assert xml.status_code == 404 and _xml(xml.text).find("error/code").text == "404"  # type: ignore[union-attr]


def test_discovery_names_the_endpoint_and_formats(client: Any) -> None:
    document = client.get("/open311/v2/discovery.json").json()
    (endpoint,) = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = _xml(client.get("/open311/v2/discovery.xml").text)
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_post_then_get_is_valid_and_carries_the_decision(client: Any) -> None:
    posted = post_request(client, service_code="SJ0403", address_id="420202001001", first_name="三", last_name="张",
                          phone="13812345678", email="zhang@example.com",
                          description="我叫张三，电话13812345678，团城山路12号3栋楼道起火冒烟")
    assert posted.status_code == 200, posted.text
    (answer,) = posted.json()
    assert isinstance(answer["service_request_id"], str) and "account_id" in answer and "token" not in answer
    request_id = answer["service_request_id"]
    (request,) = client.get(f"/open311/v2/requests/{request_id}.json").json()
    _valid("request.json", request)
    from powerlist import Router

    decision = Router.default().route({"id": "x", "received_at": "2026-12-01T10:00", "category": "SJ0403",
                                       "location": "420202001001"})
    assert decision.lead is not None and decision.complete_by is not None
    assert request["agency_responsible"] == decision.lead.name
    assert request["expected_datetime"] == decision.complete_by.isoformat(timespec="seconds")
    assert request["status"] == "open" and "派单" in request["status_notes"]
    assert request["extended_attributes"]["state"] == "dispatched"
    # nothing personal in a public answer
    text = json.dumps(request, ensure_ascii=False)
    for secret in ("张三", "13812345678", "zhang@example.com", "12号", "3栋"):
        assert secret not in text


def test_xml_request_elements_are_the_spec_ones(client: Any) -> None:
    request_id = new_request(client)
    root = _xml(client.get(f"/open311/v2/requests/{request_id}.xml").text)
    assert root.tag == "service_requests"
    (request,) = list(root)
    assert request.tag == "request" and {c.tag for c in request} == REQUEST_FIELDS
    extended = _xml(client.get(f"/open311/v2/requests/{request_id}.xml?extensions=true").text)
    assert extended.find("request/extended_attributes/state") is not None
    posted = _xml(post_request(client, fmt="xml").text)
    assert [c.tag for c in posted.find("request")] == ["service_request_id", "service_notice", "account_id"]  # type: ignore[union-attr]


def test_post_without_or_with_a_wrong_key_is_403(client: Any) -> None:
    for key in (None, "", "not-a-key"):
        answer = post_request(client, api_key=key) if key is not None else client.post(
            "/open311/v2/requests.json", data={"service_code": "BJ0101", "address_id": "420202001001"})
        assert answer.status_code == 403
        (error,) = answer.json()
        assert error["code"] == 403 and "api_key" in error["description"]
        assert "not-a-key" not in error["description"]


def test_post_errors_are_400_with_every_problem(client: Any) -> None:
    answer = post_request(client, address_id="", description="", service_code="", lat="91", long="", email="x",
                          **{"attribute[emergency]": "maybe", "attribute[colour]": "red"})
    assert answer.status_code == 400
    described = " ".join(e["description"] for e in answer.json())
    for name in ("lat", "email", "attribute[emergency]", "attribute[colour]", "service_code"):
        assert name in described, name
    assert all(e["code"] == 400 for e in answer.json())
    unknown = post_request(client, service_code="ZZ9999")
    assert unknown.status_code == 404 and "service_code" in unknown.json()[0]["description"]
    place = post_request(client, address_id="999999")
    assert place.status_code == 400 and "address_id" in place.json()[0]["description"]
    coordinates = post_request(client, address_id=None, lat="30.2", long="115.0")
    assert coordinates.status_code == 400 and "address_string" in coordinates.json()[0]["description"]


def test_empty_optional_parameters_equal_absent_ones(client: Any) -> None:
    with_empty = post_request(client, email="", phone="", media_url="", zipcode="", jurisdiction_id="",
                              **{"attribute[emergency]": ""})
    assert with_empty.status_code == 200, with_empty.text
    listed_empty = client.get(
            "/open311/v2/requests.json?status=&service_code=&start_date=&end_date=&service_request_id=")
    listed = client.get("/open311/v2/requests.json")
    assert listed_empty.status_code == 200 and listed_empty.json() == listed.json()


def test_attributes_reach_the_router(client: Any) -> None:
    request_id = new_request(client, service_code="BJ0101", **{"attribute[emergency]": "true"})
    (request,) = client.get(f"/open311/v2/requests/{request_id}.json").json()
    assert request["extended_attributes"]["whistle"] == "emergency"


def test_get_requests_filters_and_limits(client: Any, tmp_path: Path) -> None:
    first = new_request(client, service_code="BJ0101")
    second = new_request(client, service_code="SJ0403")
    listed = client.get("/open311/v2/requests.json").json()
    _valid("requests.json", listed)
    assert [r["service_request_id"] for r in listed] == [second, first]  # newest first
    only = client.get("/open311/v2/requests.json?service_code=SJ0403").json()
    assert [r["service_request_id"] for r in only] == [second]
    both = client.get(f"/open311/v2/requests.json?service_request_id={first},{second}&service_code=NOPE").json()
    assert {r["service_request_id"] for r in both} == {first, second}  # the id list overrides the rest
    assert client.get("/open311/v2/requests.json?status=closed").json() == []
    assert len(client.get("/open311/v2/requests.json?status=open,closed").json()) == 2
    inside = client.get("/open311/v2/requests.json?start_date=2026-11-30T00:00:00Z&end_date=2026-12-02T00:00:00Z")
    assert len(inside.json()) == 2
    before = client.get("/open311/v2/requests.json?start_date=2026-09-01T00:00:00Z&end_date=2026-11-30T00:00:00Z")
    assert before.json() == []
    too_long = client.get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z")
    assert too_long.status_code == 400 and "90" in too_long.json()[0]["description"]
    bad = client.get("/open311/v2/requests.json?start_date=yesterday&status=pending")
    assert bad.status_code == 400 and len(bad.json()) == 2
    paged = client.get("/open311/v2/requests.json?page_size=1&page=2").json()
    assert len(paged) == 1
    assert client.get("/open311/v2/requests.json?page_size=1001").status_code == 400


def test_unknown_request_and_format(client: Any) -> None:
    missing = client.get("/open311/v2/requests/SR99999999.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    assert client.get("/open311/v2/requests.html").status_code == 404


def test_client_token_makes_post_idempotent(client: Any) -> None:
    once = post_request(client, client_token="tok-123")
    again = post_request(client, client_token="tok-123", description="另一段描述")
    assert once.status_code == again.status_code == 200
    request_id = once.json()[0]["service_request_id"]
    assert again.json()[0]["service_request_id"] == request_id
    header = client.post("/open311/v2/requests.json", headers={"Idempotency-Key": "tok-123"},
                         data={"api_key": KEYS["resident"], "service_code": "BJ0101", "address_id": "420202001001"})
    assert header.json()[0]["service_request_id"] == request_id
    assert len(client.get("/open311/v2/requests.json").json()) == 1
    token = client.get("/open311/v2/tokens/tok-123.json").json()
    assert token == [{"service_request_id": request_id, "token": "tok-123"}]
    root = _xml(client.get("/open311/v2/tokens/tok-123.xml").text)
    assert root.findtext("request/service_request_id") == request_id
    assert client.get("/open311/v2/tokens/unknown.json").status_code == 404
    other = post_request(client, role="resident2", client_token="tok-123")
    assert other.status_code == 400 and "token" in other.json()[0]["description"]


def test_closed_status_after_completion(tmp_path: Path) -> None:
    clock = Clock()
    with service_client(tmp_path, clock) as client:
        request_id = new_request(client, service_code="BJ0101")
        key = {"X-API-Key": KEYS["street"]}
        for event in ("respond", "complete"):
            clock.advance(minutes=10)
            assert client.post(f"/api/cases/{request_id}/events", json={"event": event}, headers=key).status_code == 200
        (request,) = client.get(f"/open311/v2/requests/{request_id}.json").json()
        _valid("request.json", request)
        assert request["status"] == "closed" and "办结" in request["status_notes"]
        assert request["updated_datetime"] == clock.now.isoformat(timespec="seconds")
        assert client.get("/open311/v2/requests.json?status=closed").json()[0]["service_request_id"] == request_id


def test_missing_service_code_is_matched_by_the_intake_matcher(client: Any) -> None:
    from powerlist.intake import Matcher

    matcher = Matcher.default()
    for text in ("小区门口的井盖丢了，晚上走路很危险", "楼道里堆满杂物，消防通道被堵住了", "嗯嗯啊啊"):
        expected = matcher.predict(text, top=3)
        posted = post_request(client, service_code=None, description=text)
        assert posted.status_code == 200, posted.text
        request_id = posted.json()[0]["service_request_id"]
        (request,) = client.get(f"/open311/v2/requests/{request_id}.json").json()
        assert request["service_code"] == expected.category
        assert request["extended_attributes"]["needs_review"] == expected.needs_review
        assert ("待工作人员确认" in posted.json()[0]["service_notice"]) == expected.needs_review
    missing = post_request(client, service_code=None, description=None)
    assert missing.status_code == 400 and "service_code" in missing.json()[0]["description"]


def test_address_string_is_placed_by_the_gazetteer(client: Any) -> None:
    import importlib

    gazetteer_type = getattr(importlib.import_module("powerlist.intake"), "Gazetteer", None)
    text = "黄石港街道纺织社区 江边路"
    posted = post_request(client, address_id=None, address_string=text, lat="30.2", long="115.08")
    if gazetteer_type is None:
        # a build whose intake has no gazetteer says so and asks for address_id
        assert posted.status_code == 400 and "address_id" in posted.json()[0]["description"]
        return
    from powerlist import load_catalogs

    place = gazetteer_type.default(load_catalogs()).resolve(text)
    if place.unresolved:
        assert posted.status_code == 400 and "address_string" in posted.json()[0]["description"]
        return
    assert posted.status_code == 200, posted.text
    (request,) = client.get(f"/open311/v2/requests/{posted.json()[0]['service_request_id']}.json").json()
    assert request["address_id"] == (place.community or place.street)
    assert request["lat"] == 30.2 and request["long"] == 115.08
