"""The executor: runs a plan's jobs and turns every attempt into a ledger record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pr_router.budget import Headroom
from pr_router.execute._batches import BatchItem, BatchRunner, FollowUp, Result, Submitted
from pr_router.execute._chain import Chain, Release, Step
from pr_router.execute._clock import Clock
from pr_router.execute._outcome import JobCall, JobOutcome, RunOutcome, Validator
from pr_router.execute._pending import PendingBatch
from pr_router.execute._records import RecordMaker
from pr_router.execute._sync import Task, run_tasks
from pr_router.policy.models import Policy
from pr_router.pricing import PriceTable
from pr_router.providers.base import ModelRequest, Provider
from pr_router.providers.registry import missing_key_message

__all__ = ["Executor"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Executor:
    """Runs jobs on their providers: sync side by side, batch per provider, with fallback,
    cascade escalation and one ledger record per attempt."""

    def __init__(
        self,
        providers: Mapping[str, Provider],
        policy: Policy,
        prices: PriceTable,
        clock: Clock,
        *,
        run_id: str,
        repo: str | None = None,
        pr: int | None = None,
        head_sha: str | None = None,
        wall_clock: Callable[[], datetime] = _utcnow,
        headroom: Headroom | None = None,
    ) -> None:
        """``headroom``: the run's budgets, which retries and escalations must fit into."""
        self.policy = policy
        self.clock = clock
        maker = RecordMaker(policy, prices, run_id, wall_clock, repo, pr, head_sha)
        self._chain = Chain(providers, maker, clock, headroom)
        self._batches = BatchRunner(self._chain, clock, wall_clock)

    def run(
        self,
        calls: Sequence[JobCall[Any]],
        *,
        on_submitted: Callable[[tuple[PendingBatch, ...]], None] | None = None,
    ) -> RunOutcome:
        """Run every call; batch jobs not ended within the wait budget come back pending.

        The budget (``policy.batch.wait_seconds`` on the injected clock) counts from the start
        of the run, so a run takes about max(slowest sync job, budget). ``on_submitted`` is
        called once the batches are submitted, before anything waits, with them as
        ``PendingBatch`` values: the caller can record them somewhere durable, so a run
        killed while waiting does not orphan them.
        """
        _check(calls)
        deadline = self.clock.now() + self.policy.batch.wait_seconds
        batch_calls = [c for c in calls if c.plan.mode == "batch"]
        submitted, early = self._batches.submit(batch_calls)
        if submitted and on_submitted is not None:
            on_submitted(tuple(self._batches.as_pending(b) for b in submitted))
        sync_tasks = [self._task(c) for c in calls if c.plan.mode != "batch"]
        done = run_tasks(sync_tasks + [self._follow(f) for f in early if isinstance(f, FollowUp)])
        done += [r for r in early if isinstance(r, JobOutcome)]
        settled, pending = self._finish(submitted, deadline)
        by_job = {o.job: o for o in done + settled}
        # Every path above yields exactly one outcome per job; anything else is a bug here.
        assert len(by_job) == len(done) + len(settled) == len(calls), "job outcomes lost"
        return RunOutcome(tuple(by_job[c.job] for c in calls), pending)

    def collect(
        self,
        pending: Sequence[PendingBatch],
        validators: Mapping[str, Validator],
        *,
        requests: Mapping[str, ModelRequest] | None = None,
        wait_seconds: float | None = None,
    ) -> RunOutcome:
        """Finish batches a run left pending (possibly elsewhere); ``requests`` by job name
        allow failed items to be retried and invalid outputs to escalate. ``wait_seconds``
        (default: the policy's ``batch.wait_seconds``; 0 polls once) bounds the waiting."""
        lacking = sorted({i.job for p in pending for i in p.items} - set(validators))
        if lacking:
            raise ValueError(f"collect needs a validator for: {', '.join(lacking)}")
        wait = self.policy.batch.wait_seconds if wait_seconds is None else wait_seconds
        deadline = self.clock.now() + wait
        batches: list[Submitted] = []
        unreachable: list[JobOutcome] = []
        for batch in pending:
            provider = self._chain.providers.get(batch.provider)
            if provider is None:
                error = f"cannot collect: {missing_key_message(batch.provider)}"
                unreachable += [JobOutcome(i.job, "pending", error=error) for i in batch.items]
                continue
            items = {
                i.custom_id: BatchItem(i.plan(batch.provider), validators[i.job],
                                       (requests or {}).get(i.job),
                                       i.batch_attempt(batch.provider, batch.batch_id))
                for i in batch.items
            }  # fmt: skip
            batches.append(Submitted(provider, batch.handle(), items, batch.submitted_at))
        outcomes, still = self._finish(batches, deadline)
        left = tuple(p for p in pending if p.provider not in self._chain.providers)
        return RunOutcome((*unreachable, *outcomes), (*left, *still))

    def _finish(
        self, batches: list[Submitted], deadline: float
    ) -> tuple[list[JobOutcome], tuple[PendingBatch, ...]]:
        """Wait for the batches, settle what ended, run follow-ups, park the rest."""
        settled, remaining = self._batches.wait(batches, deadline)
        results: list[Result] = [r for b, res in settled for r in self._batches.settle(b, res)]
        outcomes = [r for r in results if isinstance(r, JobOutcome)]
        outcomes += run_tasks([self._follow(r) for r in results if isinstance(r, FollowUp)])
        parked = [self._batches.pending(b) for b in remaining]
        outcomes += [o for _, job_outcomes in parked for o in job_outcomes]
        return outcomes, tuple(p for p, _ in parked)

    def _task(self, call: JobCall[Any]) -> Task:
        assert call.plan.tier is not None

        def run(release: Release | None) -> JobOutcome:
            step = Step(call.plan.tier)  # type: ignore[arg-type]
            return self._chain.run(call.plan, call.request, call.validate, step, release=release)

        key = cache_prefix(call) if call.request.cache_key is not None else None
        return Task(run, key, call.plan.cache_role if key is not None else None)

    def _follow(self, follow: FollowUp) -> Task:
        def run(_: Release | None) -> JobOutcome:
            return self._chain.run(follow.plan, follow.request, follow.validate, follow.step,
                                   prior=follow.prior)  # fmt: skip

        return Task(run)


def cache_prefix(call: JobCall[Any]) -> str:
    """What a provider's prompt cache matches on: model, system, schema and shared context.

    Jobs with the same ``cache_key`` but, say, different output schemas (which the providers
    place before the prompt) cannot read each other's prefix, so they are not held back.
    """
    r = call.request
    parts = [call.plan.provider, r.model, r.cache_key, r.system, r.schema_name,
             r.output_schema, r.shared_context]  # fmt: skip
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _check(calls: Sequence[JobCall[Any]]) -> None:
    """Calls the executor can account for one by one; ``ValueError`` otherwise."""
    jobs = [c.job for c in calls]
    ids = [c.request.custom_id for c in calls]
    if len(set(jobs)) != len(jobs) or len(set(ids)) != len(ids):
        raise ValueError(f"job names and custom ids must be unique in a run: {jobs}, {ids}")
    for call in calls:
        plan = call.plan
        if not plan.run or plan.tier is None or plan.mode is None:
            raise ValueError(f"job {plan.job!r} is not routed to run (tier and mode needed)")
