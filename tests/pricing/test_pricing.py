"""Costs from genai-prices' bundled data against hand-computed figures (USD per MTok)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pr_router.errors import UnknownModelError
from pr_router.pricing import PriceTable, Rates, cost, format_usd
from pr_router.tokens import TokenUsage

AT = datetime(2026, 11, 22, tzinfo=UTC)
TABLE = PriceTable(at=AT)

CASES = [
    # Opus 5.5: in 4, out 20, 5m write 5, 1h write 8, read 0.2.
    # 2000*4 + 10000*5 + 3000*20 = 8000 + 50000 + 60000 = 118000 -> $0.118
    ("anthropic", "claude-opus-5-5", "sync", TokenUsage(input=2000, cache_write_5m=10000, output=3000), "0.118"),
    # 1h write and a read: 500*4 + 4000*8 + 20000*0.2 + 800*20 = 2000+32000+4000+16000 = 54000
    ("anthropic", "claude-opus-5-5", "sync", TokenUsage(input=500, cache_write_1h=4000, cache_read=20000, output=800), "0.054"),
    # Batch halves every class: 2000*2 + 10000*2.5 + 3000*10 = 4000+25000+30000 = 59000
    ("anthropic", "claude-opus-5-5", "batch", TokenUsage(input=2000, cache_write_5m=10000, output=3000), "0.059"),
    # Haiku 5.5: in 0.1, out 0.5, read 0.01; reasoning is inside output (not added again).
    # 10000*0.1 + 50000*0.01 + 2000*0.5 = 1000 + 500 + 1000 = 2500 -> $0.0025
    ("anthropic", "claude-haiku-5-5", "sync", TokenUsage(input=10000, cache_read=50000, output=2000, reasoning=1500), "0.0025"),
    # Haiku 5.5 batch: in 0.05, out 0.25: 10000*0.05 + 2000*0.25 = 500 + 500 = 1000
    ("anthropic", "claude-haiku-5-5", "batch", TokenUsage(input=10000, output=2000), "0.001"),
    # Haiku 5.5 above 100k prompt tokens: every token at the higher tier (in 0.5, out 2.5).
    # 120000*0.5 + 1000*2.5 = 60000 + 2500 = 62500
    ("anthropic", "claude-haiku-5-5", "sync", TokenUsage(input=120000, output=1000), "0.0625"),
    # GPT-6.1 Sol: in 2, out 10, write 2.5, read 0.1. 1000*2 + 8000*2.5 + 8000*0.1 + 500*10
    #   = 2000 + 20000 + 800 + 5000 = 27800
    ("openai", "gpt-6.1-sol", "sync", TokenUsage(input=1000, cache_write_5m=8000, cache_read=8000, output=500), "0.0278"),
    # GPT-6 Luna batch: in 0.05, out 0.25: 4000*0.05 + 1000*0.25 = 200 + 250 = 450
    ("openai", "gpt-6-luna", "batch", TokenUsage(input=4000, output=1000), "0.00045"),
]  # fmt: skip


@pytest.mark.parametrize(("provider", "model", "mode", "usage", "expected"), CASES)
def test_cost_against_hand_computed(provider: str, model: str, mode: str, usage: TokenUsage, expected: str) -> None:  # fmt: skip
    assert TABLE.cost(provider, model, usage, mode) == Decimal(expected)  # type: ignore[arg-type]


def test_override_wins_and_batch_halves_it() -> None:
    negotiated = Rates(
        Decimal(3), Decimal(12), Decimal("3.75"), Decimal(6), Decimal("0.3"), "policy override"
    )
    table = PriceTable({"claude-opus-5-5": negotiated}, at=AT)
    usage = TokenUsage(input=1_000_000, output=100_000)
    assert table.cost("anthropic", "claude-opus-5-5", usage) == Decimal("4.2")
    assert table.cost("anthropic", "claude-opus-5-5", usage, "batch") == Decimal("2.1")


def test_unknown_model_names_the_fix() -> None:
    with pytest.raises(UnknownModelError) as info:
        TABLE.rates("anthropic", "claude-nonexistent-9")
    assert "claude-nonexistent-9" in str(info.value)
    assert info.value.hint is not None
    assert "prices:" in info.value.hint
    assert not TABLE.known("openai", "gpt-nonexistent")


def test_uncached_counterfactual_moves_cache_tokens_to_input() -> None:
    usage = TokenUsage(input=10, cache_write_5m=100, cache_read=1000, output=5, reasoning=2)
    assert usage.as_uncached() == TokenUsage(input=1110, output=5, reasoning=2)
    assert usage.prompt == 1110


def test_tokens_are_ints_and_money_is_decimal() -> None:
    with pytest.raises(ValueError, match="non-negative int"):
        TokenUsage(input=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-negative int"):
        TokenUsage(output=-1)
    rates = TABLE.rates("anthropic", "claude-sonnet-5-5")
    assert isinstance(cost(TokenUsage(input=1), rates), Decimal)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("0", "$0.00"),
        ("0.00014665", "$0.0001"),
        ("0.0605", "$0.061"),
        ("12.5", "$12.50"),
        ("1234.5", "$1,234.50"),
    ],
)
def test_format_usd(amount: str, text: str) -> None:
    assert format_usd(Decimal(amount)) == text
