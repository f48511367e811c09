"""The sticky summary comment as the PR's shared state: read it, merge into it, write it.

Runs of one PR can overlap (a push while the last run still waits for its batches), and a
``collect`` can run at any moment. So every writer re-reads the state right before writing
and applies only its own changes to what it finds there: the pending batches and the cost
another run recorded in the meantime survive, and the comment is looked up again before
each write, so a PR keeps one summary comment (two created in the same instant are merged
into the older one). Two edits in the same instant can still race (the last one wins); a
workflow ``concurrency:`` group per PR removes even that.

A run also writes the state once early, right after submitting its batches (the "running"
comment): a run killed while it waits then leaves its batch ids where ``collect`` finds
them, and a snapshot from which ``collect`` renders the whole summary.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from pr_router.errors import GitHubError
from pr_router.execute import JobOutcome, PendingBatch, RunOutcome
from pr_router.github.publish import compose_summary, upsert_summary
from pr_router.github.state import State, decode_state, find_summary
from pr_router.pipeline.assemble import job_runs
from pr_router.pipeline.services import Services
from pr_router.pipeline.snapshot import snapshot_summary
from pr_router.plan import Plan
from pr_router.pricing import format_usd
from pr_router.summary import RunSummary

__all__ = [
    "INTERRUPTED",
    "SubmissionRecorder",
    "batch_key",
    "pending_since",
    "read_state",
    "rebase",
    "write_state",
]

log = logging.getLogger("pr_router")
T = TypeVar("T")

INTERRUPTED = "the run stopped before this job finished; the next run will redo it"


def read_state(services: Services, number: int) -> State:
    """The PR's sticky state, trusted only from our own summary comment."""
    comment = find_summary(services.publisher.list_issue_comments(number), services.own_login)
    return (decode_state(comment.body) if comment else None) or State()


def batch_key(entry: Mapping[str, Any] | PendingBatch) -> str:
    """``provider:batch_id`` of a pending batch (or of its JSON form, even a malformed one)."""
    if isinstance(entry, PendingBatch):
        return f"{entry.provider}:{entry.batch_id}"
    return f"{entry.get('provider')}:{entry.get('batch_id')}"


def pending_since(*batches: Iterable[PendingBatch]) -> tuple[tuple[str, datetime], ...]:
    """``(provider:batch_id, submitted_at)`` of pending batches, for the summary."""
    return tuple((batch_key(b), b.submitted_at) for group in batches for b in group)


def rebase(fresh: State, taken: Collection[str]) -> State:
    """The state on the PR now, without the pending batches this writer took over (by
    ``batch_key``): it adds back those still pending itself."""
    return replace(fresh, pending=tuple(p for p in fresh.pending if batch_key(p) not in taken))


def write_state(
    services: Services, number: int, compose: Callable[[State], tuple[str, State, T]]
) -> tuple[int, T]:
    """Read the state, let ``compose`` turn it into (body, new state, anything), write it.

    Returns the summary comment's id and ``compose``'s third value. The comment is looked
    up again right before it is created. If another run created one in the same instant,
    the older comment wins: ours is deleted and ``compose`` runs again on the older one's
    state, so the PR keeps one summary and neither run's changes are lost.
    """
    body, state, extra = compose(read_state(services, number))
    written = upsert_summary(services.publisher, number, body, state, services.own_login)
    if written.action != "created":
        return written.comment_id, extra
    first = find_summary(services.publisher.list_issue_comments(number), services.own_login)
    if first is None or first.id == written.comment_id:
        return written.comment_id, extra
    services.publisher.delete_issue_comment(written.comment_id)
    body, state, extra = compose(decode_state(first.body) or State())
    text, _ = compose_summary(body, state)
    services.publisher.edit_issue_comment(first.id, text)
    return first.id, extra


def _running_body(summary: RunSummary, batches: Iterable[PendingBatch]) -> str:
    """The visible body while the run waits: what runs, what is batched, and what to do if
    the run never comes back."""
    batched = [
        f"`{b.provider}:{b.batch_id}` ({', '.join(i.job for i in b.items)})" for b in batches
    ]
    waiting = [j.plan.job for j in summary.jobs if j.status == "failed" and j.error == INTERRUPTED]
    head = summary.head_sha[:7] if summary.head_sha else "the PR"
    lines = [
        f"**pr-router** · ⏳ running on `{head}` · PR total so far "
        f"{format_usd(summary.previous_cost_usd + summary.previous_runner_usd)} over "
        f"{summary.previous_runs} earlier run(s)",
        "",
    ]
    if waiting:
        lines.append(f"- ⏳ running now: {', '.join(f'`{j}`' for j in waiting)}")
    lines.append(f"- ⏳ submitted as batches: {', '.join(batched)}")
    lines += [
        "",
        "This comment becomes the cost summary when the run ends. If the run is cancelled, "
        "the next run or `pr-router collect` finishes the batches and posts their results.",
    ]
    return "\n".join(lines)


@dataclass
class SubmissionRecorder:
    """``Executor.run(on_submitted=...)``: put the new batch ids on the PR before waiting.

    The state written keeps every pending batch already there (this run's final write
    removes those it finished) and counts this run; its snapshot shows the batch jobs as
    pending and the synchronous ones as interrupted, which is what ``collect`` renders if
    the run never writes again.
    """

    services: Services
    number: int
    plan: Plan
    run_id: str
    head_sha: str | None
    unbuilt: Mapping[str, str] = field(default_factory=dict)
    submitted: tuple[PendingBatch, ...] = ()
    counted: bool = False  # the run is counted in the state on the PR (runs + 1)

    def __call__(self, batches: tuple[PendingBatch, ...]) -> None:
        """Record ``batches``; a GitHub failure is logged, never raised (the run goes on)."""
        self.submitted = batches

        def compose(fresh: State) -> tuple[str, State, None]:
            summary = self._summary(fresh, batches)
            state = replace(
                fresh,
                pending=(*fresh.pending, *(b.to_json() for b in batches)),
                runs=fresh.runs + 1,
                last_run=snapshot_summary(summary),
            )
            return _running_body(summary, batches), state, None

        try:
            write_state(self.services, self.number, compose)
            self.counted = True
        except GitHubError as exc:
            # The final write reports GitHub problems; this one only narrows a window.
            log.debug("could not record the submitted batches on the PR: %s", exc)

    def _summary(self, fresh: State, batches: tuple[PendingBatch, ...]) -> RunSummary:
        jobs = tuple(JobOutcome(i.job, "pending") for b in batches for i in b.items)
        reasons = {j.job: INTERRUPTED for j in self.plan.jobs if j.run} | dict(self.unbuilt)
        runs = job_runs(self.plan, RunOutcome(jobs, batches), reasons)
        return RunSummary(
            plan=self.plan, jobs=runs, run_id=self.run_id, head_sha=self.head_sha,
            previous_cost_usd=fresh.cost_usd, previous_runs=fresh.runs,
            previous_runner_usd=fresh.runner_usd,
            pending_batches=tuple(batch_key(b) for b in batches), notices=self.plan.notices,
            pending_since=pending_since(batches),
        )  # fmt: skip
