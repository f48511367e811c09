"""Run the jobs for one pull request: read, plan, execute, publish. I/O comes in as services."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from pr_router.budget import Spent, apply_budget, month_spent
from pr_router.changes import analyze
from pr_router.changes.model import ChangeSet
from pr_router.context import PRContext
from pr_router.errors import PrRouterError
from pr_router.execute import Executor, RunOutcome
from pr_router.github.publish import post_review, upsert_summary
from pr_router.github.state import State
from pr_router.jobs import FailureLog, JobInputs, build_calls
from pr_router.jobs.build import unbuildable
from pr_router.pipeline.assemble import (
    count_findings,
    job_runs,
    next_state,
    results_of,
    review_payload,
)
from pr_router.pipeline.collect import collect_pending, read_state
from pr_router.pipeline.policy_source import LoadedPolicy, policy_from_base
from pr_router.pipeline.services import Services
from pr_router.pipeline.settings import Settings
from pr_router.pipeline.snapshot import snapshot_summary
from pr_router.plan import Plan
from pr_router.render.summary import summary_markdown
from pr_router.router import route
from pr_router.summary import JobRun, RunSummary

__all__ = ["PullRequestRun", "run_pull_request"]

log = logging.getLogger("pr_router")


@dataclass(frozen=True)
class PullRequestRun:
    """What ``run_pull_request`` did: the summary it published and the outcome behind it."""

    summary: RunSummary
    outcome: RunOutcome
    state: State


def _diff(services: Services, pr: PRContext, state: State) -> tuple[bytes, str | None]:
    """The PR diff, or only what changed since the last reviewed head on a synchronize."""
    since = state.last_reviewed_sha
    if pr.action == "synchronize" and since and since != pr.head_sha and pr.head_sha:
        try:
            return services.github.compare_diff(since, pr.head_sha), since
        except Exception as exc:  # a force-push can make the old head unreachable
            log.warning("incremental diff unavailable (%s); reviewing the whole PR", exc)
    assert pr.number is not None
    return services.github.pull_diff(pr.number), None


def _inputs(
    services: Services,
    loaded: LoadedPolicy,
    changes: ChangeSet,
    pr: PRContext,
    *,
    settings: Settings,
    logs: tuple[FailureLog, ...],
) -> JobInputs:
    changelog = services.github.file_at("CHANGELOG.md", pr.base_sha) if pr.base_sha else None
    text = changelog.decode("utf-8", "replace") if changelog else None
    return JobInputs(changes, pr, loaded.policy, changelog_text=text, failure_logs=logs,
                     run_tag=f"r{settings.run_id}")  # fmt: skip


def plan_for(
    loaded: LoadedPolicy,
    changes: ChangeSet,
    pr: PRContext,
    state: State,
    month_usd: Decimal = Decimal(0),
) -> Plan:
    """Route, then fit the plan into the budgets (per-PR spend comes from the state, per-month
    spend from the ledgers the workflow keeps)."""
    plan = route(loaded.policy, changes, pr, prices=loaded.prices, policy_name=loaded.source)
    spent = Spent(run_usd=Decimal(0), pr_usd=state.cost_usd, month_usd=month_usd)
    return apply_budget(plan, loaded.policy, spent, loaded.prices)


def month_usd(services: Services, loaded: LoadedPolicy) -> Decimal:
    """This month's spend so far, only when a per-month budget is set and ledgers are readable."""
    if loaded.policy.budgets.per_month_usd is None or services.month_records is None:
        return Decimal(0)
    now = services.wall_clock()
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    try:
        records = services.month_records(start)
    except PrRouterError as exc:
        log.warning("per-month budget not checked: %s", exc)
        return Decimal(0)
    return month_spent(records, now)


def execute(services: Services, loaded: LoadedPolicy, plan: Plan, inputs: JobInputs,
            settings: Settings) -> tuple[RunOutcome, dict[str, str]]:  # fmt: skip
    """Build the calls and run them; jobs that cannot be built are reported, not dropped."""
    unbuilt = dict(unbuildable(plan, inputs))
    calls = build_calls(plan, inputs)
    executor = Executor(services.providers, loaded.policy, loaded.prices, services.clock,
                        run_id=settings.run_id, repo=inputs.context.repo,
                        pr=inputs.context.number, head_sha=inputs.context.head_sha,
                        wall_clock=services.wall_clock)  # fmt: skip
    return executor.run(calls), unbuilt


