"""Shared helpers for the service tests: keys, a settable clock, an app, a real server.

Not a test module (no test_ prefix); the service test files import it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # Starlette asks for httpx2 in its test client; httpx is what is installed and works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from powerlist.routing.issue import SHANGHAI
from powerlist.service import ServiceConfig, create_app

ROOT = Path(__file__).resolve().parent.parent

# One key per role and unit the tests need; units are shipped catalog codes.
KEYS = {
    "resident": "resident-key-0001-aaaaaaaa",
    "resident2": "resident-key-0002-bbbbbbbb",
    "community": "community-key-420202001001",
    "street": "street-key-420202001-cccccc",
    "street2": "street-key-420202002-dddddd",
    "dept_zj": "dept-key-420202-ZJ-eeeeeeee",
    "dept_xf": "dept-key-420202-XF-ffffffff",
    "dept_jt": "dept-key-420202-JT-gggggggg",
    "supervision": "supervision-key-hhhhhhhhhh",
    "admin": "admin-key-iiiiiiiiiiiiiiii",
}
KEY_ROWS = [
    (KEYS["resident"], "resident", ""),
    (KEYS["resident2"], "resident", ""),
    (KEYS["community"], "community", "420202001001"),
    (KEYS["street"], "street", "420202001"),
    (KEYS["street2"], "street", "420202002"),
    (KEYS["dept_zj"], "department", "420202-ZJ"),
    (KEYS["dept_xf"], "department", "420202-XF"),
    (KEYS["dept_jt"], "department", "420202-JT"),
    (KEYS["supervision"], "supervision", "420200-supervision"),
    (KEYS["admin"], "admin", ""),
]
START = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)  # a Tuesday, a working day


def write_keys(folder: Path) -> Path:
    path = folder / "keys.csv"
    path.write_text("key,role,unit\n" + "".join(f"{k},{r},{u}\n" for k, r, u in KEY_ROWS), encoding="utf-8")
    return path


@dataclass
class Clock:
    """A clock the tests move by hand: the service reads it for every submission and tick."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


def headers(role: str) -> dict[str, str]:
    return {"X-API-Key": KEYS[role]}


@contextlib.contextmanager
def service_client(folder: Path, clock: Clock | None = None, **options: Any) -> Iterator[TestClient]:
    """A TestClient over the app with a SQLite store in `folder` (the lifespan runs)."""
    config = ServiceConfig(db=str(folder / "cases.db"), keys=write_keys(folder), clock=clock or Clock(),
                           tick_seconds=options.pop("tick_seconds", 0), **options)
    with TestClient(create_app(config)) as client:
        yield client


def post_request(client: TestClient, role: str = "resident", fmt: str = "json", **fields: Any) -> Any:
    data = {"api_key": KEYS[role], "service_code": "BJ0101", "address_id": "420202001001",
            "description": "小区门口井盖丢了，晚上很危险", **fields}
    return client.post(f"/open311/v2/requests.{fmt}", data={k: v for k, v in data.items() if v is not None})


def new_request(client: TestClient, role: str = "resident", **fields: Any) -> str:
    answer = post_request(client, role, **fields)
    assert answer.status_code == 200, answer.text
    request_id: str = answer.json()[0]["service_request_id"]
    return request_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def start_server(folder: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    """`powerlist serve` in a child process on 127.0.0.1:`port`, waited on until it answers."""
    keys = folder / "keys.csv"
    if not keys.exists():
        write_keys(folder)
    process = subprocess.Popen(
        [sys.executable,
                "-c", "from powerlist.cli import main; main()", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--db", str(folder / "cases.db"), "--keys", str(keys), "--no-access-log", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=server_env(), cwd=folder,
    )
    wait_until_up(port, process)
    return process


def wait_until_up(port: int, process: subprocess.Popen[bytes], limit: float = 120.0) -> None:
    import httpx

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("the server did not come up")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
