"""Finish batches that earlier runs left pending, and put their results on the PR."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from pr_router.budget import Spent, headroom_of
from pr_router.changes import analyze
from pr_router.changes.model import Signals
from pr_router.context import PRContext
from pr_router.errors import GitHubError, ProviderError
from pr_router.execute import Executor, JobOutcome, PendingBatch, RunOutcome
from pr_router.github.publish import ReviewResult, post_review
from pr_router.github.state import State
from pr_router.jobs import JobInputs, build_calls
from pr_router.ledger import LedgerRecord
from pr_router.pipeline.assemble import (
    job_runs,
    next_state,
    remembered,
    results_of,
    review_payload,
    with_published,
)
from pr_router.pipeline.policy_source import LoadedPolicy, policy_from_base
from pr_router.pipeline.services import Services
from pr_router.pipeline.settings import Settings
from pr_router.pipeline.snapshot import restore_summary, snapshot_summary
from pr_router.pipeline.sticky import batch_key, pending_since, read_state, rebase, write_state
from pr_router.plan import JobPlan, Plan
from pr_router.policy.catalog import resolve_jobs
from pr_router.render.summary import summary_markdown
from pr_router.runner import RunnerRate, resolve_rate
from pr_router.summary import JobRun, RunSummary
from pr_router.talk.audit import audit_lines

__all__ = [
    "Collected",
    "PullRequestCollect",
    "any_ended",
    "collect_pending",
    "collect_pull_request",
    "pending_of",
    "read_state",
]

log = logging.getLogger("pr_router")


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
    signals: Signals  # of the PR's diff now, for a summary with no snapshot to start from
    wait_seconds: float = 0.0  # spent in the executor (services' clock)


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
    pr: PRContext,
    state: State,
    settings: Settings,
    services: Services,
    loaded: LoadedPolicy,
    *,
    wait_seconds: float | None = None,
) -> Collected | None:
    """Fetch finished results of the PR's pending batches; None when nothing is pending.

    ``wait_seconds``: how long to wait for them (default: the policy's; 0 polls once).
    """
    pending = pending_of(state)
    if not pending:
        return None
    assert pr.number is not None
    diff = services.github.pull_diff(pr.number).data
    changes = analyze(diff, source=f"PR #{pr.number} diff", ignore=loaded.policy.ignore)
    inputs = JobInputs(changes, pr, loaded.policy, run_tag=f"c{settings.run_id}")
    plans = _stand_in_plans(loaded, pending)
    calls = {c.plan.job: c for c in build_calls(plans, inputs)}
    # A result that escalates is retried synchronously: held to the per-PR and per-run
    # budgets like a run's (the per-month one needs the ledgers a run reads).
    room = headroom_of(loaded.policy, Spent(pr_usd=state.cost_usd),
                       Plan("", changes.signals, tuple(plans)))  # fmt: skip
    executor = Executor(services.providers, loaded.policy, loaded.prices, services.clock,
                        run_id=settings.run_id, repo=pr.repo, pr=pr.number,
                        head_sha=pr.head_sha, wall_clock=services.wall_clock,
                        headroom=room)  # fmt: skip
    started = services.clock.now()
    outcome = executor.collect(
        pending,
        {name: c.validate for name, c in calls.items()},
        requests={name: c.request for name, c in calls.items()},
        wait_seconds=wait_seconds,
    )
    plan_of = {p.job: p for p in plans}
    runs = _runs_by_job(outcome, plan_of, changes.signals, [p.batch_id for p in pending])
    return Collected(runs, outcome, changes.signals, services.clock.now() - started)


def _runs_by_job(outcome: RunOutcome, plan_of: Mapping[str, JobPlan], signals: Signals,
                 order: Sequence[str]) -> tuple[JobRun, ...]:  # fmt: skip
    """One ``JobRun`` per job. Two pending batches can hold the same job (two pushes): both
    were billed, so the run keeps the records of both, and shows the result of the newest
    batch that gave one (batches in ``order`` of submission)."""

    def rank(o: JobOutcome) -> int:
        ids = [r.batch_id for r in o.records if r.batch_id in order]
        return max((order.index(i) for i in ids), default=-1)

    merged: dict[str, JobRun] = {}
    for o in sorted(outcome.jobs, key=rank):
        (run,) = job_runs(Plan("", signals, (plan_of[o.job],)), RunOutcome((o,), ()))
        earlier = merged.get(o.job)
        if earlier is not None:
            shown = earlier if earlier.status == "ok" and run.status != "ok" else run
            run = replace(shown, records=(*earlier.records, *run.records))
        merged[o.job] = run
    return tuple(merged.values())


def merged_summary(state: State, collected: Collected, settings: Settings) -> RunSummary:
    """The last run's summary with the collected jobs filled in, or a summary of the
    collected jobs alone when the state kept no snapshot to re-render.

    A job the last run finished itself (a newer run than the batch's) keeps its result.
    """
    last = _last_summary(state)
    still = tuple(batch_key(p) for p in collected.outcome.pending)
    since = pending_since(collected.outcome.pending)
    if last is None:
        plan = Plan("", collected.signals, tuple(r.plan for r in collected.runs))
        return RunSummary(plan=plan, jobs=collected.runs, run_id=settings.run_id,
                          previous_cost_usd=state.cost_usd, previous_runs=max(state.runs - 1, 0),
                          previous_runner_usd=state.runner_usd,
                          pending_batches=still, wait_seconds=collected.wait_seconds,
                          pending_since=since)  # fmt: skip
    done = {r.plan.job: r for r in collected.runs}
    jobs = tuple(j if j.status == "ok" else done.pop(j.plan.job, j) for j in last.jobs)
    jobs += tuple(r for r in done.values() if r.plan.job not in {j.plan.job for j in jobs})
    return replace(last, jobs=jobs, pending_batches=still, pending_since=since,
                   run_id=f"{last.run_id}+{settings.run_id}",
                   wait_seconds=last.wait_seconds + collected.wait_seconds)  # fmt: skip


def _last_summary(state: State) -> RunSummary | None:
    if state.last_run is None:
        return None
    try:
        return restore_summary(state.last_run)
    except ValueError as exc:
        log.warning("cannot re-render the last summary: %s", exc)
        return None


@dataclass(frozen=True)
class PullRequestCollect:
    """What ``collect_pull_request`` did: the summary it posted and the records it made."""

    summary: RunSummary
    records: tuple[LedgerRecord, ...]
    problems: tuple[str, ...] = ()
    rate: RunnerRate | None = None  # a runner minute, by the PR's policy and repository


def any_ended(services: Services, pending: Sequence[PendingBatch]) -> bool:
    """Whether a pending batch has ended, or cannot be collected here (no key for its
    provider: collecting says so on the PR). One provider request per batch, until one has;
    a failed poll counts as still running."""
    for batch in pending:
        provider = services.providers.get(batch.provider)
        if provider is None:
            return True
        try:
            if provider.batch_state(batch.handle()) != "in_progress":
                return True
        except ProviderError as exc:
            log.info("batch %s not polled: %s", batch.batch_id, exc)
    return False


def collect_pull_request(
    pr: PRContext, settings: Settings, services: Services, *, polled: bool = False
) -> PullRequestCollect | None:
    """``collect`` for one PR: finish its batches, post their results, update the summary.

    Never waits: each batch is polled once. Before anything else is read, the batches are
    polled (unless the caller just did, ``polled``): a PR whose batches all still run costs
    one GitHub request (its comments) and one provider request per batch. The state is read
    again right before it is written, and only this collect's changes are applied to it
    (see ``pipeline.sticky``). None when nothing was pending or nothing ended.
    """
    assert pr.number is not None
    state = read_state(services, pr.number)
    if not state.pending or not (polled or any_ended(services, pending_of(state))):
        return None
    loaded = policy_from_base(services.github, settings.policy_path, pr.base_sha)
    collected = collect_pending(pr, state, settings, services, loaded, wait_seconds=0)
    if collected is None or _still_running(collected):
        return None
    results = results_of(collected.outcome)
    review, problems = _post(services, pr, collected, set(state.fingerprints))
    cost = sum((r.cost_usd for r in collected.runs), Decimal(0))
    taken = {batch_key(p) for p in state.pending}

    def compose(on_pr: State) -> tuple[str, State, RunSummary]:
        fresh = rebase(on_pr, taken)
        summary = merged_summary(fresh, collected, settings)
        # the PR's command audit lives in the state: a re-rendered summary keeps it
        summary = replace(summary, notices=(*summary.notices, *problems),
                          commands=audit_lines(fresh.commands))  # fmt: skip
        new = next_state(fresh, head_sha=None, run_cost=cost, pending=collected.outcome.pending,
                         published=remembered(review, results), count_run=False)  # fmt: skip
        return summary_markdown(summary), replace(new, last_run=snapshot_summary(summary)), summary

    summary_id: int | None = None
    try:
        summary_id, summary = write_state(services, pr.number, compose)
    except GitHubError as exc:
        problems += (f"The summary comment could not be posted: {exc}",)
        summary = compose(state)[2]
    stamp = not (settings.dry_run or settings.publish_dir is not None)
    runs = with_published(collected.runs, results, review, summary_id) if stamp else collected.runs
    # The run already recorded the batches as pending: only what settled is new.
    records = tuple(r for j in runs for r in j.records if r.status != "pending")
    rate = resolve_rate(loaded.policy.runner.usd_per_minute, private=pr.private,
                        runner_environment=settings.runner_environment)  # fmt: skip
    return PullRequestCollect(summary, records, problems, rate)


def _still_running(collected: Collected) -> bool:
    """Nothing ended and nothing went wrong: no reason to touch the PR."""
    return all(o.status == "pending" and not o.error for o in collected.outcome.jobs)


def _post(services: Services, pr: PRContext, collected: Collected,
          known: set[str]) -> tuple[ReviewResult, tuple[str, ...]]:  # fmt: skip
    """Post the collected findings (if any) as a review; a refusal becomes a problem line."""
    assert pr.number is not None
    comments, body = review_payload(results_of(collected.outcome), collected.runs,
                                    incremental_since=None, known=known)  # fmt: skip
    if not comments and not body:
        return ReviewResult(), ()
    assert pr.head_sha is not None
    try:
        review = post_review(services.publisher, pr.number, pr.head_sha, comments, body,
                             own_login=services.own_login, known_fingerprints=known)  # fmt: skip
    except GitHubError as exc:
        return ReviewResult(), (f"The review could not be posted: {exc}",)
    return review, ()