def publish(
    services: Services,
    pr: PRContext,
    summary: RunSummary,
    outcome: RunOutcome,
    *,
    state: State,
    kept_pending: tuple[dict[str, Any], ...],
) -> tuple[RunSummary, State]:
    """Post the review (deduplicated) and edit the sticky summary in place."""
    assert pr.number is not None
    assert pr.head_sha is not None
    results = results_of(outcome)
    comments, body = review_payload(
        results, summary.jobs, incremental_since=summary.incremental_since
    )
    review = post_review(services.publisher, pr.number, pr.head_sha, comments, body,
                         own_login=services.own_login, known_fingerprints=state.fingerprints)  # fmt: skip
    if review.note:
        log.warning("review: %s", review.note)
    posted, dupes = set(review.posted), set(review.duplicates)
    jobs = tuple(count_findings(j, results.get(j.plan.job), posted, dupes) for j in summary.jobs)
    summary = replace(summary, jobs=jobs)
    new_state = next_state(state, head_sha=pr.head_sha, run_cost=summary.cost_usd,
                           pending=outcome.pending, kept_pending=kept_pending,
                           published=review.published)  # fmt: skip
    new_state = replace(new_state, last_run=snapshot_summary(summary))
    upsert_summary(services.publisher, pr.number, summary_markdown(summary), new_state,
                   services.own_login)  # fmt: skip
    return summary, new_state


def run_pull_request(
    pr: PRContext,
    settings: Settings,
    services: Services,
    *,
    logs: tuple[FailureLog, ...] = (),
    state: State | None = None,
) -> PullRequestRun:
    """Everything for one PR event, after finishing batches earlier runs left pending."""
    assert pr.number is not None
    state = state if state is not None else read_state(services, pr.number)
    loaded = policy_from_base(services.github, settings.policy_path, pr.base_sha)
    collected = collect_pending(pr, state, settings, services, loaded)
    prior = collected.runs if collected else ()
    kept_pending = tuple(p.to_json() for p in collected.outcome.pending) if collected else ()
    if collected:
        # Their cost is counted once, with this run's jobs (they are merged into its summary).
        state = replace(state, pending=())
    if pr.event == "workflow_run":
        changes, since = analyze_empty(), None
    else:
        diff, since = _diff(services, pr, state)
        pr = replace(pr, commit_messages=tuple(services.github.commit_messages(pr.number)))
        changes = analyze(diff, source=f"PR #{pr.number} diff", ignore=loaded.policy.ignore)
    plan = plan_for(loaded, changes, pr, state, month_usd(services, loaded))
    inputs = _inputs(services, loaded, changes, pr, settings=settings, logs=logs)
    outcome, unbuilt = execute(services, loaded, plan, inputs, settings)
    runs = _merge_prior(job_runs(plan, outcome, unbuilt), prior)
    summary = RunSummary(
        plan=plan, jobs=runs, run_id=settings.run_id, head_sha=pr.head_sha,
        previous_cost_usd=state.cost_usd, previous_runs=state.runs, incremental_since=since,
        pending_batches=tuple(f"{p.provider}:{p.batch_id}" for p in outcome.pending),
        notices=plan.notices, dry_run=settings.dry_run,
    )  # fmt: skip
    summary, new_state = publish(
        services, pr, summary, outcome, state=state, kept_pending=kept_pending
    )
    return PullRequestRun(summary, outcome, new_state)


def _merge_prior(runs: tuple[JobRun, ...], prior: tuple[JobRun, ...]) -> tuple[JobRun, ...]:
    """Jobs collected from earlier batches replace this run's skipped entries of that job."""
    if not prior:
        return runs
    done = {p.plan.job: p for p in prior}
    merged = [
        done.pop(r.plan.job) if r.status == "skipped" and r.plan.job in done else r for r in runs
    ]
    return (*merged, *done.values())


def analyze_empty() -> ChangeSet:
    """A change set with no files (failure summaries do not look at the diff)."""
    from pr_router.changes import compute_signals

    return ChangeSet(files=(), signals=compute_signals(()))
