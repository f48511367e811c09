"""Recognise how a repository writes its changelog, so the entry we propose fits in.

Only Keep a Changelog is recognised structurally (``## [Unreleased]`` followed by
``### Added`` / ``### Fixed`` / ... headings); for it we also pick a few recent entries as
examples of the project's voice. Anything else is "plain".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["KEEP_A_CHANGELOG_SECTIONS", "ChangelogStyle", "detect_changelog_style"]

KEEP_A_CHANGELOG_SECTIONS = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
_VERSION_HEADING = re.compile(r"^##\s+\[?(?:Unreleased|v?\d+\.\d+[^\]\s]*)\]?", re.I | re.M)
_SECTION_HEADING = re.compile(
    r"^###\s+(" + "|".join(KEEP_A_CHANGELOG_SECTIONS) + r")\s*$", re.I | re.M
)
_ENTRY = re.compile(r"^\s{0,3}[-*]\s+(\S.*)$")
_MAX_EXAMPLES = 5
_MAX_EXAMPLE_CHARS = 240


@dataclass(frozen=True, slots=True)
class ChangelogStyle:
    """The changelog's format and a few of its own entries as examples."""

    kind: Literal["keep-a-changelog", "plain", "none"] = "none"
    has_unreleased: bool = False
    examples: tuple[str, ...] = ()


def _examples(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for line in text.splitlines():
        m = _ENTRY.match(line)
        if m:
            out.append(m.group(1).strip()[:_MAX_EXAMPLE_CHARS])
            if len(out) >= _MAX_EXAMPLES:
                break
    return tuple(out)


def detect_changelog_style(text: str | None) -> ChangelogStyle:
    """Keep a Changelog when version headings carry ``### Added``-style sections."""
    if text is None or not text.strip():
        return ChangelogStyle()
    head = text[:20_000]  # the newest entries are at the top
    if _VERSION_HEADING.search(head) and _SECTION_HEADING.search(head):
        unreleased = re.search(r"^##\s+\[?Unreleased\]?", head, re.I | re.M) is not None
        return ChangelogStyle("keep-a-changelog", unreleased, _examples(head))
    return ChangelogStyle("plain", examples=_examples(head))
