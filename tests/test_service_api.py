"""The back end over HTTP: graded permissions (a street sees its own street's cases only, another
street's case is 404), every action recorded with the key's unit as actor, the same rules and
errors as `powerlist cases record`, filters, scores and the audit upload, the OpenAPI document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from service_support import KEYS, Clock, headers, new_request, post_request, service_client

from powerlist.catalog.loader import load_catalogs
from powerlist.resources import catalogs_dir


@pytest.fixture
def world(tmp_path: Path) -> Any:
    """Four requests: A and C and D in 黄石港街道 (420202001, community 420202001001), B in 沈家营街道.
    A: BJ0101 (street lead); B: BJ0101 in the other street; C: SJ0403 (lead 420202-ZJ, co-units
    420202-XF and the street); D: BJ0202 (lead 420202-JT)."""
    clock = Clock()
    with service_client(tmp_path, clock) as client:
        ids = {
            "A": new_request(client, "resident", service_code="BJ0101", first_name="三", last_name="张",
                             phone="13812345678", description="井盖丢了"),
            "B": new_request(client, "resident2", service_code="BJ0101", address_id="420202002001"),
            "C": new_request(client, "resident", service_code="SJ0403"),
            "D": new_request(client, "resident", service_code="BJ0202"),
        }
        yield client, ids, clock


def _listed(client: Any, role: str, query: str = "") -> set[str]:
    answer = client.get(f"/api/cases{query}", headers=headers(role))
    assert answer.status_code == 200, answer.text
    key = "service_request_id" if role.startswith("resident") else "case_id"
    return {c[key] for c in answer.json()["cases"]}


def test_scopes_by_role(world: Any) -> None:
    client, ids, _ = world
    a, b, c, d = ids["A"], ids["B"], ids["C"], ids["D"]
    assert _listed(client, "street") == {a, c, d}
    assert _listed(client, "street2") == {b}
    assert _listed(client, "dept_zj") == {c}  # lead
    assert _listed(client, "dept_xf") == {c}  # co-unit
    assert _listed(client, "dept_jt") == {d}
    assert _listed(client, "community") == {a, c, d}
    assert _listed(client, "supervision") == _listed(client, "admin") == {a, b, c, d}
    assert _listed(client, "resident") == {a, c, d}
    assert _listed(client, "resident2") == {b}


def test_another_scope_is_404_not_403(world: Any) -> None:
    client, ids, _ = world
    for role, case in (("street2", ids["A"]), ("dept_zj", ids["A"]), ("resident2", ids["A"]), ("street", ids["B"])):
        seen = client.get(f"/api/cases/{case}", headers=headers(role))
        missing = client.get("/api/cases/SR99999999", headers=headers(role))
        assert seen.status_code == missing.status_code == 404
        assert seen.json()["errors"][0]["code"] == missing.json()["errors"][0]["code"]
        acted = client.post(f"/api/cases/{case}/events", json={"event": "respond"}, headers=headers(role))
        assert acted.status_code == 404


def test_keys_missing_or_unknown_are_403(world: Any) -> None:
    client, ids, _ = world
    for hdrs in ({}, {"X-API-Key": "nope"}, {"Authorization": "Bearer nope"}):
        assert client.get("/api/cases", headers=hdrs).status_code == 403
        assert client.get(f"/api/cases/{ids['A']}", headers=hdrs).status_code == 403
        assert client.post(f"/api/cases/{ids['A']}/events", json={"event": "respond"}, headers=hdrs).status_code == 403
        assert client.get("/api/scores", headers=hdrs).status_code == 403
    assert client.get("/api/cases", headers={"Authorization": f"Bearer {KEYS['street']}"}).status_code == 200
    assert client.get(f"/api/cases?api_key={KEYS['street']}").status_code == 200


def test_resident_sees_public_fields_only_and_cannot_act(world: Any) -> None:
    client, ids, _ = world
    shown = client.get(f"/api/cases/{ids['A']}", headers=headers("resident")).json()["case"]
    assert shown["service_request_id"] == ids["A"] and "reporter" not in shown and "13812345678" not in str(shown)
    assert [s["event"] for s in shown["history"]] == ["open", "dispatch"]
    acted = client.post(f"/api/cases/{ids['A']}/events", json={"event": "respond"}, headers=headers("resident"))
    assert acted.status_code == 403
    staff = client.get(f"/api/cases/{ids['A']}", headers=headers("street")).json()["case"]
    assert staff["reporter"]["phone"] == "13812345678" and staff["request"]["description"] == "井盖丢了"
    assert staff["decision"]["lead"]["code"] == "420202001" and staff["history"][0]["event"] == "open"


def test_actions_are_recorded_with_the_keys_unit(world: Any) -> None:
    client, ids, clock = world
    clock.advance(minutes=5)
    done = client.post(f"/api/cases/{ids['C']}/events", json={"event": "报到"}, headers=headers("dept_zj"))
    assert done.status_code == 200, done.text
    last = done.json()["case"]["history"][-1]
    assert last["event"] == "respond" and last["actor"] == "420202-ZJ"
    clock.advance(minutes=5)
    by_form = client.post(f"/api/cases/{ids['C']}/events", data={"event": "complete", "reason": "已处置"},
                          headers=headers("dept_xf"))
    assert by_form.status_code == 200 and by_form.json()["case"]["history"][-1]["actor"] == "420202-XF"
    other = client.post(f"/api/cases/{ids['A']}/events", json={"event": "respond", "by": "420202-ZJ"},
                        headers=headers("street"))
    assert other.status_code == 403
    clock.advance(minutes=5)
    admin = client.post(f"/api/cases/{ids['A']}/events", json={"event": "respond", "by": "420202001"},
                        headers=headers("admin"))
    assert admin.status_code == 200 and admin.json()["case"]["history"][-1]["actor"] == "420202001"


def test_supervise_is_for_supervision_only(world: Any) -> None:
    client, ids, clock = world
    clock.advance(minutes=5)
    refused = client.post(f"/api/cases/{ids['A']}/events", json={"event": "supervise"}, headers=headers("street"))
    assert refused.status_code == 403
    listed = client.post(f"/api/cases/{ids['A']}/events", json={"event": "督办"}, headers=headers("supervision"))
    assert listed.status_code == 200, listed.text
    case = listed.json()["case"]
    assert case["state"] == "supervised" and case["history"][-1]["actor"] == "420200-supervision"


def test_same_rules_and_errors_as_cases_record(world: Any) -> None:
    client, ids, clock = world
    url = f"/api/cases/{ids['A']}/events"
    misplaced = client.post(url, json={"event": "respond", "satisfaction": "满意"}, headers=headers("street"))
    assert misplaced.status_code == 400 and misplaced.json()["errors"][0]["code"] == "misplaced-option"
    unknown = client.post(url, json={"event": "dance"}, headers=headers("street"))
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "event"
    refused = client.post(url, json={"event": "evaluate", "satisfaction": "满意"}, headers=headers("street"))
    assert refused.status_code == 409 and "not allowed" in refused.json()["errors"][0]["message"]
    bad = client.post(url, json={"event": "evaluate", "satisfaction": "great"}, headers=headers("street"))
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "bad-satisfaction"
    future = client.post(url, json={"event": "respond", "at": "2030-01-01T00:00"}, headers=headers("street"))
    assert future.status_code == 400 and future.json()["errors"][0]["code"] == "future-time"
    not_json = client.post(url, content=b"{", headers={**headers("street"), "content-type": "application/json"})
    assert not_json.status_code == 400
    not_holding = client.post(f"/api/cases/{ids['C']}/events", json={"event": "return"}, headers=headers("dept_xf"))
    assert not_holding.status_code == 400 and not_holding.json()["errors"][0]["code"] == "not-holding"
    history = client.get(f"/api/cases/{ids['A']}", headers=headers("street")).json()["case"]["history"]
    assert [h["event"] for h in history] == ["open", "dispatch"]  # nothing refused was written
    clock.advance(minutes=1)
    steps = [("respond",
            {}), ("complete", {}), ("feed_back", {}), ("evaluate", {"satisfaction": "满意", "third_party": "92"}),
             ("close", {})]
    for event, options in steps:
        clock.advance(minutes=1)
        answer = client.post(url, json={"event": event, **options}, headers=headers("street"))
        assert answer.status_code == 200, answer.text
    case = client.get(f"/api/cases/{ids['A']}", headers=headers("street")).json()["case"]
    assert case["state"] == "closed" and case["satisfaction"] == "satisfied"


def test_filters_and_overdue_first(world: Any) -> None:
    client, ids, clock = world
    clock.advance(minutes=5)
    client.post(f"/api/cases/{ids['C']}/events", json={"event": "respond"}, headers=headers("dept_zj"))
    assert _listed(client, "admin", "?state=responded") == {ids["C"]}
    assert _listed(client, "admin", "?street=420202002") == {ids["B"]}
    assert _listed(client, "admin", "?unit=420202-XF") == {ids["C"]}
    assert _listed(
            client, "admin", "?whistle=emergency") == {c for c in ids.values() if _whistle(client, c) == "emergency"}
    assert _listed(client, "admin", "?overdue=true") == set()
    clock.advance(days=1)  # past every respond_by of the cases still awaiting a response
    overdue = client.get("/api/cases", headers=headers("admin")).json()["cases"]
    flags = [c["overdue"] for c in overdue]
    assert flags == sorted(flags, reverse=True) and any(flags)
    assert _listed(client, "admin", "?overdue=true") == {c["case_id"] for c in overdue if c["overdue"]}
    page = client.get("/api/cases?page_size=2&page=2", headers=headers("admin")).json()
    assert page["total"] == 4 and len(page["cases"]) == 2
    assert client.get("/api/cases?overdue=perhaps", headers=headers("admin")).status_code == 400
    assert client.get("/api/cases?page_size=500", headers=headers("admin")).status_code == 400


def _whistle(client: Any, case_id: str) -> str:
    whistle: str = client.get(f"/api/cases/{case_id}", headers=headers("admin")).json()["case"]["summary"]["whistle"]
    return whistle


def test_scores_follow_the_store(world: Any) -> None:
    client, ids, clock = world
    before = client.get("/api/scores?period=2026Q4", headers=headers("street")).json()
    assert before["ok"] and before["period"] == "2026Q4" and before["period_running"] is True
    clock.advance(minutes=5)
    client.post(f"/api/cases/{ids['C']}/events", json={"event": "respond"}, headers=headers("dept_zj"))
    after = client.get("/api/scores?period=2026Q4", headers=headers("street")).json()
    zj = [d for d in after["departments"] if d["unit"] == "420202-ZJ"]
    assert zj and zj[0]["whistles"] >= 1 and zj[0]["counts"]["response"] >= 1
    bad = client.get("/api/scores?period=soon", headers=headers("street"))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "period"


def test_audit_upload_gives_the_librarys_findings(world: Any) -> None:
    from powerlist.audit import AuditConfig, audit_workbook, counts, read_audit_workbook

    client, _, _ = world
    workbook = catalogs_dir() / "delegation.xlsx"
    catalog = load_catalogs()
    expected = counts(audit_workbook(read_audit_workbook(workbook, catalog), catalog, AuditConfig.load()))
    answer = client.post("/api/audit", files={"file": ("delegation.xlsx", workbook.read_bytes())},
                         headers=headers("street"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["counts"] == expected
    report = client.post("/api/audit?format=xlsx", files={"file": ("d.xlsx", workbook.read_bytes())},
                         headers=headers("admin"))
    assert report.status_code == 200 and report.content[:2] == b"PK"
    assert report.headers["content-disposition"] == 'attachment; filename="audit-report.xlsx"'
    broken = client.post("/api/audit", files={"file": ("x.xlsx", b"not a workbook")}, headers=headers("admin"))
    assert broken.status_code == 400 and broken.json()["errors"]
    assert client.post("/api/audit", files={"file": ("x.xlsx", b"")}, headers=headers("resident")).status_code == 403
    assert client.post("/api/audit", data={"x": "1"}, headers=headers("admin")).status_code == 415


def test_openapi_documents_every_route(world: Any) -> None:
    client, _, _ = world
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    routes = {route.path for route in client.app.routes if route.path.startswith(("/api/", "/open311/"))}
    assert routes - {"/api/openapi.json"} <= set(document["paths"])


def test_me_names_role_and_unit(world: Any) -> None:
    client, _, _ = world
    me = client.get("/api/me", headers=headers("dept_zj")).json()
    assert me["role"] == "department" and me["unit"] == "420202-ZJ" and KEYS["dept_zj"] not in str(me)
    assert post_request(client, "community").status_code == 200  # any known key may submit


def test_the_service_takes_the_chinese_event_names_cases_record_takes() -> None:
    from powerlist.cases.recording import EVENT_NAMES as CLI_NAMES
    from powerlist.service.casework import RECORDABLE, event_name

    assert event_name("重新打开") == "reopen" and event_name(" 开始 处置 ") == "handle"
    assert all(event_name(name) == event.value for name, event in CLI_NAMES.items() if event.value in RECORDABLE)
