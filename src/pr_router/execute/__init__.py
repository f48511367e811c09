"""Running a plan's jobs: concurrency, prompt-cache scheduling, batches, fallback, cascade.

``Executor.run`` takes ``JobCall`` values (a routed ``JobPlan``, its ``ModelRequest`` and a
validator) and returns a ``RunOutcome``: every job exactly once as a ``JobOutcome``, the
batches left pending, and one ``LedgerRecord`` per attempt, priced from the real usage.
``Executor.collect`` finishes ``PendingBatch`` values later, on any machine.
"""

from __future__ import annotations

from pr_router.execute._chain import MAX_ESCALATIONS
from pr_router.execute._clock import Clock, SystemClock
from pr_router.execute._executor import Executor, cache_prefix
from pr_router.execute._outcome import JobCall, JobOutcome, JobStatus, RunOutcome, Validator
from pr_router.execute._pending import PendingBatch, PendingItem

__all__ = [
    "MAX_ESCALATIONS",
    "Clock",
    "Executor",
    "JobCall",
    "JobOutcome",
    "JobStatus",
    "PendingBatch",
    "PendingItem",
    "RunOutcome",
    "SystemClock",
    "Validator",
    "cache_prefix",
]
