"""Server-rendered pages without a browser: the front end shows nothing personal, the management
pages need a staff session and a CSRF token, the board is scoped like the API."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from service_support import KEYS, Clock, new_request, service_client

SECRETS = ("张三", "13812345678", "zs@example.com", "12号")


@pytest.fixture
def client(tmp_path: Path) -> Any:
    with service_client(tmp_path, Clock()) as c:
        yield c


def _sign_in(client: Any, role: str) -> str:
    answer = client.post("/manage/login", data={"key": KEYS[role]}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/manage/cases"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and KEYS[role] not in cookie
    board = client.get("/manage/cases")
    found = re.search(r'name="csrf" value="([^"]+)"', board.text)
    assert found
    return found.group(1)


def test_front_end_submit_and_status_page_show_nothing_personal(client: Any) -> None:
    index = client.get("/")
    assert index.status_code == 200 and 'name="client_token"' in index.text and "井盖缺损" in index.text
    token = re.search(r'name="client_token" value="([^"]+)"', index.text).group(1)  # type: ignore[union-attr]
    form = {"description": "我叫张三，电话13812345678，邮箱 zs@example.com，团城山路12号井盖没了",
            "service_code": "BJ0101", "address_id": "420202001001", "address_string": "团城山路12号",
            "first_name": "张三", "phone": "13812345678", "client_token": token}
    answer = client.post("/submit", data=form, follow_redirects=False)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert re.fullmatch(r"/requests/SR\d{8}\?new=1", location)
    again = client.post("/submit", data=form, follow_redirects=False)
    assert again.headers["location"] == location  # a double click is one request
    page = client.get(location)
    assert page.status_code == 200 and "团城山路" in page.text
    for secret in SECRETS:
        assert secret not in page.text, secret
    ranking = client.get("/ranking")
    assert ranking.status_code == 200
    for secret in SECRETS:
        assert secret not in ranking.text
    request_id = location.split("/")[2].split("?")[0]
    staff = client.get(f"/api/cases/{request_id}", headers={"X-API-Key": KEYS["street"]}).json()["case"]
    assert staff["reporter"]["first_name"] == "张三" and staff["reporter"]["phone"] == "13812345678"


def test_form_errors_rerender_with_the_input(client: Any) -> None:
    answer = client.post("/submit", data={"description": "路灯不亮", "phone": "call me"})
    assert answer.status_code == 400 and "路灯不亮" in answer.text and "phone" in answer.text


def test_lookup_and_missing_pages(client: Any) -> None:
    assert client.get("/requests?id=SR1", follow_redirects=False).headers["location"] == "/requests/SR1"
    missing = client.get("/requests/SR00009999")
    assert missing.status_code == 404 and "没有此诉求" in missing.text
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/ranking?period=nonsense").status_code == 400
    assert client.get("/ranking?period=2026Q3").status_code == 200


def test_management_needs_a_staff_session_and_csrf(client: Any) -> None:
    # BJ0302 (亭棚、堆放物料) needs two departments: a coordination whistle, reported within 30 minutes
    request_id = new_request(client, service_code="BJ0302")
    assert client.get("/manage/cases", follow_redirects=False).headers["location"] == "/manage/login"
    refused = client.post("/manage/login", data={"key": KEYS["resident"]})
    assert refused.status_code == 403 and KEYS["resident"] not in refused.text
    csrf = _sign_in(client, "street")
    board = client.get("/manage/cases")
    assert request_id in board.text and "今日到期" in board.text  # respond by in 30 minutes, in working days
    case = client.get(f"/manage/cases/{request_id}")
    assert case.status_code == 200 and "13812345678" not in case.text and 'data-event="respond"' in case.text
    forged = client.post(f"/manage/cases/{request_id}/events", data={"event": "respond"})
    assert forged.status_code == 403
    done = client.post(f"/manage/cases/{request_id}/events", data={"event": "respond", "csrf": csrf},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=respond")
    wrong = client.post(f"/manage/cases/{request_id}/events", data={"event": "close", "csrf": csrf})
    assert wrong.status_code == 409 and "not allowed" in wrong.text
    client.post("/manage/logout", data={"csrf": csrf})
    assert client.get("/manage/cases", follow_redirects=False).status_code == 303


def test_board_is_scoped(client: Any) -> None:
    request_id = new_request(client)
    _sign_in(client, "street2")
    assert request_id not in client.get("/manage/cases").text
    assert client.get(f"/manage/cases/{request_id}").status_code == 404


def test_security_headers(client: Any) -> None:
    answer = client.get("/")
    assert answer.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in answer.headers[
        "content-security-policy"]
