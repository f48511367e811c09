"""Budget decisions as a table of cases, with exact re-estimates and the notices they add."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from pr_router.budget import (
    Spent,
    apply_budget,
    budget_line,
    headroom_of,
    limits,
    month_spent,
    output_room,
)
from pr_router.changes.model import Signals
from pr_router.ledger import LedgerRecord
from pr_router.plan import Estimate, JobPlan, Plan
from pr_router.policy.models import Policy
from pr_router.pricing import PriceTable, Rates
from pr_router.tokens import TokenUsage

D = Decimal
TIERS = {
    "frontier": {"provider": "anthropic", "model": "m-frontier"},
    "standard": {"provider": "anthropic", "model": "m-standard"},
    "efficient": {"provider": "anthropic", "model": "m-efficient"},
}
MODEL = {t: v["model"] for t, v in TIERS.items()}


def _rates(i: str, o: str) -> Rates:
    inp = D(i)
    return Rates(inp, D(o), inp * D("1.25"), inp * 2, inp * D("0.1"), "test")


PRICES = PriceTable(
    {
        "m-frontier": _rates("5", "25"),
        "m-standard": _rates("3", "15"),
        "m-efficient": _rates("1", "5"),
    }
)


def policy(**budgets: Any) -> Policy:
    """A policy with test tiers and the given ``budgets:`` and extra top-level fields."""
    extra = budgets.pop("extra", {})
    return Policy.model_validate({"tiers": TIERS, "budgets": budgets, **extra})


def signals(code: bool = True) -> Signals:
    """Signals of a code PR (or a docs-only one)."""
    return Signals(
        files_changed=2, lines_added=40, lines_removed=4,
        file_kinds={"code": 2} if code else {"docs": 2}, code_changed=code,
        docs_only=not code, security_sensitive=False, sensitive_reasons=(), risk="low",
        estimated_diff_tokens=8000,
    )  # fmt: skip


def job(  # noqa: PLR0917 - reads like a table row in the cases below
    name: str, cls: str, tier: str, mode: str, prompt: int, out: int, *,
    optional: bool = False, cache: str | None = None, shared: int = 0,
) -> JobPlan:  # fmt: skip
    """A running job estimated exactly as the router does (``shared`` cached prefix tokens)."""
    if cache == "write":
        usage = TokenUsage(input=prompt - shared, cache_write_5m=shared, output=out)
    elif cache == "read":
        usage = TokenUsage(input=prompt - shared, cache_read=shared, output=out)
    else:
        usage = TokenUsage(input=prompt, output=out)
    usd = PRICES.cost("anthropic", MODEL[tier], usage, mode)  # type: ignore[arg-type]
    frontier = PRICES.cost("anthropic", "m-frontier", usage.as_uncached(), "sync")
    est = Estimate(prompt, out, usd, usage.cache_read, usage.cache_write)
    return JobPlan(
        job=name, job_class=cls, run=True, reasons=(f"{cls}-path job",),  # type: ignore[arg-type]
        tier=tier, provider="anthropic", model=MODEL[tier], mode=mode,  # type: ignore[arg-type]
        effort="low", estimate=est, all_frontier_usd=frontier, optional=optional,
        cache_key=f"diff:anthropic:{MODEL[tier]}" if cache else None,
        cache_role=cache,  # type: ignore[arg-type]
    )  # fmt: skip


def full_plan(code: bool = True) -> Plan:
    """Every catalogue job running; total $0.231 (figures below, hand-computed)."""
    return Plan(
        policy="test",
        signals=signals(code),
        jobs=(
            job("review", "critical", "frontier", "sync", 10_000, 2_000),  # $0.100
            job("security", "critical", "frontier", "sync", 10_000, 1_000),  # $0.075
            job("describe", "auxiliary", "efficient", "batch", 10_000, 600, optional=True),
            # describe: (10000 x 1 + 600 x 5) / 2 / 1e6 = $0.0065
            job("changelog", "auxiliary", "efficient", "batch", 10_000, 200, optional=True),
            # changelog: (10000 + 1000) / 2 / 1e6 = $0.0055
            job("docs", "auxiliary", "standard", "sync", 10_000, 500, optional=True),
            # docs: (10000 x 3 + 500 x 15) / 1e6 = $0.0375
            job("failure-summary", "auxiliary", "efficient", "sync", 4_000, 500),
            # failure-summary: (4000 + 2500) / 1e6 = $0.0065
        ),
    )


def test_full_plan_figures() -> None:
    p = full_plan()
    assert [j.estimate.usd for j in p.jobs if j.estimate] == [
        D("0.1"), D("0.075"), D("0.0065"), D("0.0055"), D("0.0375"), D("0.0065"),
    ]  # fmt: skip
    assert p.total_usd == D("0.231")


@dataclass
class Case:
    """One budget decision: the expected (tier, mode) per running job and what is skipped."""

    name: str
    budgets: dict[str, Any]
    spent: Spent
    running: dict[str, tuple[str, str]]
    total: Decimal
    notices: list[str] = field(default_factory=list)
    code: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


ALL = {
    "review": ("frontier", "sync"),
    "security": ("frontier", "sync"),
    "describe": ("efficient", "batch"),
    "changelog": ("efficient", "batch"),
    "docs": ("standard", "sync"),
    "failure-summary": ("efficient", "sync"),
}
CRITICAL = {"review": ("frontier", "sync"), "security": ("frontier", "sync")}

CASES = [
    Case("no budgets set: plan unchanged", {}, Spent(D(9), D(9), D(9)), ALL, D("0.231")),
    Case(
        "fits every budget",
        {"per_run_usd": "1", "per_pr_usd": "5", "per_month_usd": "100"},
        Spent(D(0), D("4.769"), D("99")),
        ALL,
        D("0.231"),
    ),
    Case(
        # left $0.20: docs to batch ($0.01875, total $0.21225), failure-summary to batch
        # ($0.00325, total $0.209), then docs demoted to efficient batch ($0.00625): $0.1965.
        "per-PR short: batch, then demote, most expensive first",
        {"per_pr_usd": "5"},
        Spent(pr_usd=D("4.80")),
        ALL | {"docs": ("efficient", "batch"), "failure-summary": ("efficient", "batch")},
        D("0.1965"),
        ["Budget: per PR $5.00, spent $4.80, this run est. $0.231 → after changes $0.197"],
    ),
    Case(
        # exhausted mid-run: optional jobs go, the required auxiliary one runs in batch
        "budget exhausted mid-run: only what on_exceed allows",
        {"per_pr_usd": "5"},
        Spent(pr_usd=D("5.20")),
        CRITICAL | {"failure-summary": ("efficient", "batch")},
        D("0.17825"),
        [
            "Budget: per PR $5.00, spent $5.20, this run est. $0.231 → after changes $0.178",
            "⚠ Budget: per-PR $5.00 is used up (spent $5.20), but budgets.on_exceed (batch_auxiliary, "
            "demote_auxiliary, skip_optional) allows no further change: review, security, "
            "failure-summary still runs",
        ],
    ),
    Case(
        "per-month exceeded",
        {"per_month_usd": "100", "per_pr_usd": "50"},
        Spent(pr_usd=D(1), month_usd=D("99.95")),
        CRITICAL | {"failure-summary": ("efficient", "batch")},
        D("0.17825"),
        [
            "Budget: per month $100.00, spent $99.95, this run est. $0.231 → after changes $0.178",
            "⚠ Budget: per-month $100.00 has $0.050 left, but budgets.on_exceed (batch_auxiliary, "
            "demote_auxiliary, skip_optional) allows no further change: review, security, "
            "failure-summary still runs",
        ],
    ),
    Case(
        "per-run limit, skip optional only",
        {"per_run_usd": "0.20", "on_exceed": ["skip_optional"]},
        Spent(),
        {k: v for k, v in ALL.items() if k != "docs"},
        D("0.1935"),
        ["Budget: per run $0.200, spent $0.00, this run est. $0.231 → after changes $0.194"],
    ),
    Case(
        "demote_critical never touches must_stay_frontier on a code PR",
        {"per_pr_usd": "1", "on_exceed": ["skip_optional", "demote_critical"]},
        Spent(pr_usd=D("0.90")),
        {
            "review": ("frontier", "sync"),
            "security": ("frontier", "sync"),
            "failure-summary": ("efficient", "sync"),
        },
        D("0.1815"),
    ),
    Case(
        # security leaves frontier for standard: (10000 x 3 + 1000 x 15) / 1e6 = $0.045
        "demote_critical on jobs not kept on the frontier",
        {"per_pr_usd": "1", "on_exceed": ["skip_optional", "demote_critical"]},
        Spent(pr_usd=D("0.85")),
        {
            "review": ("frontier", "sync"),
            "security": ("standard", "sync"),
            "failure-summary": ("efficient", "sync"),
        },
        D("0.1515"),
        extra={"must_stay_frontier": ["review"]},
    ),
    Case(
        "docs-only PR: must_stay_frontier does not hold, demote_critical applies",
        # left $0.20: review to standard, (10000 x 3 + 2000 x 15) / 1e6 = $0.06: total $0.191
        {"per_pr_usd": "1", "on_exceed": ["demote_critical"]},
        Spent(pr_usd=D("0.80")),
        ALL | {"review": ("standard", "sync")},
        D("0.191"),
        code=False,
    ),
    Case(
        "skip_all: nothing left, everything skipped, critical loudly",
        {"per_pr_usd": "5", "on_exceed": ["skip_optional", "skip_all"]},
        Spent(pr_usd=D(5)),
        {},
        D(0),
        [
            "Budget: per PR $5.00, spent $5.00, this run est. $0.231 → after changes $0.00",
            "⚠ Budget: critical job 'review' skipped (per-PR $5.00 is used up (spent $5.00))",
            "⚠ Budget: critical job 'security' skipped (per-PR $5.00 is used up (spent $5.00))",
        ],
    ),
    Case(
        # left $0.08: aux gone, then the costlier critical job: security ($0.075) stays
        "skip_all stops as soon as the rest fits",
        {"per_pr_usd": "5", "on_exceed": ["skip_all"]},
        Spent(pr_usd=D("4.92")),
        {"security": ("frontier", "sync")},
        D("0.075"),
    ),
    Case(
        "batch disabled: the batch step is unavailable and says so",
        {"per_pr_usd": "1", "on_exceed": ["batch_auxiliary"]},
        Spent(pr_usd=D("0.9")),
        ALL,
        D("0.231"),
        extra={"batch": {"enabled": False}},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_budget_cases(case: Case) -> None:
    pol = policy(**case.budgets, extra=case.extra)
    plan = full_plan(case.code)
    out = apply_budget(plan, pol, case.spent, PRICES)
    got = {j.job: (j.tier, j.mode) for j in out.running}
    assert got == case.running
    assert out.total_usd == case.total
    for notice in case.notices:
        assert notice in out.notices
    if case.total == plan.total_usd and case.running == ALL:
        if "batch" in case.extra:
            assert "batch.enabled is false" in out.notices[-1]
        else:
            assert out is plan
    for before, after in zip(plan.jobs, out.jobs, strict=True):
        changed = (before.run, before.tier, before.mode) != (after.run, after.tier, after.mode)
        # never silent: every changed job gained a budget reason
        assert changed == (len(after.reasons) > len(before.reasons))
        if changed:
            assert after.reasons[-1].startswith("budget: ")


def test_reason_names_budget_and_change() -> None:
    out = apply_budget(full_plan(), policy(per_pr_usd="5"), Spent(pr_usd=D("4.80")), PRICES)
    assert out.job("docs").reasons[-2:] == (
        "budget: per-PR $5.00 has $0.200 left; moved to batch",
        "budget: per-PR $5.00 has $0.200 left; demoted to efficient",
    )
    assert out.job("docs").estimate == Estimate(10_000, 500, D("0.00625"))


def test_skip_all_reason_is_loud() -> None:
    pol = policy(per_pr_usd="5", on_exceed=["skip_all"])
    out = apply_budget(full_plan(), pol, Spent(pr_usd=D(6)), PRICES)
    assert out.running == ()
    assert "CRITICAL JOB SKIPPED" in out.job("review").reasons[-1]
    assert "CRITICAL JOB SKIPPED" not in out.job("docs").reasons[-1]
    assert out.job("review").estimate is None


def test_demote_auxiliary_stops_at_efficient() -> None:
    pol = policy(per_pr_usd="1", on_exceed=["demote_auxiliary"])
    out = apply_budget(full_plan(), pol, Spent(pr_usd=D(1)), PRICES)
    assert {j.job: j.tier for j in out.running if j.job_class == "auxiliary"} == {
        "describe": "efficient", "changelog": "efficient", "docs": "efficient",
        "failure-summary": "efficient",
    }  # fmt: skip


def test_cache_group_keeps_a_writer_when_the_writer_is_skipped() -> None:
    # "notes" writes the 8000-token prefix that review and security read; skip_optional
    # takes "notes", so review (first of the rest) must write the prefix instead.
    writer = job("notes", "auxiliary", "frontier", "sync", 10_000, 2_000,
                 optional=True, cache="write", shared=8_000)  # fmt: skip
    review = job("review", "critical", "frontier", "sync", 10_000, 2_000,
                 cache="read", shared=8_000)  # fmt: skip
    security = job("security", "critical", "frontier", "sync", 10_000, 1_000,
                   cache="read", shared=8_000)  # fmt: skip
    plan = Plan("test", signals(), (writer, review, security))
    out = apply_budget(plan, policy(per_run_usd="0.05", on_exceed=["skip_optional"]),
                       Spent(), PRICES)  # fmt: skip
    rev, sec = out.job("review"), out.job("security")
    assert (rev.cache_role, sec.cache_role) == ("write", "read")
    # 2000 x 5 + 8000 x 6.25 + 2000 x 25 = 110000 -> $0.11
    assert rev.estimate == Estimate(10_000, 2_000, D("0.11"), 0, 8_000)
    assert rev.reasons[-1].startswith("budget: writes the shared cached context now")
    # 2000 x 5 + 8000 x 0.5 + 1000 x 25 = 39000 -> $0.039, unchanged
    assert sec == security
    assert out.notices[-1].startswith("⚠ Budget: per-run $0.050 has $0.050 left")


def test_a_new_writer_is_priced_at_the_policy_ttl() -> None:
    # As above, under `caching: {ttl: 1h}` (strict): the review's write is a 1-hour write.
    writer = job("notes", "auxiliary", "frontier", "sync", 10_000, 2_000,
                 optional=True, cache="write", shared=8_000)  # fmt: skip
    review = job("review", "critical", "frontier", "sync", 10_000, 2_000,
                 cache="read", shared=8_000)  # fmt: skip
    plan = Plan("test", signals(), (writer, review, replace(review, job="security")))
    pol = policy(per_run_usd="0.05", on_exceed=["skip_optional"],
                 extra={"caching": {"ttl": "1h"}})  # fmt: skip
    rev = apply_budget(plan, pol, Spent(), PRICES).job("review")
    assert rev.cache_role == "write"
    # 2000 x 5 + 8000 x 10 (1-hour write: 2x input) + 2000 x 25 = 140000 -> $0.14
    assert rev.estimate == Estimate(10_000, 2_000, D("0.14"), 0, 8_000)


def test_lone_cache_member_is_uncached() -> None:
    writer = job("review", "critical", "frontier", "sync", 10_000, 1_000,
                 cache="write", shared=8_000)  # fmt: skip
    reader = job("docs", "auxiliary", "frontier", "sync", 10_000, 500,
                 optional=True, cache="read", shared=8_000)  # fmt: skip
    plan = Plan("test", signals(), (writer, reader))
    out = apply_budget(plan, policy(per_run_usd="0.06", on_exceed=["skip_optional"]),
                       Spent(), PRICES)  # fmt: skip
    rev = out.job("review")
    assert (rev.cache_role, rev.cache_key) == (None, None)
    assert rev.estimate == Estimate(10_000, 1_000, D("0.075"))
    assert rev.reasons[-1].endswith("estimated uncached")


def test_month_spent_counts_this_calendar_month_only() -> None:
    def rec(ts: datetime, usd: str) -> LedgerRecord:
        return LedgerRecord(run_id="r", timestamp=ts, job="review", job_class="critical",
                            tier="frontier", provider="anthropic", model="m", mode="sync",
                            status="ok", cost_usd=D(usd))  # fmt: skip

    records = [
        rec(datetime(2026, 10, 31, 23, 59, tzinfo=UTC), "1"),
        rec(datetime(2026, 11, 1, 0, 0, tzinfo=UTC), "0.25"),
        rec(datetime(2026, 11, 30, 12, 0), "0.5"),  # naive: UTC
        rec(datetime(2026, 12, 1, tzinfo=UTC), "2"),
    ]
    assert month_spent(records, datetime(2026, 11, 15, tzinfo=UTC)) == D("0.75")
    assert month_spent([], datetime(2026, 11, 15, tzinfo=UTC)) == D(0)


def test_budget_line_and_limits() -> None:
    assert budget_line("per PR", D(5), D("4.58"), D("0.61"), D("0.39")) == (
        "Budget: per PR $5.00, spent $4.58, this run est. $0.610 → after changes $0.390"
    )
    assert budget_line("per run", D(1), D(0), D("0.2")) == (
        "Budget: per run $1.00, spent $0.00, this run est. $0.200"
    )
    got = limits(policy(per_pr_usd="5", per_month_usd="50"), Spent(pr_usd=D(1)))
    assert [(b.key, b.left) for b in got] == [("per_pr", D(4)), ("per_month", D(50))]


def test_plan_is_not_mutated() -> None:
    plan = full_plan()
    snapshot = replace(plan)
    apply_budget(plan, policy(per_pr_usd="5", on_exceed=["skip_all"]), Spent(pr_usd=D(5)), PRICES)
    assert plan == snapshot


def test_headroom_is_the_binding_budgets_room_beyond_the_fitted_plan() -> None:
    plan = full_plan()  # $0.231
    room = headroom_of(policy(per_pr_usd="5", per_run_usd="0.30"), Spent(pr_usd=D("4.5")), plan)
    assert room.binding is not None
    assert (room.binding.key, room.planned) == ("per_run", D("0.231"))
    # review: its own $0.100 plus the plan's unreserved $0.069, less the $0.05 it spent.
    assert room.for_job(D("0.100"), D("0.05")) == D("0.119")
    assert room.for_job(D("0.100"), D("0.50")) == 0  # never below zero
    fitted = apply_budget(plan, policy(per_run_usd="0.20"), Spent(), PRICES)
    assert headroom_of(policy(per_run_usd="0.20"), Spent(), fitted).for_job(D(0), D(0)) == (
        D("0.20") - fitted.total_usd
    )
    assert headroom_of(policy(), Spent(), plan).binding is None


def test_output_room_is_what_the_allowance_pays_after_the_prompt() -> None:
    rates = PRICES.rates("anthropic", "m-frontier", "sync")  # $5 in, $25 out per MTok
    prompt = TokenUsage(input=10_000)  # $0.05
    assert output_room(D("0.10"), prompt, rates, 4_000) == 2_000  # $0.05 / $25 per MTok
    assert output_room(D("0.20"), prompt, rates, 4_000) == 4_000  # no more than wanted
    assert output_room(D("0.05"), prompt, rates, 4_000) == 0  # pays the prompt only
    assert output_room(D("0.01"), prompt, rates, 4_000) == 0
