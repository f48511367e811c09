"""The emulated Anthropic API: Messages (plain and streamed), count_tokens and batches."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pr_router.emulator.anthropic_batches import AnthropicBatches
from pr_router.emulator.anthropic_messages import (
    VERSIONS,
    MessagesRequest,
    build_message,
    parse_messages,
)
from pr_router.emulator.http import Request, Response, json_response
from pr_router.emulator.provider import ProviderAPI
from pr_router.emulator.runtime import Ctx, Runtime

__all__ = ["AnthropicAPI"]

STREAM_CHUNK_CHARS = 48
SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}
FINAL_USAGE_KEYS = (
    "input_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
    "output_tokens",
    "output_tokens_details",
)


class AnthropicAPI(ProviderAPI):
    """Handler for ``/v1/messages...`` on the emulator's root."""

    provider = "anthropic"
    request_id_header = "request-id"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.router.add("POST", r"/v1/messages", self._messages, generates=True)
        self.router.add("POST", r"/v1/messages/count_tokens", self._count_tokens)
        self.batches = AnthropicBatches(runtime, self.router)

    def check(self, request: Request, rid: str) -> Response | None:
        """Either auth header style; a supported ``anthropic-version``."""
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not (request.headers.get("x-api-key") or bearer):
            return self.error(401, "x-api-key header is required", rid)
        version = request.headers.get("anthropic-version")
        if version is None:
            return self.error(400, "anthropic-version: header is required", rid)
        if version not in VERSIONS:
            return self.error(400, f"anthropic-version: unknown version {version!r}", rid)
        return None

    def _parse(self, ctx: Ctx, *, count_only: bool = False) -> MessagesRequest:
        return parse_messages(
            ctx.json(),
            version=ctx.request.headers.get("anthropic-version", ""),
            schema_in_prefix=self.rt.scenario.schema_in_cache_prefix,
            count_only=count_only,
        )

    def _messages(self, ctx: Ctx) -> Response:
        req = self._parse(ctx)
        rule = self.rt.scenario.pick(req.call)
        if rule is not None and rule.fault is not None:
            return self.fault(rule, ctx.request_id)
        latency, ttft = self.rt.scenario.timing(rule)
        now = self.rt.clock.now()
        message = build_message(self.rt, req, rule, now=now, ready_at=now + ttft)
        if req.stream:
            events = self._events(message, start=now, ttft=ttft, latency=latency)
            return Response(200, headers=dict(SSE_HEADERS), stream=events)
        response = json_response(message)
        response.delay_s = latency
        return response

    def _count_tokens(self, ctx: Ctx) -> Response:
        return json_response({"input_tokens": self._parse(ctx, count_only=True).input_tokens})

    def _events(
        self, message: dict[str, Any], *, start: float, ttft: float, latency: float
    ) -> Iterator[bytes]:
        """message_start after the time to first token, the rest after the full latency."""
        usage = message["usage"]
        head_usage = {k: v for k, v in usage.items() if k != "output_tokens_details"}
        head = {
            **message,
            "content": [],
            "stop_reason": None,
            "usage": {**head_usage, "output_tokens": 1},
        }
        if not self.rt.clock.sleep_until(start + ttft, self.rt.stopping):
            return
        yield _sse("message_start", {"type": "message_start", "message": head})
        if not self.rt.clock.sleep_until(start + latency, self.rt.stopping):
            return
        block = {"type": "text", "text": ""}
        yield _sse(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": block},
        )
        yield _sse("ping", {"type": "ping"})
        text = message["content"][0]["text"]
        for i in range(0, len(text), STREAM_CHUNK_CHARS):
            delta = {"type": "text_delta", "text": text[i : i + STREAM_CHUNK_CHARS]}
            yield _sse(
                "content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}
            )
        yield _sse("content_block_stop", {"type": "content_block_stop", "index": 0})
        final = {k: usage[k] for k in FINAL_USAGE_KEYS if k in usage}
        delta = {"stop_reason": message["stop_reason"], "stop_sequence": None}
        yield _sse("message_delta", {"type": "message_delta", "delta": delta, "usage": final})
        yield _sse("message_stop", {"type": "message_stop"})


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
