"""Token estimates for each job's prompt, from the context that job will actually get.

Plan estimates; ``run`` measures. These sizes follow the job context packers: review and
security share one diff context (the cacheable prefix), the auxiliary jobs share a compact
view (file list, stats, commit messages, changed signatures), failure summaries get a
capped log excerpt.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pr_router.changes.model import ChangeSet, FileChange, FileKind
from pr_router.context import PRContext
from pr_router.policy.models import OutputKind
from pr_router.tokens import estimate_tokens

__all__ = [
    "DIFF_CONTEXT_KINDS",
    "ContextKind",
    "context_kind",
    "context_tokens",
    "instruction_tokens",
]

ContextKind = Literal["diff", "compact", "log"]

# Files whose hunks review/security see; the rest are listed by name only.
DIFF_CONTEXT_KINDS = frozenset(
    {FileKind.CODE, FileKind.TEST, FileKind.CONFIG, FileKind.CI, FileKind.DEPENDENCY,
     FileKind.MIGRATION, FileKind.DOCS}
)  # fmt: skip
_PER_FILE_HEADER = 12  # "### path (kind, +a -r)" and hunk headers, roughly
_PER_FILE_COMPACT = 18
_LOG_EXCERPT_TOKENS = 2500  # the failure-log extractor caps its excerpt near this
_INSTRUCTIONS: dict[OutputKind, int] = {
    "findings": 900,
    "description": 450,
    "changelog": 400,
    "docs": 450,
    "failure": 450,
    "comment": 400,
}


def context_kind(output: OutputKind) -> ContextKind:
    """Which shared context a job of this output kind gets."""
    if output == "findings":
        return "diff"
    if output == "failure":
        return "log"
    return "compact"


def _hunk_tokens(f: FileChange) -> int:
    chars = sum(len(line.text) + 6 for h in f.hunks for line in h.lines)
    return (chars + 3) // 4


def _metadata_tokens(context: PRContext) -> int:
    return 60 + estimate_tokens(context.title) + min(estimate_tokens(context.body), 1500)


def diff_context_tokens(files: Iterable[FileChange], context: PRContext, cap: int) -> int:
    """Tokens of the review/security context: hunks of reviewable files, names of the rest."""
    total = _metadata_tokens(context)
    for f in files:
        total += _PER_FILE_HEADER
        if f.kind in DIFF_CONTEXT_KINDS and not f.binary:
            total += _hunk_tokens(f)
    return min(total, cap)


def compact_context_tokens(changes: ChangeSet, context: PRContext, cap: int) -> int:
    """Tokens of the compact view the auxiliary jobs get."""
    commits = sum(min(estimate_tokens(m), 200) for m in context.commit_messages)
    signatures = 40 if changes.signals.public_api_changed else 0
    total = _metadata_tokens(context) + commits + signatures
    total += _PER_FILE_COMPACT * len(changes.files)
    return min(total, cap)


def context_tokens(kind: ContextKind, changes: ChangeSet, context: PRContext, cap: int) -> int:
    """Tokens of the shared (cacheable) context of this kind."""
    if kind == "diff":
        return diff_context_tokens(changes.files, context, cap)
    if kind == "compact":
        return compact_context_tokens(changes, context, cap)
    return min(_metadata_tokens(context) + _LOG_EXCERPT_TOKENS, cap)


def instruction_tokens(output: OutputKind, custom_prompt: str | None = None) -> int:
    """Tokens of the job's own system prompt, instructions and output schema."""
    return _INSTRUCTIONS[output] + (estimate_tokens(custom_prompt) if custom_prompt else 0)
