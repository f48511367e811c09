"""A run's critical retry is held to the policy's budget, end to end.

The review's answer is cut at its output cap; with no budget the run retries it with twice
the room. With a per-run budget that the fitted plan nearly fills, the retry is not made,
and the summary comment says why; the ledger keeps the cut attempt with its cost.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from pr_router.emulator import Call, Rule, Scenario
from pr_router.github.state import SUMMARY_MARKER
from pr_router.pricing import format_usd

from .harness import REVIEW_MATCH, Result, canned_rules, diff, make_world, webhook

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = (ROOT / "src" / "pr_router" / "policy" / "default.yml").read_text(encoding="utf-8")
_PROSE = "The change keeps the old behaviour for callers that pass no timeout at all. "


def _endless(_: Call) -> dict[str, Any]:
    """A review far longer than any cap: cut whatever room it gets."""
    return {"summary": _PROSE * 3_000, "findings": []}


def _run(tmp: Path, per_run_usd: Decimal | None) -> tuple[Result, str]:
    event = webhook("pull_request.opened.payload.json")
    policy = DEFAULT
    if per_run_usd is not None:
        policy = policy.replace("budgets:\n", f"budgets:\n  per_run_usd: {per_run_usd}\n", 1)
    rules = [Rule(prompt=REVIEW_MATCH, output=_endless), *canned_rules()]
    tmp.mkdir()
    # The loop runs once; leaving it closes the world, which checks every GitHub request.
    for world in make_world(tmp, Scenario(rules, batch_duration_s=0.0)):
        world.seed(event, diff("httpx__d25f2bfeff35.diff"))
        base = event["pull_request"]["base"]["sha"]
        world.state.add_file(".github/pr-router.yml", policy.encode(), ref=base)
        result = world.run(world.env("pull_request", event))
        _, body, _ = world.summary(2)
    return result, body


def test_a_review_cut_at_its_cap_is_not_retried_beyond_the_per_run_budget(
    tmp_path: Path,
) -> None:
    free, _ = _run(tmp_path / "free", None)
    (summary,) = free.outcome.summaries
    reviews = [r for r in free.ledger if r.job == "review"]
    first_cap = reviews[0].usage.output
    assert [r.usage.output for r in reviews] == [first_cap, 2 * first_cap]  # doubled
    planned = summary.plan.total_usd

    # The plan fits (nothing is changed by the budget); a retry would not.
    limit = (planned + Decimal("0.001")).quantize(Decimal("0.0001"))
    tight, body = _run(tmp_path / "tight", limit)
    (summary,) = tight.outcome.summaries
    assert summary.plan.total_usd == planned
    (review,) = [r for r in tight.ledger if r.job == "review"]
    assert (review.status, review.usage.output) == ("failed", first_cap)
    assert review.cost_usd == review.recomputed_cost() > 0
    reason = f"not retried with more room: the per run budget of {format_usd(limit)} leaves"
    job = next(j for j in summary.jobs if j.plan.job == "review")
    assert job.error is not None
    assert reason in job.error
    assert body.startswith(SUMMARY_MARKER)
    assert "`review` failed" in body
    assert "not retried with more room" in body


def _collected(tmp: Path, per_pr_usd: Decimal | None) -> tuple[Result, Result]:
    """A run whose batched description comes back empty, then the collect an hour later.

    The review is long (cut at its cap): the run spends more than its plan estimated, so a
    per-PR budget the plan fitted has nothing left when the collect wants to escalate.
    """
    event = webhook("pull_request.opened.payload.json")
    policy = DEFAULT
    if per_pr_usd is not None:
        policy = policy.replace("budgets:\n", f"budgets:\n  per_pr_usd: {per_pr_usd}\n", 1)
    empty = Rule(
        job="DescribeOutput", model="claude-haiku-*", output={"summary": "", "walkthrough": []}
    )
    tmp.mkdir()
    rules = [empty, Rule(prompt=REVIEW_MATCH, output=_endless), *canned_rules()]
    for world in make_world(tmp, Scenario(rules, batch_duration_s=3600.0)):
        world.seed(event, diff("httpx__d25f2bfeff35.diff"))
        base = event["pull_request"]["base"]["sha"]
        world.state.add_file(".github/pr-router.yml", policy.encode(), ref=base)
        run = world.run(world.env("pull_request", event))
        world.clock.advance(3600.0)
        collect = world.run(world.env("schedule", {"schedule": "*/30 * * * *"}, machine="other"))
    return run, collect


def test_a_collected_result_escalates_only_within_the_per_pr_budget(tmp_path: Path) -> None:
    run, collect = _collected(tmp_path / "free", None)
    assert {r.job for r in run.ledger if r.mode == "batch"} == {"describe", "changelog"}
    described = [(r.model, r.mode, r.status) for r in collect.ledger if r.job == "describe"]
    assert described == [("claude-haiku-5-5", "batch", "failed"),
                         ("claude-sonnet-5-5", "sync", "ok")]  # fmt: skip
    planned = run.outcome.summaries[0].plan.total_usd

    # A per-PR budget the run's plan fits: the escalation to standard does not.
    limit = (planned + Decimal("0.0001")).quantize(Decimal("0.0001"))
    run, collect = _collected(tmp_path / "tight", limit)
    assert run.outcome.summaries[0].plan.total_usd == planned
    (describe,) = [r for r in collect.ledger if r.job == "describe"]
    assert (describe.model, describe.status) == ("claude-haiku-5-5", "failed")
    assert describe.cost_usd == describe.recomputed_cost() > 0
    (summary,) = collect.outcome.summaries
    job = next(j for j in summary.jobs if j.plan.job == "describe")
    assert job.error is not None
    assert f"not escalated to standard: the per PR budget of {format_usd(limit)}" in job.error
