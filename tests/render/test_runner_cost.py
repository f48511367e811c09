"""Runner minutes next to token cost: headline, cost block, terminal, outputs, snapshot."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from pr_router.pipeline.snapshot import restore_summary, snapshot_summary
from pr_router.pricing import format_usd
from pr_router.render.runner_cost import sweep_line
from pr_router.render.summary import (
    action_outputs,
    step_summary_markdown,
    summary_markdown,
    terminal_summary,
)
from pr_router.runner import RunnerRate, resolve_rate, runner_figures
from pr_router.summary import RunSummary

from .factories import realistic_summary

PRIVATE = resolve_rate("auto", private=True)


@pytest.fixture
def summary() -> RunSummary:
    # 130 s on the runner (3 billed minutes), 100 s of it collecting and calling models,
    # the slowest synchronous job 40 s: all-frontier needs 30 + 40 = 70 s, 2 minutes.
    figures = runner_figures(130.0, PRIVATE, model_seconds=100.0, slowest_sync=40.0)
    return replace(realistic_summary(), runner=figures)


def test_totals_add_tokens_and_runner(summary: RunSummary) -> None:
    assert summary.runner is not None
    assert (summary.runner.used.minutes, summary.runner.all_frontier.minutes) == (3, 2)
    assert summary.runner_usd == Decimal("0.018")
    assert summary.total_usd == Decimal("0.08925") + Decimal("0.018")
    assert summary.all_frontier_total_usd == Decimal("0.15135") + Decimal("0.012")
    assert summary.total_savings_usd == Decimal("0.16335") - Decimal("0.10725")


def test_outputs_carry_minutes_and_totals(summary: RunSummary) -> None:
    out = action_outputs(summary)
    assert out["cost-usd"] == "0.089250"  # tokens, as before
    assert out["savings-usd"] == "0.062100"
    assert out["runner-minutes"] == "3"
    assert out["runner-usd"] == "0.018000"
    assert out["total-usd"] == "0.107250"
    assert out["all-frontier-total-usd"] == "0.163350"
    assert out["total-savings-usd"] == "0.056100"


def test_headline_and_cost_block_show_the_runner(summary: RunSummary) -> None:
    body = summary_markdown(summary)
    head = body.splitlines()[0]
    assert "this run $0.107 (tokens $0.089 + runner 3 min ($0.018))" in head
    # savings compare totals: 0.05610 of 0.16335
    assert "saved $0.056 (34%) vs all-frontier" in head
    assert (
        "Runner: 3 min billed (2m 10s measured up to this comment) at $0.006/min "
        "(private repository, GitHub Linux 2-core list price): $0.018. Total this run: "
        "tokens $0.089 + runner $0.018 = **$0.107**." in body
    )
    assert (
        "All-frontier total: tokens $0.151 + runner 2 min ($0.012) = $0.163 (runner "
        "estimated: this run's 30s outside the model calls plus its slowest synchronous job"
    ) in body
    assert "Runner: 3 min billed" in step_summary_markdown(summary)


def test_terminal_line(summary: RunSummary) -> None:
    assert (
        "Runner: 3 min billed (2m 10s) at $0.006/min: $0.018; total $0.107 "
        "(all-frontier $0.163)" in terminal_summary(summary)
    )


def test_public_repository_runner_is_free_and_totals_equal_tokens() -> None:
    figures = runner_figures(130.0, resolve_rate("auto", private=False), model_seconds=100.0,
                             slowest_sync=40.0)  # fmt: skip
    summary = replace(realistic_summary(), runner=figures)
    assert summary.total_usd == summary.cost_usd
    assert summary.total_savings_usd == summary.savings_usd
    assert (
        "this run $0.089 (runner 3 min: free on a public repository)"
        in summary_markdown(summary).splitlines()[0]
    )


def test_no_runner_figures_keep_the_token_headline() -> None:
    head = summary_markdown(realistic_summary()).splitlines()[0]
    assert "this run $0.089 · " in head
    assert "Runner:" not in summary_markdown(realistic_summary())


def test_waiting_for_a_batch_costs_the_run_minutes_all_frontier_does_not() -> None:
    # 5 minutes waiting for a batch after a 40 s critical path: 6 billed minutes vs 1.
    figures = runner_figures(340.0, PRIVATE, model_seconds=330.0, slowest_sync=40.0)
    assert (figures.used.minutes, figures.all_frontier.minutes) == (6, 1)
    summary = replace(realistic_summary(), runner=figures)
    assert summary.total_savings_usd == summary.savings_usd - Decimal("0.030")


def test_snapshot_keeps_the_runner_figures(summary: RunSummary) -> None:
    back = restore_summary(snapshot_summary(summary))
    assert back.runner == summary.runner
    old = snapshot_summary(summary)
    del old["runner"]  # a snapshot written before runner figures existed
    assert restore_summary(old).runner is None


def test_policy_rate_and_sweep_line() -> None:
    rate = resolve_rate(Decimal("0.012"), private=False)
    figures = runner_figures(61.0, rate, model_seconds=61.0, slowest_sync=0.0)
    assert figures.all_frontier.minutes == 0
    assert sweep_line(figures) == (
        "runner 2 min billed (1m 01s) at $0.012/min (policy runner.usd_per_minute): $0.024"
    )
    assert isinstance(figures.rate, RunnerRate)


def test_runs_after_this_one_that_ended_early_are_in_the_pr_total(summary: RunSummary) -> None:
    # Two runs that ended before any job (2 and 1 billed minutes at $0.006) after this one.
    later = (("a" * 40, "skipped: draft pull request", Decimal("0.012")),
             ("b" * 40, "skipped: label change", Decimal("0.006")))  # fmt: skip
    shown = replace(summary, previous_runs=1, previous_cost_usd=Decimal("0.05"),
                    previous_runner_usd=Decimal("0.006"),
                    lifetime=(("c" * 40, "whole PR", Decimal("0.056")),), later=later)  # fmt: skip
    assert shown.pr_runs == 4
    # tokens (earlier + this run) + runner (earlier + this run's 3 minutes + later)
    assert shown.pr_total_usd == (
        Decimal("0.05") + shown.cost_usd + Decimal("0.006") + Decimal("0.018") + Decimal("0.018")
    )
    body = summary_markdown(shown)
    assert f"PR total {format_usd(shown.pr_total_usd)} over 4 runs" in body.splitlines()[0]
    assert ", later runs without a job $0.018: tokens" in body
    table = body[body.index("PR lifetime, run by run") :]
    table = table[: table.index("</details>")]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert [r.split(" | ")[0] for r in rows[1:]] == ["| 1", "| **2** (this run)", "| 3", "| 4"]
    assert "| 3 | `aaaaaaa` | skipped: draft pull request | $0.012 |" in table
    back = restore_summary(snapshot_summary(shown))
    assert back.later == later
    assert restore_summary({k: v for k, v in snapshot_summary(summary).items()
                            if k != "later"}).later == ()  # fmt: skip
