"""The desk — 案件台: the one thread that owns the case store, the request log and the router.

SQLite connections belong to the thread that opened them and the router's caches are not
thread-safe, so every piece of work that touches them is a *job* run on this one thread, while
the event loop only parses requests and renders answers. Jobs waiting together are run as one
batch in one transaction (group commit): a burst of 200 submissions costs a few commits instead
of 200. A job's answer is given only after its batch has committed, so an answer always
describes stored data.

A job that fails with a user error (InputError, TransitionError — powerlist's own errors) has
written nothing (the library checks before it writes) and the rest of its batch stands; any
other exception rolls the batch back and its jobs are run again one by one, each in its own
transaction, so one bug fails one request only. Jobs marked `solo` (the clock tick, long
reports) run in a batch of their own.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ..cases.escalator import Escalator
from ..cases.store import CaseStore
from ..catalog.catalog import Catalog
from ..errors import PowerlistError
from ..routing.router import Router
from .request_log import RequestLog

T = TypeVar("T")
BATCH_LIMIT = 64


@dataclass
class Workspace:
    """What jobs work with; used on the desk thread only."""

    store: CaseStore
    log: RequestLog
    escalator: Escalator
    router: Router
    catalog: Catalog
    extras: dict[str, Any] = field(default_factory=dict)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # The log commits first (inner), the store second: a crash between leaves a logged
        # request without a case, which start-up reopens (request_log's docstring).
        with self.store.transaction(), self.log.transaction():
            yield

    def close(self) -> None:
        self.log.close()
        self.store.close()


@dataclass
class _Job(Generic[T]):
    fn: Callable[[Workspace], T]
    future: concurrent.futures.Future[T]
    solo: bool = False


class Desk:
    """Runs jobs on one thread over a `Workspace` made by `factory` on that thread."""

    def __init__(self, factory: Callable[[], Workspace], *, batch_limit: int = BATCH_LIMIT) -> None:
        self._factory = factory
        self._limit = batch_limit
        self._queue: queue.SimpleQueue[_Job[Any] | None] = queue.SimpleQueue()
        self._held: _Job[Any] | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self.batches = 0
        self.jobs = 0

    def start(self) -> None:
        """Start the thread and wait until the workspace is open (its errors are raised here)."""
        self._thread = threading.Thread(target=self._run, name="powerlist-desk", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise self._failure

    def stop(self) -> None:
        """Finish the queued jobs, close the workspace and end the thread."""
        if self._thread is None or self._stopping:
            return
        self._stopping = True
        self._queue.put(None)
        self._thread.join()

    def submit(self, fn: Callable[[Workspace], T], *, solo: bool = False) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        if self._stopping or self._thread is None:
            future.set_exception(PowerlistError("服务正在停止 (the service is stopping)"))
            return future
        self._queue.put(_Job(fn, future, solo))
        return future

    async def call(self, fn: Callable[[Workspace], T], *, solo: bool = False) -> T:
        return await asyncio.wrap_future(self.submit(fn, solo=solo))

    # ---- the thread ---------------------------------------------------------------------

    def _run(self) -> None:
        try:
            workspace = self._factory()
        except BaseException as error:  # reported to start()
            self._failure = error
            self._ready.set()
            return
        self._ready.set()
        try:
            while True:
                batch = self._next_batch()
                if batch is None:
                    break
                self._execute(workspace, batch)
        finally:
            workspace.close()

    def _next_batch(self) -> list[_Job[Any]] | None:
        first = self._held if self._held is not None else self._queue.get()
        self._held = None
        if first is None:
            return None
        batch = [first]
        if first.solo:
            return batch
        while len(batch) < self._limit:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None or job.solo:
                self._held = job
                if job is None:
                    self._queue.put(None)  # keep the stop signal after the held job
                    self._held = None
                break
            batch.append(job)
        return batch

    def _execute(self, workspace: Workspace, batch: list[_Job[Any]]) -> None:
        live = [job for job in batch if job.future.set_running_or_notify_cancel()]
        if not live:
            return
        self.batches += 1
        self.jobs += len(live)
        outcomes: list[tuple[_Job[Any], bool, Any]] = []
        try:
            with workspace.transaction():
                for job in live:
                    try:
                        outcomes.append((job, True, job.fn(workspace)))
                    except PowerlistError as error:
                        outcomes.append((job, False, error))
        except Exception as error:
            if len(live) == 1:
                live[0].future.set_exception(error)
                return
            for job in live:
                self._single(workspace, job)
            return
        for job, ok, value in outcomes:
            if ok:
                job.future.set_result(value)
            else:
                job.future.set_exception(value)

    def _single(self, workspace: Workspace, job: _Job[Any]) -> None:
        try:
            with workspace.transaction():
                value = job.fn(workspace)
        except Exception as error:
            job.future.set_exception(error)
            return
        job.future.set_result(value)


__all__ = ["Desk", "Workspace"]
