"""Error bodies and injected faults, shaped exactly as each provider sends them."""

from __future__ import annotations

from typing import Literal

from pr_router.emulator.http import Response, json_response
from pr_router.emulator.scenario import Rule

__all__ = ["anthropic_error", "fault_response", "openai_error"]

Provider = Literal["anthropic", "openai"]

# status -> Anthropic error.type (research notes, section 1.6)
ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "conflict_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

OPENAI_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    409: "invalid_request_error",
    429: "requests",
    500: "server_error",
    503: "server_error",
    504: "server_error",
}


def anthropic_error(
    status: int, message: str, request_id: str, *, headers: dict[str, str] | None = None
) -> Response:
    """``{"type":"error","error":{type,message},"request_id"}`` with the matching type."""
    body = {
        "type": "error",
        "error": {"type": ANTHROPIC_TYPES.get(status, "api_error"), "message": message},
        "request_id": request_id,
    }
    return json_response(body, status, headers)


def openai_error(
    status: int,
    message: str,
    *,
    code: str | None = None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """``{"error":{message,type,param,code}}``: all four keys, as the spec requires."""
    body = {
        "error": {
            "message": message,
            "type": OPENAI_TYPES.get(status, "server_error"),
            "param": param,
            "code": code,
        }
    }
    return json_response(body, status, headers)


def error_for(
    provider: Provider,
    status: int,
    message: str,
    request_id: str,
    *,
    headers: dict[str, str] | None = None,
    code: str | None = None,
    param: str | None = None,
) -> Response:
    """A provider-shaped error response."""
    if provider == "anthropic":
        return anthropic_error(status, message, request_id, headers=headers)
    return openai_error(status, message, code=code, param=param, headers=headers)


def _retry_headers(rule: Rule) -> dict[str, str]:
    if rule.retry_after_s is None:
        return {}
    return {
        "retry-after-ms": f"{rule.retry_after_s * 1000:g}",
        "retry-after": f"{rule.retry_after_s:g}",
    }


def fault_response(provider: Provider, rule: Rule, request_id: str) -> Response:
    """The HTTP answer for a rule's ``fault`` (``timeout`` is handled by the caller)."""
    fault = rule.fault
    retry = _retry_headers(rule)
    if fault == "429":
        if provider == "anthropic":
            retry["x-should-retry"] = "true"  # as the API sends it (recorded exchanges)
        code = "rate_limit_exceeded" if provider == "openai" else None
        message = "Rate limit exceeded (emulated)."
        return error_for(provider, 429, message, request_id, headers=retry, code=code)
    if fault == "529":
        status = 529 if provider == "anthropic" else 503
        return error_for(provider, status, "Overloaded (emulated).", request_id, headers=retry)
    if fault == "500":
        return error_for(
            provider, 500, "Internal server error (emulated).", request_id, headers=retry
        )
    if fault == "no-retry":
        headers = {"x-should-retry": "false"}
        return error_for(
            provider,
            500,
            "Internal server error, do not retry (emulated).",
            request_id,
            headers=headers,
        )
    if fault == "timeout":
        return error_for(provider, 504, "Request timed out (emulated).", request_id, headers=retry)
    # malformed: a 200 whose JSON body is cut short
    return Response(
        200, b'{"id": "emulated-malformed", "type": ', {"content-type": "application/json"}
    )
