"""The running service's shared parts — 服务上下文: configuration, keys, the desk, the clock.

`ServiceConfig` is what `powerlist serve` (or a test) chooses; `Service` is built from it once
and kept on `app.state.service` for every handler. The catalog and rules are immutable values
and are read on the event loop; everything that touches the case store, the request log or the
router runs on the desk thread (`desk`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.requests import Request

from ..cases.escalator import Escalator
from ..cases.stores import open_store
from ..catalog.catalog import Catalog
from ..catalog.loader import load_catalogs
from ..routing.issue import SHANGHAI
from ..routing.router import Router
from ..routing.tables import RuleSet
from .desk import Desk, Workspace
from .keys import KeyRing, Principal
from .request_log import RequestLog, log_path

API_KEY_HEADER = "x-api-key"


def shanghai_now() -> datetime:
    return datetime.now(SHANGHAI)


@dataclass(frozen=True)
class ServiceConfig:
    """How the service runs. `clock` is read for every submission, event and tick; tests give a
    fixed one. `tick_seconds` = 0 turns the in-service tick off."""

    db: str = "cases.db"
    keys: Path | None = None
    catalogs: Path | None = None
    rules: Path | None = None
    tick_seconds: float = 60.0
    max_body: int = 1_000_000
    max_upload: int = 20_000_000
    body_timeout: float = 15.0
    clock: Callable[[], datetime] = shanghai_now
    public_url: str | None = None
    preload_matcher: bool = False  # load the intake matcher at start (~2 s) instead of at the first match
    extras: dict[str, Any] = field(default_factory=dict)


class Service:
    """Everything handlers share. Built by `create_app`; `start()` opens the desk."""

    def __init__(self, config: ServiceConfig, catalog: Catalog | None = None, rules: RuleSet | None = None,
                 keys: KeyRing | None = None) -> None:
        self.config = config
        self.catalog = catalog if catalog is not None else load_catalogs(config.catalogs)
        self.rules = rules if rules is not None else RuleSet.load(config.rules)
        self.keys = keys if keys is not None else (
                KeyRing.load(config.keys, self.catalog) if config.keys else KeyRing())
        self.router = Router(self.catalog, self.rules)  # used on the desk thread only
        self.calendar = self.router.calendar
        self.desk = Desk(self._workspace)
        self.started_at: datetime | None = None
        self.orphans_reopened = 0
        self.parents = {c.parent for c in self.catalog.categories.values() if c.parent}

    def _workspace(self) -> Workspace:
        store = open_store(self.config.db)
        log = RequestLog(log_path(self.config.db))
        escalator = Escalator(store, self.router, self.rules, catalog=self.catalog)
        return Workspace(store, log, escalator, self.router, self.catalog, dict(self.config.extras))

    def start(self) -> None:
        from .submission import reopen_orphans

        self.desk.start()
        self.orphans_reopened = self.desk.submit(reopen_orphans, solo=True).result()
        if self.config.preload_matcher:
            from .submission import matcher

            self.desk.submit(matcher, solo=True).result()
        self.started_at = self.now()

    def stop(self) -> None:
        self.desk.stop()

    def now(self) -> datetime:
        moment = self.config.clock()
        return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)

    def principal(self, request: Request, form_key: str | None = None) -> Principal | None:
        """The key of a request: the form's or query's `api_key`, the X-API-Key header, or
        `Authorization: Bearer …` — whichever is given first, in that order."""
        key = form_key or request.query_params.get("api_key") or request.headers.get(API_KEY_HEADER)
        if not key:
            auth = request.headers.get("authorization", "")
            scheme, _, value = auth.partition(" ")
            if scheme.lower() == "bearer":
                key = value.strip()
        return self.keys.lookup(key)


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


__all__ = ["API_KEY_HEADER", "Service", "ServiceConfig", "service_of", "shanghai_now"]
