"""The Anthropic adapter through the real SDK against the emulator."""

from __future__ import annotations

import contextlib

import pytest

from pr_router.emulator import Rule
from pr_router.errors import ProviderError
from pr_router.tokens import TokenUsage

from .factories import ANSWER, CONTEXT, FINDINGS, SYSTEM, anthropic, emulator, request

# Prompt of a cached request on claude-opus-5-5, in the emulator's 4-chars-a-token count:
#   schema (json, with title "findings") 354 chars -> 89 tokens
#   system "You review pull requests."        25 chars ->  7 tokens
#   shared context                        8,000 chars -> 2,000 tokens   <- breakpoint
#   instructions "Do the review job."      18 chars ->  5 tokens (after the breakpoint)
# Output: the canned answer is 42 chars -> 11 tokens, + 11 reasoning at effort high = 22.
PREFIX = 89 + 7 + 2000


def test_sync_structured_call_sends_the_cache_layout_and_maps_usage(
    stack: contextlib.ExitStack,
) -> None:
    emu = emulator(stack, Rule(output=ANSWER))
    provider = anthropic(stack, emu)

    response = provider.complete(request(cache_key="diff", schema_name="findings"))

    body = emu.requests.where("POST", "/v1/messages")[0].json
    assert body["system"] == SYSTEM
    assert body["max_tokens"] == 2000
    shared, own = body["messages"][0]["content"]
    assert shared == {
        "type": "text",
        "text": CONTEXT,
        "cache_control": {"type": "ephemeral", "ttl": "5m"},
    }
    assert own == {"type": "text", "text": "Do the review job."}
    assert body["output_config"] == {
        "format": {"type": "json_schema", "schema": {**FINDINGS, "title": "findings"}},
        "effort": "high",
    }
    assert response.data == ANSWER
    assert response.usage == TokenUsage(
        input=5, cache_write_5m=PREFIX, cache_read=0, output=22, reasoning=11
    )
    assert response.provider == "anthropic"
    assert response.request_id is not None
    assert response.request_id.startswith("req_")
    assert response.stop_reason == "end_turn"


def test_without_cache_key_no_breakpoint_and_everything_is_input(
    stack: contextlib.ExitStack,
) -> None:
    emu = emulator(stack, Rule(output=ANSWER))
    provider = anthropic(stack, emu)

    response = provider.complete(request(effort=None))

    shared = emu.requests.where("POST", "/v1/messages")[0].json["messages"][0]["content"][0]
    assert "cache_control" not in shared
    # schema with title "review" is 352 chars -> 88 tokens; + 7 + 2000 + 5; no reasoning.
    assert response.usage == TokenUsage(input=88 + 7 + 2000 + 5, output=11)


def test_second_request_reads_the_prefix_the_first_wrote(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(output=ANSWER))
    provider = anthropic(stack, emu)

    first = provider.complete(request("review", cache_key="k", schema_name="findings"))
    second = provider.complete(request("security", cache_key="k", schema_name="findings"))

    assert first.usage.cache_write_5m == PREFIX
    assert first.usage.cache_read == 0
    # "Do the security job." is 20 chars -> 5 tokens.
    assert second.usage == TokenUsage(input=5, cache_read=PREFIX, output=22, reasoning=11)


def test_one_hour_ttl_is_sent_and_billed_as_1h_writes(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(output=ANSWER))
    provider = anthropic(stack, emu)

    response = provider.complete(request(cache_key="k", cache_ttl="1h", schema_name="findings"))

    assert response.usage.cache_write_1h == PREFIX
    assert response.usage.cache_write_5m == 0


def test_streaming_calls_on_start_once_and_returns_the_full_usage(
    stack: contextlib.ExitStack,
) -> None:
    emu = emulator(stack, Rule(output=ANSWER, latency_s=2.0, ttft_s=0.5))
    provider = anthropic(stack, emu)
    starts: list[float] = []

    response = provider.complete(
        request(cache_key="k", schema_name="findings"), on_start=lambda: starts.append(1.0)
    )

    assert starts == [1.0]
    assert emu.requests[0].json["stream"] is True
    assert response.data == ANSWER
    assert response.usage == TokenUsage(input=5, cache_write_5m=PREFIX, output=22, reasoning=11)
    assert response.request_id is not None


def test_text_that_is_not_json_comes_back_with_data_none(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(output="not json at all"))
    provider = anthropic(stack, emu)

    response = provider.complete(request())

    assert response.text == "not json at all"
    assert response.data is None


@pytest.mark.parametrize("fault", ["429", "529", "500"])
def test_retryable_faults_are_retried_by_the_sdk(stack: contextlib.ExitStack, fault: str) -> None:
    # retry-after-ms: 1 on every fault, so the SDK's retries take a millisecond.
    emu = emulator(stack, Rule(fault=fault, times=2), Rule(output=ANSWER))  # type: ignore[arg-type]
    provider = anthropic(stack, emu, max_retries=2)

    response = provider.complete(request())

    calls = emu.requests.where("POST", "/v1/messages")
    assert [c.headers["x-stainless-retry-count"] for c in calls] == ["0", "1", "2"]
    assert response.data == ANSWER


@pytest.mark.parametrize(
    ("fault", "status", "kind"),
    [("429", 429, "rate_limit_error"), ("529", 529, "overloaded_error"), ("500", 500, "api_error")],
)
def test_faults_past_the_retries_become_retryable_provider_errors(
    stack: contextlib.ExitStack, fault: str, status: int, kind: str
) -> None:
    emu = emulator(stack, Rule(fault=fault))  # type: ignore[arg-type]
    provider = anthropic(stack, emu, max_retries=1)

    with pytest.raises(ProviderError) as info:
        provider.complete(request())

    error = info.value
    assert error.provider == "anthropic"
    assert error.retryable is True
    assert error.status == status
    assert error.request_id is not None
    assert kind in str(error)
    assert "\n" not in str(error)
    assert len(emu.requests.where("POST", "/v1/messages")) == 2


def test_should_retry_false_is_not_retried(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(fault="no-retry"))
    provider = anthropic(stack, emu, max_retries=2)

    with pytest.raises(ProviderError) as info:
        provider.complete(request())

    assert info.value.status == 500
    assert len(emu.requests.where("POST", "/v1/messages")) == 1


def test_timeout_is_a_retryable_provider_error(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(fault="timeout", hang_s=2.0))
    provider = anthropic(stack, emu, max_retries=0)

    with pytest.raises(ProviderError) as info:
        provider.complete(request(timeout_s=0.2))

    assert info.value.retryable is True
    assert "timed out" in str(info.value)


def test_malformed_response_is_a_provider_error(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(fault="malformed"))
    provider = anthropic(stack, emu, max_retries=0)

    with pytest.raises(ProviderError) as info:
        provider.complete(request())

    assert str(info.value).startswith("anthropic: malformed response")
    assert info.value.retryable is True


def test_a_bad_request_is_not_retried_and_not_retryable(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack)
    provider = anthropic(stack, emu, max_retries=2)

    with pytest.raises(ProviderError) as info:
        provider.complete(request(max_output_tokens=0))

    assert info.value.status == 400
    assert info.value.retryable is False
    assert "invalid_request_error" in str(info.value)
    assert "max_tokens" in str(info.value)
    assert len(emu.requests.where("POST", "/v1/messages")) == 1
