"""Usage to ledger cost, per provider, pinned to hand-computed figures.

Rates (USD per million tokens, genai-prices snapshot):
  claude-opus-5-5   sync: in 4, out 20, 5m write 5, 1h write 8, read 0.2; batch: all halved
  claude-haiku-5-5  sync: in 0.1, out 0.5, 5m write 0.125, read 0.01;   batch: all halved
  gpt-6.1-sol       sync: in 2, out 10, write 2.5, read 0.1;             batch: all halved
  gpt-6-luna        sync: in 0.1, out 0.5, write 0.125, read 0.01;       batch: all halved
The all-frontier counterfactual is always claude-opus-5-5, sync, every prompt token as input.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pr_router.execute._records import Attempt, RecordMaker
from pr_router.policy.models import Mode, Tier
from pr_router.providers.base import ModelResponse
from pr_router.tokens import TokenUsage

from .factories import NOW, PRICES, plan, policy

MAKER = RecordMaker(policy(), PRICES, "run-1", lambda: NOW, "octo/app", 7, "abc123")

CASES = [
    # id, provider, model, tier, mode, usage, cost, all_frontier
    pytest.param(
        "anthropic", "claude-opus-5-5", "frontier", "sync",
        TokenUsage(input=1000, output=500),
        # 1000*4 + 500*20 = 4000 + 10000 = 14000 -> $0.014
        Decimal("0.014"), Decimal("0.014"),
        id="anthropic sync",
    ),
    pytest.param(
        "anthropic", "claude-opus-5-5", "frontier", "sync",
        TokenUsage(input=100, cache_write_5m=2000, output=500),
        # 100*4 + 2000*5 + 500*20 = 400 + 10000 + 10000 = 20400 -> $0.0204
        # uncached: 2100*4 + 10000 = 18400 -> $0.0184
        Decimal("0.0204"), Decimal("0.0184"),
        id="anthropic 5m cache write",
    ),
    pytest.param(
        "anthropic", "claude-opus-5-5", "frontier", "sync",
        TokenUsage(input=100, cache_write_1h=2000, output=500),
        # 100*4 + 2000*8 + 500*20 = 400 + 16000 + 10000 = 26400 -> $0.0264
        Decimal("0.0264"), Decimal("0.0184"),
        id="anthropic 1h cache write",
    ),
    pytest.param(
        "anthropic", "claude-opus-5-5", "frontier", "sync",
        TokenUsage(input=100, cache_read=2000, output=500),
        # 100*4 + 2000*0.2 + 500*20 = 400 + 400 + 10000 = 10800 -> $0.0108
        Decimal("0.0108"), Decimal("0.0184"),
        id="anthropic cache read",
    ),
    pytest.param(
        "anthropic", "claude-opus-5-5", "frontier", "sync",
        TokenUsage(input=1000, output=3000, reasoning=2500),
        # reasoning is inside output: 1000*4 + 3000*20 = 4000 + 60000 = 64000 -> $0.064
        Decimal("0.064"), Decimal("0.064"),
        id="anthropic reasoning",
    ),
    pytest.param(
        "anthropic", "claude-opus-5-5", "frontier", "batch",
        TokenUsage(input=1000, cache_read=2000, output=500),
        # batch rates are half: 1000*2 + 2000*0.1 + 500*10 = 2000 + 200 + 5000 = 7200
        # -> $0.0072; uncached sync: 3000*4 + 500*20 = 22000 -> $0.022
        Decimal("0.0072"), Decimal("0.022"),
        id="anthropic batch discount",
    ),
    pytest.param(
        "anthropic", "claude-haiku-5-5", "efficient", "batch",
        TokenUsage(input=6000, output=800, reasoning=400),
        # 6000*0.05 + 800*0.25 = 300 + 200 = 500 -> $0.0005
        # all-frontier: 6000*4 + 800*20 = 24000 + 16000 = 40000 -> $0.04
        Decimal("0.0005"), Decimal("0.04"),
        id="anthropic efficient batch vs frontier",
    ),
    pytest.param(
        "openai", "gpt-6.1-sol", "frontier", "sync",
        TokenUsage(input=55, cache_write_5m=2048, output=22, reasoning=11),
        # 55*2 + 2048*2.5 + 22*10 = 110 + 5120 + 220 = 5450 -> $0.00545
        # all-frontier (opus): 2103*4 + 22*20 = 8412 + 440 = 8852 -> $0.008852
        Decimal("0.00545"), Decimal("0.008852"),
        id="openai cache write",
    ),
    pytest.param(
        "openai", "gpt-6.1-sol", "frontier", "sync",
        TokenUsage(input=56, cache_read=2048, output=22, reasoning=11),
        # 56*2 + 2048*0.1 + 22*10 = 112 + 204.8 + 220 = 536.8 -> $0.0005368
        # all-frontier: 2104*4 + 440 = 8856 -> $0.008856
        Decimal("0.0005368"), Decimal("0.008856"),
        id="openai cache read",
    ),
    pytest.param(
        "openai", "gpt-6.1-sol", "frontier", "sync",
        TokenUsage(input=1000, output=4000, reasoning=3000),
        # 1000*2 + 4000*10 = 2000 + 40000 = 42000 -> $0.042
        # all-frontier: 1000*4 + 4000*20 = 84000 -> $0.084
        Decimal("0.042"), Decimal("0.084"),
        id="openai reasoning",
    ),
    pytest.param(
        "openai", "gpt-6-luna", "efficient", "batch",
        TokenUsage(input=1000, cache_read=1000, output=1000),
        # 1000*0.05 + 1000*0.005 + 1000*0.25 = 50 + 5 + 250 = 305 -> $0.000305
        # all-frontier: 2000*4 + 1000*20 = 28000 -> $0.028
        Decimal("0.000305"), Decimal("0.028"),
        id="openai batch discount",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("provider", "model", "tier", "mode", "usage", "cost", "all_frontier"), CASES
)
def test_record_cost_from_real_usage(  # noqa: PLR0917 - one parameter per table column
    provider: str,
    model: str,
    tier: Tier,
    mode: Mode,
    usage: TokenUsage,
    cost: Decimal,
    all_frontier: Decimal,
) -> None:
    response = ModelResponse("c1", provider, model, "{}", {}, usage, batch=mode == "batch")
    attempt = Attempt(tier, provider, model, mode, custom_id="c1")

    record = MAKER.record(plan("describe", tier), attempt, "ok", response=response)

    assert record.cost_usd == cost
    assert record.all_frontier_usd == all_frontier
    assert record.recomputed_cost() == cost  # the stored rates reproduce it
    assert record.rates is not None
    assert record.usage.tokens() == usage
    assert (record.provider, record.model, record.mode) == (provider, model, mode)


def test_a_call_that_billed_nothing_costs_nothing() -> None:
    attempt = Attempt("frontier", "anthropic", "claude-opus-5-5", "sync")

    record = MAKER.record(plan("review"), attempt, "failed", error="HTTP 529")

    assert (record.cost_usd, record.all_frontier_usd, record.rates) == (
        Decimal(0),
        Decimal(0),
        None,
    )


def test_an_unpriced_model_keeps_its_usage_and_says_so() -> None:
    usage = TokenUsage(input=10, output=5)
    response = ModelResponse("c1", "openai", "gpt-unknown-9", "{}", {}, usage)
    attempt = Attempt("frontier", "openai", "gpt-unknown-9", "sync")

    record = MAKER.record(plan("review"), attempt, "ok", response=response)

    assert record.usage.tokens() == usage
    assert record.rates is None
    assert record.error is not None
    assert record.error.startswith("cost unknown: no price known for model 'gpt-unknown-9'")
