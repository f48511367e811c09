"""Extra attempts are held to the budgets: a critical retry with more room, an escalation.

The plan was fitted into the budget before the run; a retry or an escalation spends more.
Each may spend the job's estimate plus what the plan left unreserved, less what the job's
attempts already cost (``budget.Headroom``). Real adapters against the emulator; the
figures are the price table's, recomputed here from the ledger records' own usage.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from pr_router.budget import Headroom, Limit
from pr_router.emulator import Rule
from pr_router.ledger import LedgerRecord
from pr_router.pricing import MTOK, cost, format_usd
from providers.factories import ANSWER, emulator

from .factories import PRICES, call, executor

# effort high: reasoning as long as the answer, 1,508 + 1,508 = 3,016 output tokens; the
# first attempt's cap is 2,000, so it is cut and a critical job is retried with more room.
LONG = {"summary": "x" * 6_000, "findings": []}
EMPTY = {"summary": "", "findings": []}
OPUS = PRICES.rates("anthropic", "claude-opus-5-5", "sync")


def _per_run(limit: Decimal, planned: Decimal = Decimal(0)) -> Headroom:
    return Headroom(Limit("per_run", "per run", limit, Decimal(0)), planned)


def _review(stack: contextlib.ExitStack, headroom: Headroom | None) -> tuple[Any, Any]:
    emu = emulator(stack, Rule(output=LONG))
    outcome = executor(stack, emu, headroom=headroom).run([call("review", tier="frontier")])
    sent = [c.json["max_tokens"] for c in emu.requests.where("POST", "/v1/messages")]
    return outcome.job("review"), sent


def _first_attempt(stack: contextlib.ExitStack) -> LedgerRecord:
    """The cut first attempt as it is billed (the emulator is deterministic)."""
    with contextlib.ExitStack() as own:
        review, _ = _review(own, None)
    return review.records[0]  # type: ignore[no-any-return]


def _limit_for_room(first: LedgerRecord, tokens: int) -> Decimal:
    """A per-run limit that leaves, after the first attempt, the retry's prompt plus
    ``tokens`` output tokens on the same model."""
    prompt = first.usage.tokens()
    prompt_only = cost(type(prompt)(**{**prompt.to_dict(), "output": 0, "reasoning": 0}), OPUS)
    return first.cost_usd + prompt_only + tokens * OPUS.output / MTOK


def _priced_exactly(records: tuple[LedgerRecord, ...]) -> None:
    for r in records:
        assert r.rates is not None
        assert r.cost_usd == r.recomputed_cost() == cost(r.usage.tokens(), OPUS) > 0


def test_a_retry_within_the_budget_doubles_the_cap(stack: contextlib.ExitStack) -> None:
    review, sent = _review(stack, _per_run(Decimal("5.00")))

    assert review.status == "ok"
    assert sent == [2000, 4000]
    first, second = review.records
    assert (first.status, second.status) == ("failed", "ok")
    assert second.escalation_reason == (
        "answer cut at the output cap of 2000 tokens (reasoning included): retried with 4000"
    )
    assert (first.usage.output, second.usage.output) == (2000, 3016)
    _priced_exactly(review.records)


def test_a_retry_the_budget_cannot_pay_in_full_is_capped(stack: contextlib.ExitStack) -> None:
    first = _first_attempt(stack)
    limit = _limit_for_room(first, 3_000)
    review, sent = _review(stack, _per_run(limit))

    assert sent == [2000, 3000]
    one, two = review.records
    assert one.cost_usd == first.cost_usd
    allowance = limit - first.cost_usd
    assert two.escalation_reason == (
        "answer cut at the output cap of 2000 tokens (reasoning included): retried with 3000, "
        f"capped by the budget (the per run budget of {format_usd(limit)} leaves this job "
        f"{format_usd(allowance)}: room for 3,000 output tokens on claude-opus-5-5)"
    )
    # 3,016 tokens do not fit in 3,000: cut again, and nothing more is tried.
    assert (one.status, two.status, two.usage.output) == ("failed", "failed", 3000)
    assert review.status == "failed"
    _priced_exactly(review.records)
    # Both attempts together stay within the limit.
    assert one.cost_usd + two.cost_usd <= limit


def test_a_retry_with_no_more_room_than_the_first_is_not_made(
    stack: contextlib.ExitStack,
) -> None:
    first = _first_attempt(stack)
    limit = _limit_for_room(first, 1_500)
    review, sent = _review(stack, _per_run(limit))

    assert sent == [2000]
    assert review.status == "failed"
    (only,) = review.records
    assert only.cost_usd == first.cost_usd
    _priced_exactly(review.records)
    assert review.error.endswith(
        f"; not retried with more room: the per run budget of {format_usd(limit)} leaves this "
        f"job {format_usd(limit - first.cost_usd)}: room for 1,500 output tokens on "
        "claude-opus-5-5"
    )


def test_what_other_jobs_were_planned_to_spend_is_not_offered_to_a_retry(
    stack: contextlib.ExitStack,
) -> None:
    first = _first_attempt(stack)
    # The same room for 3,000 tokens, but $1 of it is the estimate of the run's other jobs.
    limit = _limit_for_room(first, 3_000) + Decimal(1)
    review, sent = _review(stack, _per_run(limit, planned=Decimal(1)))

    assert sent == [2000, 3000]
    assert "room for 3,000 output tokens" in (review.records[1].escalation_reason or "")


def test_an_escalation_the_budget_cannot_pay_is_not_made(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(model="claude-haiku-*", output=EMPTY), Rule(output=ANSWER))
    ex = executor(stack, emu, headroom=_per_run(Decimal("0.0001")))

    describe = ex.run([call("describe", "efficient")]).job("describe")

    assert describe.status == "failed"
    (only,) = describe.records
    assert (only.model, only.cost_usd > 0) == ("claude-haiku-5-5", True)
    assert describe.error == (
        "describe: empty or missing summary; not escalated to standard: the per run budget of "
        "$0.0001 leaves this job $0.00: room for 0 output tokens on claude-sonnet-5-5"
    )
    models = [c.json["model"] for c in emu.requests.where("POST", "/v1/messages")]
    assert models == ["claude-haiku-5-5"]


def test_an_escalation_within_the_budget_runs(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(model="claude-haiku-*", output=EMPTY), Rule(output=ANSWER))
    ex = executor(stack, emu, headroom=_per_run(Decimal("1.00")))

    describe = ex.run([call("describe", "efficient")]).job("describe")

    assert describe.status == "ok"
    assert [(r.model, r.status) for r in describe.records] == [
        ("claude-haiku-5-5", "failed"),
        ("claude-sonnet-5-5", "ok"),
    ]
    assert all(r.cost_usd > 0 for r in describe.records)
