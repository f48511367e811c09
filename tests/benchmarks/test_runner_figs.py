"""benchmarks/_runner_figs.py: a PR's run as calls, minutes billed per run, collection."""

from __future__ import annotations

from decimal import Decimal

from _emulated import CaseRun
from _latency import COLLECT_IN_RUN_S, INSTALL_S, JOB_SETUP_S, PR_ROUTER_OVERHEAD_S, Call
from _runner_figs import calls_of, runner_minutes
from pr_router.ledger import LedgerRecord, LedgerUsage
from pr_router.runner import billed_minutes
from pr_router.tokens import TokenUsage


def _rec(job: str, usage: TokenUsage, mode: str = "sync", model: str = "claude-opus-5-5") -> LedgerRecord:  # fmt: skip
    return LedgerRecord(run_id="r", job=job, job_class="critical", tier="frontier",
                        provider="anthropic", model=model, mode=mode, status="ok",
                        usage=LedgerUsage.of(usage), cost_usd=Decimal(0))  # type: ignore[arg-type]  # fmt: skip


def _run(case: str, *records: LedgerRecord) -> CaseRun:
    return CaseRun(case, "default", 10, 1, True, False, tuple(r.model_dump_json() for r in records))


REVIEW = _rec("review", TokenUsage(input=100, cache_write_5m=5000, output=900))
SECURITY = _rec("security", TokenUsage(input=100, cache_read=5000, output=450))
DESCRIBE = _rec("describe", TokenUsage(input=900, output=400), "batch", "claude-haiku-5-5")


def test_a_cache_reader_starts_behind_its_writer_and_batches_are_no_calls() -> None:
    assert calls_of([REVIEW, SECURITY, DESCRIBE]) == [
        Call("claude-opus-5-5", 900, name="review#1"),
        Call("claude-opus-5-5", 450, name="security#1", after="review#1"),
    ]


def test_the_next_run_collects_the_previous_prs_batches() -> None:
    fixed = JOB_SETUP_S + INSTALL_S + PR_ROUTER_OVERHEAD_S
    minutes = runner_minutes([_run("a.diff", REVIEW, DESCRIBE), _run("b.diff", REVIEW)])
    review = 2.67 + 900 / 45
    assert minutes == {"a.diff": billed_minutes(fixed + review),
                       "b.diff": billed_minutes(fixed + review + COLLECT_IN_RUN_S)}  # fmt: skip
