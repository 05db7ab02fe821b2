"""Signing in to the management pages — 登录: a key becomes a server-side session.

The key typed into the sign-in form is looked up once (`KeyRing.lookup`, constant time); the
browser then holds only a random session id (HttpOnly, SameSite=Strict cookie), never the key.
Each session has its own CSRF token, which every management form carries and every POST checks
(`hmac.compare_digest`). Sessions live in memory: a restart signs everyone out. At most
MAX_SESSIONS are kept, the oldest dropped first, and each lasts LIFETIME.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

from .keys import Principal

COOKIE = "powerlist_session"
LIFETIME = 8 * 3600.0
MAX_SESSIONS = 10_000


@dataclass(frozen=True)
class Session:
    principal: Principal
    csrf: str
    expires: float


class Sessions:
    def __init__(self, lifetime: float = LIFETIME, limit: int = MAX_SESSIONS) -> None:
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self.lifetime = lifetime
        self.limit = limit

    def create(self, principal: Principal) -> tuple[str, Session]:
        sid = secrets.token_urlsafe(32)
        session = Session(principal, secrets.token_urlsafe(24), time.monotonic() + self.lifetime)
        self._sessions[sid] = session
        while len(self._sessions) > self.limit:
            self._sessions.popitem(last=False)
        return sid, session

    def get(self, sid: str | None) -> Session | None:
        if not sid or len(sid) > 100:
            return None
        session = self._sessions.get(sid)
        if session is None:
            return None
        if session.expires < time.monotonic():
            self._sessions.pop(sid, None)
            return None
        return session

    def drop(self, sid: str | None) -> None:
        if sid:
            self._sessions.pop(sid, None)

    @staticmethod
    def csrf_ok(session: Session, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(session.csrf.encode(), (given or "").encode())


__all__ = ["COOKIE", "Session", "Sessions"]
