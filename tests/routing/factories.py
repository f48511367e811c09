"""Build change sets and policies by hand for router tests (no diff parsing involved)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pr_router.changes.model import (
    ChangeSet,
    ChangeStatus,
    DiffLine,
    FileChange,
    FileKind,
    Hunk,
    Signals,
)
from pr_router.policy.models import Policy

ANTHROPIC_TIERS = {
    "frontier": {"provider": "anthropic", "model": "claude-opus-5-5"},
    "standard": {"provider": "anthropic", "model": "claude-sonnet-5-5"},
    "efficient": {"provider": "anthropic", "model": "claude-haiku-5-5"},
}


def policy(**fields: Any) -> Policy:
    """A policy with the default Anthropic tiers and the given extra fields."""
    return Policy.model_validate({"tiers": ANTHROPIC_TIERS, **fields})


def file(
    path: str, kind: FileKind, added: int = 10, removed: int = 2, width: int = 40
) -> FileChange:
    """A modified file with one hunk of ``added`` + ``removed`` lines of ``width`` chars."""
    lines = [DiffLine("-", "x" * width, i + 1, None) for i in range(removed)]
    lines += [DiffLine("+", "y" * width, None, i + 1) for i in range(added)]
    hunk = Hunk(1, removed, 1, added, "", tuple(lines))
    return FileChange(path, None, ChangeStatus.MODIFIED, kind, added, removed, (hunk,))


def changes(
    *files: FileChange,
    sensitive: tuple[str, ...] = (),
    public_api: bool = False,
    changelog: bool = False,
) -> ChangeSet:
    """A change set whose signals follow from ``files`` plus the given flags."""
    kinds = Counter(str(f.kind) for f in files)
    code = any(f.kind in (FileKind.CODE, FileKind.MIGRATION) for f in files)
    added = sum(f.added for f in files)
    removed = sum(f.removed for f in files)
    signals = Signals(
        files_changed=len(files),
        lines_added=added,
        lines_removed=removed,
        file_kinds=dict(kinds),
        code_changed=code,
        docs_only=bool(files) and set(kinds) <= {"docs", "asset"},
        security_sensitive=bool(sensitive),
        sensitive_reasons=sensitive,
        risk="high" if sensitive else "low",
        estimated_diff_tokens=(added + removed) * 11,
        modules=tuple(sorted({f.path.split("/")[0] for f in files})),
        changelog_touched=changelog,
        public_api_changed=public_api,
    )
    return ChangeSet(files=files, signals=signals)
