"""Batch-mode jobs: one batch per provider, polled with backoff, every item accounted for.

A request that fails inside a batch (errored, expired, canceled, or a whole batch that
failed) is retried synchronously or reported, as the policy says; an output that fails
validation escalates one tier up, synchronously. Batches still running when the wait budget
is spent become ``PendingBatch`` values for a later ``collect``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from pr_router.errors import MissingKeyError, ProviderError
from pr_router.execute._chain import Chain, Step, check, describe
from pr_router.execute._clock import Clock
from pr_router.execute._outcome import JobCall, JobOutcome, Validator
from pr_router.execute._pending import PendingBatch, PendingItem
from pr_router.execute._records import Attempt
from pr_router.ledger import LedgerRecord
from pr_router.plan import JobPlan
from pr_router.policy.models import TierModel
from pr_router.providers.base import BatchHandle, BatchItemResult, ModelRequest, Provider
from pr_router.providers.registry import missing_key_message

__all__ = ["BatchItem", "BatchRunner", "FollowUp", "Result", "Submitted"]


@dataclass(slots=True)
class BatchItem:
    """One job inside a batch, with the records of its attempts so far."""

    plan: JobPlan
    validate: Validator
    request: ModelRequest | None  # None when collected without the original request
    attempt: Attempt
    prior: list[LedgerRecord] = field(default_factory=list)


@dataclass(slots=True)
class Submitted:
    """A batch on a provider and the items it holds, by custom id."""

    provider: Provider
    handle: BatchHandle
    items: dict[str, BatchItem]
    submitted_wall: datetime
    submitted_at: float | None = None  # executor clock; None when collected by another run


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A synchronous continuation of a batch job: a retry or an escalation."""

    plan: JobPlan
    request: ModelRequest
    validate: Validator
    step: Step
    prior: tuple[LedgerRecord, ...]


Result = JobOutcome | FollowUp
Settled = list[tuple[Submitted, list[BatchItemResult]]]


