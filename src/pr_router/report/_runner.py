"""Runner minutes in the report: counted once per run, from the records that carry them.

Every record of one run carries the same runner figures (``LedgerRecord.runner``), so they
are summed over distinct ``run_id``; a run that wrote no job record (it ended early) has
one ``LedgerRun`` with its figures. Records written before runner minutes were measured
carry none: their runs are counted as ``unmeasured``, not as zero minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pr_router.ledger import Entry, LedgerRunner

__all__ = ["RunnerTotals", "runner_totals"]


@dataclass(frozen=True, slots=True)
class RunnerTotals:
    """Billed runner minutes and their cost over the period, and the all-frontier estimate."""

    runs: int  # runs whose records carry runner figures
    minutes: int
    usd: Decimal
    all_frontier_minutes: int
    all_frontier_usd: Decimal
    unmeasured: int  # runs in the records without runner figures (older ledgers)


def runner_totals(records: Sequence[Entry]) -> RunnerTotals:
    """Runner totals of ``records``, one figure per ``run_id``."""
    per_run: dict[str, LedgerRunner] = {}
    unmeasured: set[str] = set()
    for r in records:
        if r.runner is None:
            unmeasured.add(r.run_id)
        else:
            per_run.setdefault(r.run_id, r.runner)
    figures = per_run.values()
    return RunnerTotals(
        runs=len(per_run),
        minutes=sum(f.minutes for f in figures),
        usd=sum((f.usd for f in figures), Decimal(0)),
        all_frontier_minutes=sum(f.all_frontier_minutes for f in figures),
        all_frontier_usd=sum((f.all_frontier_usd for f in figures), Decimal(0)),
        unmeasured=len(unmeasured - per_run.keys()),
    )
