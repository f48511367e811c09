"""OpenAI batch files: checking input lines and writing ``BatchRequestOutput`` lines."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from pr_router.emulator.errors import OPENAI_TYPES
from pr_router.emulator.openai_models import (
    OpenAIRequest,
    answer,
    chat_body,
    parse_chat,
    parse_responses,
    responses_body,
)
from pr_router.emulator.provider import InvalidRequest
from pr_router.emulator.runtime import Ids, Runtime

__all__ = ["BatchLine", "read_lines", "run_line"]

MAX_LINES = 50_000
FAULT_STATUS = {
    "429": 429,
    "529": 503,
    "500": 500,
    "no-retry": 500,
    "timeout": 504,
    "malformed": 500,
}


@dataclass(frozen=True, slots=True)
class BatchLine:
    """One request of a batch and, once run, its output (or error) line."""

    line_id: str
    custom_id: str
    req: OpenAIRequest | None
    invalid: str | None = None  # why the body was rejected (answered as a 400)
    output: dict[str, Any] | None = None
    ok: bool = False
    usage: dict[str, int] | None = None

    def ended(self, code: str, message: str) -> BatchLine:
        """This line as never run: kept if it already ran, else an ``error`` line."""
        error = {"code": code, "message": message}
        line = {"id": self.line_id, "custom_id": self.custom_id, "response": None, "error": error}
        return dataclasses.replace(self, output=line, ok=False, usage=None)


def _error(index: int, code: str, message: str, param: str | None = None) -> dict[str, Any]:
    return {"code": code, "line": index + 1, "message": message, "param": param}


def _split(content: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    try:
        raw = content.decode("utf-8").rstrip("\n").split("\n")
    except UnicodeDecodeError:
        return [], [_error(0, "invalid_file_encoding", "The input file must be UTF-8.")]
    if raw == [""]:
        return [], [
            {
                "code": "empty_file",
                "line": None,
                "message": "The input file is empty.",
                "param": None,
            }
        ]
    if len(raw) > MAX_LINES:
        return [], [
            _error(MAX_LINES, "too_many_requests", f"A batch holds at most {MAX_LINES} requests.")
        ]
    return raw, []


def read_lines(
    content: bytes, endpoint: str, schema_in_prefix: bool, ids: Ids
) -> tuple[list[BatchLine], list[dict[str, Any]]]:
    """Parse and check an input file: the lines, and the validation errors that fail it."""
    raw, errors = _split(content)
    lines: list[BatchLine] = []
    seen: set[str] = set()
    parse = parse_chat if endpoint == "/v1/chat/completions" else parse_responses
    for i, text in enumerate(raw):
        try:
            obj = json.loads(text)
        except ValueError:
            errors.append(_error(i, "invalid_json_line", "This line is not valid JSON."))
            continue
        problem = _line_problem(obj, endpoint, seen)
        if problem is not None:
            errors.append(_error(i, *problem))
            continue
        seen.add(obj["custom_id"])
        try:
            req: OpenAIRequest | None = parse(obj["body"], schema_in_prefix=schema_in_prefix)
            invalid = None
        except InvalidRequest as exc:
            req, invalid = None, str(exc)
        lines.append(BatchLine(ids.new("batch_req_"), obj["custom_id"], req, invalid))
    return lines, errors


def _line_problem(obj: Any, endpoint: str, seen: set[str]) -> tuple[str, str, str] | None:
    if not isinstance(obj, dict):
        return "invalid_json_line", "Each line must be a JSON object.", ""
    cid = obj.get("custom_id")
    if not isinstance(cid, str) or not cid:
        return "missing_required_parameter", "Each line needs a non-empty 'custom_id'.", "custom_id"
    if cid in seen:
        return "duplicate_custom_id", f"The custom_id '{cid}' is used more than once.", "custom_id"
    if obj.get("method") != "POST":
        return "invalid_method", "The 'method' of each line must be 'POST'.", "method"
    if obj.get("url") != endpoint:
        return (
            "mismatched_endpoint",
            f"The 'url' of each line must be the batch endpoint '{endpoint}'.",
            "url",
        )
    if not isinstance(obj.get("body"), dict):
        return "missing_required_parameter", "Each line needs a JSON object 'body'.", "body"
    return None


def _http_line(rt: Runtime, line: BatchLine, status: int, body: dict[str, Any]) -> dict[str, Any]:
    response = {"status_code": status, "request_id": rt.ids.new("req_"), "body": body}
    return {"id": line.line_id, "custom_id": line.custom_id, "response": response, "error": None}


def _error_body(status: int, message: str) -> dict[str, Any]:
    error = {
        "message": message,
        "type": OPENAI_TYPES.get(status, "server_error"),
        "param": None,
        "code": None,
    }
    return {"error": error}


def run_line(rt: Runtime, line: BatchLine, now: float) -> BatchLine:
    """Answer one batch request (scenario rules apply, with ``custom_id`` set)."""
    if line.req is None:
        out = _http_line(rt, line, 400, _error_body(400, line.invalid or "Invalid request."))
        return dataclasses.replace(line, output=out)
    call = dataclasses.replace(line.req.call, custom_id=line.custom_id)
    rule = rt.scenario.pick(call)
    if rule is not None and rule.item == "expired":
        return line.ended(
            "batch_expired",
            "This request could not be executed before the completion window expired.",
        )
    if rule is not None and rule.item == "canceled":
        return line.ended("batch_cancelled", "This request was cancelled before it ran.")
    if rule is not None and (rule.item == "errored" or rule.fault is not None):
        status = 400 if rule.item == "errored" else FAULT_STATUS[rule.fault or "500"]
        out = _http_line(rt, line, status, _error_body(status, "The request failed (emulated)."))
        return dataclasses.replace(line, output=out)
    result = answer(rt, line.req, rule, now=now, ready_at=now)
    body = (
        chat_body(rt, line.req, result)
        if line.req.kind == "chat"
        else responses_body(rt, line.req, result)
    )
    usage = {
        "input": result.prompt_tokens,
        "cached": result.cached,
        "output": result.done.output_tokens,
        "reasoning": result.done.reasoning_tokens,
    }
    return dataclasses.replace(line, output=_http_line(rt, line, 200, body), ok=True, usage=usage)
