"""`powerlist route` and `powerlist audit --what-if --history` on a real Dask cluster: the same bytes
as one process, in input order, in every format; a worker that dies and a scheduler that is not
there are clear errors that leave nothing written.

Clusters are local (127.0.0.1, two worker processes, one thread each), closed after each use;
each test is bounded by an alarm. Parts are kept small (--part-rows) so that every file is cut
into many parts and ids are used again across parts.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask
import distributed
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from powerlist.cli import app
from powerlist.cli import audit as audit_cli
from powerlist.cli import route as route_cli

runner = CliRunner()
DATA = Path(__file__).resolve().parent / "data" / "audit"
SECONDS = 240  # per test: a cluster that hangs fails the test instead of the run


@pytest.fixture(autouse=True)
def _bounded() -> Iterator[None]:
    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError(f"a Dask test ran over {SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def _commands() -> None:
    if not any(c.name == "route" for c in app.registered_commands):
        route_cli.register(app)
    if not any(c.name == "audit" for c in app.registered_commands):
        audit_cli.register(app)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0", silence_logs=50) as cluster:
        yield cluster.scheduler_address


def _issues(n: int) -> list[str]:
    """Issue lines over the shipped catalogs with every kind of trouble: rejections, ids used
    again far apart, blank and broken lines, text a JSON or CSV writer must escape."""
    out = []
    categories = ["RX0302", "BJ0104", "SJ0506", "SJ0101", "NOPE"]
    places = ["420202001001", "420202002001", "420203001001", "420202001", "nowhere"]
    for i in range(n):
        item: dict[str, Any] = {
            "id": f"D{i % (n - 7)}" if i % 11 else f"D-{i}",
            "received_at": ["2026-11-23T09:12:00", "2026/11/24 9:05", "2027-03-01T10:00", "45843"][i % 4],
            "category": categories[i % 5 if i % 13 else 4],
            "location": places[(i // 5) % 5 if i % 17 else 4],
            "request_kind": ["投诉", "help", None][i % 3],
            "description": ["漏水\u2028楼上", "=HYPERLINK(\"x\")", 'say "hi"\n二行', None][i % 4],
            "emergency": i % 19 == 0,
        }
        if i % 23 == 0:
            del item["id"]
        out.append(json.dumps({k: v for k, v in item.items() if v is not None}, ensure_ascii=False))
        if i % 29 == 0:
            out.extend(["", "{not json", "[1]"])
    return out


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("dask-files")
    lines = _issues(160)
    jsonl = root / "issues.jsonl"
    jsonl.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    rows = [json.loads(line) for line in lines if line.startswith("{") and line.endswith("}")]
    fields = ["id", "received_at", "category", "location", "request_kind", "description", "emergency"]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["编号", "受理时间", "问题分类", "发生地点", "诉求类型", "问题描述", "是否紧急"])
    for row in rows:
        writer.writerow(["是" if row.get(f) is True else "" if row.get(f) in (None, False) else row.get(f)
                         for f in fields])
        if row["category"] == "NOPE":
            writer.writerow([])
    csv_path = root / "issues.csv"
    csv_path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = root / "issues.parquet"
    pq.write_table(pa.table({f: [r.get(f) for r in rows] for f in fields}), parquet, row_group_size=37)
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(fields)
    for row in rows[:60] + rows[5:8]:  # ids used again
        sheet.append([row.get(f) for f in fields])
    xlsx = root / "issues.xlsx"
    book.save(xlsx)
    return {"jsonl": jsonl, "csv": csv_path, "parquet": parquet, "xlsx": xlsx}


def _run(args: list[str]) -> Any:
    result = runner.invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet", "xlsx"])
def test_route_on_a_cluster_writes_the_one_process_bytes(scheduler: str, files: dict[str, Path], tmp_path: Path,
                                                         kind: str) -> None:
    source = files[kind]
    for output in ("jsonl", "csv"):
        one = tmp_path / f"one.{output}"
        many = tmp_path / f"many.{output}"
        first = _run(["route", str(source), "--format", output, "--out", str(one)])
        second = _run(["route", str(source), "--format", output, "--out", str(many), "--scheduler", scheduler,
                       "--part-rows", "9"])
        assert (first.exit_code, first.stderr) == (second.exit_code, second.stderr)
        assert first.exit_code == 1  # the files hold rejections
        assert one.read_bytes() == many.read_bytes()
        assert one.stat().st_mode == many.stat().st_mode
    # stdout too
    first = _run(["route", str(source)])
    second = _run(["route", str(source), "--scheduler", scheduler, "--part-rows", "5"])
    assert first.stdout_bytes == second.stdout_bytes and first.stdout_bytes
    decisions = [json.loads(line) for line in first.stdout_bytes.decode("utf-8").splitlines()]
    assert any(d["status"] == "rejected" and any(e["code"] == "duplicate-id" for e in d["errors"])
               for d in decisions)


def test_route_on_a_cluster_xlsx_and_table(scheduler: str, files: dict[str, Path], tmp_path: Path) -> None:
    one, many = tmp_path / "one.xlsx", tmp_path / "many.xlsx"
    _run(["route", str(files["jsonl"]), "--format", "xlsx", "--out", str(one)])
    _run(["route", str(files["jsonl"]), "--format", "xlsx", "--out", str(many), "--scheduler", scheduler,
          "--part-rows", "13"])

    def cells(path: Path) -> list[tuple[Any, ...]]:
        return list(load_workbook(path, read_only=True)["派单结果"].iter_rows(values_only=True))

    assert cells(one) == cells(many) and len(cells(one)) > 100
    first = _run(["route", str(files["csv"]), "--format", "table", "--out", str(tmp_path / "t1.jsonl")])
    second = _run(["route", str(files["csv"]), "--format", "table", "--out", str(tmp_path / "t2.jsonl"),
                   "--scheduler", scheduler, "--part-rows", "6"])
    assert first.stdout == second.stdout
    assert (tmp_path / "t1.jsonl").read_bytes() == (tmp_path / "t2.jsonl").read_bytes()


def test_workers_start_a_local_cluster_and_close_it(files: dict[str, Path], tmp_path: Path) -> None:
    one, many = tmp_path / "one.jsonl", tmp_path / "many.jsonl"
    _run(["route", str(files["jsonl"]), "--out", str(one)])
    before = {p.pid for p in multiprocessing.active_children()}
    result = _run(["route", str(files["jsonl"]), "--out", str(many), "--workers", "2", "--part-rows", "20"])
    assert result.exit_code == 1
    assert one.read_bytes() == many.read_bytes()
    assert {p.pid for p in multiprocessing.active_children()} <= before  # its workers are gone


def test_audit_what_if_on_a_cluster_equals_one_process(scheduler: str, tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    lines = _issues(120)
    lines += [json.dumps({"id": f"W{n}", "received_at": f"2026-0{1 + n % 6}-05T09:00:00", "category": "SJ0101",
                          "location": ["420202001", "420205001"][n % 2]}) for n in range(40)]
    history.write_text("\n".join(lines) + "\n", encoding="utf-8")
    book = load_workbook(DATA / "base.xlsx")
    sheet = book["街道承接"]
    for row in sheet.iter_rows(min_row=3):
        if row[1].value in ("CG-02-004", "CG-02-011"):
            row[7].value = "保留区级"
    proposed = tmp_path / "proposed.xlsx"
    book.save(proposed)
    for extra in ([], [str(DATA / "base.xlsx")]):
        args = ["audit", *extra, "--what-if", str(proposed), "--history", str(history), "--json"]
        first = _run(args)
        second = _run([*args, "--scheduler", scheduler, "--part-rows", "11"])
        assert first.exit_code == second.exit_code
        one, many = json.loads(first.stdout), json.loads(second.stdout)
        assert one == many
        assert one["what_if"]["issues"] == len([line for line in lines if line.strip()])
        assert one["what_if"]["rejected"]["before"] > 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_scheduler_is_a_clear_error(files: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = _run(["route", str(files["jsonl"]), "--out", str(target), "--scheduler",
                       f"tcp://127.0.0.1:{_free_port()}"])
    assert result.exit_code == 1
    assert "无法连接 Dask 调度器" in result.stderr and "cannot reach the Dask scheduler" in result.stderr
    assert "Traceback" not in result.stderr
    assert not target.exists() and not list(tmp_path.iterdir())


def _killer() -> Any:
    """A worker plugin that ends its worker's process the moment a routing part starts there
    (defined here, so that cloudpickle sends it by value)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class KillOnPart(WorkerPlugin):
        def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
            if finish == "executing" and "_work" in str(key):
                os._exit(1)

    return KillOnPart()


