"""Run the jobs for one pull request: read, plan, execute, publish. I/O comes in as services."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from pr_router.budget import Spent, apply_budget, headroom_of, month_spent
from pr_router.caching import intervals
from pr_router.changes.model import ChangeSet
from pr_router.context import PRContext
from pr_router.errors import GitHubError, PrRouterError
from pr_router.execute import Executor, RunOutcome
from pr_router.gate.sarif import line_texts
from pr_router.github.publish import ReviewResult, post_review
from pr_router.github.state import State
from pr_router.jobs import FailureLog, JobInputs, JobResult, build_calls
from pr_router.jobs.build import unbuildable
from pr_router.pipeline.assemble import (
    Lifetime,
    count_findings,
    job_runs,
    next_state,
    remembered,
    results_of,
    review_payload,
    with_published,
)
from pr_router.pipeline.collect import collect_pending
from pr_router.pipeline.gate_accept import seen_acceptances
from pr_router.pipeline.gate_step import (
    GateDecision,
    accept_hint,
    cost_lines,
    decide_gate,
    gate_state,
    post_gate,
    sarif_for,
    with_acceptances,
)
from pr_router.pipeline.policy_source import LoadedPolicy, policy_from_base
from pr_router.pipeline.push_diff import Looked, changes_of, looked_at
from pr_router.pipeline.runner_time import measure
from pr_router.pipeline.services import Services
from pr_router.pipeline.settings import Settings
from pr_router.pipeline.snapshot import restore_summary, snapshot_summary
from pr_router.pipeline.sticky import (
    SubmissionRecorder,
    batch_key,
    pending_since,
    read_state,
    rebase,
    write_state,
)
from pr_router.plan import Plan
from pr_router.pushes import PushFacts
from pr_router.render.summary import summary_markdown
from pr_router.router import route
from pr_router.runner import RunnerRate, resolve_rate
from pr_router.steer import Steer
from pr_router.summary import JobRun, RunSummary
from pr_router.talk.audit import audit_lines

__all__ = ["Gate", "PullRequestRun", "run_pull_request"]

# A command's last word before anything is spent: a refusal line, or None to go ahead.
Gate = Callable[[Plan, State, Decimal], str | None]

log = logging.getLogger("pr_router")


@dataclass(frozen=True)
class PullRequestRun:
    """What ``run_pull_request`` did: the summary it published and the outcome behind it."""

    summary: RunSummary
    outcome: RunOutcome
    state: State
    problems: tuple[str, ...] = ()  # what could not be posted, one line each, naming the fix
    sarif: dict[str, Any] | None = None  # the SARIF log of the policy's sarif_jobs
    refused: str | None = None  # a command's gate said no: nothing ran, nothing was posted


def _inputs(
    services: Services,
    loaded: LoadedPolicy,
    looked: Looked,
    pr: PRContext,
    *,
    settings: Settings,
    logs: tuple[FailureLog, ...],
) -> JobInputs:
    changelog = services.github.file_at("CHANGELOG.md", pr.base_sha) if pr.base_sha else None
    text = changelog.decode("utf-8", "replace") if changelog else None
    whole = looked.push.whole if looked.push else None
    return JobInputs(looked.changes, pr, loaded.policy, changelog_text=text, failure_logs=logs,
                     run_tag=f"r{settings.run_id}", whole=whole)  # fmt: skip


def plan_for(
    loaded: LoadedPolicy,
    changes: ChangeSet,
    pr: PRContext,
    state: State,
    month_usd: Decimal = Decimal(0),
    *,
    push: PushFacts | None = None,
    steer: Steer | None = None,
    runner: RunnerRate | None = None,
    now: datetime | None = None,
) -> Plan:
    """Route, then fit the plan into the budgets (per-PR spend comes from the state, per-month
    spend from the ledgers the workflow keeps). ``now``: this run's time, which with the
    earlier runs' times in the state gives the intervals caching across runs is decided on.

    A command's plan (``steer`` from a command) is not fitted: budgets must not undo what a
    person asked for, so the command's gate refuses instead when the estimate does not fit.
    """
    steer = steer or Steer(skipped=state.skipped)
    plan = route(loaded.policy, changes, pr, prices=loaded.prices, policy_name=loaded.source,
                 push=push, steer=steer, runner=runner, gaps=run_gaps(state, now))  # fmt: skip
    if steer.by:
        return plan
    spent = Spent(run_usd=Decimal(0), pr_usd=state.cost_usd, month_usd=month_usd)
    return apply_budget(plan, loaded.policy, spent, loaded.prices)


def run_gaps(state: State, now: datetime | None) -> list[float]:
    """Seconds between the PR's runs as the state remembers them, and from the last to ``now``."""
    times = []
    for entry in state.history:
        try:
            times.append(datetime.fromisoformat(entry["at"]))
        except (KeyError, ValueError):
            continue  # a run from before runs were timed, or a bad stamp: not an interval
    return intervals([*times, now] if now is not None and times else times)


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
            settings: Settings, *,
            on_submitted: SubmissionRecorder | None = None,
            spent: Spent | None = None) -> tuple[RunOutcome, dict[str, str]]:  # fmt: skip
    """Build the calls and run them; jobs that cannot be built are reported, not dropped.
    ``spent``: what the budgets had spent before the run, which retries must respect."""
    unbuilt = dict(unbuildable(plan, inputs))
    calls = build_calls(plan, inputs)
    room = headroom_of(loaded.policy, spent, plan) if spent is not None else None
    executor = Executor(services.providers, loaded.policy, loaded.prices, services.clock,
                        run_id=settings.run_id, repo=inputs.context.repo,
                        pr=inputs.context.number, head_sha=inputs.context.head_sha,
                        wall_clock=services.wall_clock, headroom=room)  # fmt: skip
    return executor.run(calls, on_submitted=on_submitted), unbuilt


