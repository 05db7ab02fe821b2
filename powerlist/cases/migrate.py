"""Checking and copying case stores — 案件库核验与迁移.

- `check_store(store)`: every stored case read back and replayed — its snapshot must be
  readable, its history must replay under the lifecycle and the store's invariants
  (`invariants.case_problems`), and the replay must equal the stored snapshot. The located
  problems, one case at a time (`powerlist cases check`).
- `migrate(source, target)`: an exact copy of one store into another, empty one — SQLite to
  PostgreSQL (`powerlist cases migrate --from cases.db --to postgresql://…`), or any backend to
  any other: the window, every case's events (case, number, time, event, actor, rule, details)
  and snapshot, the actions with their keys, the findings and their running counts. The source
  is checked first (a source with a bad case is refused, naming it); the copy is written in one
  transaction of the target and verified before it commits: case by case the target's snapshot
  text and history equal the source's and the target's snapshot equals the replay of the
  target's history; actions, findings and counts are equal. A failed verification rolls the
  whole copy back: the target is left as empty as it was. Only `events.seq`, a surrogate for
  the order rows were inserted across cases, is not carried over (within a case, `n` orders).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import InputError, Problem
from .invariants import case_problems
from .lifecycle import EventRecord, Snapshot, replay
from .store import CaseStore

_BATCH = 500


@dataclass(frozen=True)
class Migration:
    """What a migration copied (all of it verified by replay before it committed)."""

    cases: int
    events: int
    actions: int
    findings: int

    def as_json(self) -> dict[str, Any]:
        return {"cases": self.cases, "events": self.events, "actions": self.actions, "findings": self.findings,
                "verified": True}


def _readable(
    store: CaseStore, case_id: str, text: str
) -> tuple[Snapshot | None, tuple[EventRecord, ...], list[Problem]]:
    where: dict[str, Any] = {"file": store.path, "field": "case_id", "value": case_id}
    try:
        snapshot = Snapshot.loads(text)
    except (ValueError, KeyError, TypeError) as error:
        failed = Problem(message=f"案件 {case_id} 的快照无法读取 (the stored snapshot cannot be read): {error}",
                         code="bad-snapshot", **where)
        return None, (), [failed]
    try:
        history = store.history(case_id)
    except (ValueError, KeyError, TypeError) as error:
        failed = Problem(message=f"案件 {case_id} 的事件无法读取 (its events cannot be read): {error}",
                         code="bad-history", **where)
        return snapshot, (), [failed]
    return snapshot, history, []


def check_store(store: CaseStore, *, batch: int = _BATCH) -> tuple[int, list[Problem]]:
    """(cases checked, the located problems of every bad case) — see the module doc."""
    count, problems, after = 0, [], ""
    while rows := store.raw_cases(after, batch):
        for case_id, text in rows:
            count += 1
            snapshot, history, found = _readable(store, case_id, text)
            if not found:
                found = [p.model_copy(update={"file": store.path}) for p in
                         case_problems(case_id, snapshot, history, store.window)]
            problems.extend(found)
        after = rows[-1][0]
    return count, problems


def _cases(store: CaseStore, batch: int) -> Iterator[tuple[Snapshot, tuple[EventRecord, ...]]]:
    after = ""
    while rows := store.raw_cases(after, batch):
        for case_id, text in rows:
            yield Snapshot.loads(text), store.history(case_id)
        after = rows[-1][0]


def migrate(source: CaseStore, target: CaseStore, *, batch: int = _BATCH) -> Migration:
    """Copy `source` into the empty `target`, verified by replay (see the module doc)."""
    if target.count_cases() or target.actions() or target.findings():
        raise InputError(
            [Problem(message="目标案件库不是空的，迁移只写入空库 (the target store is not empty: a migration only "
                     "writes into an empty store)", file=target.path, field="--to", code="target-not-empty")],
            "未迁移 (nothing was migrated)",
        )
    _, problems = check_store(source, batch=batch)
    if problems:
        raise InputError(problems, "源案件库有问题的案件，未迁移 (the source has bad cases; nothing was migrated)")
    actions, findings, counts = source.actions(), source.findings(), source.finding_counts()
    with target.transaction():
        target.set_window(source.window)
        cases = target.bulk_load(_cases(source, batch))
        target.load_records(actions, findings, counts)
        events, problems = _verify(source, target, batch)
        if target.actions() != actions or target.findings() != findings or target.finding_counts() != counts:
            problems.append(Problem(message="迁移后的督办动作或问责记录与源不一致 (actions or findings differ after "
                                    "the copy)", file=target.path, code="copy-differs"))
        if problems:
            raise InputError(problems, "迁移核验失败，已全部回滚 (the copy failed verification and was rolled back)")
    return Migration(cases, events, len(actions), len(findings))


def _verify(source: CaseStore, target: CaseStore, batch: int) -> tuple[int, list[Problem]]:
    """(events compared, problems): the target equals the source case by case, and replays."""
    events, problems, after = 0, [], ""
    while rows := source.raw_cases(after, batch):
        copied = dict(target.raw_cases(after, batch))
        for case_id, text in rows:
            history = target.history(case_id)
            events += len(history)
            same = copied.get(case_id) == text and history == source.history(case_id)
            if not same or replay(history) != Snapshot.loads(text):
                problems.append(Problem(message=f"案件 {case_id} 迁移后与源不一致或无法重放 (the copy differs from the "
                                        "source or does not replay)", file=target.path, field="case_id",
                                        value=case_id, code="copy-differs"))
        after = rows[-1][0]
    if target.count_cases() != source.count_cases():
        problems.append(Problem(message="迁移后案件数不一致 (the number of cases differs after the copy)",
                                file=target.path, code="copy-differs"))
    return events, problems


__all__ = ["Migration", "check_store", "migrate"]
