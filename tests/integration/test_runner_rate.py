"""A run weighs runner minutes from its facts: private repository, public, self-hosted."""

from __future__ import annotations

from collections.abc import Iterator
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
