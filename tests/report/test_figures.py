"""The report's figures on a hand-written ledger, each computed by hand (exact Decimals)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from pr_router.report import Period, in_period, median, nearest_rank, report_json, summarize

from .small import OCTOBER, SMALL

D = Decimal
NOVEMBER = Period(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def summary():  # type: ignore[no-untyped-def]
    return summarize(in_period([OCTOBER, *SMALL], NOVEMBER), NOVEMBER)


def test_record_costs_match_the_hand_computation() -> None:
    costs = [r.cost_usd for r in SMALL]
    assert costs == [D("0.085"), D("0.024"), D("0.0025"), D("0.0085"), D("0.0055"),
                     D("0.00225"), D("0.0075"), D(0)]  # fmt: skip
    assert [r.all_frontier_usd for r in SMALL[:7]] == [
        D("0.075"), D("0.06"), D("0.025"), D("0.0425"), D("0.055"), D("0.0225"), D("0.025"),
    ]  # fmt: skip
    assert all(r.recomputed_cost() == r.cost_usd for r in SMALL)


def test_totals(summary) -> None:  # type: ignore[no-untyped-def]
    assert (summary.records, summary.runs, summary.failed, summary.escalations) == (8, 7, 1, 1)
    # 0.085 + 0.024 + 0.0025 + 0.0085 + 0.0055 + 0.00225 + 0.0075 (October's $1 left out)
    assert summary.total_usd == D("0.13525")


def test_spend_groups(summary) -> None:  # type: ignore[no-untyped-def]
    def groups(g):  # type: ignore[no-untyped-def]
        return [(s.key, s.runs, s.usd) for s in g]

    assert groups(summary.by_tier) == [
        ("frontier", 2, D("0.109")),  # R1 + R2
        ("efficient", 4, D("0.01875")),  # R3 + R4 + R5 + R6
        ("standard", 1, D("0.0075")),  # R7
    ]
    assert groups(summary.by_job) == [
        ("review", 2, D("0.0935")),
        ("security", 1, D("0.024")),
        ("changelog", 3, D("0.01225")),
        ("describe", 1, D("0.0055")),
    ]
    assert groups(summary.by_mode) == [("sync", 3, D("0.1175")), ("batch", 4, D("0.01775"))]
    assert groups(summary.by_model) == [
        ("anthropic/claude-opus-4-6", 2, D("0.109")),
        ("anthropic/claude-haiku-4-5", 4, D("0.01875")),
        ("anthropic/claude-sonnet-4-6", 1, D("0.0075")),
    ]


def test_cost_per_pr(summary) -> None:  # type: ignore[no-untyped-def]
    # PR 1: 0.1115, PR 2: 0.014, PR 3: 0.00975 -> median 0.014, p90 rank ceil(2.7) = 3rd
    p = summary.per_pr
    assert (p.prs, p.total, p.median, p.p90, p.max, p.max_pr) == (
        3, D("0.13525"), D("0.014"), D("0.1115"), D("0.1115"), "acme/widgets#1",
    )  # fmt: skip


def test_batch_and_cache_savings(summary) -> None:  # type: ignore[no-untyped-def]
    v = summary.savings
    # batch: R3, R5, R6, R7 cost 0.01775 at half price: the sync equivalent is 0.0355
    assert (v.runs, v.batch_runs, v.batch_usd, v.batch_saved) == (7, 4, D("0.01775"),
                                                                 D("0.01775"))  # fmt: skip
    # cache: 8000 of 46000 prompt tokens read; saved 8000 x (5 - 0.5) / 1e6 = 0.036;
    # the write premium 8000 x (6.25 - 5) / 1e6 = 0.01; net 0.026
    assert (v.prompt_tokens, v.cache_read_tokens) == (46_000, 8_000)
    assert (v.cache_read_saved, v.cache_write_extra, v.cache_net) == (
        D("0.036"), D("0.01"), D("0.026"),
    )  # fmt: skip


def test_acceptance(summary) -> None:  # type: ignore[no-untyped-def]
    got = [(a.job, a.tier, a.accepted, a.rejected, a.unknown, a.n) for a in summary.acceptance]
    assert got == [
        ("changelog", "standard", 1, 0, 0, 1),
        ("changelog", "efficient", 0, 1, 0, 1),  # the failed R6 is no result
        ("describe", "efficient", 0, 0, 1, 0),
        ("review", "frontier", 1, 0, 0, 1),
        ("review", "efficient", 0, 1, 0, 1),
        ("security", "frontier", 1, 0, 0, 1),
    ]
    assert summary.acceptance[1].rejection == D(1)
    assert summary.acceptance[2].rejection is None


def test_efficiency(summary) -> None:  # type: ignore[no-untyped-def]
    e = summary.efficiency
    # lower tiers: R3-R7; all-frontier 0.075+0.06+0.025+0.0425+0.055+0.0225+0.025 = 0.305
    assert (e.runs, e.lower_tier_runs) == (7, 5)
    assert (e.actual_usd, e.all_frontier_usd, e.saved_usd) == (
        D("0.13525"), D("0.305"), D("0.16975"),
    )  # fmt: skip


def test_timeline_by_day(summary) -> None:  # type: ignore[no-untyped-def]
    assert summary.timeline.granularity == "day"
    assert summary.timeline.buckets == (
        (date(2026, 11, 3), {"frontier": D("0.109"), "efficient": D("0.0025")}),
        (date(2026, 11, 10), {"efficient": D("0.014")}),
        (date(2026, 11, 20), {"efficient": D("0.00225"), "standard": D("0.0075")}),
    )


def test_timeline_by_week_for_long_periods() -> None:
    period = Period(datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    s = summarize(SMALL, period)
    assert s.timeline.granularity == "week"
    # weeks start on Monday: Nov 3 (Tue) -> Nov 2, Nov 10 -> Nov 9, Nov 20 (Fri) -> Nov 16
    assert [d for d, _ in s.timeline.buckets] == [date(2026, 11, 2), date(2026, 11, 9),
                                                  date(2026, 11, 16)]  # fmt: skip


def test_json_money_is_exact_strings(summary) -> None:  # type: ignore[no-untyped-def]
    doc = report_json(summary, [])
    assert doc["total_usd"] == "0.13525"
    assert doc["per_pr"]["median_usd"] == "0.014"
    assert doc["batch"] == {"runs": 4, "share": 0.5714, "usd": "0.01775", "saved_usd": "0.01775"}
    assert doc["cache"]["share"] == 0.1739
    assert doc["efficiency"]["saved_usd"] == "0.16975"
    assert doc["acceptance"][1]["rejection"] == 1.0
    assert doc["acceptance"][2]["rejection"] is None


@pytest.mark.parametrize(
    ("values", "med", "p90"),
    [
        (["1"], "1", "1"),
        (["3", "1"], "2", "3"),
        (["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"], "5.5", "9"),
        (["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"], "6", "10"),
    ],
)
def test_median_and_nearest_rank(values: list[str], med: str, p90: str) -> None:
    ds = [D(v) for v in values]
    assert median(ds) == D(med)
    assert nearest_rank(ds, 90) == D(p90)


def test_empty_period() -> None:
    s = summarize([], NOVEMBER)
    assert (s.records, s.total_usd, s.per_pr, s.acceptance) == (0, D(0), None, ())
    assert s.timeline.buckets == ()
