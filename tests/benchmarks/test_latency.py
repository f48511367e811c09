"""benchmarks/_latency.py: the runner-time model the cost and lifetime benchmarks share."""

from __future__ import annotations

import math

import pytest

from _latency import (
    COLLECT_IN_RUN_S,
    INSTALL_MEASURED,
    INSTALL_S,
    JOB_SETUP_S,
    PR_ROUTER_OVERHEAD_S,
    SPEEDS,
    Call,
    billed_minutes,
    call_seconds,
    run_seconds,
    speed_of,
    sweep_minutes_per_pr,
)

FIXED = JOB_SETUP_S + INSTALL_S + PR_ROUTER_OVERHEAD_S


@pytest.mark.parametrize(
    ("model", "family"),
    [("claude-opus-5-5", "opus"), ("claude-sonnet-5-5", "sonnet"), ("claude-haiku-5-5", "haiku"),
     ("gpt-6.1-sol", "opus"), ("gpt-6.1-terra", "sonnet"), ("gpt-6-luna", "haiku"),
     ("some-new-model", "opus")],
)  # fmt: skip
def test_speed_by_family(model: str, family: str) -> None:
    assert speed_of(model) == SPEEDS[family]


def test_call_is_first_token_plus_output_at_speed() -> None:
    assert call_seconds("claude-opus-5-5", 450) == pytest.approx(2.67 + 10.0)
    assert call_seconds("claude-haiku-5-5", 0) == pytest.approx(1.0)


def test_calls_run_side_by_side_and_readers_start_at_the_writers_first_token() -> None:
    review = Call("claude-opus-5-5", 900, name="review")
    security = Call("claude-opus-5-5", 450, name="security", after="review")
    describe = Call("claude-haiku-5-5", 400)
    alone = run_seconds([review, describe])
    assert alone == pytest.approx(FIXED + 2.67 + 20.0)
    # The reader ends at 2.67 + 2.67 + 10 < review's end: the review still sets the time.
    assert run_seconds([review, security, describe]) == pytest.approx(alone)
    long_reader = Call("claude-opus-5-5", 900, name="security", after="review")
    assert run_seconds([review, long_reader]) == pytest.approx(alone + 2.67)


def test_waiting_for_batches_overlaps_the_calls() -> None:
    calls = [Call("claude-opus-5-5", 900)]
    assert run_seconds(calls, batch_wait_s=300) == pytest.approx(FIXED + 300)
    assert run_seconds(calls, batch_wait_s=5) == pytest.approx(run_seconds(calls))
    assert run_seconds([], collect_s=COLLECT_IN_RUN_S) == pytest.approx(FIXED + COLLECT_IN_RUN_S)
    assert billed_minutes(run_seconds(calls, batch_wait_s=300)) == math.ceil((FIXED + 300) / 60)


def test_install_is_the_cold_uv_figure_and_pip_is_slower() -> None:
    # scripts/install_time.sh: what the action's install step takes, by installer.
    assert INSTALL_MEASURED["uv"][0] == INSTALL_S
    assert INSTALL_MEASURED["uv"][0] < INSTALL_MEASURED["pip"][0]


def test_sweep_minutes_are_shared_among_the_month_s_prs() -> None:
    # An hourly sweep bills one minute (set-up, the uv install and a poll): 720 a month.
    assert sweep_minutes_per_pr(720) == pytest.approx(1.0)
    assert sweep_minutes_per_pr(100) == pytest.approx(7.2)
    with pytest.raises(ValueError, match="positive"):
        sweep_minutes_per_pr(0)
