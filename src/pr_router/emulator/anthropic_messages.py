"""Anthropic Messages: request parsing, usage with prompt caching, and the Message body."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pr_router.emulator.cache import AnthropicCacheUsage, Segment
from pr_router.emulator.generate import Completion, complete, prompt_text
from pr_router.emulator.provider import InvalidRequest
from pr_router.emulator.runtime import Runtime
from pr_router.emulator.scenario import Call, Rule
from pr_router.tokens import estimate_tokens

__all__ = ["MessagesRequest", "build_message", "parse_messages", "usage_dict"]

VERSIONS = ("2023-06-01", "2026-10-21")
SAMPLING_PARAMS = ("temperature", "top_p", "top_k")
EFFORTS = ("low", "medium", "high", "xhigh", "max")
TTLS = {"5m": 300.0, "1h": 3600.0}
MAX_BREAKPOINTS = 4


@dataclass(frozen=True, slots=True)
class MessagesRequest:
    """A validated Messages request, ready to answer."""

    call: Call
    segments: tuple[Segment, ...]
    effort: str | None
    max_tokens: int | None
    stream: bool

    @property
    def input_tokens(self) -> int:
        """Every prompt token (what count_tokens answers)."""
        return sum(s.tokens for s in self.segments)


def parse_messages(
    body: Any, *, version: str, schema_in_prefix: bool, count_only: bool = False
) -> MessagesRequest:
    """Validate a Messages (or count_tokens) body; raises ``InvalidRequest``."""
    if not isinstance(body, Mapping):
        raise InvalidRequest("The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidRequest("model: Field required")
    max_tokens = body.get("max_tokens")
    if not count_only and (not isinstance(max_tokens, int) or max_tokens < 1):
        raise InvalidRequest("max_tokens: Field required (an integer of at least 1)")
    if version == "2026-10-21":
        for name in SAMPLING_PARAMS:
            if name in body:
                raise InvalidRequest(f"{name}: not supported with anthropic-version {version}")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidRequest("messages: Field required (a non-empty list)")
    schema = _output_schema(body)
    effort = _effort(body)
    segments = _segments(body, messages, schema, schema_in_prefix)
    job = str(schema["title"]) if schema and isinstance(schema.get("title"), str) else None
    prompt = "\n".join(
        [prompt_text(body.get("system")), *(prompt_text(m.get("content")) for m in messages)]
    )
    call = Call("anthropic", "/v1/messages", model, job, prompt, schema, body)
    return MessagesRequest(
        call, segments, effort, None if count_only else max_tokens, bool(body.get("stream"))
    )


def _output_schema(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    config = body.get("output_config") or {}
    if not isinstance(config, Mapping):
        raise InvalidRequest("output_config: must be an object")
    fmt = config.get("format")
    if fmt is None:
        return None
    if not isinstance(fmt, Mapping) or fmt.get("type") != "json_schema":
        raise InvalidRequest("output_config.format.type: must be 'json_schema'")
    schema = fmt.get("schema")
    if not isinstance(schema, Mapping):
        raise InvalidRequest("output_config.format.schema: Field required")
    return schema


def _effort(body: Mapping[str, Any]) -> str | None:
    config = body.get("output_config") or {}
    effort = config.get("effort")
    if effort is not None and effort not in EFFORTS:
        raise InvalidRequest(f"output_config.effort: must be one of {', '.join(EFFORTS)}")
    thinking = body.get("thinking")
    if (
        effort is None
        and isinstance(thinking, Mapping)
        and thinking.get("type") in {"enabled", "adaptive"}
    ):
        effort = "medium"
    return str(effort) if effort is not None else None


def _ttl(block: Any, where: str) -> float | None:
    if not isinstance(block, Mapping) or block.get("cache_control") is None:
        return None
    control = block["cache_control"]
    if not isinstance(control, Mapping) or control.get("type") != "ephemeral":
        raise InvalidRequest(f"{where}.cache_control.type: must be 'ephemeral'")
    ttl = control.get("ttl", "5m")
    if ttl not in TTLS:
        raise InvalidRequest(f"{where}.cache_control.ttl: must be '5m' or '1h'")
    return TTLS[ttl]


def _segment(block: Any, where: str, prefix: str = "") -> Segment:
    if isinstance(block, Mapping):
        clean = {k: v for k, v in block.items() if k != "cache_control"}
        text = (
            clean["text"]
            if isinstance(clean.get("text"), str)
            else json.dumps(clean, sort_keys=True)
        )
        key = prefix + json.dumps(clean, sort_keys=True)
    else:
        text = str(block)
        key = prefix + json.dumps({"type": "text", "text": text})
    return Segment(key, estimate_tokens(text), _ttl(block, where))


def _segments(
    body: Mapping[str, Any],
    messages: list[Any],
    schema: Mapping[str, Any] | None,
    schema_in_prefix: bool,
) -> tuple[Segment, ...]:
    out: list[Segment] = []
    schema_seg = None
    if schema is not None:
        text = json.dumps(schema, sort_keys=True)
        schema_seg = Segment("schema:" + text, estimate_tokens(text))
        if schema_in_prefix:
            out.append(schema_seg)
    for i, tool in enumerate(body.get("tools") or []):
        out.append(_segment(tool, f"tools.{i}", "tool:"))
    system = body.get("system")
    if isinstance(system, list):
        out.extend(_segment(b, f"system.{i}", "system:") for i, b in enumerate(system))
    elif system:
        out.append(_segment(str(system), "system", "system:"))
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping) or message.get("role") not in {"user", "assistant"}:
            raise InvalidRequest(f"messages.{i}.role: must be 'user' or 'assistant'")
        content = message.get("content")
        blocks = content if isinstance(content, list) else [content or ""]
        for j, block in enumerate(blocks):
            out.append(_segment(block, f"messages.{i}.content.{j}", f"{message['role']}:"))
    top = _ttl(body, "request")
    if top is not None and out:
        last = out[-1]
        out[-1] = Segment(last.key, last.tokens, last.ttl_s or top)
    found = sum(1 for s in out if s.ttl_s is not None)
    if found > MAX_BREAKPOINTS:
        raise InvalidRequest(
            f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {found}."
        )
    if schema_seg is not None and not schema_in_prefix:
        out.append(schema_seg)
    return tuple(out)


def usage_dict(cache: AnthropicCacheUsage, done: Completion, service_tier: str) -> dict[str, Any]:
    """The ``usage`` object of a Message."""
    usage: dict[str, Any] = {
        "input_tokens": cache.uncached,
        "cache_creation_input_tokens": cache.write_5m + cache.write_1h,
        "cache_read_input_tokens": cache.read,
        "cache_creation": {
            "ephemeral_5m_input_tokens": cache.write_5m,
            "ephemeral_1h_input_tokens": cache.write_1h,
        },
        "output_tokens": done.output_tokens,
        "service_tier": service_tier,
        "inference_geo": "not_available",
    }
    if done.reasoning_tokens:
        usage["output_tokens_details"] = {"thinking_tokens": done.reasoning_tokens}
    return usage


def build_message(
    rt: Runtime,
    req: MessagesRequest,
    rule: Rule | None,
    *,
    now: float,
    ready_at: float,
    service_tier: str = "standard",
) -> dict[str, Any]:
    """Answer a request: run the prompt through the cache and produce the Message body."""
    assert req.call.model is not None
    cache = rt.cache.anthropic(req.call.model, req.segments, now=now, ready_at=ready_at)
    done = complete(req.call, rule, effort=req.effort, max_tokens=req.max_tokens)
    return {
        "id": rt.ids.new("msg_"),
        "type": "message",
        "role": "assistant",
        "model": req.call.model,
        "content": [{"type": "text", "text": done.text}],
        "stop_reason": "max_tokens" if done.truncated else "end_turn",
        "stop_sequence": None,
        "usage": usage_dict(cache, done, service_tier),
    }
