"""A small hand-written ledger; every figure of its report is computed by hand in the tests.

Rates (USD per million tokens): frontier 5 in / 25 out, standard 3 / 15, efficient 1 / 5;
cache writes 1.25x input, reads 0.1x input; batch half of everything.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pr_router.ledger import LedgerRecord
from pr_router.tokens import TokenUsage

from .ledgers import record


def _at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


SMALL: list[LedgerRecord] = [
    # R1 (2000x5 + 8000x6.25 + 1000x25)/1e6 = $0.085; all-frontier (10000x5 + 1000x25) = $0.075
    record("review", "frontier", pr=1, at=_at(3), outcome="accepted",
           usage=TokenUsage(input=2000, cache_write_5m=8000, output=1000),
           published=["review_comment:11"]),
    # R2 (2000x5 + 8000x0.5 + 400x25)/1e6 = $0.024; all-frontier (50000 + 10000) = $0.06
    record("security", "frontier", pr=1, at=_at(3), outcome="accepted",
           usage=TokenUsage(input=2000, cache_read=8000, output=400)),
    # R3 batch efficient (4000x0.5 + 200x2.5)/1e6 = $0.0025; all-frontier $0.025
    record("changelog", "efficient", mode="batch", pr=1, at=_at(3), outcome="rejected",
           usage=TokenUsage(input=4000, output=200)),
    # R4 docs-only review on efficient (6000x1 + 500x5)/1e6 = $0.0085; all-frontier $0.0425
    record("review", "efficient", pr=2, at=_at(10), outcome="rejected", run_id="run-2",
           usage=TokenUsage(input=6000, output=500)),
    # R5 batch efficient (8000x0.5 + 600x2.5)/1e6 = $0.0055; all-frontier $0.055; no outcome
    record("describe", "efficient", mode="batch", pr=2, at=_at(10), run_id="run-2",
           usage=TokenUsage(input=8000, output=600)),
    # R6 failed (invalid output) batch efficient (4000x0.5 + 100x2.5)/1e6 = $0.00225; af $0.0225
    record("changelog", "efficient", mode="batch", pr=3, at=_at(20), status="failed",
           run_id="run-3", usage=TokenUsage(input=4000, output=100)),
    # R7 cascade to standard, batch (4000x1.5 + 200x7.5)/1e6 = $0.0075; all-frontier $0.025
    record("changelog", "standard", mode="batch", pr=3, at=_at(20), outcome="accepted",
           run_id="run-3", attempt=2, escalated_from="efficient",
           usage=TokenUsage(input=4000, output=200)),
    # R8 skipped: no run, no cost
    record("docs", "efficient", mode="batch", pr=3, at=_at(20), status="skipped",
           run_id="run-3", usage=TokenUsage()),
]  # fmt: skip

# Outside November: filtered out by the period.
OCTOBER = record("review", "frontier", pr=1, at=datetime(2026, 10, 31, 23, tzinfo=UTC),
                 run_id="run-0", usage=TokenUsage(input=200_000))  # $1.00  # fmt: skip
