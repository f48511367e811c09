"""Promotion and demotion advice: thresholds at their edges, sample sizes, protected jobs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pr_router.report import Acceptance, Advice, AdviceSettings, advise


def acc(job: str, tier: str, accepted: int, rejected: int, unknown: int = 0, *,
        cls: str = "auxiliary") -> Acceptance:  # fmt: skip
    """Acceptance counts for one job on one tier."""
    return Acceptance(job, tier, cls, accepted, rejected, unknown)


def one(a: Acceptance, settings: AdviceSettings | None = None) -> Advice:
    """The single line of advice for ``a``."""
    (line,) = advise([a], settings)
    return line


@pytest.mark.parametrize(
    ("a", "action", "text"),
    [
        # 201 of 1000 = 20.1% > 20%: promote
        (
            acc("changelog", "efficient", 799, 201),
            "promote",
            "changelog: 20.1% rejected on efficient over 1000 results: move to standard "
            "(jobs.changelog.tier: standard)",
        ),
        # 199 of 1000 = 19.9%: keep
        (
            acc("changelog", "efficient", 801, 199),
            "keep",
            "changelog: 19.9% rejected on efficient over 1000 results: keep",
        ),
        # exactly 20% is not "more than 20%"
        (
            acc("changelog", "efficient", 16, 4),
            "keep",
            "changelog: 20% rejected on efficient over 20 results: keep",
        ),
        # the brief's own example: 11 of 41 = 26.8%
        (
            acc("changelog", "efficient", 30, 11, 5),
            "promote",
            "changelog: 27% rejected on efficient over 41 results: move to standard "
            "(jobs.changelog.tier: standard)",
        ),
        (
            acc("docs", "standard", 20, 10),
            "promote",
            "docs: 33% rejected on standard over 30 results: move to frontier "
            "(jobs.docs.tier: frontier)",
        ),
        # below the minimum sample, whatever the share
        (
            acc("changelog", "efficient", 2, 5, 9),
            "not_enough_data",
            "changelog on efficient: not enough data (n=7)",
        ),
        (
            acc("changelog", "efficient", 14, 5),
            "not_enough_data",
            "changelog on efficient: not enough data (n=19)",
        ),
        (
            acc("review", "frontier", 20, 10, cls="critical"),
            "top_tier",
            "review: 33% rejected on frontier over 30 results: already on the top tier; "
            "look at the job's prompt and inputs",
        ),
        # demotion: auxiliary, under 5% rejected, at least 40 results
        (
            acc("describe", "standard", 39, 1),
            "demote",
            "describe: 2% rejected on standard over 40 results: try efficient "
            "(jobs.describe.tier: efficient)",
        ),
        (
            acc("describe", "frontier", 96, 4),
            "demote",
            "describe: 4% rejected on frontier over 100 results: try standard "
            "(jobs.describe.tier: standard)",
        ),
        (
            acc("describe", "standard", 38, 1),
            "keep",
            "describe: 3% rejected on standard over 39 results: keep",
        ),
        (
            acc("describe", "standard", 95, 5),
            "keep",
            "describe: 5% rejected on standard over 100 results: keep",
        ),
        (
            acc("describe", "efficient", 100, 0),
            "keep",
            "describe: 0% rejected on efficient over 100 results: keep",
        ),
        # never advise demoting the critical jobs
        (
            acc("review", "frontier", 100, 0, cls="critical"),
            "keep",
            "review: 0% rejected on frontier over 100 results: keep",
        ),
        (
            acc("security", "frontier", 200, 1, cls="critical"),
            "keep",
            "security: 0% rejected on frontier over 201 results: keep",
        ),
    ],
)
def test_advice(a: Acceptance, action: str, text: str) -> None:
    line = one(a)
    assert (line.action, line.text()) == (action, text)


def test_protected_auxiliary_job_is_not_demoted() -> None:
    settings = AdviceSettings(protected=frozenset({"describe"}))
    assert one(acc("describe", "standard", 100, 0), settings).action == "keep"


def test_settings_move_the_thresholds() -> None:
    settings = AdviceSettings(min_results=5, promote_above=Decimal("0.5"))
    assert one(acc("changelog", "efficient", 3, 4), settings).action == "promote"
    assert one(acc("changelog", "efficient", 4, 3), settings).action == "keep"
    assert one(acc("changelog", "efficient", 1, 3), settings).action == "not_enough_data"


def test_order_actionable_first_and_only_groups_with_results() -> None:
    lines = advise([
        acc("describe", "efficient", 3, 1),
        acc("docs", "efficient", 0, 0),  # nothing at all: no line
        acc("changelog", "efficient", 70, 30),
        acc("describe", "standard", 50, 0),
        acc("review", "frontier", 50, 2, cls="critical"),
    ])  # fmt: skip
    assert [(a.job, a.tier, a.action) for a in lines] == [
        ("changelog", "efficient", "promote"),
        ("describe", "standard", "demote"),
        ("review", "frontier", "keep"),
        ("describe", "efficient", "not_enough_data"),
    ]
    assert lines[0].edit == "jobs.changelog.tier: standard"
    assert lines[0].rejection == Decimal("0.3")


def test_escalations_by_command_count_as_rejections_of_the_efficient_answer() -> None:
    from datetime import UTC, datetime

    from pr_router.report import Period, summarize
    from pr_router.tokens import TokenUsage

    from .ledgers import record

    at = datetime(2026, 11, 10, tzinfo=UTC)
    usage = TokenUsage(input=4_000, output=300)
    answers = [record("describe", "efficient", at=at, usage=usage, outcome="accepted")] * 16
    # four PRs where a maintainer said `/pr-router escalate describe`: the new answer runs
    # on standard, and its record names the efficient answer it rejected
    escalated = [
        record("describe", "standard", at=at, usage=usage, pr=n, command="/pr-router "
               "escalate describe", commanded_by="octocat", rejected_tier="efficient")
        for n in range(2, 6)
    ]  # fmt: skip
    period = Period(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    summary = summarize([*answers, *escalated], period)
    by_tier = {(a.job, a.tier): a for a in summary.acceptance}
    assert (
        by_tier["describe", "efficient"].accepted,
        by_tier["describe", "efficient"].rejected,
    ) == (
        16,
        4,
    )
    assert by_tier["describe", "standard"].rejected == 0  # the escalated answer itself is new
    (advice,) = [a for a in advise(summary.acceptance) if a.tier == "efficient"]
    assert advice.text() == "describe: 20% rejected on efficient over 20 results: keep"
    one_more = record("describe", "standard", at=at, usage=usage, rejected_tier="efficient")
    again = summarize([*answers, *escalated, one_more], period)
    (advice,) = [a for a in advise(again.acceptance) if a.tier == "efficient"]
    assert advice.action == "promote"
    assert "(jobs.describe.tier: standard)" in advice.text()
