"""Promotion and demotion advice from measured acceptance, as concrete policy edits.

The practice: log every routed result with its outcome, look weekly, and promote a job one
tier up when more than ~20% of its output on a cheaper tier is not accepted (the price gap
collapses once a fifth of the output needs redoing). Demotion is only suggested for
auxiliary jobs, which a human checks anyway, when almost nothing is rejected over a larger
sample; critical jobs (review, security) are never advised down.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pr_router.report._aggregate import Acceptance

__all__ = ["Advice", "AdviceSettings", "advise"]

Action = Literal["promote", "demote", "keep", "not_enough_data", "top_tier"]
_UP = {"efficient": "standard", "standard": "frontier"}
_DOWN = {"frontier": "standard", "standard": "efficient"}


@dataclass(frozen=True, slots=True)
class AdviceSettings:
    """Thresholds for advice (the defaults follow the routing practice)."""

    min_results: int = 20  # decided results needed before any advice
    promote_above: Decimal = Decimal("0.20")  # rejection share that triggers promotion
    demote_below: Decimal = Decimal("0.05")  # rejection share under which demotion is offered
    min_results_demote: int = 40  # a larger sample before suggesting a cheaper tier
    protected: frozenset[str] = frozenset({"review", "security"})  # never advised down


@dataclass(frozen=True, slots=True)
class Advice:
    """One line of advice for a job on a tier, with the policy edit that applies it."""

    job: str
    tier: str
    action: Action
    n: int
    rejected: int
    target: str | None = None  # the tier to move to
    edit: str | None = None  # e.g. "jobs.changelog.tier: standard"

    @property
    def rejection(self) -> Decimal | None:
        """Share of decided results rejected."""
        return Decimal(self.rejected) / Decimal(self.n) if self.n else None

    def text(self) -> str:
        """E.g. "changelog: 27% rejected on efficient over 41 results: move to standard (...)"."""
        if self.action == "not_enough_data":
            return f"{self.job} on {self.tier}: not enough data (n={self.n})"
        head = f"{self.job}: {_pct(self.rejection)} rejected on {self.tier} over {self.n} results"
        if self.action == "promote":
            return f"{head}: move to {self.target} ({self.edit})"
        if self.action == "demote":
            return f"{head}: try {self.target} ({self.edit})"
        if self.action == "top_tier":
            return f"{head}: already on the top tier; look at the job's prompt and inputs"
        return f"{head}: keep"


def _pct(share: Decimal | None) -> str:
    if share is None:
        return "n/a"
    pct = share * 100
    # Whole percent reads best, but never round a share across the 20% threshold.
    text = f"{pct:.0f}" if pct == pct.to_integral_value() or abs(pct - 20) >= 1 else f"{pct:.1f}"
    return f"{text}%"


def _one(a: Acceptance, s: AdviceSettings) -> Advice:
    base = Advice(a.job, a.tier, "keep", a.n, a.rejected)
    share = a.rejection
    if share is None or a.n < s.min_results:
        return Advice(a.job, a.tier, "not_enough_data", a.n, a.rejected)
    if share > s.promote_above:
        up = _UP.get(a.tier)
        if up is None:
            return Advice(a.job, a.tier, "top_tier", a.n, a.rejected)
        return Advice(a.job, a.tier, "promote", a.n, a.rejected, up, f"jobs.{a.job}.tier: {up}")
    down = _DOWN.get(a.tier)
    demotable = a.job_class == "auxiliary" and a.job not in s.protected and down is not None
    if demotable and share < s.demote_below and a.n >= s.min_results_demote:
        edit = f"jobs.{a.job}.tier: {down}"
        return Advice(a.job, a.tier, "demote", a.n, a.rejected, down, edit)
    return base


_RANK: dict[Action, int] = {
    "promote": 0,
    "top_tier": 1,
    "demote": 2,
    "keep": 3,
    "not_enough_data": 4,
}


def advise(
    acceptance: Iterable[Acceptance], settings: AdviceSettings | None = None
) -> Sequence[Advice]:
    """Advice for every (job, tier) with results, the actionable lines first."""
    s = settings or AdviceSettings()
    lines = [_one(a, s) for a in acceptance if a.n or a.unknown]
    return sorted(lines, key=lambda x: (_RANK[x.action], x.job, x.tier))
