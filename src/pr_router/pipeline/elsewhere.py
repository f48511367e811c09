"""Every run also finishes the batches other PRs left pending, once they have ended.

A batch result should not wait for its own PR's next push, nor for a sweep: any pr-router
run in the repository (any PR, any event) looks for pending batches elsewhere, polls each
once, and posts the results of those that ended on their own PRs. It never waits.

Finding them is cheap: one listing of the repository's issue comments updated in the last
``WINDOW`` (newest first, 100 a request, at most ``MAX_COMMENTS``). Our own summary comments
among them carry each PR's state, so their pending batches are known without reading any PR.
Each is polled once (one provider request). Only a PR with an ended batch costs more: the
same requests as ``collect`` for it (its comments, policy, diff, a review if there are
findings, the summary edit), for at most ``MAX_PRS`` PRs a run. A batch whose summary was
not written for longer than the window (no run in the repository for two days) is left to
the scheduled ``collect`` sweep, which lists every open PR.

Nothing here may fail or hold up the run: each problem is one line for the log.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol, TextIO

from pr_router.execute import PendingBatch
from pr_router.github.models import Comment
from pr_router.github.state import decode_state, find_summary
from pr_router.ledger import LedgerRecord, write_ledger
from pr_router.pipeline.collect import (
    PullRequestCollect,
    any_ended,
    collect_pull_request,
    pending_of,
)
from pr_router.pipeline.runner_time import stamp_records
from pr_router.pipeline.services import Services
from pr_router.pipeline.settings import Settings
from pr_router.render import annotations as gha
from pr_router.summary import RunSummary


class _HasSummaries(Protocol):
    """What a command reported (``entry.Outcome``): its summaries."""

    @property
    def summaries(self) -> tuple[RunSummary, ...]: ...


__all__ = [
    "MAX_COMMENTS",
    "MAX_PRS",
    "WINDOW",
    "Elsewhere",
    "collect_elsewhere",
    "pending_prs",
    "report_elsewhere",
]

log = logging.getLogger("pr_router")

# The Batch APIs end (or expire) a batch within 24 hours of its submission, and the run that
# submitted it wrote the summary then: two days of comments hold every batch still to collect.
WINDOW = timedelta(hours=48)
MAX_COMMENTS = 300  # three requests
MAX_PRS = 10  # PRs collected by one run; the rest are left to the next run


@dataclass(frozen=True)
class Elsewhere:
    """What a run finished on other PRs: per PR what ``collect`` did, and what went wrong."""

    done: tuple[tuple[int, PullRequestCollect], ...] = ()
    problems: tuple[str, ...] = ()
    pending_prs: int = 0  # other PRs found with pending batches
    still_running: int = 0  # of those, PRs whose batches had not ended

    @property
    def records(self) -> tuple[LedgerRecord, ...]:
        """The ledger records of every batch result collected."""
        return tuple(r for _, c in self.done for r in c.records)

    def lines(self) -> list[str]:
        """One line for the run log: what was collected where."""
        if not self.pending_prs:
            return []
        posted = ", ".join(f"#{n}" for n, _ in self.done) or "none"
        return [f"batches pending on {self.pending_prs} other PR(s); posted on: {posted}; "
                f"still running on {self.still_running}"]  # fmt: skip


def pending_prs(
    services: Services, comments: Iterable[tuple[int, Comment]]
) -> dict[int, list[PendingBatch]]:
    """PR number -> its pending batches, from our own summary comments among ``comments``."""
    by_pr: dict[int, list[Comment]] = defaultdict(list)
    for number, comment in comments:
        by_pr[number].append(comment)
    found: dict[int, list[PendingBatch]] = {}
    for number, listed in by_pr.items():
        summary = find_summary(listed, services.own_login)
        state = decode_state(summary.body) if summary is not None else None
        pending = pending_of(state) if state is not None else []
        if pending:
            found[number] = pending
    return found


def _collectable(services: Services, pending: Sequence[PendingBatch]) -> list[PendingBatch]:
    """The batches this run holds a key for (another workflow may hold the others)."""
    return [b for b in pending if b.provider in services.providers]


def collect_elsewhere(services: Services, settings: Settings, *, exclude: int | None) -> Elsewhere:
    """Finish the ended batches of other PRs than ``exclude``; never raises, never waits."""
    try:
        since = services.wall_clock() - WINDOW
        comments = services.github.recent_issue_comments(since, MAX_COMMENTS)
        found = pending_prs(services, comments)
    except Exception as exc:
        return Elsewhere(problems=(f"pending batches of other PRs not looked up: {exc}",))
    if exclude is not None:
        found.pop(exclude, None)
    done: list[tuple[int, PullRequestCollect]] = []
    problems: list[str] = []
    running = 0
    for number in sorted(found):
        reachable = _collectable(services, found[number])
        try:
            if not reachable or not any_ended(services, reachable):
                running += 1
                continue
            if len(done) >= MAX_PRS:
                problems.append(f"PR #{number}: left for the next run ({MAX_PRS} PRs a run)")
                continue
            collected = collect_pull_request(services.github.pull(number), settings, services,
                                             polled=True)  # fmt: skip
        except Exception as exc:
            problems.append(f"PR #{number}: its ended batches were not collected: {exc}")
            continue
        if collected is not None:
            done.append((number, collected))
            problems += [f"PR #{number}: {p}" for p in collected.problems]
    return Elsewhere(tuple(done), tuple(problems), len(found), running)


def report_elsewhere(found: Elsewhere, outcome: _HasSummaries, settings: Settings,
                     out: TextIO) -> None:  # fmt: skip
    """Append the collected records to the ledger (with this run's runner figures: the same
    job ran them), and say what happened in the log and the job summary."""
    runner = outcome.summaries[0].runner if outcome.summaries else None
    if found.records:
        write_ledger(settings.ledger_path, stamp_records(found.records, runner))
    for line in found.lines():
        out.write(f"pr-router: {line}\n")
        if settings.step_summary_path is not None and found.done:
            gha.append_step_summary(settings.step_summary_path, f"pr-router: {line}\n")
    for problem in found.problems:
        out.write(gha.notice(problem) + "\n")
