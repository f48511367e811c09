"""Finish batches that earlier runs left pending, and put their results on the PR."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from pr_router.changes import analyze
from pr_router.context import PRContext
from pr_router.execute import Executor, PendingBatch, RunOutcome
from pr_router.github.publish import post_review, upsert_summary
from pr_router.github.state import State, decode_state, find_summary
from pr_router.jobs import JobInputs, build_calls
from pr_router.pipeline.assemble import job_runs, next_state, results_of, review_payload
from pr_router.pipeline.policy_source import LoadedPolicy, policy_from_base
from pr_router.pipeline.services import Services
from pr_router.pipeline.settings import Settings
from pr_router.pipeline.snapshot import restore_summary, snapshot_summary
from pr_router.plan import JobPlan, Plan
from pr_router.policy.catalog import resolve_jobs
from pr_router.render.summary import summary_markdown
from pr_router.summary import JobRun, RunSummary

__all__ = ["Collected", "collect_pending", "collect_pull_request", "pending_of", "read_state"]

log = logging.getLogger("pr_router")


def read_state(services: Services, number: int) -> State:
    """The PR's sticky state, trusted only from our own summary comment."""
    comment = find_summary(services.publisher.list_issue_comments(number), services.own_login)
    return (decode_state(comment.body) if comment else None) or State()


def pending_of(state: State) -> list[PendingBatch]:
    """The pending batches recorded in the state (malformed entries are skipped, logged)."""
    out: list[PendingBatch] = []
    for raw in state.pending:
        try:
            out.append(PendingBatch.from_json(raw))
        except ValueError as exc:
            log.warning("ignoring a malformed pending batch in the PR state: %s", exc)
    return out


@dataclass(frozen=True)
class Collected:
    """Jobs finished from pending batches, and the batches still pending."""

    runs: tuple[JobRun, ...]
    outcome: RunOutcome


def _stand_in_plans(loaded: LoadedPolicy, pending: list[PendingBatch]) -> list[JobPlan]:
    """Job plans for the pending items, with the output kind and title from the catalogue."""
    catalogue = {j.name: j for j in resolve_jobs(loaded.policy)}
    plans: list[JobPlan] = []
    for batch in pending:
        for item in batch.items:
            spec = catalogue.get(item.job)
            plan = item.plan(batch.provider)
            if spec is not None:
                plan = replace(plan, output=spec.output, title=spec.title, optional=spec.optional)
            plans.append(plan)
    return plans


def collect_pending(
    pr: PRContext, state: State, settings: Settings, services: Services, loaded: LoadedPolicy
) -> Collected | None:
    """Fetch finished results of the PR's pending batches; None when nothing is pending."""
    pending = pending_of(state)
    if not pending:
        return None
    assert pr.number is not None
    diff = services.github.pull_diff(pr.number)
    changes = analyze(diff, source=f"PR #{pr.number} diff", ignore=loaded.policy.ignore)
    inputs = JobInputs(changes, pr, loaded.policy, run_tag=f"c{settings.run_id}")
    plans = _stand_in_plans(loaded, pending)
    calls = {c.plan.job: c for c in build_calls(plans, inputs)}
    executor = Executor(services.providers, loaded.policy, loaded.prices, services.clock,
                        run_id=settings.run_id, repo=pr.repo, pr=pr.number,
                        head_sha=pr.head_sha, wall_clock=services.wall_clock)  # fmt: skip
    outcome = executor.collect(
        pending,
        {name: c.validate for name, c in calls.items()},
        requests={name: c.request for name, c in calls.items()},
    )
    plan_of = {p.job: p for p in plans}
    runs = job_runs(Plan("", changes.signals, tuple(plan_of[o.job] for o in outcome.jobs)), outcome)
    return Collected(runs, outcome)


def merged_summary(state: State, collected: Collected, settings: Settings) -> RunSummary | None:
    """The last run's summary with the collected jobs filled in (None if it was not kept)."""
    if state.last_run is None:
        return None
    try:
        last = restore_summary(state.last_run)
    except ValueError as exc:
        log.warning("cannot re-render the last summary: %s", exc)
        return None
    done = {r.plan.job: r for r in collected.runs}
    jobs = tuple(done.pop(j.plan.job, j) for j in last.jobs) + tuple(done.values())
    still = tuple(f"{p.provider}:{p.batch_id}" for p in collected.outcome.pending)
    return replace(
        last, jobs=jobs, pending_batches=still, run_id=f"{last.run_id}+{settings.run_id}"
    )


def collect_pull_request(
    pr: PRContext, settings: Settings, services: Services
) -> RunSummary | None:
    """``collect`` for one PR: finish its batches, post their results, update the summary."""
    assert pr.number is not None
    state = read_state(services, pr.number)
    if not state.pending:
        return None
    loaded = policy_from_base(services.github, settings.policy_path, pr.base_sha)
    collected = collect_pending(pr, state, settings, services, loaded)
    if collected is None:
        return None
    results = results_of(collected.outcome)
    comments, body = review_payload(results, collected.runs, incremental_since=None)
    published: tuple[str, ...] = ()
    if comments or body:
        assert pr.head_sha is not None
        review = post_review(services.publisher, pr.number, pr.head_sha, comments, body,
                             own_login=services.own_login, known_fingerprints=state.fingerprints)  # fmt: skip
        published = review.published
    cost = sum((r.cost_usd for r in collected.runs), start=state.cost_usd) - state.cost_usd
    summary = merged_summary(state, collected, settings)
    new_state = next_state(state, head_sha=state.last_reviewed_sha, run_cost=cost,
                           pending=collected.outcome.pending, published=published)  # fmt: skip
    new_state = replace(new_state, runs=state.runs)  # a collect finishes a run; it is not one
    if summary is not None:
        new_state = replace(new_state, last_run=snapshot_summary(summary))
        upsert_summary(services.publisher, pr.number, summary_markdown(summary), new_state,
                       services.own_login)  # fmt: skip
    return summary
