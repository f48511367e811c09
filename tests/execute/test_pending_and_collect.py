"""Batches that outlive the run's wait budget: pending now, collected later from JSON."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from decimal import Decimal

import pytest

from pr_router.emulator import FakeClock, Rule
from pr_router.execute import PendingBatch, PendingItem
from providers.factories import ANSWER, emulator, request

from .factories import NOW, accept, call, executor, policy

AUX = ("describe", "changelog")


def run_until_pending(stack: contextlib.ExitStack, *rules: Rule, duration: float = 3600.0):  # type: ignore[no-untyped-def]
    clock = FakeClock()
    emu = emulator(stack, *rules, Rule(output=ANSWER), clock=clock, batch_duration_s=duration)
    outcome = executor(stack, emu, policy(wait_seconds=300)).run(
        [call("review"), *(call(j, "efficient", "batch", effort="low") for j in AUX)]
    )
    return emu, clock, outcome


def test_budget_spent_leaves_the_batch_pending(stack: contextlib.ExitStack) -> None:
    _, clock, outcome = run_until_pending(stack)

    assert outcome.job("review").status == "ok"
    assert [outcome.job(j).status for j in AUX] == ["pending", "pending"]
    (pending,) = outcome.pending
    assert pending.provider == "anthropic"
    assert [i.job for i in pending.items] == list(AUX)
    record = outcome.job("describe").records[-1]
    assert (record.status, record.batch_id, record.cost_usd) == ("pending", pending.batch_id, 0)
    assert 300.0 <= clock.now() < 400.0  # waited the budget on the fake clock, no longer


def test_pending_batch_round_trips_through_json() -> None:
    item = PendingItem("describe", "describe", "auxiliary", "efficient", "claude-haiku-5-5",
                       "batch", "low", 1200, attempt=2)  # fmt: skip
    pending = PendingBatch("anthropic", "msgbatch_1", NOW, (item,))

    text = json.dumps(pending.to_json())

    assert PendingBatch.from_json(json.loads(text)) == pending
    assert PendingBatch.from_json(text) == pending
    assert json.loads(text) == {
        "version": 1,
        "provider": "anthropic",
        "batch_id": "msgbatch_1",
        "submitted_at": "2027-01-15T08:00:00+00:00",
        "items": [
            {"custom_id": "describe", "job": "describe", "job_class": "auxiliary",
             "tier": "efficient", "model": "claude-haiku-5-5", "mode": "batch",
             "effort": "low", "max_output_tokens": 1200, "attempt": 2},
        ],
    }  # fmt: skip


@pytest.mark.parametrize(
    "data",
    [{}, {"version": 2}, {"version": 1, "provider": "x", "batch_id": "b", "items": [{"x": 1}],
                          "submitted_at": "2027-01-01T00:00:00+00:00"}],
)  # fmt: skip
def test_from_json_refuses_what_it_did_not_write(data: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="pending batch"):
        PendingBatch.from_json(data)


def test_a_later_collect_on_a_new_executor_finishes_the_batch(
    stack: contextlib.ExitStack,
) -> None:
    emu, clock, outcome = run_until_pending(stack)
    saved = [json.dumps(p.to_json()) for p in outcome.pending]
    clock.advance(3600.0)  # the batch ends while nobody watches

    later = executor(stack, emu, run_id="run-2")
    collected = later.collect(
        [PendingBatch.from_json(s) for s in saved], dict.fromkeys(AUX, accept)
    )

    assert [o.job for o in collected.jobs] == list(AUX)
    assert [o.status for o in collected.jobs] == ["ok", "ok"]
    assert collected.pending == ()
    record = collected.job("describe").records[0]
    assert (record.run_id, record.mode, record.status) == ("run-2", "batch", "ok")
    assert record.batch_id == outcome.pending[0].batch_id
    assert record.rates is not None
    assert record.rates.input == Decimal("0.05")  # haiku-5-5 batch rate
    assert collected.job("describe").value == ANSWER


def test_collect_before_the_end_keeps_it_pending(stack: contextlib.ExitStack) -> None:
    emu, _, outcome = run_until_pending(stack, duration=7200.0)

    again = executor(stack, emu, policy(wait_seconds=60), run_id="run-2").collect(
        outcome.pending, dict.fromkeys(AUX, accept)
    )

    assert [o.status for o in again.jobs] == ["pending", "pending"]
    assert [p.batch_id for p in again.pending] == [p.batch_id for p in outcome.pending]


def test_collect_retries_failed_items_when_given_the_requests(
    stack: contextlib.ExitStack,
) -> None:
    emu, clock, outcome = run_until_pending(stack, Rule(custom_id="changelog", item="expired"))
    clock.advance(3600.0)
    requests = {j: request(j, model="claude-haiku-5-5", effort="low") for j in AUX}

    collected = executor(stack, emu, run_id="run-2").collect(
        outcome.pending, dict.fromkeys(AUX, accept), requests=requests
    )

    changelog = collected.job("changelog")
    assert changelog.status == "ok"
    assert [(r.attempt, r.mode, r.status) for r in changelog.records] == [
        (1, "batch", "failed"),
        (2, "sync", "ok"),
    ]


def test_collect_without_requests_reports_what_it_could_not_retry(
    stack: contextlib.ExitStack,
) -> None:
    emu, clock, outcome = run_until_pending(stack, Rule(custom_id="changelog", item="errored"))
    clock.advance(3600.0)

    collected = executor(stack, emu, run_id="run-2").collect(
        outcome.pending, dict.fromkeys(AUX, accept)
    )

    changelog = collected.job("changelog")
    assert changelog.status == "failed"
    assert changelog.error is not None
    assert changelog.error.endswith("not retried: the job's request was not given to collect")


def test_collect_needs_a_validator_for_every_job(stack: contextlib.ExitStack) -> None:
    _, _, outcome = run_until_pending(stack)

    with pytest.raises(ValueError, match="changelog"):
        executor(stack, emulator(stack)).collect(outcome.pending, {"describe": accept})


def test_collect_without_the_providers_key_keeps_the_batch(stack: contextlib.ExitStack) -> None:
    emu, _, outcome = run_until_pending(stack)

    again = executor(stack, emu, keys=("openai",)).collect(
        outcome.pending, dict.fromkeys(AUX, accept)
    )

    assert [o.status for o in again.jobs] == ["pending", "pending"]
    assert again.jobs[0].error is not None
    assert again.jobs[0].error.startswith("cannot collect: No key found for anthropic")
    assert again.pending == outcome.pending


def test_submitted_at_is_the_wall_clock_of_submission(stack: contextlib.ExitStack) -> None:
    _, _, outcome = run_until_pending(stack)

    assert outcome.pending[0].submitted_at == NOW
    assert isinstance(outcome.pending[0].submitted_at, datetime)
