"""Intake: from a resident's words to a routable issue — automatic matching (自动匹配) of text to a
category, of an address to a place, six channels read into one issue stream (多网合一), and
duplicates across channels linked."""

from .matcher import Candidate, Matcher, Prediction

__all__ = ["Candidate", "Matcher", "Prediction"]
