"""The failure-summary job's context: the error regions of each failed CI job's log."""

from __future__ import annotations

from collections.abc import Sequence

from pr_router.context import PRContext
from pr_router.jobs.context import PackedContext, metadata_block
from pr_router.jobs.failure_logs import LogExcerpt, extract_failure
from pr_router.jobs.inputs import FailureLog
from pr_router.jobs.sanitize import fence, inline_code

__all__ = ["LOG_EXCERPT_TOKENS", "MAX_LOGS", "pack_log"]

LOG_EXCERPT_TOKENS = 2_500  # all excerpts together; the router's estimate uses this too
MAX_LOGS = 3  # failed jobs whose logs are read; further ones are named only
_MIN_PER_LOG = 600


def _job_block(log: FailureLog, excerpt: LogExcerpt) -> str:
    heading = f"### Job {inline_code(log.job_name)}"
    if log.failed_steps:
        heading += " (failed steps: " + ", ".join(inline_code(s) for s in log.failed_steps) + ")"
    facts = [f"Log: {excerpt.total_lines} lines; below, the error regions pr-router found."]
    if excerpt.step:
        facts.append(f"Step running at the first error: {inline_code(excerpt.step)}.")
    if excerpt.failing_tests:
        facts.append(
            "Failing tests: " + ", ".join(inline_code(t) for t in excerpt.failing_tests[:20]) + "."
        )
    if excerpt.exit_code is not None:
        facts.append(f"Exit code: {excerpt.exit_code}.")
    if excerpt.truncated:
        facts.append("Some error regions were left out to keep the excerpt short.")
    return "\n".join([heading, *facts, fence(excerpt.text, "ci-log")])


def pack_log(
    context: PRContext, logs: Sequence[FailureLog], budget: int = LOG_EXCERPT_TOKENS
) -> tuple[PackedContext, tuple[LogExcerpt, ...]]:
    """PR metadata and the capped error excerpts of up to ``MAX_LOGS`` failed jobs."""
    read = list(logs[:MAX_LOGS])
    per_log = max(_MIN_PER_LOG, budget // max(1, len(read)))
    excerpts = tuple(extract_failure(log.log, max_tokens=per_log) for log in read)
    parts = ["# Failed CI run of a pull request", "", metadata_block(context), "", "## Failed jobs"]
    parts += [_job_block(log, ex) for log, ex in zip(read, excerpts, strict=True)]
    if not read:
        parts.append("(no job log available)")
    if len(logs) > MAX_LOGS:
        others = ", ".join(inline_code(log.job_name) for log in logs[MAX_LOGS:])
        parts.append(f"Also failed (logs not read): {others}.")
    return PackedContext(kind="log", text="\n".join(parts) + "\n"), excerpts
