"""Server-sent event streams of the OpenAI API: Chat Completions chunks and Responses events.

Timing follows the real APIs: ``response.created`` goes out as soon as the request is
accepted, the first output after the time to first token, the rest after the full latency.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pr_router.emulator.runtime import Runtime

__all__ = ["chat_chunks", "response_events"]

CHUNK_CHARS = 48


def _data(data: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(data)}\n\n".encode()


def _event(data: dict[str, Any]) -> bytes:
    return f"event: {data['type']}\ndata: {json.dumps(data)}\n\n".encode()


def _pieces(text: str) -> list[str]:
    return [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)]


def chat_chunks(
    rt: Runtime,
    body: dict[str, Any],
    include_usage: bool,
    *,
    start: float,
    ttft: float,
    latency: float,
) -> Iterator[bytes]:
    """``chat.completion.chunk`` events, then the usage chunk if asked, then ``[DONE]``."""
    base = {k: body[k] for k in ("id", "created", "model", "service_tier", "system_fingerprint")}
    base["object"] = "chat.completion.chunk"
    if include_usage:
        base["usage"] = None
    choice = body["choices"][0]

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        choices = [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]
        return _data({**base, "choices": choices})

    if not rt.clock.sleep_until(start + ttft, rt.stopping):
        return
    yield chunk({"role": "assistant", "content": "", "refusal": None})
    if not rt.clock.sleep_until(start + latency, rt.stopping):
        return
    for piece in _pieces(choice["message"]["content"]):
        yield chunk({"content": piece})
    yield chunk({}, choice["finish_reason"])
    if include_usage:
        yield _data({**base, "choices": [], "usage": body["usage"]})
    yield b"data: [DONE]\n\n"


def response_events(
    rt: Runtime, body: dict[str, Any], *, start: float, ttft: float, latency: float
) -> Iterator[bytes]:
    """The Responses API event stream, ending in ``response.completed`` (or ``incomplete``)."""
    seq = iter(range(1_000_000))
    pending = {**body, "status": "in_progress", "output": [], "usage": None, "completed_at": None}
    pending["incomplete_details"] = None
    yield _event({"type": "response.created", "sequence_number": next(seq), "response": pending})
    yield _event(
        {"type": "response.in_progress", "sequence_number": next(seq), "response": pending}
    )
    if not rt.clock.sleep_until(start + ttft, rt.stopping):
        return
    items = body["output"]
    for index, item in enumerate(items[:-1]):  # reasoning
        yield _event(
            {
                "type": "response.output_item.added",
                "sequence_number": next(seq),
                "output_index": index,
                "item": item,
            }
        )
        yield _event(
            {
                "type": "response.output_item.done",
                "sequence_number": next(seq),
                "output_index": index,
                "item": item,
            }
        )
    index, message = len(items) - 1, items[-1]
    part = message["content"][0]
    where = {"item_id": message["id"], "output_index": index, "content_index": 0}
    added = {**message, "status": "in_progress", "content": []}
    yield _event(
        {
            "type": "response.output_item.added",
            "sequence_number": next(seq),
            "output_index": index,
            "item": added,
        }
    )
    empty = {**part, "text": ""}
    yield _event(
        {
            "type": "response.content_part.added",
            "sequence_number": next(seq),
            **where,
            "part": empty,
        }
    )
    if not rt.clock.sleep_until(start + latency, rt.stopping):
        return
    for piece in _pieces(part["text"]):
        delta = {"type": "response.output_text.delta", "sequence_number": next(seq), **where}
        yield _event({**delta, "delta": piece, "logprobs": []})
    done = {"type": "response.output_text.done", "sequence_number": next(seq), **where}
    yield _event({**done, "text": part["text"], "logprobs": []})
    yield _event(
        {"type": "response.content_part.done", "sequence_number": next(seq), **where, "part": part}
    )
    yield _event(
        {
            "type": "response.output_item.done",
            "sequence_number": next(seq),
            "output_index": index,
            "item": message,
        }
    )
    final = "response.completed" if body["status"] == "completed" else "response.incomplete"
    yield _event({"type": final, "sequence_number": next(seq), "response": body})
