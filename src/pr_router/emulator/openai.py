"""The emulated OpenAI API: Chat Completions (plain and streamed), Responses, Files, Batches."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pr_router.emulator.http import Response, json_response
from pr_router.emulator.openai_batches import OpenAIBatches
from pr_router.emulator.openai_files import OpenAIFiles
from pr_router.emulator.openai_models import (
    OpenAIRequest,
    answer,
    chat_body,
    parse_chat,
    parse_responses,
    responses_body,
)
from pr_router.emulator.provider import ProviderAPI
from pr_router.emulator.runtime import Ctx, Runtime

__all__ = ["OpenAIAPI"]

STREAM_CHUNK_CHARS = 48
SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}


class OpenAIAPI(ProviderAPI):
    """Handler for the OpenAI routes under ``/v1`` on the emulator's root."""

    provider = "openai"
    request_id_header = "x-request-id"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.router.add("POST", r"/v1/chat/completions", self._chat, generates=True)
        self.router.add("POST", r"/v1/responses", self._responses, generates=True)
        self.files = OpenAIFiles(runtime, self.router)
        self.batches = OpenAIBatches(runtime, self.router, self.files)

    def _chat(self, ctx: Ctx) -> Response:
        req = parse_chat(ctx.json(), schema_in_prefix=self.rt.scenario.schema_in_cache_prefix)
        return self._generate(ctx, req)

    def _responses(self, ctx: Ctx) -> Response:
        req = parse_responses(ctx.json(), schema_in_prefix=self.rt.scenario.schema_in_cache_prefix)
        return self._generate(ctx, req)

    def _generate(self, ctx: Ctx, req: OpenAIRequest) -> Response:
        rule = self.rt.scenario.pick(req.call)
        if rule is not None and rule.fault is not None:
            return self.fault(rule, ctx.request_id)
        latency, ttft = self.rt.scenario.timing(rule)
        now = self.rt.clock.now()
        result = answer(self.rt, req, rule, now=now, ready_at=now + ttft)
        if req.kind == "responses":
            body = responses_body(self.rt, req, result)
        else:
            body = chat_body(self.rt, req, result)
        if req.stream:
            chunks = self._chunks(body, req.include_usage, start=now, ttft=ttft, latency=latency)
            return Response(200, headers=dict(SSE_HEADERS), stream=chunks)
        response = json_response(body, headers={"openai-processing-ms": str(int(latency * 1000))})
        response.delay_s = latency
        return response

    def _chunks(
        self,
        body: dict[str, Any],
        include_usage: bool,
        *,
        start: float,
        ttft: float,
        latency: float,
    ) -> Iterator[bytes]:
        """The first chunk after the time to first token, the rest after the full latency."""
        base = {
            k: body[k] for k in ("id", "created", "model", "service_tier", "system_fingerprint")
        }
        base["object"] = "chat.completion.chunk"
        if include_usage:
            base["usage"] = None
        choice = body["choices"][0]

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            data = {
                **base,
                "choices": [
                    {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
                ],
            }
            return _sse(data)

        if not self.rt.clock.sleep_until(start + ttft, self.rt.stopping):
            return
        yield chunk({"role": "assistant", "content": "", "refusal": None})
        if not self.rt.clock.sleep_until(start + latency, self.rt.stopping):
            return
        text = choice["message"]["content"]
        for i in range(0, len(text), STREAM_CHUNK_CHARS):
            yield chunk({"content": text[i : i + STREAM_CHUNK_CHARS]})
        yield chunk({}, choice["finish_reason"])
        if include_usage:
            yield _sse({**base, "choices": [], "usage": body["usage"]})
        yield b"data: [DONE]\n\n"


def _sse(data: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(data)}\n\n".encode()
