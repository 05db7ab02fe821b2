"""`powerlist serve` — the platform as a service: Open311 GeoReport v2, the back end, the pages.

Loads the catalogs, rules and keys first (a bad file is a located report and exit 1, before
anything listens), then serves with uvicorn until Ctrl-C. Keys are never printed or logged;
the access log names method, path and status only.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from ._common import EXIT_USAGE, err, fail, out, user_errors


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="port to listen on")] = 8311,
    db: Annotated[str, typer.Option("--db", help="case store: a SQLite file, or a postgresql:// URL")] = "cases.db",
    keys: Annotated[Path | None, typer.Option("--keys", help="keys.csv (key,role,unit); without it only public "
                                              "pages and Open311 reads are open")] = None,
    catalogs: Annotated[Path | None, typer.Option("--catalogs", help="catalog workbooks directory (default: shipped)")]
    = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="rules directory (default: the shipped rules/)")] = None,
    tick_seconds: Annotated[float, typer.Option("--tick-seconds", help="run the escalation tick every N seconds "
                                                "(0: never)")] = 60.0,
    body_timeout: Annotated[float, typer.Option("--body-timeout", help="seconds a client may take between parts of "
                                                "its body before it is answered 408")] = 15.0,
    max_body: Annotated[int, typer.Option("--max-body", help="largest request body in bytes (uploads to /api/audit: "
                                          "20 MB)")] = 1_000_000,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="one line per request (method, "
                                             "path, status, time; never a key)")] = True,
) -> None:
    """启动服务 serve: Open311 /open311/v2, 后台 /api, 前台 /, 晒单 /ranking, 管理端 /manage."""
    if not 0 < port < 65536:
        fail("--port is 1–65535", EXIT_USAGE)
    if tick_seconds < 0:
        fail("--tick-seconds is 0 or more", EXIT_USAGE)
    if body_timeout <= 0 or max_body < 1:
        fail("--body-timeout and --max-body must be positive", EXIT_USAGE)
    import uvicorn

    from ..service import Service, ServiceConfig, create_app

    with user_errors():
        service = Service(ServiceConfig(db=db, keys=keys, catalogs=catalogs, rules=rules, tick_seconds=tick_seconds,
                                        body_timeout=body_timeout, max_body=max_body, preload_matcher=True))
        # Opening the store now turns a bad --db into a located report before anything listens.
        from ..cases.stores import open_store

        if db != ":memory:":
            open_store(db).close()
    if keys is None:
        err.print("注意 note: no --keys: the back end (/api, /manage) and Open311 POST are closed (403)",
                  highlight=False, markup=False)
    for row in service.keys.weak_rows:
        err.print(f"注意 note: keys.csv row {row}: the key is short and guessable; use 16 or more random characters",
                  highlight=False, markup=False)
    logging.basicConfig(
            level=logging.INFO if access_log else logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    out.print(f"powerlist 服务 http://{host}:{port}/ · Open311 /open311/v2/discovery.xml · 后台 /api · 管理端 /manage "
              f"· 案件库 {db if '://' not in db else db.split('://', 1)[0] + '://…'} "
              f"· 规则 {service.router.rules_version}",
              highlight=False, markup=False)
    uvicorn.run(create_app(service=service), host=host, port=port, access_log=False, log_level="warning",
                timeout_keep_alive=5,
                        timeout_graceful_shutdown=5, limit_concurrency=1000, h11_max_incomplete_event_size=65536)
