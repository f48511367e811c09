"""The Anthropic Messages endpoints through the real SDK, with strict response validation."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import anthropic
import pytest
from pydantic import BaseModel

from pr_router.emulator import Emulator, Rule

from .conftest import MakeEmulator

SCHEMA: dict[str, Any] = {
    "title": "review",
    "type": "object",
    "properties": {
        "verdict": {"type": "string", "enum": ["approve", "comment"]},
        "findings": {"type": "array", "items": {"type": "string"}, "minItems": 2},
    },
    "required": ["verdict", "findings"],
    "additionalProperties": False,
}
MESSAGES: list[Any] = [{"role": "user", "content": "Review this diff."}]


def raw(
    emu: Emulator, path: str, body: Any, headers: dict[str, str]
) -> tuple[int, dict[str, str], Any]:
    """A request without the SDK, to check what it would never send."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(emu.base_url + path, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), json.loads(exc.read())


def test_plain_message(claude: anthropic.Anthropic, emu: Emulator) -> None:
    message = claude.messages.create(model="claude-opus-4-8", max_tokens=100, messages=MESSAGES)
    assert message.content[0].type == "text"
    assert message.content[0].text == "Emulated answer from claude-opus-4-8."
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens == 5  # "Review this diff." is 17 chars
    assert message.usage.output_tokens == 10
    assert message.usage.service_tier == "standard"
    assert message._request_id is not None
    assert message._request_id.startswith("req_")
    sent = emu.requests.where("POST", "/v1/messages")[0]
    assert sent.headers["authorization"] == "Bearer k"
    assert sent.headers["anthropic-version"] == "2026-10-21"
    assert sent.json["model"] == "claude-opus-4-8"


def test_structured_output_defaults_to_a_schema_instance(claude: anthropic.Anthropic) -> None:
    message = claude.messages.create(
        model="claude-opus-4-8",
        max_tokens=500,
        messages=MESSAGES,
        output_config={"format": {"type": "json_schema", "schema": SCHEMA}, "effort": "high"},
    )
    assert message.content[0].type == "text"
    data = json.loads(message.content[0].text)
    assert data["verdict"] == "approve"
    assert len(data["findings"]) == 2
    visible = (len(message.content[0].text) + 3) // 4
    assert message.usage.output_tokens_details is not None
    assert message.usage.output_tokens_details.thinking_tokens == visible  # "high": 1x visible
    assert message.usage.output_tokens == 2 * visible


def test_canned_output_by_job_and_callable(
    make_emulator: MakeEmulator, make_anthropic: Callable[..., anthropic.Anthropic]
) -> None:
    seen: list[str] = []

    def answer(call: Any) -> dict[str, Any]:
        seen.append(call.prompt)
        return {"verdict": "comment", "findings": ["a", "b", "c"]}

    emu = make_emulator(
        Rule(job="review", output=answer, times=1),
        Rule(job="review", output='{"verdict": "approve"}'),
    )
    client = make_anthropic(emu)
    config: Any = {"format": {"type": "json_schema", "schema": SCHEMA}}
    first = client.messages.create(
        model="m", max_tokens=500, messages=MESSAGES, output_config=config
    )
    second = client.messages.create(
        model="m", max_tokens=500, messages=MESSAGES, output_config=config
    )
    assert first.content[0].type == second.content[0].type == "text"
    assert json.loads(first.content[0].text)["findings"] == ["a", "b", "c"]
    assert second.content[0].text == '{"verdict": "approve"}'
    assert seen == ["\nReview this diff."]


def test_parse_with_pydantic_output_format(claude: anthropic.Anthropic) -> None:
    class Verdict(BaseModel):
        verdict: str
        findings: list[str]

    parsed = claude.messages.parse(
        model="claude-opus-4-8", max_tokens=500, messages=MESSAGES, output_format=Verdict
    )
    assert isinstance(parsed.parsed_output, Verdict)


def test_max_tokens_cuts_the_answer(claude: anthropic.Anthropic) -> None:
    message = claude.messages.create(model="m", max_tokens=3, messages=MESSAGES)
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 3
    assert message.content[0].type == "text"
    assert message.content[0].text == "Emulated ans"


