"""Pure steps of a run: outcomes to ``JobRun`` values, the review to post, the next state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from pr_router.execute import JobOutcome, PendingBatch, RunOutcome
from pr_router.github.models import InlineComment
from pr_router.github.state import State, remember_fingerprints
from pr_router.jobs import JobResult
from pr_router.plan import JobPlan, Plan
from pr_router.render.summary import inline_cost_note
from pr_router.summary import JobRun, Section

__all__ = ["job_runs", "next_state", "review_payload"]


def _run_of(plan: JobPlan, outcome: JobOutcome | None, missing: str | None) -> JobRun:
    if not plan.run:
        return JobRun(plan=plan, status="skipped")
    if outcome is None:
        return JobRun(plan=plan, status="failed", error=missing or "the job was not run")
    result = outcome.value if isinstance(outcome.value, JobResult) else None
    section = Section(result.section.title, result.section.markdown) if result else None
    return JobRun(
        plan=plan,
        status=outcome.status,
        records=outcome.records,
        section=section if outcome.status == "ok" else None,
        error=outcome.error,
        not_seen=result.not_seen if result else (),
    )


def job_runs(
    plan: Plan, outcome: RunOutcome, unbuilt: Mapping[str, str] | None = None
) -> tuple[JobRun, ...]:
    """One ``JobRun`` per catalogue job, in plan order; jobs not run by the executor get
    the reason from ``unbuilt`` (e.g. "no failed job log to summarise")."""
    by_job = {o.job: o for o in outcome.jobs}
    reasons = dict(unbuilt or {})
    return tuple(_run_of(j, by_job.get(j.job), reasons.get(j.job)) for j in plan.jobs)


def results_of(outcome: RunOutcome) -> dict[str, JobResult]:
    """Validated results by job name."""
    return {o.job: o.value for o in outcome.jobs if isinstance(o.value, JobResult)}


def review_payload(
    results: Mapping[str, JobResult], runs: Iterable[JobRun], *, incremental_since: str | None
) -> tuple[list[InlineComment], str]:
    """The inline comments (each with its job's cost note) and the review body."""
    by_job = {r.plan.job: r for r in runs}
    comments: list[InlineComment] = []
    body_parts: list[str] = []
    for name, result in results.items():
        run = by_job.get(name)
        note = f"\n\n{inline_cost_note(run)}" if run else ""
        comments += [replace(c, body=c.body + note) for c in result.inline_comments()]
        part = result.review_body()
        if part.strip():
            body_parts.append(part)
    if not comments and not body_parts:
        return [], ""
    head = f"**pr-router** found {len(comments)} thing(s) to look at on the diff."
    if incremental_since:
        head += f" Only changes since `{incremental_since[:7]}` were reviewed."
    head += " Costs and routing are in the summary comment."
    return comments, "\n\n".join([head, *body_parts])


def count_findings(
    run: JobRun, result: JobResult | None, posted: set[str], dupes: set[str]
) -> JobRun:
    """The run with how many of its findings went inline, to the body, or were repeats."""
    if result is None:
        return run
    fps = [f.fingerprint for f in result.findings]
    return replace(
        run,
        findings_inline=sum(1 for f in result.inline if f.fingerprint in posted),
        findings_in_body=sum(1 for fp in fps if fp not in posted and fp not in dupes),
        findings_duplicate=sum(1 for fp in fps if fp in dupes),
    )


def next_state(
    state: State,
    *,
    head_sha: str | None,
    run_cost: Decimal,
    pending: Sequence[PendingBatch],
    kept_pending: Sequence[dict[str, Any]] = (),
    published: Iterable[str] = (),
    reviewed: bool = True,
) -> State:
    """The sticky state after this run."""
    new = replace(
        state,
        pending=(*kept_pending, *(p.to_json() for p in pending)),
        last_reviewed_sha=head_sha if reviewed and head_sha else state.last_reviewed_sha,
        cost_usd=state.cost_usd + run_cost,
        runs=state.runs + 1,
    )
    return remember_fingerprints(new, published)
