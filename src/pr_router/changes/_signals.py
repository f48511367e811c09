"""Reduce parsed files to the routing ``Signals`` (the ``signals`` block of plan JSON)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from pr_router.changes._api import public_api_changed
from pr_router.changes._security import hit_rank, is_sensitive, risk_of, sensitive_hits
from pr_router.changes._strength import counting_hits
from pr_router.changes.model import FileChange, FileKind, SensitiveHit, Signals
from pr_router.tokens import tokens_for_length

__all__ = ["MAX_REASONS", "compute_signals"]

MAX_REASONS = 20
_CODE_KINDS = frozenset({FileKind.CODE, FileKind.MIGRATION})
_DOCS_KINDS = frozenset({FileKind.DOCS, FileKind.ASSET})
_CHANGELOG = re.compile(
    r"(?:^|/)(?:changelog|changes|history|news|release[-_]?notes|relnotes)(?:[._-][^/]*)?$"
    r"|(?:^|/)(?:changelog\.d|\.changeset|changelog|newsfragments|changes|relnotes)/[^/]+$"
)
# Rough size of one file's header lines and one hunk header in the diff text.
_FILE_OVERHEAD = 100
_HUNK_OVERHEAD = 30


def compute_signals(files: Iterable[FileChange], *, diff_text_len: int | None = None) -> Signals:
    """The routing signals of a set of changed files.

    ``code_changed`` is true when a file of kind code or migration changed (tests,
    CI, config and dependency files alone do not count: they have their own
    signals). ``docs_only`` is true when every file is docs or an asset (images,
    translations, data), and there is at least one file.
    ``diff_text_len`` is the length of the diff text in characters; without it the
    size is estimated from the parsed lines.
    """
    changes = tuple(files)
    hits = sensitive_hits(changes)
    kinds = Counter(change.kind.value for change in changes)
    text_len = diff_text_len if diff_text_len is not None else _approximate_length(changes)
    return Signals(
        files_changed=len(changes),
        lines_added=sum(change.added for change in changes),
        lines_removed=sum(change.removed for change in changes),
        file_kinds=dict(sorted(kinds.items())),
        code_changed=any(change.kind in _CODE_KINDS for change in changes),
        docs_only=bool(changes) and all(change.kind in _DOCS_KINDS for change in changes),
        security_sensitive=is_sensitive(hits),
        sensitive_reasons=summarize_reasons(counting_hits(hits)),
        risk=risk_of(hits, changes),
        estimated_diff_tokens=tokens_for_length(text_len),
        modules=tuple(sorted({_module(change.path) for change in changes})),
        changelog_touched=any(_is_changelog(change) for change in changes),
        public_api_changed=public_api_changed(changes),
        sensitive_hits=hits,
    )


def summarize_reasons(hits: Iterable[SensitiveHit], limit: int = MAX_REASONS) -> tuple[str, ...]:
    """Distinct reasons, strongest first (``hit_rank``), capped with a "... and N more" line."""
    ordered = sorted(hits, key=hit_rank)  # stable: diff order kept within a rank
    reasons = list(dict.fromkeys(hit.reason for hit in ordered))
    if len(reasons) <= limit:
        return tuple(reasons)
    return (*reasons[: limit - 1], f"... and {len(reasons) - limit + 1} more")


def _approximate_length(changes: tuple[FileChange, ...]) -> int:
    """The diff text length implied by the parsed files (used without the raw text)."""
    total = 0
    for change in changes:
        total += _FILE_OVERHEAD + 2 * len(change.path)
        for hunk in change.hunks:
            total += _HUNK_OVERHEAD + len(hunk.section)
            total += sum(len(line.text) + 2 for line in hunk.lines)
    return total


def _module(path: str) -> str:
    """The top-level directory of a path, or "." for files at the root."""
    return path.split("/", 1)[0] if "/" in path else "."


def _is_changelog(change: FileChange) -> bool:
    """CHANGELOG*, CHANGES*, HISTORY*, NEWS*, release notes, or a changelog fragment."""
    return change.kind is FileKind.DOCS and bool(_CHANGELOG.search(change.path.lower()))