@dataclass(frozen=True, slots=True)
class BatchRunner:
    """Submits, polls and settles the batches of one executor."""

    chain: Chain
    clock: Clock
    wall_clock: Callable[[], datetime]

    def submit(self, calls: Sequence[JobCall[object]]) -> tuple[list[Submitted], list[Result]]:
        """One batch per provider; jobs that cannot be batched come back as results."""
        groups: dict[str, list[BatchItem]] = defaultdict(list)
        results: list[Result] = []
        for call in calls:
            item_or_result = self._place(call)
            if isinstance(item_or_result, BatchItem):
                groups[item_or_result.attempt.provider].append(item_or_result)
            else:
                results.append(item_or_result)
        submitted = []
        for name, items in groups.items():
            batch = self._submit_group(self.chain.providers[name], items)
            if isinstance(batch, Submitted):
                submitted.append(batch)
            else:
                results.extend(batch)
        return submitted, results

    def _place(self, call: JobCall[object]) -> BatchItem | Result:
        plan, request = call.plan, call.request
        assert plan.tier is not None
        prior: list[LedgerRecord] = []
        for number, target in enumerate(self.chain.targets(plan, Step(plan.tier)), 1):
            attempt = Attempt(plan.tier, target.provider, target.model, "batch", number,
                              reason=_reason(prior), custom_id=request.custom_id)  # fmt: skip
            provider = self.chain.providers.get(target.provider)
            if provider is None:
                error = describe(MissingKeyError(missing_key_message(target.provider),
                                                 provider=target.provider))  # fmt: skip
                prior.append(self.chain.maker.record(plan, attempt, "failed", error=error))
                continue
            if not provider.supports_batch:
                step = Step(plan.tier, number, reason="provider has no batch API", target=target)
                return FollowUp(plan, request, call.validate, step, tuple(prior))
            batch_request = _aimed(request, target)
            return BatchItem(plan, call.validate, batch_request, attempt, prior)
        return JobOutcome(plan.job, "failed", error=prior[-1].error, records=tuple(prior))

    def _submit_group(self, provider: Provider, items: list[BatchItem]) -> Submitted | list[Result]:
        requests = [i.request for i in items if i.request is not None]
        try:
            handle = provider.submit_batch(requests)
        except ProviderError as exc:
            error = f"batch submission failed: {describe(exc)}"
            return [self._failed_item(item, error) for item in items]
        for item in items:
            item.attempt = _with_batch(item.attempt, handle.batch_id)
        return Submitted(provider, handle, {i.attempt.custom_id or "": i for i in items},
                         self.wall_clock(), self.clock.now())  # fmt: skip

    def wait(self, batches: list[Submitted], deadline: float) -> tuple[Settled, list[Submitted]]:
        """Poll with exponential backoff until every batch ended or ``deadline`` (clock) passed."""
        policy = self.chain.maker.policy.batch
        interval = policy.poll_initial_seconds
        settled: Settled = []
        remaining = list(batches)
        while True:
            still = []
            for batch in remaining:
                results = self._poll(batch)
                if results is None:
                    still.append(batch)
                else:
                    settled.append((batch, results))
            remaining = still
            now = self.clock.now()
            if not remaining or now >= deadline:
                return settled, remaining
            self.clock.sleep(min(interval, deadline - now))
            interval = min(interval * 2, policy.poll_max_seconds)

    def _poll(self, batch: Submitted) -> list[BatchItemResult] | None:
        try:
            if batch.provider.batch_state(batch.handle) == "in_progress":
                return None
            return batch.provider.batch_results(batch.handle)
        except ProviderError:
            return None  # a failed poll is not a failed batch: look again next time

    def settle(self, batch: Submitted, results: Sequence[BatchItemResult]) -> list[Result]:
        """Every item's outcome, or the synchronous follow-up it needs."""
        latency = self._latency(batch)
        out: list[Result] = []
        for result in results:
            item = batch.items.get(result.custom_id)
            if item is None:
                continue  # not ours: the adapter already reports every submitted id
            if result.response is None:
                error = f"batch item {result.status}: {result.error or 'no detail'}"
                item.prior.append(self.chain.maker.record(item.plan, item.attempt, "failed",
                                                          error=error, latency_s=latency))  # fmt: skip
                out.append(self._retry_or_fail(item, error))
                continue
            out.append(self._succeeded(item, result, latency))
        return out

    def _succeeded(self, item: BatchItem, result: BatchItemResult, latency: float) -> Result:
        assert result.response is not None
        checked = check(item.validate, result.response)
        item.prior.append(self.chain.maker.record(
            item.plan, item.attempt, "ok" if checked.ok else "failed",
            response=result.response, error=checked.error, latency_s=latency))  # fmt: skip
        if not checked.escalate or item.request is None:
            return checked.outcome(item.plan.job, item.prior, result.response)
        attempt = item.attempt
        up = self.chain.next_step(item.plan, item.request, Step(attempt.tier, attempt.number),
                                  checked, response=result.response, records=item.prior,
                                  more_room=False)  # fmt: skip
        if isinstance(up, Step):
            step = replace(up, number=attempt.number + 1)
            return FollowUp(item.plan, item.request, item.validate, step, tuple(item.prior))
        if up is not None:  # the budget does not pay for it
            checked = replace(checked, error=f"{checked.error}; {up}")
        return checked.outcome(item.plan.job, item.prior, result.response)

    def _failed_item(self, item: BatchItem, error: str) -> Result:
        item.prior.append(self.chain.maker.record(item.plan, item.attempt, "failed", error=error))
        return self._retry_or_fail(item, error)

    def _retry_or_fail(self, item: BatchItem, error: str) -> Result:
        retry = self.chain.maker.policy.batch.on_item_failure == "retry_sync"
        if retry and item.request is not None:
            attempt = item.attempt
            target = TierModel(provider=attempt.provider, model=attempt.model)  # type: ignore[arg-type]
            step = Step(attempt.tier, attempt.number + 1, reason=f"retry after {error}",
                        target=target)  # fmt: skip
            return FollowUp(item.plan, item.request, item.validate, step, tuple(item.prior))
        if retry:
            error += "; not retried: the job's request was not given to collect"
        return JobOutcome(item.plan.job, "failed", error=error, records=tuple(item.prior))

    def _latency(self, batch: Submitted) -> float:
        if batch.submitted_at is not None:
            return self.clock.now() - batch.submitted_at
        return (self.wall_clock() - batch.submitted_wall).total_seconds()

    def pending(self, batch: Submitted) -> tuple[PendingBatch, list[JobOutcome]]:
        """A batch left running: its ``PendingBatch`` and a pending outcome per job."""
        outcomes = []
        for item in batch.items.values():
            record = self.chain.maker.record(item.plan, item.attempt, "pending")
            outcomes.append(JobOutcome(item.plan.job, "pending", records=(*item.prior, record)))
        return self.as_pending(batch), outcomes

    @staticmethod
    def as_pending(batch: Submitted) -> PendingBatch:
        """The batch as plain data a later ``collect`` can finish (no records made)."""
        items = tuple(PendingItem.of(cid, i.plan, i.attempt) for cid, i in batch.items.items())
        return PendingBatch(batch.handle.provider, batch.handle.batch_id,
                            batch.submitted_wall, items)  # fmt: skip


def _reason(prior: Sequence[LedgerRecord]) -> str | None:
    return f"fallback after {prior[-1].provider} failed: {prior[-1].error}" if prior else None


def _aimed(request: ModelRequest, target: TierModel) -> ModelRequest:
    return request if request.model == target.model else replace(request, model=target.model)


def _with_batch(attempt: Attempt, batch_id: str) -> Attempt:
    return replace(attempt, batch_id=batch_id)
