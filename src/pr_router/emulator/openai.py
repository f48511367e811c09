"""The emulated OpenAI API: Chat Completions (plain and streamed), Responses, Files, Batches."""

from __future__ import annotations

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
from pr_router.emulator.openai_streams import chat_chunks, response_events
from pr_router.emulator.provider import ProviderAPI
from pr_router.emulator.runtime import Ctx, Runtime

__all__ = ["OpenAIAPI"]

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
            timing = {"start": now, "ttft": ttft, "latency": latency}
            if req.kind == "responses":
                events = response_events(self.rt, body, **timing)
            else:
                events = chat_chunks(self.rt, body, req.include_usage, **timing)
            return Response(200, headers=dict(SSE_HEADERS), stream=events)
        response = json_response(body, headers={"openai-processing-ms": str(int(latency * 1000))})
        response.delay_s = latency
        return response
