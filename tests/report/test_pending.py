"""Batch items recorded ``pending`` by one run and finished by a later one count once.

Rates as in ``small.py``: frontier 5 in / 25 out, efficient 1 / 5, batch half of that.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pr_router.cli import main
from pr_router.ledger import LedgerRecord, write_ledger
from pr_router.report import Period, dedupe, in_period, report_text, summarize
from pr_router.tokens import TokenUsage

from .ledgers import record

D = Decimal
NOVEMBER = Period(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


def _at(day: int) -> datetime:
    return datetime(2026, 11, day, 12, tzinfo=UTC)


def _item(job: str, status: str, day: int, usage: TokenUsage, **extra: Any) -> LedgerRecord:
    return record(job, "efficient", mode="batch", at=_at(day), status=status, usage=usage,
                  batch_id=extra.pop("batch_id", "msgbatch_1"),
                  custom_id=f"run-4-{job}", **extra)  # fmt: skip


NONE = TokenUsage()
# Submitted by run-4 on PR 5 (pending, cost 0) ...
SUBMITTED = [
    _item("describe", "pending", 12, NONE, run_id="run-4", pr=5),
    _item("changelog", "pending", 12, NONE, run_id="run-4", pr=5),
]
# ... collected by run-5: describe (8000x0.5 + 600x2.5)/1e6 = $0.0055,
# changelog failed validation (4000x0.5 + 100x2.5)/1e6 = $0.00225.
COLLECTED = [
    _item("describe", "ok", 13, TokenUsage(input=8000, output=600), run_id="run-5", pr=5),
    _item("changelog", "failed", 13, TokenUsage(input=4000, output=100), run_id="run-5", pr=5),
]
# Never collected, alone on PR 6: shown as pending, not as a run, a PR or spend.
ORPHAN = _item("docs", "pending", 14, NONE, batch_id="msgbatch_2", run_id="run-6", pr=6)
# Sync review on PR 5: (2000x5 + 1000x25)/1e6 = $0.035.
REVIEW = record("review", "frontier", pr=5, at=_at(12), run_id="run-4",
                usage=TokenUsage(input=2000, output=1000))  # fmt: skip
LEDGER = [REVIEW, *SUBMITTED, *COLLECTED, ORPHAN]


def test_dedupe_drops_pending_records_that_were_finished() -> None:
    assert dedupe(LEDGER) == [REVIEW, *COLLECTED, ORPHAN]
    assert dedupe([*COLLECTED, *SUBMITTED]) == COLLECTED  # order does not matter
    # An item is its batch id and custom id: the same custom id finished in another batch
    # does not finish it.
    other = ORPHAN.model_copy(update={"batch_id": "msgbatch_9", "status": "ok"})
    assert dedupe([ORPHAN, other]) == [ORPHAN, other]


def test_a_batch_collected_by_two_runs_at_once_counts_once() -> None:
    # Every run collects ended batches: two runs on other PRs (run-7, run-8) that started
    # at the same moment can both finish run-4's batch. The provider billed it once.
    twice = [r.model_copy(update={"run_id": "run-8", "pr": 9}) for r in COLLECTED]
    later = [r.model_copy(update={"timestamp": _at(14)}) for r in twice]
    assert dedupe([*SUBMITTED, *later, *COLLECTED]) == COLLECTED  # the first collection
    s = summarize(in_period(dedupe([REVIEW, *SUBMITTED, *COLLECTED, *later]), NOVEMBER), NOVEMBER)
    assert s.total_usd == D("0.04275")  # as with one collection: 0.035 + 0.0055 + 0.00225


def test_pending_counts_neither_as_runs_nor_as_spend() -> None:
    s = summarize(in_period(dedupe(LEDGER), NOVEMBER), NOVEMBER)
    assert (s.records, s.runs, s.pending, s.failed) == (4, 3, 1, 1)
    assert s.total_usd == D("0.04275")  # 0.035 + 0.0055 + 0.00225
    assert [(g.key, g.runs, g.usd) for g in s.by_job] == [
        ("review", 1, D("0.035")), ("describe", 1, D("0.0055")), ("changelog", 1, D("0.00225")),
    ]  # fmt: skip
    assert [(g.key, g.runs, g.usd) for g in s.by_mode] == [
        ("sync", 1, D("0.035")), ("batch", 2, D("0.00775")),
    ]  # fmt: skip
    v = s.savings
    assert (v.runs, v.batch_runs, v.batch_usd, v.batch_saved) == (3, 2, D("0.00775"),
                                                                  D("0.00775"))  # fmt: skip
    assert s.per_pr is not None
    assert (s.per_pr.prs, s.per_pr.total, s.per_pr.max_pr) == (1, D("0.04275"), "acme/widgets#5")
    assert s.efficiency.runs == 3
    assert [(a.job, a.accepted + a.rejected + a.unknown) for a in s.acceptance] == [
        ("describe", 1),
        ("review", 1),
    ]
    text = report_text(s, [])
    assert ("Spend $0.043 over 3 job runs on 1 PRs (1 failed, 0 escalated); "
            "1 batch job still pending.\n") in text  # fmt: skip
    assert "Batch: 66.7% of runs (2), cost $0.0078, saved $0.0078." in text


def test_batch_collected_after_the_period_is_not_pending_in_it() -> None:
    until_12th = Period(NOVEMBER.start, _at(13).replace(hour=0))
    s = summarize(in_period(dedupe(LEDGER), until_12th), until_12th)
    assert (s.records, s.runs, s.pending, s.total_usd) == (1, 1, 0, D("0.035"))


def test_report_across_the_two_runs_ledgers(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    write_ledger(tmp_path / "run-4" / "ledger.jsonl", [REVIEW, *SUBMITTED])
    write_ledger(tmp_path / "run-5" / "ledger.jsonl", COLLECTED)
    write_ledger(tmp_path / "run-6" / "ledger.jsonl", [ORPHAN])
    argv = ["report", str(tmp_path), "--since", "2026-11-01", "--until", "2026-11-30"]
    assert main([*argv, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["records"], doc["runs"], doc["pending"], doc["total_usd"]) == (4, 3, 1, "0.04275")
    assert doc["batch"] == {"runs": 2, "share": 0.6667, "usd": "0.00775", "saved_usd": "0.00775"}
    assert doc["per_pr"]["prs"] == 1
