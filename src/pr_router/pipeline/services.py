"""The collaborators a run needs, built once by the entry point and passed in."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pr_router.execute import Clock
from pr_router.gate.publish import CheckPoster
from pr_router.github.client import GitHubClient
from pr_router.github.publish import Publisher
from pr_router.ledger import LedgerRecord
from pr_router.providers.base import Provider

__all__ = ["Services"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    """GitHub (to read), where to publish, the model providers, and the clocks."""

    github: GitHubClient
    publisher: Publisher
    providers: Mapping[str, Provider]
    clock: Clock
    own_login: str
    missing_providers: Mapping[str, str] = field(default_factory=dict)  # name -> message
    wall_clock: Callable[[], datetime] = _utcnow
    # Ledger records since a moment (the workflow's ledger artifacts), for the per-month budget.
    month_records: Callable[[datetime], Sequence[LedgerRecord]] | None = None
    # Where check runs go: GitHub, or the recording sink of a dry run (None: ``github``).
    checks: CheckPoster | None = None
    # The ``clock`` reading at which the job's pr-router step started (runner minutes are
    # measured from it); None: from the start of the work itself.
    run_started: float | None = None

    @property
    def check_poster(self) -> CheckPoster:
        """Where the merge gate's check runs are posted."""
        return self.checks if self.checks is not None else self.github
