"""Parse, classify and summarise a diff into the signals that drive routing."""

from __future__ import annotations

from pr_router.changes._classify import classify, language_of
from pr_router.changes._parse import DEFAULT_MAX_BYTES, parse_diff

__all__ = [
    "DEFAULT_MAX_BYTES",
    "classify",
    "language_of",
    "parse_diff",
]
