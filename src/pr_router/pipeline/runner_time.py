"""How long this job has been on the runner, and what that costs: a run's own clock.

The job's start is the moment the action's first step ran (``PR_ROUTER_STARTED_AT``, epoch
seconds, recorded before Python is set up and pr-router installed) or, without it, the
moment the CLI started its work. Steps of the job outside the action (checkout, the
workflow's other steps) are billed by GitHub too and are not seen here. Time is read on the
services' clock (simulated in tests and the demo), so figures are reproducible there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import TypeVar, cast

from pr_router.context import PRContext
from pr_router.execute import Clock
from pr_router.ledger import Entry, LedgerRun, LedgerRunner
from pr_router.pipeline.services import Services
from pr_router.runner import RunnerFigures, RunnerRate, runner_figures
from pr_router.summary import JobRun, RunSummary

__all__ = [
    "STARTED_AT_ENV",
    "billed_entries",
    "early_figures",
    "job_started",
    "ledger_runner",
    "measure",
    "slowest_sync",
    "stamp_records",
    "sweep_figures",
]

STARTED_AT_ENV = "PR_ROUTER_STARTED_AT"
E = TypeVar("E", bound=Entry)
_MAX_JOB_SECONDS = 6 * 3600  # GitHub ends a hosted job after 6 hours: an older stamp is stale


def job_started(clock: Clock, environ: Mapping[str, str], *,
                wall: Callable[[], float] = time.time) -> float:  # fmt: skip
    """The reading of ``clock`` at which the job's pr-router step started.

    ``PR_ROUTER_STARTED_AT`` moves it back by the time that passed before this process got
    here (installing pr-router); a stamp in the future or older than a job can last is
    ignored.
    """
    now = clock.now()
    try:
        before = wall() - float(environ.get(STARTED_AT_ENV, "").strip())
    except ValueError:
        return now
    return now - before if 0 <= before <= _MAX_JOB_SECONDS else now


def slowest_sync(jobs: Iterable[JobRun]) -> float:
    """Seconds of the slowest synchronous job of this run (its sync attempts added up)."""
    times = [sum(r.latency_s for r in j.records if r.mode == "sync") for j in jobs if not j.earlier]
    return max(times, default=0.0)


def measure(summary: RunSummary, *, seconds: float, rate: RunnerRate,
            model_seconds: float) -> RunSummary:  # fmt: skip
    """The summary with its runner figures: ``seconds`` on the runner so far, of which
    ``model_seconds`` went to collecting batches and the model calls."""
    figures = runner_figures(seconds, rate, model_seconds=model_seconds,
                             slowest_sync=slowest_sync(summary.jobs))  # fmt: skip
    return replace(summary, runner=figures)


def ledger_runner(figures: RunnerFigures) -> LedgerRunner:
    """The ledger's form of a run's runner figures."""
    return LedgerRunner(
        seconds=round(figures.used.seconds, 3), minutes=figures.used.minutes,
        usd_per_minute=figures.rate.usd_per_minute, usd=figures.used.usd,
        basis=figures.rate.basis, all_frontier_minutes=figures.all_frontier.minutes,
        all_frontier_usd=figures.all_frontier.usd,
    )  # fmt: skip


def stamp_records(records: Iterable[E], figures: RunnerFigures | None) -> list[E]:
    """The records with the run's runner figures (the same on each: count once per run)."""
    if figures is None:
        return list(records)
    runner = ledger_runner(figures)
    return [cast(E, r.model_copy(update={"runner": runner})) for r in records]


def billed_entries(records: Iterable[Entry], figures: RunnerFigures | None, *,
                   ended: str, run_id: str, services: Services,
                   pr: PRContext | None = None) -> list[Entry]:  # fmt: skip
    """What the ledger gets for a run: its job records with the runner figures, or, when it
    has none, one run record saying why (``ended``), so its runner minutes are counted too."""
    stamped = stamp_records(records, figures)
    if stamped or figures is None:
        return stamped
    return [LedgerRun(
        run_id=run_id, timestamp=services.wall_clock(), repo=pr.repo if pr else None,
        pr=pr.number if pr else None, head_sha=pr.head_sha if pr else None, ended=ended,
        runner=ledger_runner(figures),
    )]  # fmt: skip


def _elapsed(services: Services) -> float:
    """Seconds on the runner since the job's pr-router step started."""
    since = services.run_started if services.run_started is not None else services.clock.now()
    return max(services.clock.now() - since, 0.0)


def sweep_figures(services: Services, rate: RunnerRate) -> RunnerFigures:
    """A collect job's runner time so far. An all-frontier setup has nothing to collect:
    its counterfactual is 0 minutes."""
    seconds = _elapsed(services)
    return runner_figures(seconds, rate, model_seconds=seconds, slowest_sync=0.0)


def early_figures(services: Services, rate: RunnerRate) -> RunnerFigures:
    """The runner time of a run that ended before any model call (skipped, nothing to do,
    plan only). An all-frontier tool's workflow starts on the same event and needs as long:
    its counterfactual is the same time."""
    return runner_figures(_elapsed(services), rate, model_seconds=0.0, slowest_sync=0.0)
