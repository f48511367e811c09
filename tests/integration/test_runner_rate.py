"""A run weighs runner minutes from its facts: private repository, public, self-hosted."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pr_router.emulator import Scenario
from pr_router.pricing import format_usd

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


def _private(event: dict[str, Any]) -> dict[str, Any]:
    event["repository"]["private"] = True
    for side in ("head", "base"):
        event["pull_request"][side]["repo"]["private"] = True
    return event


def test_the_pr_total_and_its_lifetime_count_every_run_s_runner_minutes(world: World) -> None:
    # Two runs on a private repository, each 100 s on the runner before pr-router started:
    # 2 billed minutes ($0.012) each. The PR total, its lifetime table and the state count
    # both runs' minutes next to their tokens.
    opened = _private(webhook("pull_request.opened.payload.json"))
    opened["pull_request"]["head"]["sha"] = "1" * 40
    world.seed(opened, diff("httpx__d25f2bfeff35.diff"))
    started = str(int(time.time()) - 100)
    first = world.run(world.env("pull_request", opened, PR_ROUTER_STARTED_AT=started))
    grown = diff("httpx__d25f2bfeff35.diff") + diff("werkzeug__7111a5b6c958.diff")
    world.state.push(2, "ec26c3e57ca3a959ca5aad62de7213c562f8c821", grown, "Fix the PIN hash")
    sync = _private(webhook("pull_request.synchronize.payload.json"))
    started = str(int(time.time()) - 100)
    second = world.run(world.env("pull_request", sync, PR_ROUTER_STARTED_AT=started))
    assert (first.outcome.exit_code, second.outcome.exit_code) == (0, 0)

    tokens_1 = sum((r.cost_usd for r in first.ledger), Decimal(0))
    tokens_2 = sum((r.cost_usd for r in second.ledger), Decimal(0))
    runner = Decimal("0.024")  # 2 runs x 2 minutes x $0.006
    _, body, state = world.summary(2)
    assert (state.runs, state.runner_minutes, state.runner_usd) == (2, 4, runner)
    assert state.cost_usd == tokens_1 + tokens_2  # tokens only, as before
    total = format_usd(tokens_1 + tokens_2 + runner)
    assert f"PR total {total} over 2 runs" in body.split("\n", 2)[1]
    assert (
        f"PR total: **{total}** over 2 runs (earlier runs {format_usd(tokens_1 + Decimal('0.012'))}): "
        f"tokens {format_usd(tokens_1 + tokens_2)} + runner $0.024."
    ) in body
    # the lifetime table: each run's tokens plus its runner minutes
    table = body[body.index("PR lifetime, run by run") :]
    assert f"| {format_usd(tokens_1 + Decimal('0.012'))} |" in table
    assert f"| {format_usd(tokens_2 + Decimal('0.012'))} |" in table
