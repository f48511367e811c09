"""Runner time as money: what the GitHub Actions job that runs pr-router costs.

A run's total cost is its tokens plus the runner minutes its job is billed. GitHub bills
each job in whole minutes, rounded up; standard GitHub-hosted runners are free on public
repositories, self-hosted runners carry no per-minute charge from GitHub, and a Linux 2-core
runner on a private repository costs ``GITHUB_LINUX_2CORE_USD_PER_MINUTE`` (GitHub's
"Actions runner pricing" reference, since 2026-01-01; $0.008 before). Pure: the caller
passes what the event payload and the environment say.

    rate = resolve_rate("auto", private=True, runner_environment="github-hosted")
    usage = runner_usage(95.0, rate)   # 2 billed minutes, $0.012
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

__all__ = [
    "GITHUB_LINUX_2CORE_USD_PER_MINUTE",
    "RateSetting",
    "RunnerFigures",
    "RunnerRate",
    "RunnerUsage",
    "all_frontier_seconds",
    "billed_minutes",
    "is_private",
    "resolve_rate",
    "runner_cost",
    "runner_figures",
    "runner_usage",
]

GITHUB_LINUX_2CORE_USD_PER_MINUTE = Decimal("0.006")
RateSetting = Decimal | Literal["auto"]
RateBasis = Literal["policy", "public", "self-hosted", "private", "unknown"]


@dataclass(frozen=True, slots=True)
class RunnerRate:
    """USD per billed runner minute and why: ``basis`` names the fact it came from."""

    usd_per_minute: Decimal
    basis: RateBasis

    @property
    def free(self) -> bool:
        """Whether a minute costs nothing (public repository, self-hosted runner, or $0)."""
        return self.usd_per_minute == 0

    def describe(self) -> str:
        """One line for plans and summaries, e.g. ``$0.006/min (private repository)``."""
        why = {
            "policy": "policy runner.usd_per_minute",
            "public": "public repository: GitHub-hosted minutes are free",
            "self-hosted": "self-hosted runner: no per-minute charge from GitHub",
            "private": "private repository, GitHub Linux 2-core list price",
            "unknown": "repository visibility unknown: not priced",
        }[self.basis]
        return f"${self.usd_per_minute}/min ({why})"


@dataclass(frozen=True, slots=True)
class RunnerUsage:
    """One job's runner time: measured seconds, billed minutes and their cost."""

    seconds: float
    minutes: int
    usd: Decimal
    rate: RunnerRate


def is_private(event: object) -> bool | None:
    """``repository.private`` of a webhook payload; None when the payload does not say."""
    if not isinstance(event, dict):
        return None
    repo = event.get("repository")
    value = repo.get("private") if isinstance(repo, dict) else None
    return value if isinstance(value, bool) else None


def resolve_rate(
    setting: RateSetting,
    *,
    private: bool | None,
    runner_environment: str | None = None,
) -> RunnerRate:
    """The per-minute rate: the policy's figure, else ``auto`` from the facts of the run.

    ``auto``: a self-hosted runner (``RUNNER_ENVIRONMENT=self-hosted``) or a public
    repository costs $0; a private repository costs GitHub's Linux 2-core list price. With no
    event to say (``plan`` on a file), runner time is not priced: $0, basis ``unknown``.
    """
    if setting != "auto":
        return RunnerRate(Decimal(setting), "policy")
    if (runner_environment or "").strip().lower() == "self-hosted":
        return RunnerRate(Decimal(0), "self-hosted")
    if private is None:
        return RunnerRate(Decimal(0), "unknown")
    if not private:
        return RunnerRate(Decimal(0), "public")
    return RunnerRate(GITHUB_LINUX_2CORE_USD_PER_MINUTE, "private")


def billed_minutes(seconds: float) -> int:
    """Whole minutes GitHub bills for one job of ``seconds``: rounded up, 0 only for 0 s."""
    if seconds < 0 or math.isnan(seconds):
        raise ValueError(f"runner time must be a non-negative number of seconds, got {seconds}")
    return math.ceil(seconds / 60)


def runner_cost(minutes: int, rate: RunnerRate) -> Decimal:
    """USD of ``minutes`` billed minutes at ``rate``."""
    return Decimal(minutes) * rate.usd_per_minute


def runner_usage(seconds: float, rate: RunnerRate) -> RunnerUsage:
    """Billed minutes and cost of one job that ran ``seconds`` on the runner."""
    minutes = billed_minutes(seconds)
    return RunnerUsage(seconds, minutes, runner_cost(minutes, rate), rate)


@dataclass(frozen=True, slots=True)
class RunnerFigures:
    """A run's runner time and the all-frontier counterfactual's, billed at the same rate."""

    used: RunnerUsage
    all_frontier: RunnerUsage
    slowest_sync: float = 0.0  # seconds of this run's slowest synchronous job (the estimate's)

    @property
    def rate(self) -> RunnerRate:
        """The rate both are billed at."""
        return self.used.rate


def all_frontier_seconds(run_seconds: float, model_seconds: float, slowest_sync: float) -> float:
    """Runner seconds an all-frontier setup would have needed for the same run (an estimate).

    It does everything this run did outside the model calls (install, reading the PR,
    publishing), and runs every job synchronously and concurrently: the model part takes as
    long as this run's slowest synchronous job (``slowest_sync``; a batched job run
    synchronously on the frontier model is assumed to end within it). It never collects
    or waits for batches: ``model_seconds`` (collecting, model calls, batch waiting) is
    replaced, not added.
    """
    outside = max(run_seconds - model_seconds, 0.0)
    return outside + max(slowest_sync, 0.0)


def runner_figures(
    run_seconds: float, rate: RunnerRate, *, model_seconds: float, slowest_sync: float
) -> RunnerFigures:
    """This run's billed runner time and the all-frontier counterfactual's (see above)."""
    frontier = all_frontier_seconds(run_seconds, min(model_seconds, run_seconds), slowest_sync)
    used, counterfactual = runner_usage(run_seconds, rate), runner_usage(frontier, rate)
    return RunnerFigures(used, counterfactual, max(slowest_sync, 0.0))
