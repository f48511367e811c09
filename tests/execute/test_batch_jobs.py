"""Batch-mode jobs through the executor: one batch per provider, every item accounted for."""

from __future__ import annotations

import contextlib
import itertools
from decimal import Decimal

from pr_router.emulator import Rule
from providers.factories import ANSWER, emulator

from .factories import call, executor, policy

# An efficient-tier job on claude-haiku-5-5 without a cache mark, effort low:
#   prompt = schema 89 + system 7 + context 2,000 + job text 5 (6 for "changelog") tokens
#   output = 11 visible + int(11 * 0.25) = 2 reasoning = 13
AUX = ("describe", "changelog", "docs")


def aux_calls() -> list:  # type: ignore[type-arg]
    return [call(job, "efficient", "batch", effort="low") for job in AUX]


def test_auxiliary_jobs_go_in_one_batch_and_come_back_priced_at_batch_rates(
    stack: contextlib.ExitStack,
) -> None:
    emu = emulator(stack, Rule(output=ANSWER), batch_duration_s=120.0)
    ex = executor(stack, emu)

    outcome = ex.run([call("review"), *aux_calls()])

    assert [o.status for o in outcome.jobs] == ["ok"] * 4
    assert len(emu.requests.where("POST", "/v1/messages/batches")) == 1
    describe = outcome.job("describe").records
    assert len(describe) == 1
    record = describe[0]
    assert (record.mode, record.tier, record.model) == ("batch", "efficient", "claude-haiku-5-5")
    assert record.batch_id is not None
    assert record.batch_id.startswith("msgbatch_")
    assert record.custom_id == "describe"
    assert record.usage.input == 89 + 7 + 2000 + 5
    # haiku-5-5 batch: input 0.05, output 0.25 $/MTok: 2101*0.05 + 13*0.25 = 105.05 + 3.25
    # = 108.3 -> $0.0001083
    assert record.cost_usd == Decimal("0.0001083")
    # all-frontier: 2101*4 + 13*20 = 8404 + 260 = 8664 -> $0.008664
    assert record.all_frontier_usd == Decimal("0.008664")
    assert record.latency_s >= 120.0  # waited for the batch on the (fake) clock
    assert outcome.job("describe").value == ANSWER
    assert outcome.pending == ()


def test_polling_backs_off_from_initial_to_max(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(output=ANSWER), batch_duration_s=200.0)
    ex = executor(stack, emu)

    ex.run(aux_calls())

    polls = [r.time for r in emu.requests.where("GET") if "/batches/" in r.path]
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(polls)]
    # 5, 10, 20, 40, 60 (capped), 60 ... until the batch ends at 200 s; then one results call.
    assert gaps[:6] == [5.0, 10.0, 20.0, 40.0, 60.0, 60.0]


def test_failed_items_are_retried_synchronously(stack: contextlib.ExitStack) -> None:
    emu = emulator(
        stack,
        Rule(custom_id="changelog", item="errored"),
        Rule(custom_id="docs", item="expired"),
        Rule(output=ANSWER),
        batch_duration_s=60.0,
    )
    ex = executor(stack, emu)

    outcome = ex.run(aux_calls())

    assert [o.status for o in outcome.jobs] == ["ok", "ok", "ok"]
    changelog = outcome.job("changelog").records
    assert [(r.attempt, r.mode, r.status) for r in changelog] == [
        (1, "batch", "failed"),
        (2, "sync", "ok"),
    ]
    assert changelog[0].error is not None
    assert changelog[0].error.startswith("batch item errored: ")
    assert changelog[0].cost_usd == 0
    assert changelog[1].escalation_reason is not None
    assert changelog[1].escalation_reason.startswith("retry after batch item errored")
    assert changelog[1].custom_id == "changelog-2"
    assert changelog[1].cost_usd > 0
    docs = outcome.job("docs").records
    assert docs[0].error is not None
    assert docs[0].error.startswith("batch item expired: ")


