"""Injected faults: the SDKs retry, give up and raise exactly as against the real APIs."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import anthropic
import openai
import pytest

from pr_router.emulator import Rule

from .conftest import MakeEmulator

MakeAnthropic = Callable[..., anthropic.Anthropic]
MakeOpenAI = Callable[..., openai.OpenAI]
MESSAGES: Any = [{"role": "user", "content": "hi"}]


def create(client: anthropic.Anthropic) -> Any:
    return client.messages.create(model="claude-opus-4-8", max_tokens=10, messages=MESSAGES)


def chat(client: openai.OpenAI) -> Any:
    return client.chat.completions.create(model="gpt-5.4", messages=MESSAGES)


def test_429_twice_then_success(make_emulator: MakeEmulator, make_anthropic: MakeAnthropic) -> None:
    emu = make_emulator(Rule(fault="429", times=2))
    client = make_anthropic(emu, max_retries=2)
    started = time.monotonic()
    assert create(client).type == "message"
    assert time.monotonic() - started < 1.0  # retry-after-ms: 1
    sent = emu.requests.where("POST", "/v1/messages")
    assert [r.headers["x-stainless-retry-count"] for r in sent] == ["0", "1", "2"]


def test_429_body_and_headers(make_emulator: MakeEmulator, make_anthropic: MakeAnthropic) -> None:
    client = make_anthropic(make_emulator(Rule(fault="429")))
    with pytest.raises(anthropic.RateLimitError) as info:
        create(client)
    assert info.value.response.headers["retry-after-ms"] == "1"
    assert info.value.response.headers["retry-after"] == "0.001"
    assert info.value.body["error"]["type"] == "rate_limit_error"  # type: ignore[index]
    assert info.value.request_id == info.value.response.headers["request-id"]


@pytest.mark.parametrize(
    ("fault", "error", "error_type"),
    [
        ("529", anthropic.OverloadedError, "overloaded_error"),
        ("500", anthropic.InternalServerError, "api_error"),
    ],
)
def test_server_errors_after_retries(
    make_emulator: MakeEmulator,
    make_anthropic: MakeAnthropic,
    fault: Any,
    error: type[Exception],
    error_type: str,
) -> None:
    emu = make_emulator(Rule(fault=fault))
    client = make_anthropic(emu, max_retries=1)
    with pytest.raises(error) as info:
        create(client)
    assert info.value.body["error"]["type"] == error_type  # type: ignore[attr-defined]
    assert len(emu.requests) == 2


def test_no_retry_is_not_retried(
    make_emulator: MakeEmulator, make_anthropic: MakeAnthropic, make_openai: MakeOpenAI
) -> None:
    emu = make_emulator(Rule(fault="no-retry"))
    with pytest.raises(anthropic.InternalServerError):
        create(make_anthropic(emu, max_retries=2))
    with pytest.raises(openai.InternalServerError) as info:
        chat(make_openai(emu, max_retries=2))
    assert info.value.type == "server_error"
    assert len(emu.requests) == 2


def test_timeout(
    make_emulator: MakeEmulator, make_anthropic: MakeAnthropic, make_openai: MakeOpenAI
) -> None:
    emu = make_emulator(Rule(fault="timeout", hang_s=2.0))
    started = time.monotonic()
    with pytest.raises(anthropic.APITimeoutError):
        create(make_anthropic(emu, timeout=0.2))
    with pytest.raises(openai.APITimeoutError):
        chat(make_openai(emu, timeout=0.2))
    assert time.monotonic() - started < 1.5  # the held connections do not delay the test


def test_malformed_body(
    make_emulator: MakeEmulator, make_anthropic: MakeAnthropic, make_openai: MakeOpenAI
) -> None:
    emu = make_emulator(Rule(fault="malformed"))
    # Neither SDK wraps a body that is not JSON: the decoder's error comes out as is.
    with pytest.raises(json.JSONDecodeError):
        create(make_anthropic(emu))
    with pytest.raises(json.JSONDecodeError):
        chat(make_openai(emu))


def test_openai_faults(make_emulator: MakeEmulator, make_openai: MakeOpenAI) -> None:
    emu = make_emulator(Rule(fault="429", times=2), Rule(fault="529", times=1))
    client = make_openai(emu, max_retries=0)
    with pytest.raises(openai.RateLimitError) as limited:
        chat(client)
    assert limited.value.code == "rate_limit_exceeded"
    assert limited.value.response.headers["x-request-id"].startswith("req_")
    retrying = make_openai(emu, max_retries=2)
    assert chat(retrying).object == "chat.completion"  # one more 429, one 503, then success
    counts = [r.headers["x-stainless-retry-count"] for r in emu.requests]
    assert counts == ["0", "0", "1", "2"]


def test_faults_on_other_endpoints(make_emulator: MakeEmulator, make_openai: MakeOpenAI) -> None:
    emu = make_emulator(Rule(fault="500", endpoint="/v1/files", times=1))
    client = make_openai(emu, max_retries=1)
    uploaded = client.files.create(file=("in.jsonl", b"{}\n"), purpose="batch")
    assert uploaded.object == "file"
    assert [r.headers["x-stainless-retry-count"] for r in emu.requests] == ["0", "1"]


def test_rule_matches_job_only(make_emulator: MakeEmulator, make_anthropic: MakeAnthropic) -> None:
    emu = make_emulator(Rule(job="security", fault="529"))
    client = make_anthropic(emu)
    assert create(client).type == "message"
    schema = {"title": "security", "type": "object", "properties": {}, "required": []}
    with pytest.raises(anthropic.OverloadedError):
        client.messages.create(
            model="m",
            max_tokens=10,
            messages=MESSAGES,
            output_config={"format": {"type": "json_schema", "schema": schema}},
        )
