"""Pure steps of a run: outcomes to ``JobRun`` values, the review to post, the next state."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from pr_router.execute import JobOutcome, PendingBatch, RunOutcome
from pr_router.github.models import InlineComment
from pr_router.github.publish import ReviewResult
from pr_router.github.state import MAX_HISTORY, State, remember_fingerprints
from pr_router.jobs import JobResult
from pr_router.plan import JobPlan, Plan
from pr_router.render.summary import inline_cost_note
from pr_router.runner import RunnerUsage
from pr_router.summary import JobRun

__all__ = [
    "Lifetime",
    "count_findings",
    "job_runs",
    "next_state",
    "published_refs",
    "remembered",
    "results_of",
    "review_payload",
    "with_published",
]


def _run_of(plan: JobPlan, outcome: JobOutcome | None, missing: str | None) -> JobRun:
    if not plan.run:
        return JobRun(plan=plan, status="skipped")
    if outcome is None:
        return JobRun(plan=plan, status="failed", error=missing or "the job was not run")
    result = outcome.value if isinstance(outcome.value, JobResult) else None
    section = result.section if result else None
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
    results: Mapping[str, JobResult],
    runs: Iterable[JobRun],
    *,
    incremental_since: str | None,
    known: Collection[str] = (),
) -> tuple[list[InlineComment], str]:
    """The inline comments (each with its job's cost note) and the review body.

    Every comment is returned, so the publisher can count repeats; the body is empty when
    no finding is new (``known``: fingerprints already on the PR), so a rerun of the same
    event posts no second review.
    """
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
    new = [f for r in results.values() for f in r.findings if f.fingerprint not in known]
    if not new and (known or not body_parts):
        return comments, ""
    fresh = sum(1 for c in comments if c.fingerprint not in known)
    head = f"**pr-router** found {fresh} thing(s) to look at on the diff."
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


@dataclass(frozen=True, slots=True)
class Lifetime:
    """What one run added to the PR's history: its head, what it looked at, the jobs it ran
    (with the PR's changed lines, for the ``grown`` push rule)."""

    what: str
    ran: Mapping[str, int]
    at: str = ""  # when the run started (ISO 8601, UTC): intervals for caching across runs


def next_state(
    state: State,
    *,
    head_sha: str | None,
    run_cost: Decimal,
    pending: Sequence[PendingBatch],
    kept_pending: Sequence[dict[str, Any]] = (),
    published: Iterable[str] = (),
    reviewed: bool = True,
    count_run: bool = True,
    lifetime: Lifetime | None = None,
    runner: RunnerUsage | None = None,
) -> State:
    """The sticky state after this run; its pending batches are added to ``state``'s.

    ``count_run`` is False for a collect (it finishes a run, it is not one) and for a run
    whose early "running" state already counted it. A run adds a ``lifetime`` entry; a
    collect adds its cost to the latest entry (the run whose batches it finished).
    ``runner``: the run's billed runner time, added to the PR's and to its entry.
    """
    history = state.history
    if lifetime is not None:
        entry = {"head": head_sha or "", "what": lifetime.what, "usd": str(run_cost)}
        if lifetime.at:
            entry["at"] = lifetime.at
        if runner is not None:
            entry["runner_usd"] = str(runner.usd)
        history = (*history, entry)[-MAX_HISTORY:]
    elif run_cost and history:
        last = {**history[-1], "usd": str(Decimal(history[-1]["usd"]) + run_cost)}
        history = (*history[:-1], last)
    new = replace(
        state,
        pending=(*state.pending, *kept_pending, *(p.to_json() for p in pending)),
        last_reviewed_sha=head_sha if reviewed and head_sha else state.last_reviewed_sha,
        cost_usd=state.cost_usd + run_cost,
        runs=state.runs + (1 if count_run else 0),
        runner_minutes=state.runner_minutes + (runner.minutes if runner else 0),
        runner_usd=state.runner_usd + (runner.usd if runner else Decimal(0)),
        history=history,
        job_lines={**state.job_lines, **(lifetime.ran if lifetime else {})},
    )
    return remember_fingerprints(new, published)


def remembered(review: ReviewResult, results: Mapping[str, JobResult]) -> tuple[str, ...]:
    """Fingerprints to keep in the state: what reached the PR, including the findings a
    posted review listed in its body (files outside the diff)."""
    if not review.review_ids and review.issue_comment_id is None:
        return review.published
    body = (f.fingerprint for r in results.values() for f in r.body_findings)
    return tuple(dict.fromkeys([*review.published, *body]))


def published_refs(result: JobResult | None, review: ReviewResult) -> list[str]:
    """The comments a job's findings went to: ``review_comment:ID`` for each inline one; the
    review (or the fallback comment) for those listed in a body. Repeats publish nothing."""
    if result is None:
        return []
    if review.issue_comment_id is not None:
        body_ref: str | None = f"issue_comment:{review.issue_comment_id}"
    else:
        body_ref = f"review:{review.review_ids[0]}" if review.review_ids else None
    refs: list[str] = []
    for f in result.findings:
        comment_id = review.comment_ids.get(f.fingerprint)
        if comment_id is not None:
            refs.append(f"review_comment:{comment_id}")
        elif body_ref is not None and f.fingerprint not in review.duplicates:
            refs.append(body_ref)
    return list(dict.fromkeys(refs))


def with_published(
    runs: Iterable[JobRun],
    results: Mapping[str, JobResult],
    review: ReviewResult,
    summary_id: int | None,
) -> tuple[JobRun, ...]:
    """The runs with ``published`` filled in on the record whose output each job posted:
    its findings' comments, and the summary comment that carries its section."""
    out: list[JobRun] = []
    for run in runs:
        last = run.records[-1] if run.records else None
        if run.status != "ok" or last is None or last.status != "ok":
            out.append(run)
            continue
        refs = published_refs(results.get(run.plan.job), review)
        if summary_id is not None:
            refs.append(f"issue_comment:{summary_id}")
        stamped = last.model_copy(
            update={"published": list(dict.fromkeys([*last.published, *refs]))}
        )
        out.append(replace(run, records=(*run.records[:-1], stamped)))
    return tuple(out)
