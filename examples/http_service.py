"""A small JSON routing service on the standard library's http.server.

    python examples/http_service.py [--port 8345] [--engine compiled]

    curl -s localhost:8345/route -d '{"id": "1", "received_at": "2026-11-23T10:00", \
         "category": "...", "location": "..."}'

Endpoints:
- POST /route — body: one issue object, or a list of them (at most MAX_BATCH); answers the
  decision(s) as JSON. A rejected issue is a decision with status "rejected" and its errors
  (HTTP 200: the request was understood); a body that is not JSON is HTTP 400.
- POST /explain — body: one issue; answers {"decision": …, "explanation": "…"}.
- GET /health — {"ok": true, "rules_version": …}.
- GET /schema/issue, GET /schema/decision — the JSON Schemas.

Bounded: bodies over MAX_BODY bytes are refused (413), batches over MAX_BATCH issues (413), a
slow client times out after TIMEOUT seconds. One Router is built at start and shared by the
request threads; routing itself is pure, but the router's plan caches fill and evict as it
runs, so calls into it are serialised by one lock (routing costs microseconds: the lock is not
where such a service spends its time). Meant as an example of embedding the router, not as a
hardened production server.
"""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from powerlist.routing.explain import explain_decision
from powerlist.routing.router import Router
from powerlist.routing.schema import SCHEMAS

MAX_BODY = 1_000_000
MAX_BATCH = 1_000
TIMEOUT = 10


def make_handler(router: Router) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()

    def route(items: list[Any]) -> list[Any]:
        with lock:
            return list(router.route_many(items))

    class Handler(BaseHTTPRequestHandler):
        timeout = TIMEOUT
        server_version = "powerlist-example/0.1"

        def _send(self, status: int, payload: Any) -> None:
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> tuple[bool, Any]:
            """(True, the JSON body) or (False, None) after answering an error."""
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY:
                self._send(413, {"error": f"the body must be 0–{MAX_BODY} bytes"})
                return False, None
            try:
                return True, json.loads(self.rfile.read(length))
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                self._send(400, {"error": f"the body is not JSON: {error}"})
                return False, None

        def do_GET(self) -> None:  # noqa: N802 — http.server's naming
            if self.path == "/health":
                self._send(200, {"ok": True, "engine": router.engine, "rules_version": router.rules_version})
            elif self.path.startswith("/schema/") and self.path[8:] in SCHEMAS:
                self._send(200, SCHEMAS[self.path[8:]]())
            else:
                self._send(404, {"error": "GET /health, /schema/issue or /schema/decision"})

        def do_POST(self) -> None:  # noqa: N802
            if self.path not in ("/route", "/explain"):
                self._send(404, {"error": "POST /route or /explain"})
                return
            ok, body = self._body()
            if not ok:
                return
            if self.path == "/explain":
                (decision,) = route([body])
                self._send(200, {"decision": decision.model_dump(mode="json"),
                                 "explanation": explain_decision(decision)})
                return
            if isinstance(body, list):
                if len(body) > MAX_BATCH:
                    self._send(413, {"error": f"at most {MAX_BATCH} issues per request"})
                    return
                self._send(200, [d.model_dump(mode="json") for d in route(body)])
                return
            (decision,) = route([body])
            self._send(200, decision.model_dump(mode="json"))

        def log_message(self, format: str, *args: Any) -> None:  # quieter than the default
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8345)
    parser.add_argument("--engine", choices=("compiled", "durable"), default="compiled")
    args = parser.parse_args()
    router = Router.default(engine=args.engine)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(router))
    print(f"powerlist routing on http://{args.host}:{args.port} (rules {router.rules_version}); Ctrl-C stops")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
