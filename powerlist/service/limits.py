"""Bounds on what a client can make the server do — 限流与防护: an ASGI middleware.

- A body over the limit is refused with 413 before it is read when Content-Length says so,
  and as soon as the limit is passed otherwise (chunked bodies); an unreadable Content-Length
  is 400. Uploads to `/api/audit` have their own, larger limit.
- A client that sends its body too slowly (no part of it within `body_timeout` seconds) is
  answered 408 and the connection is freed; slow headers are the ASGI server's to bound.
- Every answer carries headers that keep pages from being framed, sniffed or sent elsewhere
  (X-Frame-Options, X-Content-Type-Options, Referrer-Policy, a Content-Security-Policy).
- One access line per request on the `powerlist.service.access` logger: method, path, status
  and time — never the query string or a header, so keys (`api_key=…`) are never logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("powerlist.service.access")
UPLOAD_PATHS = ("/api/audit",)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy",
     b"default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; script-src 'none'; "
     b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
]


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


def _error(path: str, status: int, description: str) -> tuple[bytes, bytes]:
    listed = [{"code": status, "description": description}]
    if path.endswith(".xml"):
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<errors><error><code>' + str(status) + "</code><description>"
                + description.replace("&", "&amp;").replace("<", "&lt;") + "</description></error></errors>")
        return body.encode("utf-8"), b"text/xml; charset=utf-8"
    return json.dumps(listed, ensure_ascii=False).encode("utf-8"), b"application/json; charset=utf-8"


class BodyLimit:
    """The middleware (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int, body_timeout: float) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = self.max_upload if path.startswith(UPLOAD_PATHS) else self.max_body
        started = time.perf_counter()
        status_seen: list[int] = []

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_seen.append(int(message["status"]))
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        try:
            declared = self._declared(scope)
        except ValueError:
            await self._refuse(
                    send_secure, path, 400, "Content-Length 无效 (the Content-Length header is not a number)")
            self._log(scope, status_seen, started)
            return
        if declared is not None and declared > limit:
            await self._refuse(
                    send_secure, path, 413, f"请求体过大：至多 {limit} 字节 (the body is over {limit} bytes)")
            self._log(scope, status_seen, started)
            return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            try:
                async with asyncio.timeout(self.body_timeout):  # no task per message, unlike wait_for
                    message = await receive()
            except TimeoutError:
                raise _TooSlow from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, bounded_receive, send_secure)
        except _TooLarge:
            if not status_seen:
                await self._refuse(
                        send_secure, path, 413, f"请求体过大：至多 {limit} 字节 (the body is over {limit} bytes)")
        except _TooSlow:
            if not status_seen:
                await self._refuse(send_secure, path, 408, "请求体发送过慢，连接已关闭 (the body came too slowly)")
        self._log(scope, status_seen, started)

    @staticmethod
    def _declared(scope: Scope) -> int | None:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                text = value.decode("latin-1").strip()
                if not text.isdigit():
                    raise ValueError(text)
                return int(text)
        return None

    @staticmethod
    async def _refuse(send: Send, path: str, status: int, description: str) -> None:
        body, kind = _error(path, status, description)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _log(scope: Scope, status: list[int], started: float) -> None:
        if access_log.isEnabledFor(logging.INFO):
            path = scope.get("path", "").encode("unicode_escape").decode("ascii")[:200]
            access_log.info("%s %s %s %.1fms", scope.get("method"), path, status[0] if status else "-",
                            (time.perf_counter() - started) * 1000)


__all__ = ["BodyLimit", "SECURITY_HEADERS"]
