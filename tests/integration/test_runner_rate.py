"""A run weighs runner minutes from its facts: private repository, public, self-hosted."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from pr_router.emulator import Scenario

from .harness import World, canned_rules, diff, make_world, webhook


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from make_world(tmp_path, Scenario(canned_rules(), batch_duration_s=3600.0))


def _aux_modes(world: World, private: bool, **extra: str) -> dict[str, str]:
    event = webhook("pull_request.opened.payload.json")
    event["repository"]["private"] = private
    for side in ("head", "base"):
        event["pull_request"][side]["repo"]["private"] = private
    world.seed(event, diff("httpx__d25f2bfeff35.diff"))
    result = world.run(world.env("pull_request", event, **extra))
    assert result.outcome.exit_code == 0
    return {r.job: r.mode for r in result.ledger if r.job_class == "auxiliary"}


def test_a_private_repository_runs_small_auxiliary_jobs_synchronously(world: World) -> None:
    # the batch saving (fractions of a cent) is less than the runner time to collect it
    assert set(_aux_modes(world, private=True).values()) == {"sync"}


def test_a_public_repository_batches_them(world: World) -> None:
    assert set(_aux_modes(world, private=False).values()) == {"batch"}


def test_a_self_hosted_runner_batches_them_on_a_private_repository(world: World) -> None:
    modes = _aux_modes(world, private=True, RUNNER_ENVIRONMENT="self-hosted")
    assert set(modes.values()) == {"batch"}


def test_a_private_run_shows_its_runner_minutes_everywhere(world: World) -> None:
    event = webhook("pull_request.opened.payload.json")
    event["repository"]["private"] = True
    for side in ("head", "base"):
        event["pull_request"][side]["repo"]["private"] = True
    world.seed(event, diff("httpx__d25f2bfeff35.diff"))
    # the action's first step ran 100 s before pr-router started (Python set up, installed)
    started = str(int(time.time()) - 100)
    result = world.run(world.env("pull_request", event, PR_ROUTER_STARTED_AT=started))
    assert result.outcome.exit_code == 0

    (summary,) = result.outcome.summaries
    figures = summary.runner
    assert figures is not None
    assert figures.rate.basis == "private"
    assert 100 <= figures.used.seconds < 160  # 100 s before, a few simulated seconds after
    assert figures.used.minutes == 2
    assert figures.used.usd == Decimal("0.012")
    # all-frontier: the same time outside the model calls, plus the slowest sync job
    assert figures.all_frontier.seconds <= figures.used.seconds

    out = result.outputs
    assert out["runner-minutes"] == "2"
    assert out["runner-usd"] == "0.012000"
    assert Decimal(out["total-usd"]) == Decimal(out["cost-usd"]) + Decimal("0.012")
    assert Decimal(out["total-savings-usd"]) == (
        Decimal(out["all-frontier-total-usd"]) - Decimal(out["total-usd"])
    )

    _, body, _ = world.summary(2)
    assert "+ runner 2 min ($0.012))" in body.split("\n", 2)[1]
    assert "Runner: 2 min billed (" in body
    assert "Runner: 2 min billed (" in result.step_summary
    assert "Runner: 2 min billed (" in result.log
    for record in result.ledger:  # every record of the run carries the run's figures
        assert record.runner is not None
        assert (record.runner.minutes, record.runner.usd) == (2, Decimal("0.012"))


def _private_opened(world: World, **pull: object) -> dict[str, object]:
    event = webhook("pull_request.opened.payload.json")
    event["repository"]["private"] = True
    event["pull_request"].update(pull)
    for side in ("head", "base"):
        event["pull_request"][side]["repo"]["private"] = True
    world.seed(event, diff("httpx__d25f2bfeff35.diff"))
    return event


@pytest.mark.parametrize("keys", [True, False], ids=["skipped draft", "plan only"])
def test_a_run_that_ends_early_still_reports_its_runner_minutes(world: World, keys: bool) -> None:
    # A skipped draft and a plan-only run (no provider key) spend no tokens, but the job
    # still took its minutes on a private repository: the outputs and the log say so.
    event = _private_opened(world, draft=keys)
    started = str(int(time.time()) - 100)
    env = world.env("pull_request", event, keys=keys, PR_ROUTER_STARTED_AT=started)
    result = world.run(env)
    assert result.outcome.exit_code == 0
    assert result.ledger == []

    out = result.outputs
    assert (out["cost-usd"], out["gate"]) == ("0.000000", "skipped")
    assert (out["runner-minutes"], out["runner-usd"]) == ("2", "0.012000")
    # an all-frontier tool's workflow starts on the same event and takes as long
    assert out["total-usd"] == out["all-frontier-total-usd"] == "0.012000"
    assert out["total-savings-usd"] == "0.000000"
    assert "runner 2 min billed (" in result.log
    assert "$0.006/min (private repository" in result.step_summary
