"""The clock inside the service — 定时督办: `Escalator.tick(now)` every `tick_seconds`.

The tick runs as a solo desk job (its own transaction, nothing else in its batch), with the
service's clock. Ticks are idempotent — the escalator finds only what is due and records each
action under a unique key — so the in-service tick and a `powerlist cases tick` on the same store
never act twice on the same deadline, whichever runs first. A tick that fails (a user error in
the rules or the calendar) is logged and the next one runs as planned; the service stays up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from ..errors import PowerlistError
from .context import Service

log = logging.getLogger("powerlist.service.tick")


class Scheduler:
    """Ticks the escalator on a schedule (start in the app's lifespan, stop at shutdown)."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.interval = service.config.tick_seconds
        self.ticks = 0
        self.actions = 0
        self.last_error: str | None = None
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> list[Any]:
        now = self.service.now()
        actions = await self.service.desk.call(lambda ws: ws.escalator.tick(now), solo=True)
        self.ticks += 1
        self.actions += len(actions)
        if actions:
            log.info("tick at %s: %d action(s)", now.isoformat(timespec="seconds"), len(actions))
        return actions

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
                self.last_error = None
            except PowerlistError as error:
                self.last_error = str(error)
                log.error("tick failed: %s", error)
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self.interval > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="powerlist-tick")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


__all__ = ["Scheduler"]
