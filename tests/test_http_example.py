"""The HTTP embedding example answers on loopback, concurrently, with the router's decisions."""

from __future__ import annotations

import json
import runpy
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import ThreadingHTTPServer
from pathlib import Path

from powerlist.routing.router import Router

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "http_service.py"


def _post(port: int, path: str, body: object) -> object:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def test_route_endpoint_matches_the_router_under_concurrent_requests() -> None:
    module = runpy.run_path(str(EXAMPLE))
    router = Router.default()
    server = ThreadingHTTPServer(("127.0.0.1", 0), module["make_handler"](router))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        issues = [
            {"id": f"H{n}", "received_at": "2026-11-23T09:00:00", "category": code,
             "location": "420202001001", "repeat_count": n % 4}
            for n, code in enumerate(sorted(router.catalog.categories)[:40])
        ]
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda issue: _post(port, "/route", issue), issues))
        expected = [router.route(issue).model_dump(mode="json") for issue in issues]
        assert answers == expected
        # a body that is no issue object: rejected in Chinese, with no Python class name in it
        rejected = _post(port, "/route", "just text")
        assert isinstance(rejected, dict) and rejected["status"] == "rejected"
        (problem,) = rejected["errors"]
        assert problem["message"].startswith("应为一个对象") and "instance of" not in problem["message"]
        assert "Issue" not in problem["message"]
    finally:
        server.shutdown()
        server.server_close()