def _problem(what: str, exc: GitHubError) -> str:
    """One line saying what did not reach the PR and how to fix it."""
    return f"{what} could not be posted: {exc}" + (f"; {exc.hint}" if exc.hint else "")


def _post_review(services: Services, pr: PRContext, summary: RunSummary,
                 results: dict[str, JobResult], known: Collection[str],
                 ) -> tuple[ReviewResult, str | None]:  # fmt: skip
    """Post the review; a GitHub refusal becomes a problem line instead of an exception."""
    assert pr.number is not None
    assert pr.head_sha is not None
    comments, body = review_payload(results, summary.jobs, known=known,
                                    incremental_since=summary.incremental_since)  # fmt: skip
    try:
        review = post_review(services.publisher, pr.number, pr.head_sha, comments, body,
                             own_login=services.own_login, known_fingerprints=known)  # fmt: skip
    except GitHubError as exc:
        return ReviewResult(), _problem("The review", exc)
    if review.note:
        log.warning("review: %s", review.note)
    elif review.nothing_posted:  # normal on a rerun: an info line, not a warning
        earlier = f" ({len(review.duplicates)} already posted)" if review.duplicates else ""
        log.info("review: nothing new to post%s", earlier)
    return review, None


@dataclass(frozen=True)
class _Ownership:
    """What this run owns in the shared state: the batch keys it took over or submitted,
    and whether its early "running" write already counted it."""

    taken: frozenset[str]
    kept_pending: tuple[dict[str, Any], ...] = ()
    counted: bool = False
    stamp: bool = True  # fill in the ledger's ``published`` (not in a dry run)
    ran: Mapping[str, int] = field(default_factory=dict)  # job -> PR changed lines it saw
    at: str = ""  # when the run started (the lifetime entry's time)


@dataclass(frozen=True)
class _GateInputs:
    """What the merge gate needs besides the run: the policy and the head's lines."""

    number: int
    loaded: LoadedPolicy
    changed: frozenset[str]
    lines: dict[tuple[str, int], str]


