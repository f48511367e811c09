"""Shared helpers for the policy tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"

# Four lines: the smallest valid policy. Tests append to it, so line 5 is the first added.
BASE = """\
tiers:
  frontier: {provider: anthropic, model: claude-opus-5-5}
  standard: {provider: anthropic, model: claude-sonnet-5-5}
  efficient: {provider: anthropic, model: claude-haiku-5-5}
"""


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write text (or bytes) to a policy file in a temporary directory; returns its path."""

    def _write(content: str | bytes, name: str = "pr-router.yml") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write
