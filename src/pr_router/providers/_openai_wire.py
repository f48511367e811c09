"""OpenAI wire mapping: Responses API params out, Response / batch lines in (plain data only).

Kept apart from ``openai.py`` so the mapping is pure and testable without the SDK; the
adapter turns SDK objects into dicts (``to_dict()``) before calling in here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from pr_router.model_settings import settings_for
from pr_router.providers._common import one_line, parse_json
from pr_router.providers.base import BatchItemResult, BatchState, ModelRequest, ModelResponse
from pr_router.tokens import TokenUsage

__all__ = [
    "ENDPOINT",
    "batch_jsonl",
    "batch_line",
    "batch_state",
    "missing_reason",
    "parse_jsonl",
    "response_of",
    "response_params",
    "usage_of",
]

PROVIDER = "openai"
ENDPOINT: Final = "/v1/responses"
_ENDED = {"completed", "expired", "cancelled"}


def response_params(request: ModelRequest) -> dict[str, Any]:
    """The Responses API body for a request (also the ``body`` of a batch line)."""
    # Shared context first, job instructions last: every job on a model sends the same
    # prefix, which is what OpenAI's automatic prefix cache matches.
    parts = [{"type": "input_text", "text": t} for t in (request.shared_context,) if t]
    parts.append({"type": "input_text", "text": request.instructions or "."})
    params: dict[str, Any] = {
        "model": request.model,
        "input": [{"role": "user", "content": parts}],
        "text": {
            "format": {
                "type": "json_schema",
                "name": request.schema_name,
                "schema": dict(request.output_schema),
                "strict": True,
            }
        },
        "max_output_tokens": request.max_output_tokens,
        # PR code and text are not kept on the provider's side beyond the call.
        "store": False,
    }
    if request.system:
        params["instructions"] = request.system
    if request.effort is not None and settings_for(request.model).supports_effort:
        params["reasoning"] = {"effort": request.effort}
    if request.cache_key is not None:
        params["prompt_cache_key"] = request.cache_key
    return params


def _int(data: Any, key: str) -> int:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value if isinstance(value, int) and value > 0 else 0


def usage_of(usage: Mapping[str, Any]) -> TokenUsage:
    """A ``ResponseUsage`` as ``TokenUsage``: ``input`` is what was neither read nor written."""
    details = usage.get("input_tokens_details")
    cached, written = _int(details, "cached_tokens"), _int(details, "cache_write_tokens")
    output = _int(usage, "output_tokens")
    reasoning = min(_int(usage.get("output_tokens_details"), "reasoning_tokens"), output)
    return TokenUsage(
        input=max(_int(usage, "input_tokens") - cached - written, 0),
        cache_write_5m=written,
        cache_read=cached,
        output=output,
        reasoning=reasoning,
    )


def _text_and_stop(response: Mapping[str, Any]) -> tuple[str, str | None]:
    texts, stop = [], None
    for item in response.get("output") or []:
        if not isinstance(item, Mapping) or item.get("type") != "message":
            continue
        for part in item.get("content") or []:
            if not isinstance(part, Mapping):
                continue
            if part.get("type") == "output_text":
                texts.append(str(part.get("text", "")))
            elif part.get("type") == "refusal":
                stop = "refusal"
    incomplete = response.get("incomplete_details")
    if stop is None and isinstance(incomplete, Mapping):
        stop = str(incomplete.get("reason") or "incomplete")
    return "".join(texts), stop or str(response.get("status") or "") or None


def response_of(
    response: Mapping[str, Any],
    custom_id: str,
    *,
    batch: bool = False,
    request_id: str | None = None,
    latency_s: float = 0.0,
) -> ModelResponse:
    """A Response as a ``ModelResponse``; raises ``ValueError`` if it has no usage."""
    usage = response.get("usage")
    if not isinstance(usage, Mapping):
        raise ValueError("the response has no usage object")
    if response.get("status") == "failed":
        error = response.get("error")
        message = error.get("message") if isinstance(error, Mapping) else None
        raise ValueError(f"the response failed: {message or 'no detail'}")
    text, stop = _text_and_stop(response)
    return ModelResponse(
        custom_id=custom_id,
        provider=PROVIDER,
        model=str(response.get("model", "")),
        text=text,
        data=parse_json(text),
        usage=usage_of(usage),
        batch=batch,
        request_id=request_id,
        stop_reason=stop,
        latency_s=latency_s,
    )


def batch_jsonl(requests: Iterable[ModelRequest]) -> bytes:
    """The batch input file: one ``POST /v1/responses`` line per request, no blank lines."""
    lines = [
        {"custom_id": r.custom_id, "method": "POST", "url": ENDPOINT, "body": response_params(r)}
        for r in requests
    ]
    return "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines).encode()


def batch_state(batch: Mapping[str, Any]) -> BatchState:
    """Batch ``status`` as a ``BatchState``."""
    status = batch.get("status")
    if status == "failed":
        return "failed"
    return "ended" if status in _ENDED else "in_progress"


def missing_reason(batch: Mapping[str, Any]) -> BatchItemResult:
    """What happened to requests absent from both files, from the batch's status."""
    status = batch.get("status")
    if status == "expired":
        return BatchItemResult("", "expired", error="the batch expired before this request ran")
    if status in {"cancelled", "cancelling"}:
        return BatchItemResult("", "canceled", error="the batch was cancelled")
    if status == "failed":
        errors = (batch.get("errors") or {}).get("data") or []
        detail = "; ".join(str(e.get("message", "")) for e in errors if isinstance(e, Mapping))
        return BatchItemResult(
            "", "errored", error=one_line(f"batch failed: {detail or 'no detail'}")
        )
    return BatchItemResult("", "errored", error="missing from results")


def _line_error(custom_id: str, error: Mapping[str, Any]) -> BatchItemResult:
    code = str(error.get("code") or "error")
    detail = error.get("message")
    message = one_line(f"{code}: {detail}") if detail else code
    if code == "batch_expired":
        return BatchItemResult(custom_id, "expired", error=message)
    if code == "batch_cancelled":
        return BatchItemResult(custom_id, "canceled", error=message)
    return BatchItemResult(custom_id, "errored", error=message)


def batch_line(line: Mapping[str, Any]) -> BatchItemResult:
    """One line of the output or error file as a ``BatchItemResult``."""
    custom_id = str(line.get("custom_id", ""))
    response = line.get("response")
    error = line.get("error")
    if isinstance(response, Mapping):
        body = response.get("body")
        status = response.get("status_code")
        if status == 200 and isinstance(body, Mapping):
            try:
                result = response_of(
                    body, custom_id, batch=True, request_id=response.get("request_id")
                )
            except ValueError as exc:
                return BatchItemResult(custom_id, "errored", error=one_line(exc))
            return BatchItemResult(custom_id, "succeeded", response=result)
        inner = body.get("error") if isinstance(body, Mapping) else None
        if isinstance(inner, Mapping):
            return _line_error(custom_id, {**inner, "code": inner.get("code") or f"HTTP {status}"})
        return BatchItemResult(custom_id, "errored", error=f"HTTP {status}")
    if isinstance(error, Mapping):
        return _line_error(custom_id, error)
    return BatchItemResult(custom_id, "errored", error="result line without response or error")


def parse_jsonl(text: str) -> list[BatchItemResult]:
    """Every non-blank line of an output or error file; unreadable lines are skipped."""
    results = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            continue  # its custom id is unknown; complete_results reports it as missing
        if isinstance(line, Mapping):
            results.append(batch_line(line))
    return results
