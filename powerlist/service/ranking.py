"""Rankings — 晒单: a period's two-way scores from the case store, as `powerlist score --db` has them.

Streets score departments (街道评部门) and departments score streets (部门评街道) by the
scoring library over the whistles of the cases opened in the period; the catalog gives every
street's name and 编制人数, so every street is ranked. A running period is scored as at now
(work not yet due is left unscored, never counted as missed); an ended one as at its end.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..routing.issue import SHANGHAI
from .desk import Workspace


def current_period(now: datetime) -> str:
    local = now.astimezone(SHANGHAI)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def parse_period(text: str | None, now: datetime) -> Any:
    from ..scoring import Period

    chosen = text.strip()[:40] if text and text.strip() else current_period(now)
    return Period.parse(chosen)  # InputError, located at the period, when it is not one


def period_scores(ws: Workspace, period: Any, now: datetime, profile: str | None = None) -> dict[str, Any]:
    """The period's scores as JSON (`PeriodScores.as_json()` plus as_of and period_running)."""
    from ..scoring import catalog_context, load_config, records_from_store, score_period, with_catalog

    config = load_config(ws.extras.get("scoring_rules"))
    config.profile(profile)
    staff, names = catalog_context(ws.catalog)
    records = with_catalog(records_from_store(ws.store, period), ws.catalog)
    running = period.end > now
    as_of = now if running else period.end
    scores = score_period(records, period, profile, config=config, staff=staff, street_names=names, as_of=as_of)
    payload: dict[str, Any] = {"ok": True, **scores.as_json()}
    payload["as_of"] = as_of.isoformat(timespec="seconds")
    payload["period_running"] = running
    return payload


__all__ = ["current_period", "parse_period", "period_scores"]
