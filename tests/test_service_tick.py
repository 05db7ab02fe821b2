"""The tick inside the service: it runs on its schedule with the service's clock, acts through the
escalator (reminders, escalations, supervision), and stays idempotent with `powerlist cases tick`
on the same store, whichever runs first."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from service_support import ROOT, Clock, headers, new_request, server_env, service_client


def _cli_tick(db: Path, now: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-c", "from powerlist.cli import main; main()", "cases", "tick", "--now", now, "--db", str(db),
         "--json"], capture_output=True, text=True, env=server_env(), cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    actions: list[dict[str, Any]] = json.loads(done.stdout)["actions"]
    return actions


def _history(client: Any, case_id: str) -> list[dict[str, Any]]:
    history: list[
            dict[str, Any]] = client.get(f"/api/cases/{case_id}", headers=headers("admin")).json()["case"]["history"]
    return history


def test_scheduled_tick_acts_with_the_service_clock(tmp_path: Path) -> None:
    clock = Clock()
    with service_client(tmp_path, clock, tick_seconds=0.05) as client:
        case_id = new_request(client, service_code="BJ0302")
        scheduler = client.app.state.scheduler  # type: ignore[attr-defined]
        clock.advance(days=3)  # past the 30-minute response deadline
        seen = scheduler.ticks
        deadline = time.monotonic() + 60
        while scheduler.ticks < seen + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert scheduler.ticks >= seen + 2, "the scheduler did not tick"
        events = _history(client, case_id)
        ticked = [e for e in events if e["rule"]]
        assert ticked and ticked[0]["event"] == "remind" and ticked[0]["actor"] == "420200-supervision"
        assert client.get("/health").json()["tick_error"] is None


def test_service_and_cli_ticks_never_act_twice(tmp_path: Path) -> None:
    clock = Clock()
    with service_client(tmp_path, clock) as client:
        case_id = new_request(client, service_code="BJ0302")
        scheduler = client.app.state.scheduler  # type: ignore[attr-defined]
        clock.advance(hours=2)
        first = client.portal.call(scheduler.run_once)  # type: ignore[union-attr]
        assert [a.action for a in first] == ["remind"]
        assert _cli_tick(tmp_path / "cases.db", clock.now.isoformat()) == []
        assert client.portal.call(scheduler.run_once) == []  # type: ignore[union-attr]
        clock.advance(days=10)
        by_cli = _cli_tick(tmp_path / "cases.db", clock.now.isoformat())
        assert by_cli and by_cli[0]["case_id"] == case_id
        assert client.portal.call(scheduler.run_once) == []  # type: ignore[union-attr]
        events = _history(client, case_id)
        keys = [(e["event"], e["rule"], e["at"]) for e in events if e["rule"]]
        assert len(keys) == len(set(keys)) == len(first) + len(by_cli)
