"""The emulated Anthropic Message Batches API, with its lifecycle on the emulator clock.

Every item is answered when the batch is created (through the same prompt cache as the
synchronous calls); the results only show once the batch has ended.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pr_router.emulator.anthropic_messages import MessagesRequest, build_message, parse_messages
from pr_router.emulator.errors import ANTHROPIC_TYPES
from pr_router.emulator.http import Response, json_response
from pr_router.emulator.provider import InvalidRequest
from pr_router.emulator.runtime import Ctx, Router, Runtime
from pr_router.emulator.scenario import Rule

__all__ = ["AnthropicBatches"]

ENDPOINT = "/v1/messages/batches"
CUSTOM_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
MAX_REQUESTS = 100_000
WINDOW_S = 24 * 3600.0
CANCEL_S = 1.0  # a cancelled batch stays "canceling" this long
FAULT_ERRORS = {
    "429": 429,
    "529": 529,
    "500": 500,
    "no-retry": 500,
    "timeout": 504,
    "malformed": 500,
}


def rfc3339(epoch: float) -> str:
    """An RFC 3339 UTC timestamp, as the Anthropic API writes them."""
    return (
        datetime.fromtimestamp(epoch, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    )


@dataclass(slots=True)
class _Batch:
    id: str
    created: float  # clock.now() at creation
    wall: float  # clock.time() at creation
    end: float  # when it ends on its own
    expired: bool  # it ends by expiring
    results: list[tuple[str, dict[str, Any]]]
    cancel_at: float | None = None

    @property
    def ended_at(self) -> float:
        """When processing ends: on its own, or shortly after a cancel."""
        if self.cancel_at is not None and self.cancel_at + CANCEL_S < self.end:
            return self.cancel_at + CANCEL_S
        return self.end

    def final_results(self) -> list[tuple[str, dict[str, Any]]]:
        """The result of every request once the batch has ended."""
        if self.ended_at < self.end:
            return [(cid, {"type": "canceled"}) for cid, _ in self.results]
        if self.expired:
            return [(cid, {"type": "expired"}) for cid, _ in self.results]
        return self.results


class AnthropicBatches:
    """Routes and state of ``/v1/messages/batches``."""

    def __init__(self, runtime: Runtime, router: Router) -> None:
        self.rt = runtime
        self._batches: dict[str, _Batch] = {}
        self._lock = threading.Lock()
        one = rf"{ENDPOINT}/(?P<id>[^/]+)"
        router.add("POST", ENDPOINT, self._create)
        router.add("GET", ENDPOINT, self._list)
        router.add("GET", one, self._retrieve)
        router.add("DELETE", one, self._delete)
        router.add("POST", one + "/cancel", self._cancel)
        router.add("GET", one + "/results", self._results)

    def _create(self, ctx: Ctx) -> Response:
        body = ctx.json()
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not 1 <= len(requests) <= MAX_REQUESTS:
            raise InvalidRequest(f"requests: a list of 1 to {MAX_REQUESTS} items is required")
        version = ctx.request.headers.get("anthropic-version", "")
        parsed = [self._parse_item(i, item, version) for i, item in enumerate(requests)]
        _check_unique([cid for cid, _ in parsed])
        now = self.rt.clock.now()
        calls = [
            dataclasses.replace(req.call, custom_id=cid)
            for cid, req in parsed
            if not isinstance(req, str)
        ]
        rule = self.rt.scenario.pick_batch(ENDPOINT, calls)
        duration = _duration(rule, self.rt.scenario.batch_duration_s)
        expired = (rule is not None and rule.batch == "expired") or duration >= WINDOW_S
        failed = rule is not None and rule.batch == "failed"
        results = [
            (cid, self._run_item(cid, req, now, skip=expired, failed=failed)) for cid, req in parsed
        ]
        batch = _Batch(
            self.rt.ids.new("msgbatch_"),
            now,
            self.rt.clock.time(),
            now + min(duration, WINDOW_S),
            expired,
            results,
        )
        with self._lock:
            self._batches[batch.id] = batch
        return json_response(self._render(batch, ctx))

    def _parse_item(self, index: int, item: Any, version: str) -> tuple[str, MessagesRequest | str]:
        if not isinstance(item, dict):
            raise InvalidRequest(f"requests.{index}: must be an object")
        cid = item.get("custom_id")
        if not isinstance(cid, str) or not CUSTOM_ID.fullmatch(cid):
            raise InvalidRequest(f"requests.{index}.custom_id: must match ^[a-zA-Z0-9_-]{{1,64}}$")
        params = item.get("params")
        if not isinstance(params, dict):
            raise InvalidRequest(f"requests.{index}.params: Field required")
        try:
            if params.get("stream"):
                raise InvalidRequest("stream: not supported in a message batch")
            return cid, parse_messages(
                params, version=version, schema_in_prefix=self.rt.scenario.schema_in_cache_prefix
            )
        except InvalidRequest as exc:
            return cid, str(exc)  # validated asynchronously: shows up as an errored result

    def _run_item(
        self, cid: str, req: MessagesRequest | str, now: float, *, skip: bool, failed: bool
    ) -> dict[str, Any]:
        if isinstance(req, str):
            return _errored(400, req)
        if skip:
            return {"type": "expired"}
        if failed:
            return _errored(500, "The batch failed (emulated).")
        rule = self.rt.scenario.pick(dataclasses.replace(req.call, custom_id=cid))
        outcome = _item_outcome(rule)
        if outcome is not None:
            return outcome
        message = build_message(self.rt, req, rule, now=now, ready_at=now, service_tier="batch")
        return {"type": "succeeded", "message": message}

    def _get(self, ctx: Ctx) -> _Batch:
        with self._lock:
            batch = self._batches.get(ctx.match["id"])
        if batch is None:
            raise InvalidRequest(f"No batch found with id {ctx.match['id']!r}.", status=404)
        return batch

    def _retrieve(self, ctx: Ctx) -> Response:
        return json_response(self._render(self._get(ctx), ctx))

    def _list(self, ctx: Ctx) -> Response:
        query = ctx.request.query
        limit = int((query.get("limit") or ["20"])[0])
        if not 1 <= limit <= 1000:
            raise InvalidRequest("limit: must be between 1 and 1000")
        with self._lock:
            batches = sorted(self._batches.values(), key=lambda b: (b.created, b.id), reverse=True)
        ids = [b.id for b in batches]
        if query.get("after_id"):
            after = query["after_id"][0]
            batches = batches[ids.index(after) + 1 :] if after in ids else []
        elif query.get("before_id"):
            before = query["before_id"][0]
            batches = batches[: ids.index(before)][-limit:] if before in ids else []
        page = batches[:limit]
        return json_response(
            {
                "data": [self._render(b, ctx) for b in page],
                "has_more": len(batches) > limit,
                "first_id": page[0].id if page else None,
                "last_id": page[-1].id if page else None,
            }
        )

    def _cancel(self, ctx: Ctx) -> Response:
        batch = self._get(ctx)
        now = self.rt.clock.now()
        with self._lock:
            if batch.cancel_at is None and now < batch.ended_at:
                batch.cancel_at = now
        return json_response(self._render(batch, ctx))

    def _delete(self, ctx: Ctx) -> Response:
        batch = self._get(ctx)
        if self.rt.clock.now() < batch.ended_at:
            raise InvalidRequest(
                "Batches must be ended before they can be deleted; cancel it first."
            )
        with self._lock:
            self._batches.pop(batch.id, None)
        return json_response({"id": batch.id, "type": "message_batch_deleted"})

    def _results(self, ctx: Ctx) -> Response:
        batch = self._get(ctx)
        if self.rt.clock.now() < batch.ended_at:
            raise InvalidRequest(f"Batch {batch.id} has not ended yet; results are not available.")
        lines = [
            json.dumps({"custom_id": cid, "result": res}) for cid, res in batch.final_results()
        ]
        body = ("\n".join(lines) + "\n").encode()
        return Response(200, body, {"content-type": "application/x-jsonl"})

    def _render(self, batch: _Batch, ctx: Ctx) -> dict[str, Any]:
        now = self.rt.clock.now()
        ended = now >= batch.ended_at
        counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
        if ended:
            for _, result in batch.final_results():
                counts[result["type"]] += 1
        else:
            counts["processing"] = len(batch.results)
        status = "ended" if ended else "canceling" if batch.cancel_at is not None else "in_progress"

        def wall(t: float) -> str:
            return rfc3339(batch.wall + (t - batch.created))

        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": counts,
            "created_at": wall(batch.created),
            "expires_at": wall(batch.created + WINDOW_S),
            "ended_at": wall(batch.ended_at) if ended else None,
            "cancel_initiated_at": wall(batch.cancel_at) if batch.cancel_at is not None else None,
            "archived_at": None,
            "results_url": f"{ctx.request.base_url}{ctx.request.mount}{ENDPOINT}/{batch.id}/results"
            if ended
            else None,
        }


def _check_unique(custom_ids: list[str]) -> None:
    seen: set[str] = set()
    for cid in custom_ids:
        if cid in seen:
            raise InvalidRequest(
                f"requests: custom_id {cid!r} is used more than once; each must be unique"
            )
        seen.add(cid)


def _duration(rule: Rule | None, default: float) -> float:
    if rule is not None and rule.batch_duration_s is not None:
        return rule.batch_duration_s
    if rule is not None and rule.batch == "expired":
        return WINDOW_S
    return default


def _errored(status: int, message: str) -> dict[str, Any]:
    error = {"type": ANTHROPIC_TYPES.get(status, "api_error"), "message": message}
    return {"type": "errored", "error": {"type": "error", "error": error, "request_id": None}}


def _item_outcome(rule: Rule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    if rule.item == "errored":
        return _errored(400, "Invalid request (emulated).")
    if rule.item in {"expired", "canceled"}:
        return {"type": rule.item}
    if rule.fault is not None:
        return _errored(
            FAULT_ERRORS[rule.fault], f"Request failed with fault {rule.fault} (emulated)."
        )
    return None
