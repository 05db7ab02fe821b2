"""Hostile HTTP input against a real `powerlist serve` (uvicorn on 127.0.0.1): oversized bodies,
malformed forms, wrong content types, path traversal in ids, header injection, slow clients.
Every one gets a clear 4xx (or the connection is closed by the server), and the server stays up
and keeps answering others."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from service_support import KEYS, free_port, start_server, stop_server

BODY_LIMIT = 100_000
BODY_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("hostile")
    port = free_port()
    process = start_server(folder, port, "--tick-seconds", "0", "--max-body", str(BODY_LIMIT),
                           "--body-timeout", str(BODY_TIMEOUT))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(process)
        assert process.returncode is not None


def _up(base: str) -> None:
    assert httpx.get(f"{base}/health", timeout=10).status_code == 200


def _raw(base: str, data: bytes, wait: float = 10.0) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except TimeoutError:
            pass
    return b"".join(chunks)


def _form(**fields: str) -> dict[str, str]:
    return {"api_key": KEYS["resident"], "service_code": "BJ0101", "address_id": "420202001001", **fields}


def test_oversized_bodies_are_413(base: str) -> None:
    big = httpx.post(f"{base}/open311/v2/requests.json", data=_form(description="x" * (BODY_LIMIT + 10)), timeout=30)
    assert big.status_code == 413 and big.json()[0]["code"] == 413
    xml = httpx.post(f"{base}/open311/v2/requests.xml", content=b"a" * (BODY_LIMIT + 1),
                     headers={"content-type": "application/x-www-form-urlencoded"}, timeout=30)
    assert xml.status_code == 413 and xml.text.startswith("<?xml")

    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"description=" + b"y" * 5000 + b"&"

    chunked = httpx.post(f"{base}/open311/v2/requests.json", content=chunks(),
                         headers={"content-type": "application/x-www-form-urlencoded"}, timeout=30)
    assert chunked.status_code == 413
    liar = _raw(base, b"POST /open311/v2/requests.json HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
    assert liar.startswith(b"HTTP/1.1 400")
    _up(base)


def test_malformed_forms_are_400(base: str) -> None:
    url = f"{base}/open311/v2/requests.json"
    kind = {"content-type": "application/x-www-form-urlencoded"}
    for body in (b"api_key=%FF%FE&description=%C3", b"\xff\xfe\x00garbage", b"&".join([b"a=1"] * 500)):
        answer = httpx.post(url, content=body, headers=kind, timeout=30)
        assert answer.status_code == 400, (body[:20], answer.text)
        assert answer.json()[0]["code"] == 400
    broken = httpx.post(url, content=b"--xyz\r\nContent-Disposition: form-data\r\n\r\nvalue",
                        headers={"content-type": "multipart/form-data; boundary=xyz"}, timeout=30)
    assert broken.status_code == 400
    no_boundary = httpx.post(url, content=b"abc", headers={"content-type": "multipart/form-data"}, timeout=30)
    assert no_boundary.status_code == 400
    control = httpx.post(url, data=_form(description="bad\x00byte", first_name="a\r\nb"), timeout=30)
    assert control.status_code == 400 and len(control.json()) == 2
    event = httpx.post(f"{base}/api/cases/SR00000001/events", content=b"[1,2", timeout=30,
                       headers={"content-type": "application/json", "x-api-key": KEYS["admin"]})
    assert event.status_code == 400
    _up(base)


def test_wrong_content_types_are_415_or_400(base: str) -> None:
    url = f"{base}/open311/v2/requests.json"
    for kind in ("application/json", "text/plain", "application/xml", ""):
        answer = httpx.post(
                url, content=b'{"api_key": "x"}', headers={"content-type": kind} if kind else {}, timeout=30)
        assert answer.status_code == 415, kind
        assert "x-www-form-urlencoded" in answer.json()[0]["description"]
    latin = httpx.post(url, content=b"api_key=x", timeout=30,
                       headers={"content-type": "application/x-www-form-urlencoded; charset=latin-1"})
    assert latin.status_code == 400
    upload = httpx.post(url, files={"media": ("a.jpg", b"\xff\xd8")}, data=_form(), timeout=30)
    assert upload.status_code == 400
    assert httpx.put(url, data=_form(), timeout=30).status_code == 405
    _up(base)


@pytest.mark.parametrize("path", [
    "/open311/v2/requests/..%2F..%2F..%2Fetc%2Fpasswd.json",
    "/open311/v2/requests/%2e%2e%2f%2e%2e%2fcases.db.json",
    "/open311/v2/services/..%2f..%2fpyproject.toml.json",
    "/open311/v2/tokens/..%5c..%5cwin.ini.xml",
    "/api/cases/..%2F..%2Fetc%2Fpasswd",
    "/requests/..%2F..%2Fcases.db",
    "/manage/cases/%2e%2e",
    "/open311/v2/requests/" + "A" * 5000 + ".json",
])
def test_path_traversal_in_ids_is_404(base: str, path: str) -> None:
    answer = httpx.get(base + path, headers={"x-api-key": KEYS["admin"]}, timeout=30, follow_redirects=False)
    assert answer.status_code in (303, 404), (path, answer.status_code)
    if answer.status_code == 303:
        assert answer.headers["location"].endswith("/manage/login")
    assert b"root:" not in answer.content and b"SQLite format" not in answer.content
    _up(base)


def test_header_injection_is_not_reflected(base: str) -> None:
    answer = httpx.get(f"{base}/requests", params={"id": "x\r\nSet-Cookie: stolen=1\r\n"}, timeout=30,
                       follow_redirects=False)
    assert answer.status_code == 303
    assert "set-cookie" not in answer.headers and "\r" not in answer.headers["location"]
    assert answer.headers["location"].startswith("/requests/x%0D%0ASet-Cookie")
    raw = _raw(base, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Evil: a\rb\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 400") or raw == b""
    bad_host = _raw(base, b"GET /open311/v2/discovery.json HTTP/1.1\r\nHost: evil\r\n\r\n\r\n")
    assert bad_host.startswith(b"HTTP/1.1 200")
    _up(base)


def test_slow_clients_do_not_stop_the_server(base: str) -> None:
    host, port = base.removeprefix("http://").split(":")
    idle = []
    for _ in range(30):  # slowloris: headers that never end
        s = socket.create_connection((host, int(port)), timeout=30)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        idle.append(s)
    try:
        for _ in range(5):
            _up(base)
        started = time.monotonic()
        slow = _raw(base, b"POST /open311/v2/requests.json HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\napi_key=",
                    wait=BODY_TIMEOUT * 10)
        assert slow.startswith(b"HTTP/1.1 408"), slow[:80]
        assert time.monotonic() - started < BODY_TIMEOUT * 10
    finally:
        for s in idle:
            s.close()
    _up(base)


def test_hostile_input_left_nothing_in_the_store(base: str) -> None:
    listed = httpx.get(f"{base}/api/cases", headers={"x-api-key": KEYS["admin"]}, timeout=30).json()
    assert listed["ok"] and listed["total"] == 0
    _up(base)
