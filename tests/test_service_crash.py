"""kill -9 of `powerlist serve` under load, then a restart on the same store: every request that
got a service_request_id is in the store, none twice, and a client that retries with its token
gets the id it was given (or, if the answer was lost, exactly one request)."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
from pathlib import Path

import httpx
from service_support import KEYS, free_port, start_server, stop_server

from powerlist.cases.sqlite import SQLiteCaseStore

CLIENTS = 8
KILL_AFTER = 60  # accepted requests before the kill


def _post(base: str, token: str) -> str | None:
    try:
        answer = httpx.post(f"{base}/open311/v2/requests.json", timeout=30, data={
            "api_key": KEYS["resident"], "service_code": "BJ0101", "address_id": "420202001001",
            "description": f"井盖丢失 {token}", "client_token": token})
    except httpx.HTTPError:
        return None
    if answer.status_code != 200:
        return None
    request_id: str = answer.json()[0]["service_request_id"]
    return request_id


def test_kill_9_under_load_loses_and_doubles_nothing(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_server(tmp_path, port, "--tick-seconds", "0")
    acknowledged: dict[str, str] = {}
    tried: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    stop = threading.Event()

    def client(n: int) -> None:
        for i in range(10_000):
            if stop.is_set():
                return
            token = f"c{n}-{i}"
            with lock:
                tried.append(token)
            got = _post(base, token)
            if got is None:
                if stop.is_set() or process.poll() is not None:
                    return
                continue
            with lock:
                acknowledged[token] = got
                if len(acknowledged) >= KILL_AFTER:
                    enough.set()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    assert enough.wait(300), "the load never reached the kill point"
    os.kill(process.pid, signal.SIGKILL)  # mid-load: requests are in flight
    process.wait()
    stop.set()
    for t in threads:
        t.join(60)
    assert len(acknowledged) >= KILL_AFTER

    restarted = start_server(tmp_path, port, "--tick-seconds", "0")
    try:
        # every acknowledged id is there; a retry with the same token gets the same id
        for token, request_id in acknowledged.items():
            assert _post(base, token) == request_id, token
        # a request whose answer was lost is retried and ends up exactly once
        lost = [t for t in tried if t not in acknowledged]
        for token in lost:
            assert _post(base, token) is not None
    finally:
        stop_server(restarted)

    store = SQLiteCaseStore(tmp_path / "cases.db")
    try:
        ids = {record.case_id for record in store.iter_cases()}
    finally:
        store.close()
    assert set(acknowledged.values()) <= ids
    with sqlite3.connect(tmp_path / "cases.open311.db") as log:
        rows = log.execute("SELECT client_token, service_request_id FROM requests").fetchall()
    tokens = [t for t, _ in rows]
    assert len(tokens) == len(set(tokens)) == len(set(tried))  # one request per token, none lost, none twice
    assert {sid for _, sid in rows} == ids  # every logged request has its case, and no case is unlogged
