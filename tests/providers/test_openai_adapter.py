"""The OpenAI adapter (Responses API) through the real SDK against the emulator."""

from __future__ import annotations

import contextlib
import threading

import pytest

from pr_router.emulator import FakeClock, Rule
from pr_router.errors import ProviderError
from pr_router.providers.base import ModelResponse
from pr_router.tokens import TokenUsage

from .factories import ANSWER, CONTEXT, FINDINGS, SYSTEM, emulator, openai, request

MODEL = "gpt-6.1-sol"  # a family that reports (and bills) cache writes
# The emulator's OpenAI prompt for these requests is 2,103 tokens (schema, instructions,
# context, job text, in its chat-markup form). The cache works in 128-token steps from
# 1,024 up: 16 steps = 2,048 tokens are cacheable, the last 55 (56 for "security") are not.
CACHED = 2048


def test_sync_structured_call_lays_out_the_request_and_maps_usage(
    stack: contextlib.ExitStack,
) -> None:
    emu = emulator(stack, Rule(output=ANSWER))
    provider = openai(stack, emu)

    response = provider.complete(
        request(model=MODEL, cache_key="diff:openai", schema_name="findings")
    )

    body = emu.requests.where("POST", "/v1/responses")[0].json
    assert body["instructions"] == SYSTEM
    assert body["input"] == [
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": CONTEXT},
                {"type": "input_text", "text": "Do the review job."},
            ],
        }
    ]
    assert body["text"] == {
        "format": {"type": "json_schema", "name": "findings", "schema": FINDINGS, "strict": True}
    }
    assert body["reasoning"] == {"effort": "high"}
    assert body["max_output_tokens"] == 2000
    assert body["prompt_cache_key"] == "diff:openai"
    assert response.data == ANSWER
    # input = 2,103 prompt - 0 read - 2,048 written; output 11 visible + 11 reasoning.
    assert response.usage == TokenUsage(input=55, cache_write_5m=CACHED, output=22, reasoning=11)
    assert response.request_id is not None
    assert response.stop_reason == "completed"


def test_second_request_reads_the_shared_prefix(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(output=ANSWER))
    provider = openai(stack, emu)

    provider.complete(request("review", model=MODEL, cache_key="k", schema_name="findings"))
    second = provider.complete(
        request("security", model=MODEL, cache_key="k", schema_name="findings")
    )

    assert second.usage == TokenUsage(input=56, cache_read=CACHED, output=22, reasoning=11)


def test_models_without_reasoning_settings_get_no_effort(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(output=ANSWER))
    provider = openai(stack, emu)

    response = provider.complete(request(model="gpt-4.1", effort="high"))

    assert "reasoning" not in emu.requests[0].json
    # gpt-4.1 does not report cache writes: everything not read is plain input.
    assert response.usage.cache_write_5m == 0
    assert response.usage.reasoning == 0


def test_truncated_output_reports_the_reason(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(output=ANSWER))
    provider = openai(stack, emu)

    response = provider.complete(request(model=MODEL, max_output_tokens=16))

    assert response.stop_reason == "max_output_tokens"
    assert response.data is None  # the JSON was cut short


@pytest.mark.parametrize("fault", ["429", "529", "500"])
def test_retryable_faults_are_retried_by_the_sdk(stack: contextlib.ExitStack, fault: str) -> None:
    emu = emulator(stack, Rule(fault=fault, times=2), Rule(output=ANSWER))  # type: ignore[arg-type]
    provider = openai(stack, emu, max_retries=2)

    response = provider.complete(request(model=MODEL))

    calls = emu.requests.where("POST", "/v1/responses")
    assert [c.headers["x-stainless-retry-count"] for c in calls] == ["0", "1", "2"]
    assert response.data == ANSWER


def test_faults_past_the_retries_become_provider_errors(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(fault="429"))
    provider = openai(stack, emu, max_retries=1)

    with pytest.raises(ProviderError) as info:
        provider.complete(request(model=MODEL))

    error = info.value
    assert (error.provider, error.status, error.retryable) == ("openai", 429, True)
    assert error.request_id is not None
    assert error.hint is not None
    assert "rate limited" in error.hint
    assert len(emu.requests.where("POST", "/v1/responses")) == 2


def test_should_retry_false_is_not_retried(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(fault="no-retry"))
    provider = openai(stack, emu, max_retries=2)

    with pytest.raises(ProviderError):
        provider.complete(request(model=MODEL))

    assert len(emu.requests.where("POST", "/v1/responses")) == 1


def test_timeout_is_a_retryable_provider_error(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(fault="timeout", hang_s=2.0))
    provider = openai(stack, emu, max_retries=0)

    with pytest.raises(ProviderError) as info:
        provider.complete(request(model=MODEL, timeout_s=0.2))

    assert info.value.retryable is True
    assert "timed out" in str(info.value)


def test_malformed_response_is_a_provider_error(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(fault="malformed"))
    provider = openai(stack, emu, max_retries=0)

    with pytest.raises(ProviderError) as info:
        provider.complete(request(model=MODEL))

    assert str(info.value).startswith("openai: malformed response")


def test_a_bad_request_is_not_retryable(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack)
    provider = openai(stack, emu, max_retries=2)

    with pytest.raises(ProviderError) as info:
        provider.complete(request(model=MODEL, schema_name="not a valid name"))

    assert info.value.status == 400
    assert info.value.retryable is False
    assert "text.format.name" in str(info.value)
    assert len(emu.requests.where("POST", "/v1/responses")) == 1


def test_streaming_starts_readers_at_the_first_output_not_at_acceptance(
    stack: contextlib.ExitStack,
) -> None:
    clock = FakeClock(auto_advance=False)
    emu = emulator(stack, Rule(output=ANSWER, latency_s=2.0, ttft_s=0.5), clock=clock)
    provider = openai(stack, emu)
    started = threading.Event()
    result: list[ModelResponse] = []

    def run() -> None:
        req = request(model=MODEL, cache_key="k", schema_name="findings")
        result.append(provider.complete(req, on_start=started.set))

    worker = threading.Thread(target=run)
    worker.start()
    # response.created and response.in_progress are out; the prompt is still being read.
    assert not started.wait(0.3)
    clock.advance(0.5)
    assert started.wait(5.0)
    clock.advance(1.5)
    worker.join(5.0)
    assert not worker.is_alive()

    (response,) = result
    assert emu.requests[0].json["stream"] is True
    assert response.data == ANSWER
    assert response.usage == TokenUsage(input=55, cache_write_5m=CACHED, output=22, reasoning=11)
    assert response.request_id is not None
