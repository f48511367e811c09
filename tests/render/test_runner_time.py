"""A run's own clock: where runner minutes start, the slowest synchronous job, stamping."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pr_router.emulator import FakeClock
from pr_router.ledger import LedgerRecord
from pr_router.pipeline.runner_time import job_started, slowest_sync, stamp_records
from pr_router.plan import JobPlan
from pr_router.runner import all_frontier_seconds, resolve_rate, runner_figures
from pr_router.summary import JobRun

from .factories import HAIKU, OPUS, job_plan
from .factories import record as billed


def record(job: str, mode: str = "sync", latency_s: float = 0.0) -> LedgerRecord:
    """A billed record of ``job`` that took ``latency_s``."""
    model = OPUS if job in ("review", "security") else HAIKU
    return billed(job, model, mode, input=100, output=10).model_copy(
        update={"latency_s": latency_s}
    )


def plan(job: str) -> JobPlan:
    """A running job's plan."""
    return job_plan(job, OPUS if job in ("review", "security") else HAIKU)


def test_job_start_without_a_stamp_is_now() -> None:
    clock = FakeClock(start=500.0)
    assert job_started(clock, {}) == 500.0


@pytest.mark.parametrize(
    ("stamp", "started"),
    [
        ("99910", 500.0 - 90),  # 90 s before this process got going (the install)
        ("100000", 500.0),  # the same second
        ("100100", 500.0),  # in the future: not ours
        ("1", 500.0),  # older than a job can last
        ("soon", 500.0),
        ("", 500.0),
    ],
)
def test_job_start_from_the_action_stamp(stamp: str, started: float) -> None:
    clock = FakeClock(start=500.0)
    got = job_started(clock, {"PR_ROUTER_STARTED_AT": stamp}, wall=lambda: 100_000.0)
    assert got == started


def test_slowest_sync_adds_a_jobs_attempts_and_skips_batches_and_earlier_results() -> None:
    review = JobRun(plan("review"), "ok", records=(record("review", latency_s=20.0),
                                                       record("review", latency_s=15.0)))  # fmt: skip
    batch = JobRun(plan("describe"), "ok",
                   records=(record("describe", mode="batch", latency_s=900.0),))  # fmt: skip
    earlier = JobRun(plan("security"), "ok", records=(record("security", latency_s=60.0),),
                     earlier=True)  # fmt: skip
    assert slowest_sync([review, batch, earlier]) == 35.0
    assert slowest_sync([]) == 0.0


def test_all_frontier_replaces_model_time_by_the_slowest_sync_job() -> None:
    assert all_frontier_seconds(200.0, 150.0, 40.0) == 90.0
    # more model time than run time (clock skew) never goes negative
    assert all_frontier_seconds(10.0, 30.0, 5.0) == 5.0


def test_stamped_records_carry_the_same_runner_figures() -> None:
    figures = runner_figures(125.0, resolve_rate("auto", private=True), model_seconds=80.0,
                             slowest_sync=30.0)  # fmt: skip
    stamped = stamp_records([record("review"), record("security")], figures)
    runners = {r.runner for r in stamped}
    assert len(runners) == 1
    (runner,) = runners
    assert runner is not None
    assert (runner.minutes, runner.usd, runner.basis) == (3, Decimal("0.018"), "private")
    assert (runner.all_frontier_minutes, runner.all_frontier_usd) == (2, Decimal("0.012"))
    assert runner.usd == runner.minutes * runner.usd_per_minute
    assert stamp_records([record("review")], None)[0].runner is None