def test_streaming_matches_the_plain_answer(claude: anthropic.Anthropic) -> None:
    system: Any = [{"type": "text", "text": "s" * 6000, "cache_control": {"type": "ephemeral"}}]
    with claude.messages.stream(
        model="claude-sonnet-4-6",
        max_tokens=500,
        system=system,
        messages=MESSAGES,
        output_config={"format": {"type": "json_schema", "schema": SCHEMA}},
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert json.loads(text)["verdict"] == "approve"
    assert final.content[0].type == "text"
    assert final.content[0].text == text
    assert final.stop_reason == "end_turn"
    assert (
        final.usage.cache_creation_input_tokens
        == 1500 + (len(json.dumps(SCHEMA, sort_keys=True)) + 3) // 4
    )
    assert final.usage.output_tokens == (len(text) + 3) // 4


def test_stream_event_order_and_timing(
    make_emulator: MakeEmulator, make_anthropic: Callable[..., anthropic.Anthropic]
) -> None:
    emu = make_emulator(Rule(latency_s=4.0, ttft_s=1.0))
    client = make_anthropic(emu)
    seen: list[tuple[str, float]] = []
    with client.messages.stream(model="m", max_tokens=100, messages=MESSAGES) as stream:
        for event in stream:
            seen.append((event.type, emu.clock.now()))
    kinds = [k for k, _ in seen]
    assert kinds[0] == "message_start"
    assert kinds[-1] == "message_stop"
    assert {
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
    } <= set(kinds)
    assert seen[0][1] >= 1.0
    assert seen[-1][1] == 4.0


def test_count_tokens(claude: anthropic.Anthropic) -> None:
    counted = claude.messages.count_tokens(
        model="claude-opus-4-8",
        system="x" * 400,
        messages=MESSAGES,
        output_config={"format": {"type": "json_schema", "schema": SCHEMA}},
    )
    schema_tokens = (len(json.dumps(SCHEMA, sort_keys=True)) + 3) // 4
    assert counted.input_tokens == 100 + 5 + schema_tokens


def test_sampling_params_rejected_under_the_new_version(claude: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        claude.messages.create(
            model="m", max_tokens=10, messages=MESSAGES, extra_body={"temperature": 0.2}
        )
    assert info.value.status_code == 400
    assert info.value.body["error"]["type"] == "invalid_request_error"  # type: ignore[index]
    assert "temperature" in info.value.message


def test_old_version_with_x_api_key_accepts_temperature(emu: Emulator) -> None:
    headers = {
        "x-api-key": "k",
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
    }
    body = {"model": "m", "max_tokens": 10, "messages": MESSAGES, "temperature": 0.2}
    status, response_headers, payload = raw(emu, "/v1/messages", body, headers)
    assert status == 200
    assert payload["type"] == "message"
    assert response_headers["request-id"].startswith("req_")


@pytest.mark.parametrize(
    ("headers", "status", "error_type"),
    [
        ({"anthropic-version": "2026-10-21"}, 401, "authentication_error"),
        ({"x-api-key": "k"}, 400, "invalid_request_error"),
        ({"x-api-key": "k", "anthropic-version": "2020-01-01"}, 400, "invalid_request_error"),
    ],
)
def test_header_errors(
    emu: Emulator, headers: dict[str, str], status: int, error_type: str
) -> None:
    code, response_headers, payload = raw(emu, "/v1/messages", {"model": "m"}, headers)
    assert code == status
    assert payload["type"] == "error"
    assert payload["error"]["type"] == error_type
    assert payload["request_id"] == response_headers["request-id"]


def test_request_validation_errors(claude: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match="messages"):
        claude.messages.create(model="m", max_tokens=10, messages=[])
    too_many: Any = [
        {"type": "text", "text": str(i), "cache_control": {"type": "ephemeral"}} for i in range(5)
    ]
    with pytest.raises(anthropic.BadRequestError, match="maximum of 4 blocks"):
        claude.messages.create(model="m", max_tokens=10, system=too_many, messages=MESSAGES)
    with pytest.raises(anthropic.NotFoundError):
        claude.get("/v1/messages/nothing-here", cast_to=object)


def test_unusable_key_raises_authentication_error(claude: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.AuthenticationError) as info:
        claude.messages.create(
            model="m",
            max_tokens=10,
            messages=MESSAGES,
            extra_headers={"Authorization": anthropic.Omit()},
        )
    assert info.value.body["error"]["type"] == "authentication_error"  # type: ignore[index]
