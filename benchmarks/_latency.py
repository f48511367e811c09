"""How long a pr-router job keeps a runner busy: the latency model of the benchmarks.

The benchmarks run on a ``FakeClock`` against the emulator, so runner time is not measured
there: it is computed from the tokens each job produced, with this model.

- Model calls: time to first token plus output tokens over output speed, per model family,
  from Artificial Analysis's public measurements of the Anthropic API (median TTFT and
  output tokens/s; https://artificialanalysis.ai, methodology at /methodology). The
  benchmark's models are named after newer generations; each is timed as the latest
  measured model of its family (``SPEEDS``).
- Runner job: job set-up, checkout and setup-python, then the action's install step as
  ``scripts/install_time.sh`` measures it (with uv, which the action fetches when the runner
  has none; cold caches), then pr-router's own start-up and GitHub round trips, then the
  model calls (concurrent, a cache reader starting after its writer's first token, as the
  executor releases it).
- Batches: "most batches finish in less than 1 hour", up to 24 hours (Anthropic's Message
  Batches guide; OpenAI's Batch API has a 24-hour completion window). A run that waits
  ``wait_seconds`` for its batches therefore waits the whole budget and leaves them pending.
- Collection: results left pending are collected by a later run (``COLLECT_IN_RUN_S`` more
  seconds of that run) or by an hourly sweep whose billed minutes are shared among the PRs
  of a month (``sweep_minutes_per_pr``).

Every figure is an assumption stated here and in docs/cost-benchmark.md; billing uses
``pr_router.runner`` (whole minutes per job, rounded up), as the product does.

    seconds = run_seconds([Call("claude-opus-5-5", 1800), Call("claude-haiku-5-5", 500)])
    minutes = billed_minutes(seconds)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pr_router.runner import billed_minutes

__all__ = [
    "BATCH_COMPLETION_S",
    "COLLECT_IN_RUN_S",
    "INSTALL_MEASURED",
    "INSTALL_S",
    "JOB_SETUP_S",
    "PR_ROUTER_OVERHEAD_S",
    "SPEEDS",
    "SWEEP_RUNS_PER_MONTH",
    "SWEEP_RUN_S",
    "Call",
    "ModelSpeed",
    "billed_minutes",
    "call_seconds",
    "run_seconds",
    "speed_of",
    "sweep_minutes_per_pr",
]


@dataclass(frozen=True, slots=True)
class ModelSpeed:
    """Median time to first token (s) and output speed (tokens/s) of one model family."""

    ttft_s: float
    output_tps: float
    measured_as: str  # the model the public measurement is of


# Artificial Analysis, Anthropic API endpoint, median figures.
SPEEDS: dict[str, ModelSpeed] = {
    "opus": ModelSpeed(2.67, 45.0, "Claude Opus 4.1"),
    "sonnet": ModelSpeed(1.80, 63.0, "Claude Sonnet 4.5"),
    "haiku": ModelSpeed(1.00, 68.0, "Claude 3.5 Haiku"),
}
# OpenAI tiers are timed as the Anthropic tier of the same rank (no measurement of the
# benchmark's OpenAI models exists): sol = frontier, terra = standard, luna = efficient.
_FAMILY_BY_TAG = {"opus": "opus", "sonnet": "sonnet", "haiku": "haiku",
                  "sol": "opus", "terra": "sonnet", "luna": "haiku"}  # fmt: skip

# Runner job set-up (VM hand-over, actions/checkout, actions/setup-python from the tool
# cache): an assumption, about what a small Linux job shows in its step timings.
JOB_SETUP_S = 12.0
# The action's install step as `scripts/install_time.sh` measured it on the benchmark
# machine (Python 3.11.7, 2 cores shared with other work), seconds (cold, warm): uv (the
# runner has none, so the action fetches the pinned wheel with pip first) and the pip
# fallback. Cold is used: a PR's first run may find no cache (GitHub scopes the cache a
# pull_request run saves to that PR; only the base branch's caches are shared).
INSTALL_MEASURED: dict[str, tuple[float, float]] = {"uv": (8.1, 4.7), "pip": (48.3, 47.5)}
INSTALL_S = INSTALL_MEASURED["uv"][0]
# pr-router's own work in a run: start-up, price data, reading the PR, publishing
# (docs/overhead.md: 0.2-1.8 s on the emulator) plus PyGithub's pacing against
# api.github.com (0.25 s between requests, 1 s between writes: a few seconds per run).
PR_ROUTER_OVERHEAD_S = 6.0
# Anthropic: "most batches finish in less than 1 hour"; a run never sees its batch end.
BATCH_COMPLETION_S = 3600.0
# The next run's extra work per PR whose batches it collects: poll, fetch results,
# validate, update the sticky comment (a handful of API calls, paced).
COLLECT_IN_RUN_S = 5.0
# The optional sweep (examples/workflows/collect.yml): hourly, one billed minute each
# (set-up, install and a poll that finds nothing take well under a minute).
SWEEP_RUNS_PER_MONTH = 24 * 30
SWEEP_RUN_S = JOB_SETUP_S + INSTALL_S + 3.0


@dataclass(frozen=True, slots=True)
class Call:
    """One synchronous model call of a run: its model and output tokens (reasoning included).

    ``after`` names another call of the run this one starts behind (a cache reader waits
    for its writer's first token); None starts at once.
    """

    model: str
    output_tokens: int
    name: str = ""
    after: str | None = None


def speed_of(model: str) -> ModelSpeed:
    """The speed of ``model``'s family; a model of no known family is timed as frontier."""
    lowered = model.lower()
    for tag, family in _FAMILY_BY_TAG.items():
        if tag in lowered:
            return SPEEDS[family]
    return SPEEDS["opus"]


def call_seconds(model: str, output_tokens: int) -> float:
    """Wall time of one streamed call: first token, then the output at the model's speed."""
    speed = speed_of(model)
    return speed.ttft_s + output_tokens / speed.output_tps


def _model_seconds(calls: Sequence[Call]) -> float:
    """When the last call ends, readers starting at their writer's first token."""
    by_name = {c.name: c for c in calls if c.name}
    ends = [0.0]
    for call in calls:
        start = 0.0
        writer = by_name.get(call.after) if call.after else None
        if writer is not None:
            start = speed_of(writer.model).ttft_s
        ends.append(start + call_seconds(call.model, call.output_tokens))
    return max(ends)


def run_seconds(
    calls: Sequence[Call], *, batch_wait_s: float = 0.0, collect_s: float = 0.0
) -> float:
    """Runner seconds of one pr-router job: set-up, install, overhead, then the calls.

    ``batch_wait_s`` is the wait budget when the run waits for batches (the executor counts
    it from the start of the run, so it overlaps the calls); ``collect_s`` is work added to
    this run for results it collects on behalf of other PRs.
    """
    model = _model_seconds(calls)
    busy = max(model, batch_wait_s) if batch_wait_s > 0 else model
    return JOB_SETUP_S + INSTALL_S + PR_ROUTER_OVERHEAD_S + busy + collect_s


def sweep_minutes_per_pr(prs_per_month: int, runs_per_month: int = SWEEP_RUNS_PER_MONTH) -> float:
    """One PR's share of a month of hourly sweeps, in billed minutes."""
    if prs_per_month <= 0:
        raise ValueError("prs_per_month must be positive")
    return runs_per_month * billed_minutes(SWEEP_RUN_S) / prs_per_month