def test_failed_items_are_reported_when_the_policy_says_so(stack: contextlib.ExitStack) -> None:
    emu = emulator(
        stack,
        Rule(custom_id="changelog", item="canceled"),
        Rule(output=ANSWER),
        batch_duration_s=60.0,
    )
    ex = executor(stack, emu, policy(on_item_failure="report"))

    outcome = ex.run(aux_calls())

    changelog = outcome.job("changelog")
    assert changelog.status == "failed"
    assert changelog.error is not None
    assert changelog.error.startswith("batch item canceled: ")
    assert len(changelog.records) == 1
    assert outcome.job("describe").status == "ok"


def test_a_whole_failed_batch_falls_back_to_sync_calls(stack: contextlib.ExitStack) -> None:
    tiers = dict(policy().fallback)  # OpenAI on every tier
    emu = emulator(stack, Rule(batch="failed"), Rule(output=ANSWER), batch_duration_s=10.0)
    ex = executor(stack, emu, policy(tiers=tiers, fallback=False))
    calls = [call(job, "efficient", "batch", effort="low", tiers=tiers) for job in AUX]

    outcome = ex.run(calls)

    assert [o.status for o in outcome.jobs] == ["ok", "ok", "ok"]
    for job in outcome.jobs:
        first, second = job.records
        assert first.error is not None
        assert first.error.startswith("batch item errored: batch failed: ")
        assert (second.mode, second.provider, second.status) == ("sync", "openai", "ok")


def test_an_invalid_batch_output_escalates_one_tier_up_synchronously(
    stack: contextlib.ExitStack,
) -> None:
    empty = {"summary": "", "findings": []}
    emu = emulator(
        stack,
        Rule(custom_id="describe", output=empty),
        Rule(output=ANSWER),
        batch_duration_s=60.0,
    )
    ex = executor(stack, emu)

    outcome = ex.run(aux_calls())

    records = outcome.job("describe").records
    assert [(r.attempt, r.tier, r.mode, r.status) for r in records] == [
        (1, "efficient", "batch", "failed"),
        (2, "standard", "sync", "ok"),
    ]
    assert records[0].cost_usd > 0  # the invalid answer was billed all the same
    assert records[1].escalated_from == "efficient"
    assert records[1].model == "claude-sonnet-5-5"


def test_a_provider_without_a_key_sends_its_batch_to_the_fallback(
    stack: contextlib.ExitStack,
) -> None:
    emu = emulator(stack, Rule(output=ANSWER), batch_duration_s=60.0)
    ex = executor(stack, emu, keys=("openai",))

    outcome = ex.run(aux_calls())

    assert [o.status for o in outcome.jobs] == ["ok", "ok", "ok"]
    assert emu.requests.where("POST", "/v1/messages/batches") == []
    assert len(emu.requests.where("POST", "/v1/batches")) == 1
    missing, done = outcome.job("docs").records
    assert missing.error is not None
    assert missing.error.startswith("No key found for anthropic - set ANTHROPIC_API_KEY")
    assert (done.provider, done.model, done.mode, done.attempt) == (
        "openai",
        "gpt-6-luna",
        "batch",
        2,
    )


def test_a_refused_batch_is_retried_job_by_job_synchronously(
    stack: contextlib.ExitStack,
) -> None:
    emu = emulator(stack, Rule(endpoint="/v1/messages/batches", fault="500"), Rule(output=ANSWER))
    ex = executor(stack, emu)

    outcome = ex.run(aux_calls())

    assert [o.status for o in outcome.jobs] == ["ok", "ok", "ok"]
    first, second = outcome.job("docs").records
    assert first.error is not None
    assert first.error.startswith("batch submission failed: anthropic: HTTP 500 api_error")
    assert first.batch_id is None
    assert (second.mode, second.provider, second.attempt) == ("sync", "anthropic", 2)


def test_a_poll_that_fails_is_tried_again_next_time(stack: contextlib.ExitStack) -> None:
    emu = emulator(
        stack,
        Rule(endpoint="/v1/messages/batches/*", fault="no-retry", times=2),
        Rule(output=ANSWER),
        batch_duration_s=5.0,
    )
    ex = executor(stack, emu)

    outcome = ex.run(aux_calls())

    assert [o.status for o in outcome.jobs] == ["ok", "ok", "ok"]
    assert {r.mode for r in outcome.records} == {"batch"}
