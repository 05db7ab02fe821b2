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
from ._help import Command


def register(app: typer.Typer) -> None:
    app.command("serve", cls=Command)(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址 (address to listen on)")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="监听端口 (port to listen on)")] = 8311,
    db: Annotated[str, typer.Option("--db", help="案件库：SQLite 文件或 postgresql:// 网址 "
                                    "(case store: a SQLite file, or a postgresql:// URL)")] = "cases.db",
    keys: Annotated[Path | None, typer.Option(
        "--keys", help="密钥文件 keys.csv（key,role,unit）；不给时只开放公开页面和 Open311 查询 "
        "(without it only public pages and Open311 reads are open)")]
    = None,
    catalogs: Annotated[Path | None, typer.Option("--catalogs", help="目录工作簿文件夹，默认用随附目录 "
                                                  "(catalog workbooks directory; default: shipped)")] = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="规则文件夹，默认用随附的 rules/ "
                                               "(rules directory; default: the shipped rules/)")] = None,
    tick_seconds: Annotated[float, typer.Option("--tick-seconds", help="每 N 秒执行一次督办升级检查，0 为不执行 "
                                                "(run the escalation tick every N seconds; 0: never)")] = 60.0,
    body_timeout: Annotated[float, typer.Option(
        "--body-timeout", help="客户端发送请求体各部分之间最多等待的秒数，超时答 408 "
        "(seconds a client may take between parts of its body before it is answered 408)")] = 15.0,
    max_body: Annotated[int, typer.Option("--max-body", help="请求体最大字节数（上传到 /api/audit 为 20 MB） "
                                          "(largest request body in bytes; uploads to /api/audit: 20 MB)")]
    = 1_000_000,
    access_log: Annotated[bool, typer.Option(
        "--access-log/--no-access-log", help="每个请求记一行日志（方法、路径、状态、耗时，从不记密钥） "
        "(one line per request; never a key)")] = True,
) -> None:
    """启动服务 serve：Open311 /open311/v2、后台 /api、前台 /、晒单 /ranking、管理端 /manage (serve the platform:
    Open311, the back end, the pages)."""
    if not 0 < port < 65536:
        fail("选项 --port 应在 1–65535 之间 (--port is 1–65535)", EXIT_USAGE)
    if tick_seconds < 0:
        fail("选项 --tick-seconds 应为 0 或更大 (--tick-seconds is 0 or more)", EXIT_USAGE)
    if body_timeout <= 0 or max_body < 1:
        fail("选项 --body-timeout 和 --max-body 须为正数 (--body-timeout and --max-body must be positive)", EXIT_USAGE)
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
        err.print("注意 note：未给 --keys，后台 /api、管理端 /manage 和 Open311 提交均关闭（403） "
                  "(no --keys: the back end and Open311 POST are closed)",
                  highlight=False, markup=False)
    for row in service.keys.weak_rows:
        err.print(f"注意 note：keys.csv 第 {row} 行的密钥太短、容易猜到，请用 16 个以上的随机字符 "
                  f"(keys.csv row {row}: the key is short and guessable; use 16 or more random characters)",
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
