"""Prompt-cache accounting rules, on the cache object itself."""

from __future__ import annotations

import pytest

from pr_router.emulator.cache import (
    AnthropicCacheUsage,
    OpenAICacheUsage,
    PromptCache,
    Segment,
    anthropic_min_cacheable,
)

M = "claude-sonnet-4-6"  # minimum cacheable prefix 1024


def seg(name: str, tokens: int, ttl: float | None = None) -> Segment:
    return Segment(name, tokens, ttl)


@pytest.mark.parametrize(
    ("model", "minimum"),
    [
        ("claude-opus-4-5", 4096),
        ("claude-haiku-4-5-20251001", 4096),
        ("claude-opus-4-7", 2048),
        ("claude-opus-4-8", 1024),
        ("claude-sonnet-4-6", 1024),
        ("claude-sonnet-5-5", 512),
        ("claude-haiku-5-5", 512),
        ("claude-opus-5", 512),
        ("claude-something-new", 1024),
    ],
)
def test_minimum_cacheable_prefix(model: str, minimum: int) -> None:
    assert anthropic_min_cacheable(model) == minimum


def test_write_then_read_then_tail() -> None:
    cache = PromptCache()
    prompt = [seg("sys", 1500, 300), seg("job-a", 100)]
    first = cache.anthropic(M, prompt, now=0, ready_at=0)
    assert first == AnthropicCacheUsage(read=0, write_5m=1500, uncached=100)
    other_job = [seg("sys", 1500, 300), seg("job-b", 40)]
    assert cache.anthropic(M, other_job, now=1, ready_at=1) == AnthropicCacheUsage(
        read=1500, uncached=40
    )


def test_ttl_split_between_breakpoints() -> None:
    cache = PromptCache()
    prompt = [seg("tools", 1200, 3600), seg("sys", 300, 300), seg("msg", 10)]
    assert cache.anthropic(M, prompt, now=0, ready_at=0) == AnthropicCacheUsage(
        write_1h=1200, write_5m=300, uncached=10
    )
    # 10 minutes later the 5m entry is gone but the 1h one is still there.
    assert cache.anthropic(M, prompt, now=600, ready_at=600) == AnthropicCacheUsage(
        read=1200, write_5m=300, uncached=10
    )


def test_below_minimum_caches_nothing() -> None:
    cache = PromptCache()
    prompt = [seg("sys", 1000, 300), seg("msg", 10)]
    assert cache.anthropic(M, prompt, now=0, ready_at=0) == AnthropicCacheUsage(uncached=1010)
    assert cache.anthropic(M, prompt, now=1, ready_at=1) == AnthropicCacheUsage(uncached=1010)
    assert len(cache) == 0


def test_small_first_breakpoint_counts_into_the_next_write() -> None:
    cache = PromptCache()
    prompt = [seg("a", 600, 300), seg("b", 600, 300), seg("c", 5)]
    assert cache.anthropic(M, prompt, now=0, ready_at=0) == AnthropicCacheUsage(
        write_5m=1200, uncached=5
    )


def test_hit_refreshes_ttl_and_expiry_misses() -> None:
    cache = PromptCache()
    prompt = [seg("sys", 2000, 300)]
    cache.anthropic(M, prompt, now=0, ready_at=0)
    assert cache.anthropic(M, prompt, now=290, ready_at=290).read == 2000  # refreshed to 590
    assert cache.anthropic(M, prompt, now=580, ready_at=580).read == 2000
    assert cache.anthropic(M, prompt, now=881, ready_at=881).read == 0  # expired at 880


def test_entry_is_not_readable_before_its_writer_answers() -> None:
    cache = PromptCache()
    prompt = [seg("sys", 2000, 300), seg("q", 5)]
    assert cache.anthropic(M, prompt, now=0, ready_at=2.0).write_5m == 2000
    assert cache.anthropic(M, prompt, now=1.0, ready_at=3.0).write_5m == 2000  # too early
    assert cache.anthropic(M, prompt, now=2.0, ready_at=4.0).read == 2000  # first writer ready


def test_lookback_finds_earlier_entry_without_a_breakpoint_there() -> None:
    cache = PromptCache()
    cache.anthropic(M, [seg("sys", 1100, 300), seg("ctx", 400, 300)], now=0, ready_at=0)
    longer = [seg("sys", 1100), seg("ctx", 400), seg("extra", 300, 300), seg("q", 9)]
    assert cache.anthropic(M, longer, now=1, ready_at=1) == AnthropicCacheUsage(
        read=1500, write_5m=300, uncached=9
    )


def test_prefix_is_per_model_and_exact() -> None:
    cache = PromptCache()
    cache.anthropic(M, [seg("sys", 2000, 300)], now=0, ready_at=0)
    assert cache.anthropic("claude-opus-4-8", [seg("sys", 2000, 300)], now=1, ready_at=1).read == 0
    assert cache.anthropic(M, [seg("sys2", 2000, 300)], now=1, ready_at=1).read == 0


def test_openai_automatic_caching_in_128_token_steps() -> None:
    cache = PromptCache()
    text = "x" * (4 * 1300)  # 1300 tokens: 10 full steps of 128
    assert cache.openai("gpt-5", None, text, now=0, ready_at=0) == OpenAICacheUsage(
        cached=0, written=1280
    )
    assert cache.openai("gpt-5", None, text, now=1, ready_at=1) == OpenAICacheUsage(cached=1280)
    longer = text + "y" * (4 * 300)
    assert cache.openai("gpt-5", None, longer, now=2, ready_at=2) == OpenAICacheUsage(
        cached=1280, written=256
    )


def test_openai_short_prompt_key_and_ttl() -> None:
    cache = PromptCache()
    short = "x" * (4 * 1000)
    assert cache.openai("gpt-5", None, short, now=0, ready_at=0) == OpenAICacheUsage()
    text = "x" * (4 * 2048)
    cache.openai("gpt-5", "pr-1", text, now=0, ready_at=0)
    assert cache.openai("gpt-5", "pr-2", text, now=1, ready_at=1).cached == 0  # other key
    assert cache.openai("gpt-5", "pr-1", text, now=500, ready_at=500).cached == 2048
    assert cache.openai("gpt-5", "pr-1", text, now=1101, ready_at=1101).cached == 0  # 10 min idle
