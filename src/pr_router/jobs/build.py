"""The pipeline's entry point into the jobs: one call (request + validator) per running job."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from pr_router.execute import JobCall, cache_prefix
from pr_router.jobs.inputs import JobInputs
from pr_router.jobs.prepare import prepare_job, prepare_jobs
from pr_router.jobs.results import JobResult
from pr_router.jobs.validate import make_validator
from pr_router.plan import JobPlan, Plan
from pr_router.providers.base import ModelRequest

__all__ = ["JobCall", "build_calls", "build_failure_request", "unbuildable"]


def _running(plan: Plan | Sequence[JobPlan]) -> tuple[JobPlan, ...]:
    return plan.running if isinstance(plan, Plan) else tuple(j for j in plan if j.run)


def unbuildable(plan: Plan | Sequence[JobPlan], inputs: JobInputs) -> list[tuple[str, str]]:
    """Running jobs that cannot be built from these inputs, with the reason."""
    out: list[tuple[str, str]] = []
    for job in _running(plan):
        if job.output == "failure" and not inputs.failure_logs:
            out.append((job.job, "no failed job log to summarise"))
        elif job.model is None:
            out.append((job.job, "no model routed"))
    return out


def build_calls(plan: Plan | Sequence[JobPlan], inputs: JobInputs) -> list[JobCall[JobResult]]:
    """One ``JobCall`` per running job that can be built (see ``unbuildable`` for the rest)."""
    jobs = _running(plan)
    skip = {name for name, _ in unbuildable(jobs, inputs)}
    ttl = inputs.policy.caching.ttl
    calls: list[JobCall[JobResult]] = []
    for prepared in prepare_jobs([j for j in jobs if j.job not in skip], inputs):
        request = prepared.request(inputs.custom_id(prepared.plan.job), ttl)
        calls.append(JobCall(prepared.plan, request, make_validator(prepared)))
    return _without_lonely_cache_marks(calls)


def _without_lonely_cache_marks(calls: list[JobCall[JobResult]]) -> list[JobCall[JobResult]]:
    """Drop the cache mark of a request no other request can read from.

    The router pairs jobs by model and context kind, but the packer may give one of them a
    prompt of its own (on a push, the docs job's compact view of the push while describe and
    changelog see the whole PR), and the output schema is part of the prefix the provider
    matches on (``cache_prefix``), so describe and changelog never read each other's. A
    prefix written for nobody costs 1.25x input for nothing. A job a command asked for keeps
    its mark (its cache role is ``warm``): the PR's last run may have written that prefix,
    and reading it is the point.
    """
    readers = Counter(cache_prefix(c) for c in calls if c.request.cache_key is not None)
    return [
        c
        if c.request.cache_key is None
        or readers[cache_prefix(c)] > 1
        or c.plan.cache_role == "warm"
        else replace(
            c,
            request=replace(c.request, cache_key=None),
            plan=replace(c.plan, cache_key=None, cache_role=None),
        )
        for c in calls
    ]


def build_failure_request(job_plan: JobPlan, inputs: JobInputs) -> ModelRequest:
    """The failure-summary request: error excerpts of the failed jobs' logs, for the model."""
    prepared = prepare_job(job_plan, inputs)
    return prepared.request(inputs.custom_id(job_plan.job), inputs.policy.caching.ttl)
