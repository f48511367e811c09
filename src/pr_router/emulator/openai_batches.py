"""The emulated OpenAI Batch API, with its lifecycle on the emulator clock.

Input lines are checked and every request is answered when the batch is created (through
the same prompt cache as synchronous calls); the output and error files appear once the
batch has finished.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from pr_router.emulator.http import Response, json_response
from pr_router.emulator.openai_batch_lines import BatchLine, read_lines, run_line
from pr_router.emulator.openai_files import OpenAIFiles
from pr_router.emulator.provider import InvalidRequest
from pr_router.emulator.runtime import Ctx, Router, Runtime
from pr_router.emulator.scenario import Rule

__all__ = ["OpenAIBatches"]

ENDPOINTS = ("/v1/chat/completions", "/v1/responses")
WINDOW_S = 24 * 3600.0
CANCEL_S = 1.0  # a cancelled batch stays "cancelling" this long
MAX_METADATA = 16


@dataclass(slots=True)
class _Batch:
    id: str
    body: dict[str, Any]  # the create request
    created: float
    wall: float
    end: float  # when it finishes (or expires, or fails validation) on its own
    outcome: str  # "completed", "expired" or "failed"
    errors: list[dict[str, Any]]
    lines: list[BatchLine]
    model: str | None
    cancel_at: float | None = None
    files: dict[str, str | None] = field(default_factory=dict)  # output/error file ids once made

    @property
    def phase_s(self) -> float:
        """How long validating (and finalizing) last: a tenth of the run, at most 1 s."""
        return min(1.0, (self.end - self.created) / 10)

    def status(self, now: float) -> str:
        """The batch status at clock time ``now``."""
        if self.outcome == "failed":
            return "validating" if now < self.created + self.phase_s else "failed"
        if self.cancel_at is not None and self.cancel_at + CANCEL_S < self.end:
            return "cancelling" if now < self.cancel_at + CANCEL_S else "cancelled"
        if now < self.created + self.phase_s:
            return "validating"
        if now >= self.end:
            return self.outcome
        if self.outcome == "completed" and now >= self.end - self.phase_s:
            return "finalizing"
        return "in_progress"


class OpenAIBatches:
    """Routes and state of ``/v1/batches``."""

    def __init__(self, runtime: Runtime, router: Router, files: OpenAIFiles) -> None:
        self.rt = runtime
        self.files = files
        self._batches: dict[str, _Batch] = {}
        self._lock = threading.Lock()
        router.add("POST", r"/v1/batches", self._create)
        router.add("GET", r"/v1/batches", self._list)
        router.add("GET", r"/v1/batches/(?P<id>[^/]+)", self._retrieve)
        router.add("POST", r"/v1/batches/(?P<id>[^/]+)/cancel", self._cancel)

    def _create(self, ctx: Ctx) -> Response:
        body = ctx.json()
        if not isinstance(body, dict):
            raise InvalidRequest("The request body must be a JSON object.")
        endpoint = body.get("endpoint")
        if endpoint not in ENDPOINTS:
            raise InvalidRequest(
                f"Invalid value for 'endpoint': the emulator supports {', '.join(ENDPOINTS)}.",
                param="endpoint",
            )
        if body.get("completion_window") != "24h":
            raise InvalidRequest(
                "Invalid value for 'completion_window': only '24h' is supported.",
                param="completion_window",
            )
        if len(body.get("metadata") or {}) > MAX_METADATA:
            raise InvalidRequest("Invalid 'metadata': at most 16 keys.", param="metadata")
        source = self.files.get(str(body.get("input_file_id")))
        if source.purpose != "batch":
            raise InvalidRequest("The input file must have purpose 'batch'.", param="input_file_id")
        lines, errors = read_lines(
            source.content, str(endpoint), self.rt.scenario.schema_in_cache_prefix, self.rt.ids
        )
        batch = self._start(body, lines, errors)
        with self._lock:
            self._batches[batch.id] = batch
        return json_response(self._render(batch))

    def _start(
        self, body: dict[str, Any], lines: list[BatchLine], errors: list[dict[str, Any]]
    ) -> _Batch:
        now = self.rt.clock.now()
        calls = [
            dataclasses.replace(x.req.call, custom_id=x.custom_id)
            for x in lines
            if x.req is not None
        ]
        rule = self.rt.scenario.pick_batch("/v1/batches", calls) if not errors else None
        outcome, duration = _plan(rule, self.rt.scenario.batch_duration_s)
        if errors:
            outcome = "failed"
        elif outcome == "failed":
            errors = [
                {
                    "code": "invalid_request",
                    "line": None,
                    "message": "The batch failed validation (emulated).",
                    "param": None,
                }
            ]
        if outcome == "completed":
            lines = [run_line(self.rt, x, now) for x in lines]
        model = next((x.req.call.model for x in lines if x.req is not None), None)
        return _Batch(
            self.rt.ids.new("batch_"),
            body,
            now,
            self.rt.clock.time(),
            now + duration,
            outcome,
            errors,
            lines,
            model,
        )

    def _get(self, ctx: Ctx) -> _Batch:
        with self._lock:
            batch = self._batches.get(ctx.match["id"])
        if batch is None:
            raise InvalidRequest(
                f"No batch found with id '{ctx.match['id']}'.", status=404, param="batch_id"
            )
        return batch

    def _retrieve(self, ctx: Ctx) -> Response:
        return json_response(self._render(self._get(ctx)))

    def _cancel(self, ctx: Ctx) -> Response:
        batch = self._get(ctx)
        now = self.rt.clock.now()
        with self._lock:
            status = batch.status(now)
            if status not in {"validating", "in_progress", "finalizing", "cancelling"}:
                raise InvalidRequest(f"Cannot cancel a batch with status '{status}'.", status=409)
            if batch.cancel_at is None:
                batch.cancel_at = now
        return json_response(self._render(batch))

    def _list(self, ctx: Ctx) -> Response:
        query = ctx.request.query
        limit = int((query.get("limit") or ["20"])[0])
        with self._lock:
            batches = sorted(self._batches.values(), key=lambda b: (b.created, b.id), reverse=True)
        if query.get("after"):
            ids = [b.id for b in batches]
            after = query["after"][0]
            batches = batches[ids.index(after) + 1 :] if after in ids else []
        page = batches[:limit]
        return json_response(
            {
                "object": "list",
                "data": [self._render(b) for b in page],
                "first_id": page[0].id if page else None,
                "last_id": page[-1].id if page else None,
                "has_more": len(batches) > limit,
            }
        )

    def _render(self, batch: _Batch) -> dict[str, Any]:
        now = self.rt.clock.now()
        status = batch.status(now)
        done = status in {"completed", "expired", "cancelled"}
        if done:
            self._materialize(batch, status)

        def wall(t: float) -> int:
            return int(batch.wall + (t - batch.created))

        stamps = _timestamps(batch, status, now)
        results = _final_lines(batch, status) if done else []
        ok = sum(1 for x in results if x.ok)
        return {
            "id": batch.id,
            "object": "batch",
            "endpoint": batch.body["endpoint"],
            "model": batch.model,
            "errors": {"object": "list", "data": batch.errors} if batch.errors else None,
            "input_file_id": batch.body["input_file_id"],
            "completion_window": "24h",
            "status": status,
            "output_file_id": batch.files.get("output"),
            "error_file_id": batch.files.get("error"),
            "created_at": wall(batch.created),
            "expires_at": wall(batch.created + WINDOW_S),
            **{name: (wall(t) if t is not None else None) for name, t in stamps.items()},
            "request_counts": {
                "total": len(batch.lines),
                "completed": ok,
                "failed": len(results) - ok,
            },
            "usage": _usage(results) if done else None,
            "metadata": batch.body.get("metadata"),
        }

    def _materialize(self, batch: _Batch, status: str) -> None:
        with self._lock:
            if batch.files:
                return
            results = _final_lines(batch, status)
            for kind, ok in (("output", True), ("error", False)):
                chosen = [x.output for x in results if x.ok is ok and x.output is not None]
                if chosen:
                    content = ("\n".join(_dumps(o) for o in chosen) + "\n").encode()
                    stored = self.files.add(f"{batch.id}_{kind}.jsonl", "batch_output", content)
                    batch.files[kind] = stored.id
                else:
                    batch.files[kind] = None


def _plan(rule: Rule | None, default: float) -> tuple[str, float]:
    outcome = "completed"
    duration = default
    if rule is not None:
        if rule.batch is not None:
            outcome = rule.batch
            if outcome == "expired":
                duration = WINDOW_S
        if rule.batch_duration_s is not None:
            duration = rule.batch_duration_s
    if duration >= WINDOW_S and outcome == "completed":
        outcome = "expired"
    return outcome, min(duration, WINDOW_S)


def _final_lines(batch: _Batch, status: str) -> list[BatchLine]:
    if status == "expired":
        return [
            x.ended(
                "batch_expired",
                "This request could not be executed before the completion window expired.",
            )
            for x in batch.lines
        ]
    if status == "cancelled":
        return [
            x.ended("batch_cancelled", "This request was cancelled before it ran.")
            for x in batch.lines
        ]
    return batch.lines


def _timestamps(batch: _Batch, status: str, now: float) -> dict[str, float | None]:
    stamps: dict[str, float | None] = dict.fromkeys(
        (
            "in_progress_at",
            "finalizing_at",
            "completed_at",
            "failed_at",
            "expired_at",
            "cancelling_at",
            "cancelled_at",
        )
    )
    started = batch.created + batch.phase_s
    if status == "failed":
        stamps["failed_at"] = started
        return stamps
    if now >= started and (batch.cancel_at is None or batch.cancel_at >= started):
        stamps["in_progress_at"] = started
    if status in {"finalizing", "completed"}:
        stamps["finalizing_at"] = batch.end - batch.phase_s
    if status == "completed":
        stamps["completed_at"] = batch.end
    if status == "expired":
        stamps["expired_at"] = batch.end
    if batch.cancel_at is not None and status in {"cancelling", "cancelled"}:
        stamps["cancelling_at"] = batch.cancel_at
        if status == "cancelled":
            stamps["cancelled_at"] = batch.cancel_at + CANCEL_S
    return stamps


def _usage(lines: list[BatchLine]) -> dict[str, Any]:
    totals = {"input": 0, "cached": 0, "output": 0, "reasoning": 0}
    for x in lines:
        if x.ok and x.usage is not None:
            for key in totals:
                totals[key] += x.usage[key]
    return {
        "input_tokens": totals["input"],
        "input_tokens_details": {"cached_tokens": totals["cached"]},
        "output_tokens": totals["output"],
        "output_tokens_details": {"reasoning_tokens": totals["reasoning"]},
        "total_tokens": totals["input"] + totals["output"],
    }


def _dumps(obj: Any) -> str:
    return json.dumps(obj)