def _gate(services: Services, summary: RunSummary, results: dict[str, JobResult],
          state: State, inputs: _GateInputs) -> tuple[RunSummary, GateDecision | None, tuple[str, ...]]:  # fmt: skip
    """Decide the gate for this head and post its check runs."""
    policy = inputs.loaded.policy
    decision = decide_gate(policy.gate, summary, results, state=state.gate,
                           changed=inputs.changed, lines=inputs.lines)  # fmt: skip
    if decision is None:
        return summary, None, ()
    fps = {f.fingerprint for found in decision.findings.values() for f in found}
    seen = seen_acceptances(services, inputs.number, inputs.loaded, fps)
    if seen:
        decision = decide_gate(policy.gate, summary, results, state=state.gate, seen=seen,
                               changed=inputs.changed, lines=inputs.lines) or decision  # fmt: skip
    summary = replace(summary, jobs=with_acceptances(summary.jobs, decision))
    checks, problems = post_gate(services.check_poster, decision, cost_lines(summary),
                                 hint=accept_hint(policy))  # fmt: skip
    summary = replace(summary, checks=checks, gate=decision.output,
                      notices=(*summary.notices, *problems))  # fmt: skip
    return summary, decision, problems


def publish(
    services: Services,
    pr: PRContext,
    summary: RunSummary,
    outcome: RunOutcome,
    *,
    state: State,
    owned: _Ownership,
    gate: _GateInputs,
    audit: Callable[[State, RunSummary], State] | None = None,
    measure: Callable[[RunSummary], RunSummary] = lambda s: s,
) -> tuple[RunSummary, State, tuple[str, ...], GateDecision | None]:
    """Post the review (deduplicated) and edit the sticky summary in place, merged into the
    state as it is on the PR when it is written. GitHub refusals come back as problem lines.
    ``measure`` adds the runner time, read right before the summary is written.
    """
    assert pr.number is not None
    results = results_of(outcome)
    # What another run posted since this one started counts as known too.
    known = {*state.fingerprints, *read_state(services, pr.number).fingerprints}
    review, refused = _post_review(services, pr, summary, results, known)
    problems: tuple[str, ...] = (refused,) if refused else ()
    posted, dupes = set(review.posted), set(review.duplicates)
    jobs = summary.jobs  # a refused review placed no finding anywhere: count none
    if refused is None:
        jobs = tuple(count_findings(j, results.get(j.plan.job), posted, dupes) for j in jobs)
    summary = replace(summary, jobs=jobs, notices=(*summary.notices, *problems))
    summary, decision, refused_checks = _gate(services, summary, results, state, gate)
    problems += refused_checks

    def compose(on_pr: State) -> tuple[str, State, tuple[RunSummary, State]]:
        fresh = rebase(on_pr, owned.taken)
        done = replace(measure(summary), previous_cost_usd=fresh.cost_usd,
                       previous_runner_usd=fresh.runner_usd,
                       previous_runs=fresh.runs - (1 if owned.counted else 0),
                       lifetime=_lifetime(fresh))  # fmt: skip
        new = next_state(fresh, head_sha=pr.head_sha, run_cost=done.cost_usd,
                         pending=outcome.pending, kept_pending=owned.kept_pending,
                         published=remembered(review, results), reviewed=refused is None,
                         count_run=not owned.counted,
                         lifetime=Lifetime(summary.looked_at, owned.ran, owned.at),
                         runner=done.runner.used if done.runner else None)  # fmt: skip
        if audit is not None:
            new = audit(new, done)
        done = replace(done, commands=audit_lines(new.commands))
        new = replace(new, last_run=snapshot_summary(done))
        if decision is not None:
            new = replace(new, gate=gate_state(decision))
        return summary_markdown(done), new, (done, new)

    summary_id: int | None = None
    try:
        summary_id, (summary, new_state) = write_state(services, pr.number, compose)
    except GitHubError as exc:
        problem = _problem("The summary comment", exc)
        problems += (problem,)
        summary = replace(measure(summary), notices=(*summary.notices, problem))
        new_state = state
    if owned.stamp:
        summary = replace(summary, jobs=with_published(summary.jobs, results, review, summary_id))
    return summary, new_state, problems, decision


