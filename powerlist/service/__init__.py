"""The platform as a service — 平台服务: Open311 GeoReport v2, the back-end API, the pages.

An ASGI app (Starlette, served by uvicorn: `powerlist serve`) over the library: the router
routes, the escalator keeps cases, scoring ranks, the audit audits; this package parses,
checks permissions, calls them and formats. Imports everything drawn above it in DESIGN.md.
"""

from .app import create_app
from .context import Service, ServiceConfig
from .keys import KeyRing, Principal, Role

__all__ = ["KeyRing", "Principal", "Role", "Service", "ServiceConfig", "create_app"]
