"""OpenAI Chat Completions and Responses through the real SDK, checked against the spec."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import openai
import pytest
from pydantic import BaseModel

from pr_router.emulator import Emulator, FakeClock, Rule

from .conftest import MakeEmulator
from .emu_spec import validate_openai

MakeClient = Callable[..., openai.OpenAI]
REQUEST_SCHEMAS = {
    ("POST", "/v1/chat/completions"): "CreateChatCompletionRequest",
    ("POST", "/v1/responses"): "CreateResponse",
    ("POST", "/v1/batches"): "CreateBatchRequest",
}


class Describe(BaseModel):
    title: str
    bullets: list[str]


def check_requests_against_spec(emu: Emulator) -> int:
    """Every JSON request the SDK sent validates against the OpenAPI description."""
    checked = 0
    for sent in emu.requests:
        name = REQUEST_SCHEMAS.get((sent.method, sent.path))
        if name is not None:
            validate_openai(name, sent.json)
            checked += 1
    return checked


def test_chat_completion(gpt: openai.OpenAI, emu: Emulator) -> None:
    raw = gpt.chat.completions.with_raw_response.create(
        model="gpt-5.4-mini",
        messages=[
            {"role": "system", "content": "You review code."},
            {"role": "user", "content": "Hello"},
        ],
        max_completion_tokens=200,
        reasoning_effort="low",
        prompt_cache_key="pr-42",
    )
    assert raw.headers["x-request-id"].startswith("req_")
    validate_openai("CreateChatCompletionResponse", json.loads(raw.http_response.content))
    completion = raw.parse()
    assert completion._request_id == raw.headers["x-request-id"]
    assert completion.choices[0].message.content == "Emulated answer from gpt-5.4-mini."
    assert completion.choices[0].finish_reason == "stop"
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens == (len("<|system|>You review code.\n<|user|>Hello\n") + 3) // 4
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 2  # low: a quarter of 9
    assert usage.completion_tokens == 9 + 2
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert check_requests_against_spec(emu) == 1


def test_chat_parse_with_pydantic(gpt: openai.OpenAI, emu: Emulator) -> None:
    completion = gpt.chat.completions.parse(
        model="gpt-5.4-mini",
        messages=[{"role": "user", "content": "Describe the PR"}],
        response_format=Describe,
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Describe)
    assert parsed.bullets == ["bullets 1 (emulated)"]
    sent = emu.requests.where("POST", "/v1/chat/completions")[0].json
    assert sent["response_format"]["json_schema"]["name"] == "Describe"
    assert check_requests_against_spec(emu) == 1


def test_canned_output_by_job_name(make_emulator: MakeEmulator, make_openai: MakeClient) -> None:
    emu = make_emulator(
        Rule(job="Describe", output={"title": "Fix races", "bullets": ["one", "two"]})
    )
    client = make_openai(emu)
    parsed = client.responses.parse(
        model="gpt-5.4-mini", input="x", text_format=Describe
    ).output_parsed
    assert parsed == Describe(title="Fix races", bullets=["one", "two"])


def test_chat_length_limit_makes_parse_fail(gpt: openai.OpenAI) -> None:
    with pytest.raises(openai.LengthFinishReasonError):
        gpt.chat.completions.parse(
            model="gpt-5.4-mini",
            messages=[{"role": "user", "content": "x"}],
            response_format=Describe,
            max_completion_tokens=4,
        )


def test_chat_stream_with_usage(gpt: openai.OpenAI, emu: Emulator) -> None:
    stream = gpt.chat.completions.create(
        model="gpt-5.4-mini",
        messages=[{"role": "user", "content": "x" * 100}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    for chunk in chunks:
        validate_openai(
            "CreateChatCompletionStreamResponse", chunk.model_dump(mode="json", exclude_unset=True)
        )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Emulated answer from gpt-5.4-mini."
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.prompt_tokens == (len("<|user|>" + "x" * 100 + "\n") + 3) // 4
    assert all(c.usage is None for c in chunks[:-1])
    assert check_requests_against_spec(emu) == 1


def test_chat_stream_helper(gpt: openai.OpenAI) -> None:
    with gpt.chat.completions.stream(
        model="gpt-5.4-mini", messages=[{"role": "user", "content": "x"}], response_format=Describe
    ) as stream:
        final = stream.get_final_completion()
    assert isinstance(final.choices[0].message.parsed, Describe)


def test_responses_create(gpt: openai.OpenAI, emu: Emulator) -> None:
    raw = gpt.responses.with_raw_response.create(
        model="gpt-5.6-terra",
        instructions="You write changelog entries.",
        input=[{"role": "user", "content": "the diff"}],
        reasoning={"effort": "medium"},
        max_output_tokens=500,
        prompt_cache_key="pr-42",
    )
    validate_openai("Response", json.loads(raw.http_response.content))
    response = raw.parse()
    assert response.status == "completed"
    assert response.output_text == "Emulated answer from gpt-5.6-terra."
    assert [item.type for item in response.output] == ["reasoning", "message"]
    assert response.usage is not None
    assert response.usage.output_tokens_details.reasoning_tokens == 4  # medium: half of 9
    assert response.usage.output_tokens == 9 + 4
    assert response.usage.input_tokens_details.cached_tokens == 0
    assert check_requests_against_spec(emu) == 1


def test_responses_parse_and_incomplete(
    make_emulator: MakeEmulator, make_openai: MakeClient
) -> None:
    emu = make_emulator(Rule(prompt="long", output="word " * 40))
    gpt = make_openai(emu)
    parsed = gpt.responses.parse(model="gpt-5.4-mini", input="Describe", text_format=Describe)
    assert isinstance(parsed.output_parsed, Describe)
    cut = gpt.responses.create(model="gpt-5.4-mini", input="long", max_output_tokens=16)
    assert cut.status == "incomplete"
    assert cut.incomplete_details is not None
    assert cut.incomplete_details.reason == "max_output_tokens"
    assert check_requests_against_spec(emu) == 2


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"messages": []}, "messages"),
        (
            {"messages": [{"role": "user", "content": "x"}], "reasoning_effort": "extreme"},
            "reasoning_effort",
        ),
        (
            {
                "messages": [{"role": "user", "content": "x"}],
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "bad name", "schema": {}},
                },
            },
            "response_format.json_schema.name",
        ),
    ],
)
def test_bad_requests_carry_param(gpt: openai.OpenAI, kwargs: dict[str, Any], param: str) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        gpt.chat.completions.create(model="gpt-5.4-mini", **kwargs)
    assert info.value.param == param
    assert info.value.type == "invalid_request_error"
    body = info.value.body
    validate_openai("ErrorResponse", {"error": body})


def test_missing_key_is_401(gpt: openai.OpenAI) -> None:
    with pytest.raises(openai.AuthenticationError):
        gpt.chat.completions.create(
            model="m",
            messages=[{"role": "user", "content": "x"}],
            extra_headers={"Authorization": openai.Omit()},
        )


def test_unknown_route_is_404(gpt: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        gpt.models.list()


def test_responses_stream_events_and_timing(
    make_emulator: MakeEmulator, make_openai: MakeClient
) -> None:
    clock = FakeClock(auto_advance=False)  # the test moves time: events are stamped exactly
    emu = make_emulator(Rule(latency_s=3.0, ttft_s=1.0), clock=clock)
    client = make_openai(emu)
    seen: list[tuple[str, float]] = []
    final: list[Any] = []

    def consume() -> None:
        with client.responses.create(model="gpt-5.4-mini", input="x", stream=True) as stream:
            for event in stream:
                seen.append((event.type, clock.now()))
                if event.type == "response.completed":
                    final.append(event.response)

    def wait_for(kind: str) -> None:
        deadline = time.monotonic() + 5
        while kind not in [k for k, _ in seen]:
            assert time.monotonic() < deadline, f"no {kind} event"
            time.sleep(0.005)

    reader = threading.Thread(target=consume)
    reader.start()
    wait_for("response.in_progress")
    clock.advance(1.0)
    wait_for("response.content_part.added")
    clock.advance(2.0)
    reader.join(5)
    assert not reader.is_alive()
    kinds = [k for k, _ in seen]
    assert kinds[:2] == ["response.created", "response.in_progress"]
    assert kinds[-1] == "response.completed"
    assert {t for k, t in seen[:2]} == {0.0}  # created as soon as the request is accepted
    assert dict(seen)["response.output_item.added"] == 1.0  # first output after the ttft
    assert dict(seen)["response.output_text.delta"] == 3.0
    assert final[0].output_text == "Emulated answer from gpt-5.4-mini."
    validate_openai("Response", final[0].model_dump(mode="json", exclude_unset=True))
    assert check_requests_against_spec(emu) == 1


def test_responses_stream_helper_parses(gpt: openai.OpenAI) -> None:
    with gpt.responses.stream(model="gpt-5.4-mini", input="x", text_format=Describe) as stream:
        text = "".join(e.delta for e in stream if e.type == "response.output_text.delta")
        final = stream.get_final_response()
    assert isinstance(final.output_parsed, Describe)
    assert json.loads(text) == final.output_parsed.model_dump()
