"""OpenAI Chat Completions and Responses: request parsing, cache accounting, bodies."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pr_router.emulator.generate import Completion, complete, prompt_text
from pr_router.emulator.provider import InvalidRequest
from pr_router.emulator.runtime import Runtime
from pr_router.emulator.scenario import Call, Rule
from pr_router.tokens import estimate_tokens

__all__ = ["OpenAIRequest", "answer", "parse_chat", "parse_responses"]

SCHEMA_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
# gpt-5.6 and later (and gpt-6+) bill, and report, prompt-cache writes.
_VERSION = re.compile(r"gpt-(\d+)(?:\.(\d+))?")


def reports_cache_writes(model: str) -> bool:
    """Whether the model family reports (and bills) ``cache_write_tokens``."""
    match = _VERSION.match(model)
    if match is None:
        return False
    return (int(match[1]), int(match[2] or 0)) >= (5, 6)


@dataclass(frozen=True, slots=True)
class OpenAIRequest:
    """A validated Chat Completions or Responses request."""

    kind: Literal["chat", "responses"]
    call: Call
    text: str  # the prompt as the cache sees it
    effort: str | None
    max_tokens: int | None
    cache_key: str | None
    stream: bool = False
    include_usage: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """An answered request: the text and every token figure of its usage."""

    done: Completion
    prompt_tokens: int
    cached: int
    written: int


def _schema_text(schema: Mapping[str, Any] | None) -> str:
    return f"<|schema|>{json.dumps(schema, sort_keys=True)}\n" if schema is not None else ""


def _check_schema_format(fmt: Mapping[str, Any], where: str) -> tuple[str, Mapping[str, Any]]:
    name = fmt.get("name")
    if not isinstance(name, str) or not SCHEMA_NAME.fullmatch(name):
        raise InvalidRequest(
            f"Invalid '{where}.name': must match ^[a-zA-Z0-9_-]{{1,64}}$.", param=f"{where}.name"
        )
    schema = fmt.get("schema")
    if not isinstance(schema, Mapping):
        raise InvalidRequest(
            f"Missing required parameter: '{where}.schema'.", param=f"{where}.schema"
        )
    return name, schema


def _common(body: Any) -> tuple[str, str | None]:
    if not isinstance(body, Mapping):
        raise InvalidRequest("The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidRequest(
            "Missing required parameter: 'model'.", param="model", code="missing_required_parameter"
        )
    key = body.get("prompt_cache_key")
    return model, key if isinstance(key, str) else None


def _effort(value: Any, param: str) -> str | None:
    if value is not None and value not in EFFORTS:
        raise InvalidRequest(f"Invalid value for '{param}'.", param=param, code="invalid_value")
    return None if value is None else str(value)


def _prompt(schema: Mapping[str, Any] | None, messages: str, schema_in_prefix: bool) -> str:
    if schema_in_prefix:
        return _schema_text(schema) + messages
    return messages + _schema_text(schema)


def parse_chat(body: Any, *, schema_in_prefix: bool) -> OpenAIRequest:
    """Validate a Chat Completions body; raises ``InvalidRequest``."""
    model, key = _common(body)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidRequest("Missing required parameter: 'messages'.", param="messages")
    fmt = body.get("response_format") or {"type": "text"}
    job, schema = None, None
    if fmt.get("type") == "json_schema":
        job, schema = _check_schema_format(
            fmt.get("json_schema") or {}, "response_format.json_schema"
        )
    elif fmt.get("type") not in {"text", "json_object"}:
        raise InvalidRequest(
            "Invalid value for 'response_format.type'.", param="response_format.type"
        )
    lines = "".join(
        f"<|{m.get('role')}|>{prompt_text(m.get('content'))}\n"
        for m in messages
        if isinstance(m, Mapping)
    )
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    options = body.get("stream_options") or {}
    call = Call("openai", "/v1/chat/completions", model, job, lines, schema, body)
    return OpenAIRequest(
        "chat",
        call,
        _prompt(schema, lines, schema_in_prefix),
        _effort(body.get("reasoning_effort"), "reasoning_effort"),
        max_tokens if isinstance(max_tokens, int) else None,
        key,
        stream=bool(body.get("stream")),
        include_usage=bool(options.get("include_usage")),
    )


def parse_responses(body: Any, *, schema_in_prefix: bool) -> OpenAIRequest:
    """Validate a Responses body; raises ``InvalidRequest``."""
    model, key = _common(body)
    items = body.get("input")
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    if not isinstance(items, list) or not items:
        raise InvalidRequest("Missing required parameter: 'input'.", param="input")
    fmt = (body.get("text") or {}).get("format") or {"type": "text"}
    job, schema = None, None
    if fmt.get("type") == "json_schema":
        job, schema = _check_schema_format(fmt, "text.format")
    instructions = body.get("instructions")
    lines = f"<|developer|>{instructions}\n" if isinstance(instructions, str) else ""
    lines += "".join(
        f"<|{i.get('role', i.get('type'))}|>{prompt_text(i.get('content', i))}\n"
        for i in items
        if isinstance(i, Mapping)
    )
    call = Call("openai", "/v1/responses", model, job, lines, schema, body)
    max_tokens = body.get("max_output_tokens")
    return OpenAIRequest(
        "responses",
        call,
        _prompt(schema, lines, schema_in_prefix),
        _effort((body.get("reasoning") or {}).get("effort"), "reasoning.effort"),
        max_tokens if isinstance(max_tokens, int) else None,
        key,
        stream=bool(body.get("stream")),
    )


def answer(
    rt: Runtime, req: OpenAIRequest, rule: Rule | None, *, now: float, ready_at: float
) -> Answer:
    """Run the prompt through the cache and produce the completion."""
    model = req.call.model or ""
    usage = rt.cache.openai(model, req.cache_key, req.text, now=now, ready_at=ready_at)
    done = complete(req.call, rule, effort=req.effort, max_tokens=req.max_tokens)
    written = usage.written if reports_cache_writes(model) else 0
    return Answer(done, estimate_tokens(req.text), usage.cached, written)


def chat_usage(a: Answer) -> dict[str, Any]:
    """``CompletionUsage``."""
    return {
        "prompt_tokens": a.prompt_tokens,
        "completion_tokens": a.done.output_tokens,
        "total_tokens": a.prompt_tokens + a.done.output_tokens,
        "prompt_tokens_details": {
            "cached_tokens": a.cached,
            "cache_write_tokens": a.written,
            "audio_tokens": 0,
        },
        "completion_tokens_details": {
            "reasoning_tokens": a.done.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def responses_usage(a: Answer) -> dict[str, Any]:
    """``ResponseUsage``."""
    return {
        "input_tokens": a.prompt_tokens,
        "input_tokens_details": {"cached_tokens": a.cached, "cache_write_tokens": a.written},
        "output_tokens": a.done.output_tokens,
        "output_tokens_details": {"reasoning_tokens": a.done.reasoning_tokens},
        "total_tokens": a.prompt_tokens + a.done.output_tokens,
    }


def chat_body(rt: Runtime, req: OpenAIRequest, a: Answer) -> dict[str, Any]:
    """A ``ChatCompletion``."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": a.done.text,
        "refusal": None,
        "annotations": [],
    }
    return {
        "id": rt.ids.new("chatcmpl-"),
        "object": "chat.completion",
        "created": int(rt.clock.time()),
        "model": req.call.model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "length" if a.done.truncated else "stop",
                "logprobs": None,
            }
        ],
        "usage": chat_usage(a),
        "service_tier": "default",
        "system_fingerprint": "fp_emulator",
    }


