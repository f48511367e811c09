"""Anthropic wire mapping: request params out, Message / batch results in (plain data only).

Kept apart from ``anthropic.py`` so the mapping is pure and testable without the SDK; the
adapter turns SDK objects into dicts (``to_dict()``) before calling in here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pr_router.model_settings import settings_for
from pr_router.providers._common import one_line, parse_json
from pr_router.providers.base import BatchItemResult, BatchState, ModelRequest, ModelResponse
from pr_router.tokens import TokenUsage

__all__ = ["batch_item", "batch_state", "message_params", "response_of", "usage_of"]

PROVIDER = "anthropic"


def _user_content(request: ModelRequest) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if request.shared_context:
        shared: dict[str, Any] = {"type": "text", "text": request.shared_context}
        if request.cache_key is not None:
            # The breakpoint goes after the shared PR context: everything up to here is the
            # prefix other jobs on this model reuse.
            shared["cache_control"] = {"type": "ephemeral", "ttl": request.cache_ttl}
        blocks.append(shared)
    # The API rejects empty text blocks; a job always has some instructions.
    blocks.append({"type": "text", "text": request.instructions or "."})
    return blocks


def message_params(request: ModelRequest) -> dict[str, Any]:
    """The Messages API body for a request (also the ``params`` of a batch item)."""
    schema = {**request.output_schema, "title": request.schema_name}
    output_config: dict[str, Any] = {"format": {"type": "json_schema", "schema": schema}}
    if request.effort is not None and settings_for(request.model).supports_effort:
        output_config["effort"] = request.effort
    params: dict[str, Any] = {
        "model": request.model,
        "max_tokens": request.max_output_tokens,
        "messages": [{"role": "user", "content": _user_content(request)}],
        "output_config": output_config,
    }
    if request.system:
        params["system"] = _system(request)
    return params


def _system(request: ModelRequest) -> str | list[dict[str, Any]]:
    """The system text; a block with its own breakpoint when the prefix is cached across
    runs (an entry of 1h must come before one of 5m: a 5m prefix before a 1h context is not
    marked)."""
    ttl = request.prefix_ttl
    if ttl is None or (ttl == "5m" and request.cache_key is not None and request.cache_ttl == "1h"):
        return request.system
    control = {"type": "ephemeral", "ttl": ttl}
    return [{"type": "text", "text": request.system, "cache_control": control}]


def _int(data: Mapping[str, Any] | None, key: str) -> int:
    value = (data or {}).get(key)
    return value if isinstance(value, int) and value > 0 else 0


def usage_of(usage: Mapping[str, Any]) -> TokenUsage:
    """A Message ``usage`` object as ``TokenUsage``.

    ``cache_creation`` splits writes by TTL; without it, every write counts as 5m.
    """
    creation = usage.get("cache_creation")
    if isinstance(creation, Mapping):
        write_5m = _int(creation, "ephemeral_5m_input_tokens")
        write_1h = _int(creation, "ephemeral_1h_input_tokens")
    else:
        write_5m, write_1h = _int(usage, "cache_creation_input_tokens"), 0
    output = _int(usage, "output_tokens")
    details = usage.get("output_tokens_details")
    reasoning = min(
        _int(details if isinstance(details, Mapping) else None, "thinking_tokens"), output
    )
    return TokenUsage(
        input=_int(usage, "input_tokens"),
        cache_write_5m=write_5m,
        cache_write_1h=write_1h,
        cache_read=_int(usage, "cache_read_input_tokens"),
        output=output,
        reasoning=reasoning,
    )


def response_of(
    message: Mapping[str, Any],
    custom_id: str,
    *,
    batch: bool = False,
    request_id: str | None = None,
    latency_s: float = 0.0,
) -> ModelResponse:
    """A Message as a ``ModelResponse``; raises ``ValueError`` if it has no usage."""
    usage = message.get("usage")
    if not isinstance(usage, Mapping):
        raise ValueError("the message has no usage object")
    text = "".join(
        str(block.get("text", ""))
        for block in message.get("content") or []
        if isinstance(block, Mapping) and block.get("type") == "text"
    )
    return ModelResponse(
        custom_id=custom_id,
        provider=PROVIDER,
        model=str(message.get("model", "")),
        text=text,
        data=parse_json(text),
        usage=usage_of(usage),
        batch=batch,
        request_id=request_id,
        stop_reason=message.get("stop_reason"),
        latency_s=latency_s,
    )


def batch_state(batch: Mapping[str, Any]) -> BatchState:
    """``processing_status`` as a ``BatchState`` (a canceled batch also ends)."""
    return "ended" if batch.get("processing_status") == "ended" else "in_progress"


def _error_text(error: Any) -> str:
    # ErrorResponse: {"type": "error", "error": {"type": ..., "message": ...}}
    inner = error.get("error") if isinstance(error, Mapping) else None
    if isinstance(inner, Mapping):
        return one_line(f"{inner.get('type', 'error')}: {inner.get('message', '')}")
    return "errored (no error detail)"


def batch_item(line: Mapping[str, Any]) -> BatchItemResult:
    """One line of the results file as a ``BatchItemResult``."""
    custom_id = str(line.get("custom_id", ""))
    result = line.get("result")
    kind = result.get("type") if isinstance(result, Mapping) else None
    if kind == "succeeded" and isinstance(result, Mapping):
        message = result.get("message")
        try:
            response = response_of(message or {}, custom_id, batch=True)
        except ValueError as exc:
            return BatchItemResult(custom_id, "errored", error=f"malformed result: {exc}")
        return BatchItemResult(custom_id, "succeeded", response=response)
    if kind == "errored" and isinstance(result, Mapping):
        return BatchItemResult(custom_id, "errored", error=_error_text(result.get("error")))
    if kind == "canceled":
        return BatchItemResult(custom_id, "canceled", error="the batch was canceled")
    if kind == "expired":
        return BatchItemResult(custom_id, "expired", error="the batch expired before it ran")
    return BatchItemResult(custom_id, "errored", error=f"unknown result type {kind!r}")
