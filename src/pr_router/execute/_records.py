"""Ledger records from real usage: one per attempt, priced at the rates in force."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pr_router.errors import UnknownModelError
from pr_router.ledger import LedgerRates, LedgerRecord, LedgerUsage, Status
from pr_router.plan import JobPlan
from pr_router.policy.models import Mode, Policy, Tier
from pr_router.pricing import PriceTable, cost
from pr_router.providers.base import ModelResponse

__all__ = ["Attempt", "RecordMaker"]


@dataclass(frozen=True, slots=True)
class Attempt:
    """Where one attempt of a job ran, and why it ran there."""

    tier: Tier
    provider: str
    model: str
    mode: Mode
    number: int = 1
    escalated_from: Tier | None = None
    reason: str | None = None  # why this attempt exists (cascade, fallback, batch retry)
    custom_id: str | None = None
    batch_id: str | None = None


@dataclass(frozen=True, slots=True)
class RecordMaker:
    """Builds ``LedgerRecord`` values for one run."""

    policy: Policy
    prices: PriceTable
    run_id: str
    wall_clock: Callable[[], datetime]
    repo: str | None = None
    pr: int | None = None
    head_sha: str | None = None

    def record(
        self,
        plan: JobPlan,
        attempt: Attempt,
        status: Status,
        *,
        response: ModelResponse | None = None,
        error: str | None = None,
        latency_s: float = 0.0,
        request_id: str | None = None,
    ) -> LedgerRecord:
        """One record; priced from ``response.usage`` when there is a response.

        ``request_id`` is for failed calls (the provider's id of the error response).
        """
        record = LedgerRecord(
            run_id=self.run_id,
            timestamp=self.wall_clock(),
            repo=self.repo,
            pr=self.pr,
            head_sha=self.head_sha,
            job=plan.job,
            job_class=plan.job_class,
            tier=attempt.tier,
            provider=attempt.provider,
            model=attempt.model,
            mode=attempt.mode,
            effort=plan.effort,
            status=status,
            error=error,
            latency_s=round(max(latency_s, 0.0), 6),
            attempt=attempt.number,
            escalated_from=attempt.escalated_from,
            escalation_reason=attempt.reason,
            batch_id=attempt.batch_id,
            custom_id=attempt.custom_id,
            request_id=response.request_id if response else request_id,
        )
        return self._priced(record, response) if response is not None else record

    def _priced(self, record: LedgerRecord, response: ModelResponse) -> LedgerRecord:
        usage = response.usage
        try:
            rates = self.prices.rates(record.provider, record.model, record.mode, usage.prompt)
            frontier = self.policy.tiers["frontier"]
            counterfactual = self.prices.cost(
                frontier.provider, frontier.model, usage.as_uncached(), "sync"
            )
        except UnknownModelError as exc:
            # The call was made and billed; keep its usage even if no price is known.
            note = f"cost unknown: {exc}"
            error = f"{record.error}; {note}" if record.error else note
            return record.model_copy(update={"usage": LedgerUsage.of(usage), "error": error})
        return record.model_copy(
            update={
                "usage": LedgerUsage.of(usage),
                "rates": LedgerRates.of(rates),
                "cost_usd": cost(usage, rates),
                "all_frontier_usd": counterfactual,
            }
        )