def _output_items(rt: Runtime, a: Answer, status: str) -> list[dict[str, Any]]:
    output: list[dict[str, Any]] = []
    if a.done.reasoning_tokens:
        output.append({"type": "reasoning", "id": rt.ids.new("rs_"), "summary": []})
    text = {"type": "output_text", "text": a.done.text, "annotations": [], "logprobs": []}
    message = {"type": "message", "id": rt.ids.new("msg_"), "status": status, "role": "assistant"}
    output.append({**message, "content": [text]})
    return output


def responses_body(rt: Runtime, req: OpenAIRequest, a: Answer) -> dict[str, Any]:
    """A ``Response``."""
    body = req.call.body
    created = rt.clock.time()
    status = "incomplete" if a.done.truncated else "completed"
    output = _output_items(rt, a, status)
    return {
        "id": rt.ids.new("resp_"),
        "object": "response",
        "created_at": int(created),
        "completed_at": int(created),
        "status": status,
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if a.done.truncated else None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": req.call.model,
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "prompt_cache_key": req.cache_key,
        "reasoning": {"effort": req.effort, "summary": None},
        "service_tier": "default",
        "store": bool(body.get("store", True)),
        "temperature": 1.0,
        "text": body.get("text") or {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": responses_usage(a),
        "metadata": body.get("metadata") or {},
    }