def _changes(services: Services, pr: PRContext, state: State, loaded: LoadedPolicy,
             pending: Collection[str] = ()) -> tuple[Looked, PRContext]:  # fmt: skip
    """What the run looks at (the whole PR, or what a push changed), with commit messages."""
    assert pr.number is not None
    if pr.event == "workflow_run":
        return Looked(analyze_empty(), None, None, "CI failure"), pr
    looked = looked_at(services.github, pr, state.last_reviewed_sha, loaded.policy,
                       state.job_lines, pending=pending)  # fmt: skip
    pr = replace(pr, commit_messages=tuple(services.github.commit_messages(pr.number)))
    return looked, pr


def _lifetime(state: State) -> tuple[tuple[str, str, Decimal], ...]:
    """The earlier runs of the PR, as the summary shows them: tokens plus runner."""
    return tuple((e.get("head", ""), e.get("what", ""),
                  Decimal(e.get("usd", "0")) + Decimal(e.get("runner_usd", "0")))
                 for e in state.history)  # fmt: skip


def run_pull_request(
    pr: PRContext,
    settings: Settings,
    services: Services,
    *,
    logs: tuple[FailureLog, ...] = (),
    state: State | None = None,
    loaded: LoadedPolicy | None = None,
    steer: Steer | None = None,
    command_gate: Gate | None = None,
    audit: Callable[[State, RunSummary], State] | None = None,
) -> PullRequestRun:
    """Everything for one PR event, after finishing batches earlier runs left pending.

    ``wait_seconds`` in the summary is the time (on the services' clock) the run spent in
    the executor: waiting for the models, and for batches up to the policy's budget.

    A command's run passes ``steer`` (what it changes), ``command_gate`` (a refusal before
    anything is spent) and ``audit`` (records the command in the state it writes); the jobs it does
    not run keep their last results in the summary.
    """
    assert pr.number is not None
    number = pr.number
    started = state if state is not None else read_state(services, number)
    loaded = loaded or policy_from_base(services.github, settings.policy_path, pr.base_sha)
    clock_at, started_at = services.clock.now(), services.wall_clock()
    collected = collect_pending(pr, started, settings, services, loaded)
    collect_seconds = services.clock.now() - clock_at
    kept = tuple(p.to_json() for p in collected.outcome.pending) if collected else ()
    # Collected jobs are merged into this run's summary: their cost is counted once, here.
    state = replace(started, pending=())
    still = {i.job for p in collected.outcome.pending for i in p.items} if collected else set()
    looked, pr = _changes(services, pr, state, loaded, still)
    month = month_usd(services, loaded)
    runner = resolve_rate(loaded.policy.runner.usd_per_minute, private=pr.private,
                          runner_environment=settings.runner_environment)  # fmt: skip
    plan = plan_for(loaded, looked.changes, pr, state, month, push=looked.push, steer=steer,
                    runner=runner, now=started_at)  # fmt: skip
    plan = replace(plan, notices=(*plan.notices, *looked.unseen))
    refusal = command_gate(plan, state, month) if command_gate is not None else None
    if refusal is not None:
        empty = RunSummary(plan=plan, jobs=(), run_id=settings.run_id, head_sha=pr.head_sha)
        return PullRequestRun(empty, RunOutcome(jobs=()), started, refused=refusal)
    inputs = _inputs(services, loaded, looked, pr, settings=settings, logs=logs)
    dry = settings.dry_run or settings.publish_dir is not None
    recorder = None if dry else SubmissionRecorder(
        services, number, plan, settings.run_id, pr.head_sha, dict(unbuildable(plan, inputs)))  # fmt: skip
    exec_at = services.clock.now()
    outcome, unbuilt = execute(services, loaded, plan, inputs, settings, on_submitted=recorder,
                               spent=Spent(pr_usd=state.cost_usd, month_usd=month))  # fmt: skip
    model_seconds = collect_seconds + services.clock.now() - exec_at
    prior = collected.runs if collected else ()
    if steer is not None:
        prior = (*_last_results(started, steer), *prior)
    summary = RunSummary(
        plan=plan, jobs=_merge_prior(job_runs(plan, outcome, unbuilt), prior),
        run_id=settings.run_id, head_sha=pr.head_sha, incremental_since=looked.since,
        wait_seconds=services.clock.now() - clock_at,
        pending_batches=(*(batch_key(p) for p in kept), *(batch_key(p) for p in outcome.pending)),
        pending_since=pending_since(collected.outcome.pending if collected else (), outcome.pending),
        notices=(*plan.notices, *((looked.note,) if looked.note else ())),
        dry_run=settings.dry_run, looked_at=looked.what,
    )  # fmt: skip
    submitted = recorder.submitted if recorder else ()
    owned = _Ownership(
        taken=frozenset([*map(batch_key, started.pending), *map(batch_key, submitted)]),
        kept_pending=kept, counted=bool(recorder and recorder.counted), stamp=not dry,
        ran=_ran(summary, looked), at=started_at.isoformat(),
    )  # fmt: skip
    # Head-side line texts come from the whole PR diff; what changed, from what the jobs saw.
    lines = line_texts((looked.push.whole if looked.push else looked.changes).files)
    gate = _GateInputs(number, loaded, frozenset(f.path for f in looked.changes.files), lines)
    since = clock_at if services.run_started is None else services.run_started

    def measured(s: RunSummary) -> RunSummary:
        return measure(s, seconds=services.clock.now() - since, rate=runner,
                       model_seconds=model_seconds)  # fmt: skip

    summary, new_state, problems, decision = publish(
        services, pr, summary, outcome, state=started, owned=owned, gate=gate,
        audit=audit, measure=measured)  # fmt: skip
    repo_uri = f"{settings.server_url}/{pr.repo}" if pr.repo else None
    sarif = sarif_for(decision, loaded.policy.gate.sarif_jobs, results_of(outcome),
                      head_sha=pr.head_sha or "", lines=lines, repo_uri=repo_uri)  # fmt: skip
    return PullRequestRun(summary, outcome, new_state, problems, sarif)


