"""Prompt-cache figures as the SDKs see them: writes, reads, TTLs, and in-flight writes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import anthropic
import openai

from pr_router.emulator import Emulator, FakeClock, Rule

from .conftest import MakeEmulator

MakeAnthropic = Callable[..., anthropic.Anthropic]
MakeOpenAI = Callable[..., openai.OpenAI]
PR_CONTEXT = "d" * 8000  # 2000 tokens
SYSTEM: Any = [{"type": "text", "text": PR_CONTEXT, "cache_control": {"type": "ephemeral"}}]


def ask(
    client: anthropic.Anthropic,
    question: str,
    *,
    model: str = "claude-sonnet-4-6",
    system: Any = SYSTEM,
) -> Any:
    message = client.messages.create(
        model=model, max_tokens=100, system=system, messages=[{"role": "user", "content": question}]
    )
    return message.usage


def test_first_call_writes_second_reads(claude: anthropic.Anthropic) -> None:
    first = ask(claude, "review it")  # 9 chars: 3 tokens
    assert (
        first.cache_creation_input_tokens,
        first.cache_read_input_tokens,
        first.input_tokens,
    ) == (2000, 0, 3)
    assert first.cache_creation.ephemeral_5m_input_tokens == 2000
    assert first.cache_creation.ephemeral_1h_input_tokens == 0
    second = ask(claude, "scan it for secrets")  # 19 chars: 5 tokens
    assert (
        second.cache_creation_input_tokens,
        second.cache_read_input_tokens,
        second.input_tokens,
    ) == (0, 2000, 5)


def test_one_hour_ttl_and_automatic_breakpoint(emu: Emulator, claude: anthropic.Anthropic) -> None:
    system: Any = [
        {"type": "text", "text": PR_CONTEXT, "cache_control": {"type": "ephemeral", "ttl": "1h"}}
    ]
    first = ask(claude, "q", system=system)
    assert first.cache_creation.ephemeral_1h_input_tokens == 2000
    emu.clock.advance(3000)
    assert ask(claude, "q2", system=system).cache_read_input_tokens == 2000
    # Top-level cache_control puts the breakpoint on the last block: the whole prompt.
    whole = claude.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=10,
        system=PR_CONTEXT,
        messages=[{"role": "user", "content": "q3"}],
        extra_body={"cache_control": {"type": "ephemeral"}},
    )
    assert whole.usage.cache_creation_input_tokens == 2001
    assert whole.usage.input_tokens == 0


def test_below_minimum_prefix_caches_nothing(claude: anthropic.Anthropic) -> None:
    small: Any = [
        {"type": "text", "text": "s" * 4000, "cache_control": {"type": "ephemeral"}}
    ]  # 1000 tokens
    for _ in range(2):
        usage = ask(claude, "q", system=small)
        assert (
            usage.cache_creation_input_tokens,
            usage.cache_read_input_tokens,
            usage.input_tokens,
        ) == (0, 0, 1001)
    # The same prefix caches on a model whose minimum is 512.
    assert (
        ask(claude, "q", system=small, model="claude-sonnet-5-5").cache_creation_input_tokens
        == 1000
    )


def test_ttl_expiry_on_the_fake_clock(emu: Emulator, claude: anthropic.Anthropic) -> None:
    ask(claude, "q")
    emu.clock.advance(299)
    assert ask(claude, "q").cache_read_input_tokens == 2000  # the hit refreshes the TTL
    emu.clock.advance(299)
    assert ask(claude, "q").cache_read_input_tokens == 2000
    emu.clock.advance(301)
    assert ask(claude, "q").cache_creation_input_tokens == 2000


def test_different_schema_is_a_different_prefix(claude: anthropic.Anthropic) -> None:
    def structured(title: str) -> Any:
        schema = {
            "title": title,
            "type": "object",
            "properties": {"x": {"type": "string"}},
            "required": ["x"],
        }
        return claude.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=100,
            system=SYSTEM,
            messages=[{"role": "user", "content": "q"}],
            output_config={"format": {"type": "json_schema", "schema": schema}},
        ).usage

    assert structured("review").cache_creation_input_tokens > 2000
    assert structured("security").cache_read_input_tokens == 0
    assert structured("review").cache_read_input_tokens > 2000


def test_schema_outside_the_prefix_when_configured(
    make_emulator: MakeEmulator, make_anthropic: MakeAnthropic
) -> None:
    client = make_anthropic(make_emulator(schema_in_cache_prefix=False))
    for title, read in (("review", 0), ("security", 2000)):
        schema = {
            "title": title,
            "type": "object",
            "properties": {"x": {"type": "string"}},
            "required": ["x"],
        }
        usage = client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=100,
            system=SYSTEM,
            messages=[{"role": "user", "content": "q"}],
            output_config={"format": {"type": "json_schema", "schema": schema}},
        ).usage
        assert usage.cache_read_input_tokens == read


def wait_for_requests(emu: Emulator, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(emu.requests) < count:
        assert time.monotonic() < deadline, "request never arrived"
        time.sleep(0.005)


def joined(*threads: threading.Thread) -> None:
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive(), "request never answered"


def in_flight(client: anthropic.Anthropic, results: list[Any]) -> threading.Thread:
    thread = threading.Thread(target=lambda: results.append(ask(client, "q")))
    thread.start()
    return thread


def test_second_request_before_first_answers_misses(
    make_emulator: MakeEmulator, make_anthropic: MakeAnthropic
) -> None:
    clock = FakeClock(auto_advance=False)
    emu = make_emulator(Rule(latency_s=5.0, ttft_s=2.0), clock=clock)
    client = make_anthropic(emu)
    results: list[Any] = []
    first = in_flight(client, results)
    wait_for_requests(emu, 1)
    clock.advance(1.0)  # the first has not begun answering yet
    second = in_flight(client, results)
    wait_for_requests(emu, 2)
    clock.advance(10.0)
    joined(first, second)
    assert [u.cache_creation_input_tokens for u in results] == [2000, 2000]


def test_second_request_after_first_answers_reads(
    make_emulator: MakeEmulator, make_anthropic: MakeAnthropic
) -> None:
    clock = FakeClock(auto_advance=False)
    emu = make_emulator(Rule(latency_s=5.0, ttft_s=2.0), clock=clock)
    client = make_anthropic(emu)
    results: list[Any] = []
    first = in_flight(client, results)
    wait_for_requests(emu, 1)
    clock.advance(2.0)  # first token is out: the entry is ready
    second = in_flight(client, results)
    wait_for_requests(emu, 2)
    clock.advance(10.0)
    joined(first, second)
    assert sorted((u.cache_creation_input_tokens, u.cache_read_input_tokens) for u in results) == [
        (0, 2000),
        (2000, 0),
    ]


def test_openai_cached_tokens_and_write_reporting(gpt: openai.OpenAI, emu: Emulator) -> None:
    def chat(model: str, key: str | None = "pr-7") -> Any:
        kwargs: dict[str, Any] = {"prompt_cache_key": key} if key else {}
        usage = gpt.chat.completions.create(
            model=model,
            messages=[{"role": "system", "content": PR_CONTEXT}, {"role": "user", "content": "q"}],
            **kwargs,
        ).usage
        assert usage is not None
        assert usage.prompt_tokens_details is not None
        return (
            usage.prompt_tokens,
            usage.prompt_tokens_details.cached_tokens,
            usage.prompt_tokens_details.cache_write_tokens,
        )

    prompt = (len("<|system|>" + PR_CONTEXT + "\n<|user|>q\n") + 3) // 4
    assert chat("gpt-5.4-mini") == (prompt, 0, 0)  # writes are free, and 0, before 5.6
    assert chat("gpt-5.4-mini") == (prompt, 1920, 0)
    assert chat("gpt-5.4-mini", key=None) == (prompt, 0, 0)  # another cache key
    assert chat("gpt-5.6-terra") == (prompt, 0, 1920)
    assert chat("gpt-5.6-terra") == (prompt, 1920, 0)
    emu.clock.advance(601)
    assert chat("gpt-5.6-terra") == (prompt, 0, 1920)


def test_openai_responses_cache_usage(gpt: openai.OpenAI) -> None:
    for cached, written in ((0, 1920), (1920, 0)):
        response = gpt.responses.create(model="gpt-6-luna", instructions=PR_CONTEXT, input="q")
        assert response.usage is not None
        details = response.usage.input_tokens_details
        assert (details.cached_tokens, details.cache_write_tokens) == (cached, written)
