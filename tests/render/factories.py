"""A realistic run built by hand: records with hand-picked usage, priced at fixed rates."""

from __future__ import annotations

from decimal import Decimal

from pr_router.changes.model import Signals
from pr_router.ledger import LedgerRates, LedgerRecord, LedgerUsage
from pr_router.plan import Estimate, JobPlan, Plan
from pr_router.pricing import Rates, cost
from pr_router.summary import JobRun, RunSummary, Section
from pr_router.tokens import TokenUsage

OPUS = "claude-opus-5-5"
SONNET = "claude-sonnet-5-5"
HAIKU = "claude-haiku-5-5"
D = Decimal

# USD per million tokens: input, output, cache write 5m, cache write 1h, cache read.
SYNC_RATES = {
    OPUS: Rates(D(5), D(25), D("6.25"), D(10), D("0.5"), "test"),
    SONNET: Rates(D(3), D(15), D("3.75"), D(6), D("0.3"), "test"),
    HAIKU: Rates(D(1), D(5), D("1.25"), D(2), D("0.1"), "test"),
}
TIER = {OPUS: "frontier", SONNET: "standard", HAIKU: "efficient"}


def rates(model: str, mode: str) -> Rates:
    """The test rates of a model; batch is half price."""
    base = SYNC_RATES[model]
    return base.scaled(D("0.5"), "test batch") if mode == "batch" else base


def record(job: str, model: str, mode: str = "sync", **usage: int) -> LedgerRecord:
    """A billed record priced at the test rates, with its all-frontier counterfactual."""
    tokens = TokenUsage(**usage)
    r = rates(model, mode)
    return LedgerRecord(
        run_id="42-1",
        job=job,
        job_class="critical" if job in ("review", "security") else "auxiliary",
        tier=TIER[model],  # type: ignore[arg-type]
        provider="anthropic",
        model=model,
        mode=mode,  # type: ignore[arg-type]
        status="ok",
        usage=LedgerUsage.of(tokens),
        rates=LedgerRates.of(r),
        cost_usd=cost(tokens, r),
        all_frontier_usd=cost(tokens.as_uncached(), SYNC_RATES[OPUS]),
    )


def job_plan(job: str, model: str | None, mode: str = "sync", **extra: object) -> JobPlan:
    """A running job's plan (or a skipped one when ``model`` is None)."""
    critical = job in ("review", "security")
    if model is None:
        reasons = extra.pop("reasons", ("not needed",))
        return JobPlan(job, "critical" if critical else "auxiliary", False, reasons)  # type: ignore[arg-type]
    return JobPlan(
        job=job,
        job_class="critical" if critical else "auxiliary",
        run=True,
        reasons=extra.pop("reasons", ("catalogue default",)),  # type: ignore[arg-type]
        title=job,
        tier=TIER[model],  # type: ignore[arg-type]
        provider="anthropic",
        model=model,
        mode=mode,  # type: ignore[arg-type]
        effort=extra.pop("effort", None),  # type: ignore[arg-type]
        estimate=Estimate(6000, 1200, D("0.05")),
        **extra,  # type: ignore[arg-type]
    )


SIGNALS = Signals(
    files_changed=3,
    lines_added=40,
    lines_removed=5,
    file_kinds={"code": 2, "docs": 1},
    code_changed=True,
    docs_only=False,
    security_sensitive=True,
    sensitive_reasons=("src/app/session.py: session cookie handling",),
    risk="high",
    estimated_diff_tokens=5200,
)


def realistic_summary(**overrides: object) -> RunSummary:
    """Review + security on opus sharing a cache, describe/changelog batched on haiku,
    docs pending in a batch, failure-summary failed, changelog escalated to sonnet."""
    review = job_plan(
        "review",
        OPUS,
        effort="high",
        cache_key="pr",
        cache_role="write",
        reasons=("critical-path job", "security-sensitive change: high effort"),
    )
    security = job_plan(
        "security",
        OPUS,
        effort="high",
        cache_key="pr",
        cache_role="read",
        reasons=("critical-path job", "src/app/session.py: session cookie handling"),
    )
    describe = job_plan("describe", HAIKU, "batch", reasons=("auxiliary", "PR body is empty"))
    changelog = job_plan("changelog", HAIKU, "batch", reasons=("auxiliary", "user-facing change"))
    docs = job_plan("docs", HAIKU, "batch", reasons=("auxiliary", "public API changed"))
    failure = job_plan("failure-summary", HAIKU, reasons=("auxiliary", "CI run 77 failed"))
    plan = Plan(
        "policies/default.yml", SIGNALS, (review, security, describe, changelog, docs, failure)
    )
    escalated = record("changelog", SONNET, "batch", input=900, output=150)
    escalated = escalated.model_copy(
        update={
            "attempt": 2,
            "escalated_from": "efficient",
            "escalation_reason": "output referenced a line outside the diff",
        }
    )
    jobs = (
        JobRun(
            review,
            "ok",
            (record("review", OPUS, input=350, cache_write_5m=4800, output=1200),),
            findings_inline=3,
            findings_in_body=1,
            not_seen=("vendor/big.min.js",),
        ),
        JobRun(
            security,
            "ok",
            (record("security", OPUS, input=420, cache_read=4800, output=640),),
            findings_duplicate=1,
        ),
        JobRun(
            describe,
            "ok",
            (record("describe", HAIKU, "batch", input=5300, output=420),),
            section=Section(
                "PR description",
                "Adds **session rotation** on login.\n\n- rotates the cookie\n- drops the old session",
            ),
        ),
        JobRun(
            changelog,
            "ok",
            (record("changelog", HAIKU, "batch", input=900, output=150), escalated),
            section=Section("Changelog entry", "### Security\n- Session ids rotate on login."),
        ),
        JobRun(docs, "pending"),
        JobRun(failure, "failed", error="provider overloaded (529) after 3 retries"),
    )
    fields: dict[str, object] = {
        "plan": plan,
        "jobs": jobs,
        "run_id": "42-1",
        "head_sha": "f00dbabe" * 5,
        "previous_cost_usd": D("0.0712"),
        "previous_runs": 1,
        "incremental_since": "abc1234def5678",
        "wait_seconds": 95.0,
        "pending_batches": ("anthropic:msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d",),
        "budget_line": "Budget: $0.071 of $1.00 per PR used this run ($0.142 of $5.00 this PR).",
        "notices": ("OPENAI_API_KEY is not set: the OpenAI tier is unavailable.",),
    }
    fields.update(overrides)
    return RunSummary(**fields)  # type: ignore[arg-type]
