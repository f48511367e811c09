"""Provider errors fall back to the same tier elsewhere; invalid output climbs a tier."""

from __future__ import annotations

import contextlib

from pr_router.emulator import Rule
from providers.factories import ANSWER, emulator

from .factories import call, executor, policy

EMPTY = {"summary": "", "findings": []}


def test_missing_key_falls_back_to_the_other_provider(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(output=ANSWER))
    ex = executor(stack, emu, keys=("openai",))

    outcome = ex.run([call("review")])

    review = outcome.job("review")
    assert review.status == "ok"
    missing, done = review.records
    assert (missing.provider, missing.status, missing.cost_usd) == ("anthropic", "failed", 0)
    assert missing.error == (
        "No key found for anthropic - set ANTHROPIC_API_KEY or pass anthropic-api-key to the action"
    )
    assert (done.provider, done.model, done.tier, done.attempt) == (
        "openai",
        "gpt-6.1-sol",
        "frontier",
        2,
    )
    assert done.escalated_from is None
    assert done.escalation_reason is not None
    assert done.escalation_reason.startswith("fallback after anthropic failed: No key found")


def test_an_outage_after_the_sdk_retries_falls_back(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(endpoint="/v1/messages", fault="529"), Rule(output=ANSWER))
    ex = executor(stack, emu)

    outcome = ex.run([call("review")])

    failed, done = outcome.job("review").records
    assert failed.error is not None
    assert failed.error.startswith("anthropic: HTTP 529 overloaded_error")
    assert failed.request_id is not None  # the error response's id, for support
    assert failed.cost_usd == 0
    assert len(emu.requests.where("POST", "/v1/messages")) == 2  # max_retries=1
    assert (done.provider, done.status) == ("openai", "ok")
    assert done.request_id is not None


def test_no_fallback_configured_means_the_job_fails_with_the_reason(
    stack: contextlib.ExitStack,
) -> None:
    emu = emulator(stack, Rule(endpoint="/v1/messages", fault="500"))
    ex = executor(stack, emu, policy(fallback=False))

    outcome = ex.run([call("review"), call("describe", "efficient")])

    review = outcome.job("review")
    assert review.status == "failed"
    assert review.error is not None
    assert review.error.startswith("anthropic: HTTP 500 api_error")
    assert len(review.records) == 1
    assert outcome.job("describe").status == "failed"


def test_no_provider_at_all_fails_every_job_without_crashing(
    stack: contextlib.ExitStack,
) -> None:
    emu = emulator(stack)
    ex = executor(stack, emu, keys=())

    outcome = ex.run([call("review"), call("describe", "efficient", "batch")])

    assert [o.status for o in outcome.jobs] == ["failed", "failed"]
    assert [len(o.records) for o in outcome.jobs] == [2, 2]  # anthropic, then openai
    assert emu.requests.snapshot() == []


def test_cascade_efficient_to_standard_to_frontier(stack: contextlib.ExitStack) -> None:
    emu = emulator(
        stack,
        Rule(model="claude-haiku-*", output=EMPTY),
        Rule(model="claude-sonnet-*", output=EMPTY),
        Rule(output=ANSWER),
    )
    ex = executor(stack, emu)

    outcome = ex.run([call("describe", "efficient")])

    describe = outcome.job("describe")
    assert describe.status == "ok"
    assert describe.value == ANSWER
    records = describe.records
    assert [(r.attempt, r.tier, r.model, r.status) for r in records] == [
        (1, "efficient", "claude-haiku-5-5", "failed"),
        (2, "standard", "claude-sonnet-5-5", "failed"),
        (3, "frontier", "claude-opus-5-5", "ok"),
    ]
    assert [r.escalated_from for r in records] == [None, "efficient", "standard"]
    assert records[1].escalation_reason == (
        "invalid output on efficient: describe: empty or missing summary"
    )
    assert all(r.cost_usd > 0 for r in records)  # every attempt was billed
    assert [r.custom_id for r in records] == ["describe", "describe-2", "describe-3"]
    # An all-frontier setup would have run describe once: only the answer's attempt carries
    # the counterfactual, and it equals that attempt's tokens on the frontier model, uncached.
    assert [r.all_frontier_usd > 0 for r in records] == [False, False, True]
    assert records[2].all_frontier_usd == records[2].cost_usd  # it ran on the frontier, sync


def test_cascade_stops_after_two_escalations_and_at_the_top(
    stack: contextlib.ExitStack,
) -> None:
    emu = emulator(stack, Rule(output=EMPTY))
    ex = executor(stack, emu)

    outcome = ex.run([call("describe", "efficient"), call("review", "frontier")])

    assert len(outcome.job("describe").records) == 3
    assert outcome.job("describe").status == "failed"
    review = outcome.job("review")
    assert review.status == "failed"
    assert len(review.records) == 1  # frontier output that fails validation is reported
    assert review.error == "review: empty or missing summary"
    assert review.response is not None


def test_a_crashing_validator_fails_its_job_only(stack: contextlib.ExitStack) -> None:
    def broken(_: object) -> None:
        raise KeyError("oops")

    emu = emulator(stack, Rule(output=ANSWER))
    ex = executor(stack, emu)

    outcome = ex.run([call("review", validate=broken), call("describe", "efficient")])

    review = outcome.job("review")
    assert review.status == "failed"
    assert review.error == "could not validate the output: KeyError: 'oops'"
    assert len(review.records) == 1  # no escalation for a bug
    assert outcome.job("describe").status == "ok"


def test_escalation_on_the_fallback_tier_uses_that_tiers_fallback(
    stack: contextlib.ExitStack,
) -> None:
    emu = emulator(stack, Rule(model="gpt-6-luna", output=EMPTY), Rule(output=ANSWER))
    ex = executor(stack, emu, keys=("openai",))

    outcome = ex.run([call("describe", "efficient")])

    records = outcome.job("describe").records
    assert [(r.provider, r.model, r.status) for r in records] == [
        ("anthropic", "claude-haiku-5-5", "failed"),
        ("openai", "gpt-6-luna", "failed"),
        ("anthropic", "claude-sonnet-5-5", "failed"),
        ("openai", "gpt-6.1-terra", "ok"),
    ]
    assert [r.attempt for r in records] == [1, 2, 3, 4]
    assert records[2].escalated_from == "efficient"