def _last_results(state: State, steer: Steer) -> tuple[JobRun, ...]:
    """The last run's results of the jobs a command does not run or skip (kept on show)."""
    if state.last_run is None:
        return ()
    try:
        last = restore_summary(state.last_run)
    except ValueError:
        return ()
    # Without their records: they are in the ledger and the PR's cost already.
    return tuple(replace(j, records=(), earlier=True) for j in last.jobs
                 if j.status != "skipped" and j.plan.job not in steer.skipped)  # fmt: skip


def _ran(summary: RunSummary, looked: Looked) -> dict[str, int]:
    """The jobs this run ran (or submitted), with the PR's changed lines at this head."""
    whole = looked.push.whole if looked.push else looked.changes
    lines = whole.signals.changed_lines
    return {j.plan.job: lines for j in summary.jobs
            if j.status in ("ok", "pending") and not j.earlier}  # fmt: skip


def _merge_prior(runs: tuple[JobRun, ...], prior: tuple[JobRun, ...]) -> tuple[JobRun, ...]:
    """Jobs collected from earlier batches replace this run's skipped entries of that job.

    An earlier batch still running was recorded as pending by the run that submitted it:
    its job is shown, but not recorded again.
    """
    if not prior:
        return runs
    prior = tuple(
        replace(p, records=tuple(r for r in p.records if r.status != "pending")) for p in prior
    )
    done = {p.plan.job: p for p in prior}
    merged = [
        done.pop(r.plan.job) if r.status == "skipped" and r.plan.job in done else r for r in runs
    ]
    # A job a command re-ran shows its new result only, not also the last run's.
    ran = {r.plan.job for r in merged if not r.earlier}
    return (*merged, *(p for job, p in done.items() if not (p.earlier and job in ran)))


def analyze_empty() -> ChangeSet:
    """A change set with no files (failure summaries do not look at the diff)."""
    return changes_of(b"", source="no diff")
