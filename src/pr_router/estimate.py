"""Token estimates for each job's prompt, from the context that job will actually get.

Plan estimates; ``run`` measures. The figures come from the job packers themselves
(``pr_router.jobs``): the diff context is packed within the same budget the review and
security calls use, the compact view is built as the auxiliary jobs get it, and the
instructions are the real instruction texts plus the output schema. Only the failure log is
not known at plan time: its excerpt is counted at the extractor's cap.
"""

from __future__ import annotations

from typing import Literal

from pr_router.changes.model import ChangeSet, FileKind
from pr_router.context import PRContext
from pr_router.jobs.context import LISTED_ONLY_KINDS, metadata_block, pack_compact, pack_diff
from pr_router.jobs.failure import LOG_EXCERPT_TOKENS
from pr_router.jobs.prepare import (
    compact_budget,
    diff_budget,
    instructions_for,
    output_model,
    schema_tokens,
)
from pr_router.jobs.prompts import SYSTEM_PREAMBLE
from pr_router.policy.catalog import BUILTIN_JOBS
from pr_router.policy.models import OutputKind
from pr_router.tokens import estimate_tokens

__all__ = [
    "DIFF_CONTEXT_KINDS",
    "ContextKind",
    "context_kind",
    "context_tokens",
    "instruction_tokens",
    "invariant_prefix_tokens",
]

ContextKind = Literal["diff", "compact", "log"]

# Files whose hunks review/security see; the rest are listed by name only.
DIFF_CONTEXT_KINDS = frozenset(set(FileKind) - LISTED_ONLY_KINDS)
_BUILTIN_NAME: dict[OutputKind, str] = {
    "findings": "review",
    "description": "describe",
    "changelog": "changelog",
    "docs": "docs",
    "failure": "failure-summary",
    "comment": "comment",
}


def context_kind(output: OutputKind) -> ContextKind:
    """Which shared context a job of this output kind gets."""
    if output == "findings":
        return "diff"
    if output == "failure":
        return "log"
    return "compact"


def _diff_reserves(changes: ChangeSet) -> list[tuple[str, int, int]]:
    """Instructions, schema and output allowance of the built-in jobs sharing the diff."""
    reserves = []
    for name in ("review", "security"):
        spec = BUILTIN_JOBS[name]
        text = instructions_for(name, "findings", hits=changes.signals.sensitive_hits)
        schema = schema_tokens(output_model(name, "findings"))
        reserves.append((text, schema, spec.max_output_tokens or 0))
    return reserves


def context_tokens(kind: ContextKind, changes: ChangeSet, context: PRContext, cap: int) -> int:
    """Tokens of the shared (cacheable) prefix of this kind: system preamble + context."""
    system = estimate_tokens(SYSTEM_PREAMBLE)
    if kind == "diff":
        budget = diff_budget(cap, _diff_reserves(changes))
        return system + pack_diff(changes, context, budget).tokens
    if kind == "compact":
        return system + pack_compact(changes, context, compact_budget(cap)).tokens
    return system + estimate_tokens(metadata_block(context)) + LOG_EXCERPT_TOKENS


def instruction_tokens(output: OutputKind, custom_prompt: str | None = None) -> int:
    """Tokens of the job's own instructions and output schema."""
    name = _BUILTIN_NAME[output]
    text = instructions_for(name, output, prompt=custom_prompt)
    return estimate_tokens(text) + schema_tokens(output_model(name, output))


def invariant_prefix_tokens(output: OutputKind) -> int:
    """Tokens of the prefix that stays the same from push to push: the output schema (the
    providers put it first) and the system text."""
    name = _BUILTIN_NAME[output]
    return schema_tokens(output_model(name, output)) + estimate_tokens(SYSTEM_PREAMBLE)