def test_a_worker_that_dies_is_a_clear_error_and_nothing_is_written(files: dict[str, Path],
                                                                    tmp_path: Path) -> None:
    target = tmp_path / "decisions.jsonl"
    target.write_text("yesterday's decisions\n", encoding="utf-8")
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0",
            silence_logs=50) as cluster, distributed.Client(cluster) as client:
        client.register_plugin(_killer())
        result = _run(["route", str(files["jsonl"]), "--out", str(target), "--scheduler",
                       cluster.scheduler_address, "--part-rows", "40"])
        stdout = _run(["route", str(files["jsonl"]), "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 1
    assert "Dask 工作进程" in result.stderr and "died" in result.stderr and "lines " in result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_text(encoding="utf-8") == "yesterday's decisions\n"
    assert [p.name for p in tmp_path.iterdir()] == ["decisions.jsonl"]  # no temporary file left
    assert stdout.exit_code == 1 and stdout.stdout == ""


def _blind() -> Any:
    """A worker plugin after which its worker says it cannot see any file a part names, as a
    remote worker without the driver's disk says (defined here, so that cloudpickle sends it by
    value)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class Blind(WorkerPlugin):
        def setup(self, worker: Any) -> None:
            from powerlist.routing import part_sources

            part_sources.visible = lambda path, stamp: False  # type: ignore[assignment]

    return Blind()


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_workers_that_cannot_see_the_file_are_sent_its_bytes(files: dict[str, Path], tmp_path: Path,
                                                             kind: str) -> None:
    one, many = tmp_path / "one.jsonl", tmp_path / "many.jsonl"
    _run(["route", str(files[kind]), "--out", str(one)])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0", silence_logs=50) as cluster, \
            distributed.Client(cluster) as client:
        client.register_plugin(_blind())
        from powerlist.routing.part_sources import visible

        assert not any(client.run(visible, str(files[kind]), (0, 0)).values())
        _run(["route", str(files[kind]), "--out", str(many), "--scheduler", cluster.scheduler_address,
              "--part-rows", "7"])
    assert one.read_bytes() == many.read_bytes()


def test_a_file_that_is_not_utf8_is_the_one_process_error(scheduler: str, tmp_path: Path) -> None:
    path = tmp_path / "issues.jsonl"
    lines = [line.encode("utf-8") for line in _issues(60)]
    lines[50] += b"\xe6"  # not UTF-8, in a late part
    path.write_bytes(b"\n".join(lines) + b"\n")
    target = tmp_path / "out.jsonl"
    first = _run(["route", str(path), "--out", str(target)])
    second = _run(["route", str(path), "--out", str(target), "--scheduler", scheduler, "--part-rows", "5"])
    assert (first.exit_code, first.stderr) == (second.exit_code, second.stderr)
    assert "not utf-8 at line" in first.stderr and "Traceback" not in second.stderr
    assert not target.exists() and [p.name for p in tmp_path.iterdir()] == ["issues.jsonl"]


def test_usage_errors(files: dict[str, Path]) -> None:
    both = _run(["route", str(files["jsonl"]), "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert both.exit_code == 2
    assert _run(["route", str(files["jsonl"]), "--workers", "0"]).exit_code == 2
    assert _run(["audit", str(DATA / "base.xlsx"), "--workers", "2"]).exit_code == 2


def test_long_runs_show_a_progress_bar_with_the_time_left(scheduler: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    path = tmp_path / "long.jsonl"
    path.write_text("\n".join(_issues(route_cli.PROGRESS_FROM + 50)) + "\n", encoding="utf-8")
    for extra in ([], ["--scheduler", scheduler, "--part-rows", "100"]):
        screen = io.StringIO()
        monkeypatch.setattr(route_cli, "err", Console(file=screen, force_terminal=True, width=160))
        result = _run(["route", str(path), "--out", str(tmp_path / "out.jsonl"), *extra])
        assert result.exit_code == 1
        shown = screen.getvalue()
        assert "派单 routing" in shown and "剩余 ETA" in shown, extra
