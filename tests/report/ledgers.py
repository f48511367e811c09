"""Ledger fixtures: a record factory, a seeded month of runs, and rates like the real ones."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pr_router.ledger import LedgerRates, LedgerRecord, LedgerUsage
from pr_router.pricing import BATCH_FACTOR, Rates, cost
from pr_router.tokens import TokenUsage

D = Decimal
REPO = "acme/widgets"
MODELS = {"frontier": "claude-opus-4-6", "standard": "claude-sonnet-4-6",
          "efficient": "claude-haiku-4-5"}  # fmt: skip
_BASE = {"frontier": ("5", "25"), "standard": ("3", "15"), "efficient": ("1", "5")}


def rates(tier: str, mode: str = "sync") -> Rates:
    """USD per million tokens: write 1.25x, read 0.1x input; batch half of everything."""
    inp, out = (D(x) for x in _BASE[tier])
    r = Rates(inp, out, inp * D("1.25"), inp * 2, inp * D("0.1"), "test")
    return r.scaled(BATCH_FACTOR, "test (batch)") if mode == "batch" else r


def record(
    job: str,
    tier: str,
    *,
    mode: str = "sync",
    pr: int | None = 1,
    at: datetime,
    usage: TokenUsage,
    outcome: str | None = None,
    status: str = "ok",
    run_id: str = "run-1",
    **extra: Any,
) -> LedgerRecord:
    """A record priced exactly as ``run`` prices it: cost and counterfactual from ``usage``."""
    r = rates(tier, mode)
    return LedgerRecord(
        run_id=run_id, timestamp=at, repo=REPO, pr=pr, head_sha="a" * 40, job=job,
        job_class="critical" if job in ("review", "security") else "auxiliary",
        tier=tier, provider="anthropic", model=MODELS[tier], mode=mode, status=status,
        usage=LedgerUsage.of(usage), rates=LedgerRates.of(r), cost_usd=cost(usage, r),
        all_frontier_usd=cost(usage.as_uncached(), rates("frontier")),
        outcome=outcome, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


# Per job: (tier, mode, prompt tokens, output tokens, chance of a run, rejection share)
_JOBS: dict[str, tuple[str, str, int, int, float, float]] = {
    "review": ("frontier", "sync", 12_000, 1_500, 1.0, 0.08),
    "security": ("frontier", "sync", 12_000, 900, 0.8, 0.05),
    "describe": ("efficient", "batch", 9_000, 600, 0.5, 0.10),
    "changelog": ("efficient", "batch", 4_000, 200, 0.6, 0.27),
    "docs": ("efficient", "batch", 9_000, 500, 0.3, 0.15),
    "failure-summary": ("efficient", "sync", 6_000, 500, 0.2, 0.03),
}


def _job_records(rng: random.Random, job: str, pr: int, run: str, *, at: datetime,
                 cached: int) -> list[LedgerRecord]:  # fmt: skip
    tier, mode, prompt, out, _, reject = _JOBS[job]
    prompt, out = int(prompt * rng.uniform(0.5, 2.0)), int(out * rng.uniform(0.5, 1.5))
    prompt = max(prompt, cached + 2_000)  # the shared prefix plus the job's own instructions
    if job == "security" and cached:  # reads the diff prefix the review wrote
        usage = TokenUsage(input=prompt - cached, cache_read=cached, output=out)
    elif job == "review" and cached:
        usage = TokenUsage(input=prompt - cached, cache_write_5m=cached, output=out)
    else:
        usage = TokenUsage(input=prompt, output=out)
    draw = rng.random()
    outcome = "rejected" if draw < reject else "accepted" if draw < 0.85 else None
    common = {"pr": pr, "run_id": run, "at": at, "published": [f"issue_comment:{pr}00"]}
    if tier == "efficient" and rng.random() < 0.04:  # a cascade: invalid output, one tier up
        failed = record(job, tier, mode=mode, usage=usage, status="failed", **common)
        return [failed, record(job, "standard", mode=mode, usage=usage, outcome=outcome,
                               attempt=2, escalated_from="efficient", **common)]  # fmt: skip
    return [record(job, tier, mode=mode, usage=usage, outcome=outcome, **common)]


def month(seed: int = 7, prs: int = 30, start: datetime | None = None) -> list[LedgerRecord]:
    """A month of runs across ``prs`` PRs (1-4 runs each), reproducible from ``seed``."""
    rng = random.Random(seed)
    start = start or datetime(2026, 11, 1, tzinfo=UTC)
    out: list[LedgerRecord] = []
    for pr in range(100, 100 + prs):
        opened = start + timedelta(days=rng.uniform(0, 27))
        for n in range(rng.randint(1, 4)):
            at = opened + timedelta(hours=n * rng.uniform(1, 20))
            cached = rng.choice([0, 8_000])
            for job, spec in _JOBS.items():
                first_only = job in ("describe", "changelog")
                if (n == 0 or not first_only) and rng.random() < spec[4]:
                    out += _job_records(rng, job, pr, f"{pr}-{n}", at=at, cached=cached)
    return out


def many(n: int, seed: int = 1) -> list[LedgerRecord]:
    """At least ``n`` records: seeded months of runs, one after another."""
    out: list[LedgerRecord] = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    while len(out) < n:
        out += month(seed + len(out), prs=100, start=start)
        start += timedelta(days=28)
    return out[:n]
