"""Batch or sync, per job: the Batch API only where what it saves pays for getting it back.

A batch result costs runner time to collect: the run waits for it (``batch.wait_seconds``),
or it stays pending and a later run picks it up (the PR's next run, a few seconds of its
job, and a scheduled `collect` sweep if the repository runs one, whose minutes are shared
among the month's PRs). That cost is paid once per run whatever the number of
batched jobs, so the run's batchable jobs go to the Batch API together when their combined
saving beats it, and run synchronously otherwise. Where a runner minute is free (public
repository, self-hosted runner) batch stays the default. A policy can force either mode
per job (``jobs.NAME.mode`` or a rule's ``then: {mode: ...}``). Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pr_router.policy.models import Mode, Policy
from pr_router.pricing import format_usd
from pr_router.runner import RunnerRate

__all__ = [
    "COLLECT_IN_NEXT_RUN_SECONDS",
    "BatchCandidate",
    "ModeChoice",
    "choose_modes",
    "collection_minutes",
]

# What collecting one PR's batches adds to the run that does it: poll, fetch the results,
# validate, update the summary comment (a handful of paced GitHub and provider calls).
COLLECT_IN_NEXT_RUN_SECONDS = 5


@dataclass(frozen=True, slots=True)
class BatchCandidate:
    """A job that may run through the Batch API, with what batching would save on it."""

    job: str
    saving_usd: Decimal  # sync cost minus batch cost of its estimated tokens
    forced: Mode | None = None  # the policy's explicit mode, if any


@dataclass(frozen=True, slots=True)
class ModeChoice:
    """The mode chosen for one job and the sentence that says why."""

    job: str
    mode: Mode
    reason: str


def collection_minutes(policy: Policy) -> Decimal:
    """Expected runner minutes a run spends getting its batch results back.

    Waiting (``batch.wait_seconds`` > 0): the budget, since a batch rarely ends within it.
    Otherwise: the next run's few seconds, plus this PR's share of a collect sweep
    (``runner.sweep_minutes_per_month`` over ``runner.prs_per_month``).
    """
    if policy.batch.wait_seconds > 0:
        return Decimal(policy.batch.wait_seconds) / 60
    share = Decimal(policy.runner.sweep_minutes_per_month) / policy.runner.prs_per_month
    return Decimal(COLLECT_IN_NEXT_RUN_SECONDS) / 60 + share


def _forced(c: BatchCandidate) -> ModeChoice:
    assert c.forced is not None
    return ModeChoice(c.job, c.forced, f"{c.forced}: forced by policy")


def choose_modes(
    candidates: Sequence[BatchCandidate], rate: RunnerRate, minutes: Decimal
) -> tuple[ModeChoice, ...]:
    """Batch or sync for each candidate, in order, with the figures behind it.

    ``minutes`` is ``collection_minutes``: a cost the run pays once if anything is left to a
    batch, so it is set against the saving of all the jobs free to choose.
    """
    free = [c for c in candidates if c.forced is None]
    cost = (minutes * rate.usd_per_minute).quantize(Decimal("0.000001"))
    total = sum((c.saving_usd for c in free), Decimal(0))
    batch = rate.free or total > cost
    others = f" ({format_usd(total)} with the run's other batchable jobs)" if len(free) > 1 else ""
    out: list[ModeChoice] = []
    for c in candidates:
        if c.forced is not None:
            out.append(_forced(c))
            continue
        saves = f"batch would save {format_usd(c.saving_usd)}{others}"
        if rate.free:
            why = f"{saves}; runner time is free ({rate.describe()}): batch"
        else:
            collect = f"collecting it costs about {format_usd(cost)} of runner time"
            why = f"{saves}; {collect}: {'batch' if batch else 'sync'}"
        out.append(ModeChoice(c.job, "batch" if batch else "sync", why))
    return tuple(out)
