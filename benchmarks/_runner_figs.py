"""Runner minutes of the cost benchmark's runs, from their ledger records and ``_latency``.

Each PR's ``pr-router run`` is one runner job: set-up, install, pr-router's own work, then
its synchronous model calls side by side (a cache reader behind its writer's first token).
A PR whose batch jobs were left pending is collected by the next PR's run, which takes
``COLLECT_IN_RUN_S`` longer; minutes are billed per job, rounded up (``pr_router.runner``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from _emulated import CaseRun
from _latency import COLLECT_IN_RUN_S, Call, run_seconds
from pr_router.ledger import LedgerRecord
from pr_router.runner import GITHUB_LINUX_2CORE_USD_PER_MINUTE, billed_minutes

__all__ = ["PRIVATE_USD_PER_MINUTE", "calls_of", "runner_minutes"]

PRIVATE_USD_PER_MINUTE = GITHUB_LINUX_2CORE_USD_PER_MINUTE


def calls_of(records: Sequence[LedgerRecord]) -> list[Call]:
    """The run's synchronous calls; a cache reader starts after its model's cache writer."""
    sync = [r for r in records if r.mode == "sync"]
    writers = {r.model: r.job for r in sync if r.usage.cache_write_5m + r.usage.cache_write_1h}
    return [
        Call(r.model, r.usage.output, name=f"{r.job}#{r.attempt}",
             after=f"{writers[r.model]}#1" if r.usage.cache_read and r.model in writers else None)
        for r in sync
    ]  # fmt: skip


def _batched(run: CaseRun) -> bool:
    return any(r.mode == "batch" for r in run.ledger())


def runner_minutes(runs: Sequence[CaseRun]) -> dict[str, int]:
    """Billed minutes per PR, each PR's run also collecting the previous PR's batches."""
    ordered = sorted((r for r in runs if not r.error), key=lambda r: r.case)
    out: dict[str, int] = {}
    for i, run in enumerate(ordered):
        before = ordered[i - 1] if ordered else run
        collect = COLLECT_IN_RUN_S if len(ordered) > 1 and _batched(before) else 0.0
        if len(ordered) == 1 and _batched(run):
            collect = COLLECT_IN_RUN_S  # alone: its own next run collects it
        out[run.case] = billed_minutes(run_seconds(calls_of(run.ledger()), collect_s=collect))
    return out


def runner_usd(minutes: int) -> Decimal:
    """Minutes at GitHub's Linux 2-core list price (a private repository)."""
    return minutes * PRIVATE_USD_PER_MINUTE
