"""The line of a pending job: which batch it waits in, and when its result is expected."""

from __future__ import annotations

from collections.abc import Sequence

from pr_router.batch_eta import eta_text
from pr_router.render._body import code_span
from pr_router.summary import JobRun, RunSummary

__all__ = ["expected", "pending_text"]

_LATER = "a later run or `collect` will post it"


def expected(ids: Sequence[str], summary: RunSummary) -> str | None:
    """When the newest of the batches ``ids`` was submitted and is expected to end."""
    since = dict(summary.pending_since)
    known = []
    for entry in summary.pending_batches:
        provider, _, batch_id = entry.rpartition(":")
        if batch_id in ids and entry in since:
            known.append((since[entry], provider))
    if not known:
        return None
    submitted, provider = max(known)
    return eta_text(provider, submitted)


def pending_text(job: JobRun, ids: Sequence[str], summary: RunSummary, *, markdown: bool) -> str:
    """``changelog pending in batch X: submitted ..., expected by ...; a later run ...``."""
    shown = ", ".join(code_span(i) if markdown else i for i in ids)
    where = f" in batch {shown}" if ids else ""
    eta = expected(ids, summary)
    name = f"`{job.plan.job}`" if markdown else f"{job.plan.job}:"
    return f"{name} pending{where}{f': {eta}' if eta else ''}; {_LATER}"
