"""What goes into the executor (``JobCall``) and what comes out (``JobOutcome``, ``RunOutcome``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from pr_router.execute._pending import PendingBatch
from pr_router.ledger import LedgerRecord
from pr_router.plan import JobPlan
from pr_router.providers.base import ModelRequest, ModelResponse

__all__ = ["JobCall", "JobOutcome", "JobStatus", "RunOutcome", "Validator"]

T = TypeVar("T")
JobStatus = Literal["ok", "failed", "pending"]
# Turns a response into the job's result; raises ``InvalidOutputError`` when it is unusable.
Validator = Callable[[ModelResponse], Any]


@dataclass(frozen=True, slots=True)
class JobCall(Generic[T]):
    """One routed job, ready to run: the router's decision, the prompt and its validator."""

    plan: JobPlan
    request: ModelRequest
    validate: Callable[[ModelResponse], T]

    @property
    def job(self) -> str:
        """The job's name."""
        return self.plan.job


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """How one job ended: its validated value, or why it failed, or the batch it waits in."""

    job: str
    status: JobStatus
    value: Any | None = None
    error: str | None = None
    records: tuple[LedgerRecord, ...] = ()
    response: ModelResponse | None = None  # the response ``value`` was validated from

    def __post_init__(self) -> None:
        # An all-frontier setup runs each job once: only the last billed attempt carries the
        # counterfactual, so cascades and fallbacks do not count it several times.
        billed = [i for i, r in enumerate(self.records) if r.all_frontier_usd]
        if len(billed) > 1:
            keep = billed[-1]
            fixed = tuple(
                r
                if i == keep or not r.all_frontier_usd
                else r.model_copy(update={"all_frontier_usd": Decimal(0)})
                for i, r in enumerate(self.records)
            )
            object.__setattr__(self, "records", fixed)

    @property
    def cost_usd(self) -> Decimal:
        """What every attempt of this job cost."""
        return sum((r.cost_usd for r in self.records), Decimal(0))


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """Every job of a run (or collect) exactly once, the batches left pending, the ledger."""

    jobs: tuple[JobOutcome, ...]
    pending: tuple[PendingBatch, ...] = ()

    @property
    def records(self) -> tuple[LedgerRecord, ...]:
        """All ledger records, job by job, attempts in order."""
        return tuple(r for j in self.jobs for r in j.records)

    @property
    def cost_usd(self) -> Decimal:
        """Total measured cost."""
        return sum((r.cost_usd for r in self.records), Decimal(0))

    @property
    def all_frontier_usd(self) -> Decimal:
        """The same usage, uncached, on the frontier model, synchronous."""
        return sum((r.all_frontier_usd for r in self.records), Decimal(0))

    def job(self, name: str) -> JobOutcome:
        """The outcome of one job; ``KeyError`` if the job was not part of the run."""
        for outcome in self.jobs:
            if outcome.job == name:
                return outcome
        raise KeyError(name)

    def by_status(self, status: JobStatus) -> tuple[JobOutcome, ...]:
        """Outcomes with this status."""
        return tuple(j for j in self.jobs if j.status == status)
