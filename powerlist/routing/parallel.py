"""Parts of an issue file on a Dask cluster — 分布式批量派单, in file order, as one process would.

    with cluster(workers=2) as client:                         # or cluster(scheduler="tcp://…")
        total, parts = partitions.split("issues.jsonl")
        for part, routed in run(client, parts, route_part, RouterSpec.of(router, "jsonl")):
            out.write(routed.patched())                        # the parts' results, in order

Dask (`distributed`) is the engine; this module only sends the parts (`partitions`) and puts
the results back in order. `cluster` starts a local cluster on 127.0.0.1 (N worker processes,
one thread each: routing is pure Python) or connects to a running scheduler, and always closes
what it opened. `run` sends each part with the task (`task(part, context)`, a module-level
function) and its context, scattered once to every worker (a task keeps what it builds of it —
a router — in its worker process, for the next parts); at most a few parts per worker are in
flight, and results come back in file order whatever order the workers finish in. A part
names a byte range of the file, which every worker reads itself when it sees the file as the
splitter saw it (`partitions.visible`: always, on a local cluster); otherwise it is sent the
part's bytes.

Ids used twice across parts: a worker checks its own part and returns the ids its records use
with their rows (`partitions.Uses`, a few columns); `run`, reading the parts in order, knows
every id of the parts before (`FirstUse`), and has a part whose records use one again make
itself what it would have been (`PartResult.with_earlier`): those few records are duplicates,
decided again where the results meet, exactly as `read_issues` rejects them. Every part is
routed once, however its ids repeat across the file.

Failures: a worker that dies (killed, out of memory) has its part retried on another worker as
Dask does (`distributed.scheduler.allowed-failures`); when a part keeps killing workers, or the
scheduler goes away, `run` raises `ClusterError` naming the part and its lines, and a caller that
wrote to a temporary file (as `powerlist route` does) leaves nothing behind: the run can be
started again. A part whose file cannot be read (bytes that are not UTF-8, a Parquet row group
that will not decode, a file changed during the run) raises the located `InputError` one
reader raises; a task that raises otherwise (a bug) re-raises its own exception.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from ..errors import InputError, PowerlistError
from .partitions import Partition, Unreadable, Uses, visible

INSTALL = "pip install 'powerlist[dask]'"
IN_FLIGHT_PER_WORKER = 2

Progress = Callable[[int], None]


class PartResult(Protocol):
    """What a task returns for a part: the records of it that name an id (`uses`; None for a
    part whose ids were checked across the file already), and the value it would have been had
    the part been read after the parts that used the ids of `seen` (id → where first used)."""

    @property
    def uses(self) -> Uses | None: ...

    def with_earlier(self, seen: Mapping[str, str]) -> PartResult: ...


# A task: `task(part, context)`, a module-level function.
Task = Callable[[Partition, Any], PartResult]


class ClusterError(PowerlistError):
    """The Dask cluster could not be reached, lost its scheduler, or a part kept killing its
    workers. Nothing of the run should be kept; it can be run again."""


def distributed_module() -> Any:
    try:
        import distributed
    except ImportError:
        raise ClusterError(
            f"--workers/--scheduler 需要 Dask：{INSTALL} (running on a Dask cluster needs Dask: {INSTALL})"
        ) from None
    return distributed


@contextmanager
def cluster(workers: int | None = None, scheduler: str | None = None, *,
            timeout: float | None = None) -> Iterator[Any]:
    """A `distributed.Client`: on a new local cluster of `workers` processes (one thread each,
    127.0.0.1, its HTTP endpoints on a free port), or on the running scheduler at `scheduler` ("tcp://HOST:PORT").
    Whatever is opened here is closed on the way out, also on error. `timeout` (seconds) bounds
    connecting to a scheduler and waiting for its first worker; by default Dask's own
    `distributed.comm.timeouts.connect` (30 s; e.g. DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s)."""
    distributed = distributed_module()
    if (workers is None) == (scheduler is None):
        raise ValueError("give workers or scheduler, not both")
    if timeout is None:
        import dask
        from dask.utils import parse_timedelta

        timeout = float(parse_timedelta(dask.config.get("distributed.comm.timeouts.connect", "30s")) or 30)
    if scheduler is not None:
        try:
            client = distributed.Client(scheduler, timeout=f"{timeout}s", set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise ClusterError(f"无法连接 Dask 调度器 {scheduler} (cannot reach the Dask scheduler at "
                               f"{scheduler}): {error}") from None
        with client:
            _wait_for_workers(client, scheduler, timeout)
            yield client
        return
    if workers is None or workers < 1:
        raise ValueError("workers must be at least 1")
    with local_cluster(workers) as local, distributed.Client(local, set_as_default=False) as client:
        yield client


# A local cluster's housekeeping, made rare: its processes share the machine's cores with the
# routing. Idle, a cluster of two workers spent 0.12 of a core on it (2026-12-01, this machine),
# with these 0.02: event-loop latency probes every 20 ms, psutil metrics for the dashboard every
# 0.5 s, the statistical profiler sampling each task's stack every 10 ms, the memory monitor
# every 0.1 s (still every second: a worker past its memory limit is still paused and killed).
LOCAL_CONFIG = {
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
}


def local_cluster(workers: int, **options: Any) -> Any:
    """A `distributed.LocalCluster` of `workers` processes, one thread each, on 127.0.0.1 (its HTTP
    endpoints on a free port), with `LOCAL_CONFIG`; `options` go to LocalCluster."""
    import dask

    distributed = distributed_module()
    with dask.config.set(LOCAL_CONFIG):  # read as the scheduler and workers start, and sent to them
        return distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                        dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL, **options)


def _wait_for_workers(client: Any, scheduler: str, timeout: float) -> None:
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError) as error:
        raise ClusterError(f"Dask 调度器 {scheduler} 没有工作进程 (the scheduler at {scheduler} has no workers "
                           f"after {timeout:g} s): {error}") from None


class _Carried(Exception):
    """An `InputError` a task raised (a file that changed, a Parquet row group that cannot be
    read), carried back whole: (its class, its problems, its summary). An `InputError` does not
    survive pickling as it is: it is made again from these on the driver."""


def _work(part: Partition, task: Task, context: Any) -> PartResult:
    """On a worker: the part through `task`, the collector kept off the objects made so far."""
    # A worker's routers and plans live on: keep the collector from walking them again and again.
    gc.freeze()
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        return task(part, context)
    except InputError as error:
        raise _Carried(type(error), error.problems, error.summary) from None
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _sees_files(client: Any, parts: Sequence[Partition]) -> bool:
    """Whether every worker reads the files the parts name as the splitter saw them (a local
    cluster's workers do; a remote one's are sent the parts' bytes unless they share the disk)."""
    sources = {part.source for part in parts} - {None}
    for source in sources:
        assert source is not None
        seen = client.run(visible, *source)
        if not seen or not all(seen.values()):
            return False
    return True


def run(client: Any, parts: Sequence[Partition], task: Task, context: Any, *,
        progress: Progress | None = None) -> Iterator[tuple[Partition, Any]]:
    """(part, task result) for every part, in file order; see the module docstring."""
    distributed = distributed_module()
    if not parts:
        return
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    shared = client.scatter(context, broadcast=True, hash=False)
    sees = _sees_files(client, parts)
    window = IN_FLIGHT_PER_WORKER * workers + 1
    queue = iter(parts)
    pending: deque[tuple[Partition, Any]] = deque()
    counted: set[int] = set()
    first_use = FirstUse()

    finished = threading.Event()  # set whenever a part finishes (for the progress bar)

    def submit(part: Partition) -> Any:
        future = client.submit(_work, part if sees else part.detached(), task, shared, pure=False, retries=0)
        future.add_done_callback(lambda _: finished.set())
        return future

    def fill() -> None:
        while len(pending) < window:
            part = next(queue, None)
            if part is None:
                return
            pending.append((part, submit(part)))

    fill()
    try:
        while pending:
            part, future = pending[0]
            while not future.done():
                finished.wait(0.5)
                finished.clear()
                _advance(pending, counted, progress)
            _advance(pending, counted, progress)
            pending.popleft()
            result = _result(distributed, future, part)
            if result.uses is not None:
                seen = first_use.seen(result.uses)
                if seen:  # ids of earlier parts used again here: those records are duplicates
                    result = result.with_earlier(seen)
                first_use.add(result.uses)
            fill()
            yield part, result
    finally:
        for _, future in pending:
            future.cancel()


class FirstUse:
    """Where each id of the parts read so far (in file order) was first used: its row."""

    def __init__(self) -> None:
        self._rows: dict[str, int] = {}

    def seen(self, uses: Uses) -> dict[str, str]:
        """The ids a part uses that an earlier part used already, and where ("row 7")."""
        rows = self._rows
        return {issue_id: f"row {rows[issue_id]}" for issue_id in rows.keys() & uses.ids}

    def add(self, uses: Uses) -> None:
        """Remember where the ids of a part (read after those before) are first used."""
        # In C, not id by id: the first use of each id of the part (the earliest written last),
        # less the ids earlier parts used.
        first = dict(zip(reversed(uses.ids), reversed(uses.rows), strict=True))
        for issue_id in self._rows.keys() & first.keys():
            del first[issue_id]
        self._rows.update(first)


def _advance(pending: deque[tuple[Partition, Any]], counted: set[int], progress: Progress | None) -> None:
    if progress is None:
        return
    for part, future in pending:
        if part.index not in counted and future.done():
            counted.add(part.index)
            progress(part.count)


def _result(distributed: Any, future: Any, part: Partition) -> Any:
    from distributed.scheduler import KilledWorker

    where = f"{part.file} 第 {part.index + 1} 部分 / part {part.index + 1}, {part.where}"
    try:
        return future.result()
    except Unreadable:
        part.unreadable()
    except _Carried as carried:
        kind, problems, summary = carried.args
        raise kind(problems, summary) from None  # the summary is bilingual already: made again as it was
    except KilledWorker:
        raise ClusterError(
            f"Dask 工作进程在处理 {where} 时反复退出，已中止，未写出任何结果 (the Dask workers routing {where} "
            f"died, again and again — killed, or out of memory; nothing was written; run it again, "
            f"perhaps with fewer --workers)") from None
    except Exception:
        if future.status == "error":  # the task itself raised: its own error
            raise
        raise ClusterError(
            f"与 Dask 集群的连接中断（{where}），未写出任何结果 (lost the Dask cluster while routing {where}; "
            f"nothing was written; run it again)") from None


__all__ = ["LOCAL_CONFIG", "ClusterError", "FirstUse", "INSTALL", "cluster", "distributed_module", "local_cluster",
           "run"]
