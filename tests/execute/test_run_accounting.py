"""A run accounts for every job exactly once, whatever happened to it."""

from __future__ import annotations

import contextlib
from dataclasses import replace

import pytest

from pr_router.emulator import Rule
from providers.factories import ANSWER, emulator

from .factories import TIERS, call, executor, policy

OPENAI_EFFICIENT = {**TIERS, "efficient": policy().fallback["efficient"]}


def test_every_job_once_in_input_order_with_one_batch_per_provider(
    stack: contextlib.ExitStack,
) -> None:
    emu = emulator(
        stack,
        Rule(custom_id="docs", item="expired"),
        Rule(job="failure-summary", fault="500"),
        Rule(output=ANSWER),
        batch_duration_s=30.0,
    )
    ex = executor(stack, emu, policy(fallback=False, on_item_failure="report"))
    calls = [
        call("review", schema_name="findings", cache_key="k", cache_role="write"),
        call("describe", "efficient", "batch"),
        call("security", schema_name="findings", cache_key="k", cache_role="read"),
        call("docs", "efficient", "batch"),
        call("changelog", "efficient", "batch", tiers=OPENAI_EFFICIENT),
        call("failure-summary", "efficient"),
    ]

    outcome = ex.run(calls)

    assert [o.job for o in outcome.jobs] == [c.job for c in calls]
    assert [o.status for o in outcome.jobs] == ["ok", "ok", "ok", "failed", "ok", "failed"]
    assert len(emu.requests.where("POST", "/v1/messages/batches")) == 1
    assert len(emu.requests.where("POST", "/v1/batches")) == 1
    assert len(outcome.records) == 6
    assert {r.run_id for r in outcome.records} == {"run-1"}
    assert {(r.repo, r.pr, r.head_sha) for r in outcome.records} == {("octo/app", 7, "abc123")}
    assert outcome.cost_usd == sum(r.cost_usd for r in outcome.records)
    assert outcome.cost_usd < outcome.all_frontier_usd
    assert [o.job for o in outcome.by_status("failed")] == ["docs", "failure-summary"]


def test_an_empty_run_is_fine(stack: contextlib.ExitStack) -> None:
    outcome = executor(stack, emulator(stack)).run([])

    assert (outcome.jobs, outcome.pending, outcome.records) == ((), (), ())


@pytest.mark.parametrize(
    "calls",
    [
        [call("review"), call("review")],
        [replace(call("review"), plan=replace(call("review").plan, run=False))],
        [replace(call("review"), plan=replace(call("review").plan, mode=None))],
    ],
    ids=["duplicate job", "not running", "no mode"],
)
def test_calls_it_cannot_account_for_are_refused(
    stack: contextlib.ExitStack,
    calls: list,  # type: ignore[type-arg]
) -> None:
    ex = executor(stack, emulator(stack))

    with pytest.raises(ValueError, match="review"):
        ex.run(calls)
