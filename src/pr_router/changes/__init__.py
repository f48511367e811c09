"""Parse, classify and summarise a diff into the signals that drive routing.

``analyze(data)`` is the one call most callers need: it parses the diff
(``parse_diff``), classifies every file (``classify``), finds security-relevant
changes (``sensitive_hits``) and reduces it all to ``Signals``
(``compute_signals``). ``git_diff`` reads a diff from a local repository and
``LineMap`` tells which lines accept review comments.
"""

from __future__ import annotations

from pr_router.changes._analyze import analyze
from pr_router.changes._api import public_api_changed
from pr_router.changes._classify import classify, language_of
from pr_router.changes._git import git_diff
from pr_router.changes._parse import DEFAULT_MAX_BYTES, parse_diff
from pr_router.changes._security import risk_of, sensitive_hits
from pr_router.changes._signals import compute_signals
from pr_router.changes.linemap import LineMap

__all__ = [
    "DEFAULT_MAX_BYTES",
    "LineMap",
    "analyze",
    "classify",
    "compute_signals",
    "git_diff",
    "language_of",
    "parse_diff",
    "public_api_changed",
    "risk_of",
    "sensitive_hits",
]
