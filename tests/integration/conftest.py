"""Integration suite: reuse the GitHub suite's OpenAPI checker (tests/github has no package)."""

from __future__ import annotations

import sys
from pathlib import Path

_GITHUB_TESTS = str(Path(__file__).resolve().parents[1] / "github")
if _GITHUB_TESTS not in sys.path:
    sys.path.append(_GITHUB_TESTS)
