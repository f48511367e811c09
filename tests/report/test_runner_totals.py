"""Runner minutes in the report: once per run, old records counted as unmeasured."""

from __future__ import annotations

import json
from decimal import Decimal

from pr_router.ledger import LedgerRecord, LedgerRunner
from pr_router.report import Period, summarize
from pr_router.report._render import report_json, report_text

from .small import SMALL


def _runner(minutes: int, frontier_minutes: int) -> LedgerRunner:
    rate = Decimal("0.006")
    return LedgerRunner(seconds=minutes * 60 - 30, minutes=minutes, usd_per_minute=rate,
                        usd=minutes * rate, basis="private",
                        all_frontier_minutes=frontier_minutes,
                        all_frontier_usd=frontier_minutes * rate)  # fmt: skip


def _with_runner(records: list[LedgerRecord]) -> list[LedgerRecord]:
    # run-1 (3 records) took 3 minutes, run-2 (2 records) 2; the rest are older records
    figures = {"run-1": _runner(3, 2), "run-2": _runner(2, 1)}
    return [r.model_copy(update={"runner": figures.get(r.run_id)}) for r in records]


def test_runner_minutes_count_once_per_run() -> None:
    records = _with_runner(SMALL)
    assert sum(1 for r in records if r.run_id == "run-1") == 3
    s = summarize(records, Period(None, max(r.timestamp for r in records)))
    assert (s.runner.runs, s.runner.minutes, s.runner.usd) == (2, 5, Decimal("0.030"))
    assert (s.runner.all_frontier_minutes, s.runner.all_frontier_usd) == (3, Decimal("0.018"))
    unmeasured = {r.run_id for r in SMALL} - {"run-1", "run-2"}
    assert s.runner.unmeasured == len(unmeasured) > 0
    assert s.total_with_runner_usd == s.total_usd + Decimal("0.030")

    doc = report_json(s, ())
    assert doc["runner"] == {"runs": 2, "minutes": 5, "usd": "0.03", "unmeasured_runs":
                             len(unmeasured), "all_frontier_minutes": 3,
                             "all_frontier_usd": "0.018"}  # fmt: skip
    assert doc["total_usd"] == str(s.total_usd)  # tokens, as before
    assert Decimal(doc["total_with_runner_usd"]) == s.total_usd + Decimal("0.030")
    frontier_total = s.efficiency.all_frontier_usd + Decimal("0.018")
    assert Decimal(doc["all_frontier_total_usd"]) == frontier_total
    text = report_text(s, ())
    assert "Runner: 5 billed minutes over 2 runs, $0.030" in text
    assert f"{len(unmeasured)} older runs without them not counted" in text


def test_old_ledgers_show_no_runner_line_and_zero_minutes() -> None:
    s = summarize(SMALL, Period(None, max(r.timestamp for r in SMALL)))
    assert (s.runner.runs, s.runner.minutes, s.runner.usd) == (0, 0, Decimal(0))
    assert "Runner:" not in report_text(s, ())
    assert s.total_with_runner_usd == s.total_usd


def test_a_record_round_trips_with_and_without_runner_figures() -> None:
    (record,) = _with_runner(SMALL[:1])
    back = LedgerRecord.model_validate(json.loads(record.model_dump_json()))
    assert back.runner == record.runner
    assert json.loads(record.model_dump_json())["runner"]["usd"] == "0.018"
    old = json.loads(SMALL[0].model_dump_json())
    del old["runner"]  # a record written before runner figures existed
    assert LedgerRecord.model_validate(old).runner is None
