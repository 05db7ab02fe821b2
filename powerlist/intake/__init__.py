"""Intake: from a resident's words to a routable issue — automatic matching (自动匹配) of text to a
category (`Matcher`), of an address to a place (`Gazetteer`, `Boundaries`), six channels read
into one issue stream (多网合一: `read_channel`, `CHANNELS`), duplicates across channels linked
(`link_duplicates`), all of it in one pass (`Intake`).

Names are imported on first use, so `import powerlist.intake` (and the CLI) stays light until a
model or gazetteer is needed."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .channel_io import ChannelRow as ChannelRow
    from .channel_io import read_channel as read_channel
    from .channels import CHANNELS as CHANNELS
    from .channels import ChannelSpec as ChannelSpec
    from .duplicates import Report as Report
    from .duplicates import link_duplicates as link_duplicates
    from .gazetteer import Gazetteer as Gazetteer
    from .gazetteer import PlaceCandidate as PlaceCandidate
    from .gazetteer import PlaceMatch as PlaceMatch
    from .geo import Boundaries as Boundaries
    from .matcher import Candidate as Candidate
    from .matcher import Matcher as Matcher
    from .matcher import Prediction as Prediction
    from .pipeline import Intake as Intake
    from .pipeline import IntakeOptions as IntakeOptions
    from .pipeline import IntakeRecord as IntakeRecord

_EXPORTS = {
    "Candidate": "matcher", "Matcher": "matcher", "Prediction": "matcher",
    "Gazetteer": "gazetteer", "PlaceMatch": "gazetteer", "PlaceCandidate": "gazetteer",
    "Boundaries": "geo", "CHANNELS": "channels", "ChannelSpec": "channels",
    "ChannelRow": "channel_io", "read_channel": "channel_io",
    "Report": "duplicates", "link_duplicates": "duplicates",
    "Intake": "pipeline", "IntakeOptions": "pipeline", "IntakeRecord": "pipeline",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
