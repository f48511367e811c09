"""A run that ended before any job, on a PR with a summary comment: its runner time joins
the PR's total and its lifetime, run by run.

The sticky state counts the run (runs, runner minutes, a lifetime entry) and the comment
shows the last run's summary again with this run after it (``RunSummary.later``). A PR
without a summary comment yet gets none: the run's minutes are in its ledger record, and
the first summary starts the PR's lifetime.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from pr_router.context import PRContext
from pr_router.errors import GitHubError
from pr_router.github.state import State
from pr_router.pipeline.assemble import Lifetime, next_state
from pr_router.pipeline.services import Services
from pr_router.pipeline.snapshot import restore_summary, snapshot_summary
from pr_router.pipeline.sticky import write_state
from pr_router.render.summary import summary_markdown
from pr_router.runner import RunnerFigures
from pr_router.summary import RunSummary

__all__ = ["count_early_run"]


class _NoSummary(Exception):
    """The PR has no summary to add the run to (none yet, or one that cannot be re-read)."""


def _last(state: State) -> RunSummary:
    if state.last_run is None:
        raise _NoSummary
    try:
        return restore_summary(state.last_run)
    except ValueError:
        raise _NoSummary from None


def count_early_run(services: Services, pr: PRContext, figures: RunnerFigures, what: str,
                    at: datetime) -> str | None:  # fmt: skip
    """Add the run (``what``: why it ended) to the PR's summary comment, if it has one.

    Returns a problem line when GitHub refused the write, else None.
    """
    assert pr.number is not None
    used = figures.used

    def compose(fresh: State) -> tuple[str, State, None]:
        last = _last(fresh)  # raised before anything is written
        shown = replace(last, later=(*last.later, (pr.head_sha or "", what, used.usd)))
        new = next_state(fresh, head_sha=pr.head_sha, run_cost=Decimal(0), pending=(),
                         reviewed=False, lifetime=Lifetime(what, {}, at.isoformat()),
                         runner=used)  # fmt: skip
        return summary_markdown(shown), replace(new, last_run=snapshot_summary(shown)), None

    try:  # compose runs before anything is written: without a summary, nothing is
        write_state(services, pr.number, compose)
    except _NoSummary:
        return None
    except GitHubError as exc:
        hint = f"; {exc.hint}" if exc.hint else ""
        return f"The summary comment could not be updated with this run's runner time: {exc}{hint}"
    return None
