"""The emulator's transport-neutral request/response values and the handler protocol.

The emulator server parses each HTTP request into a ``Request`` and asks the handler
mounted at the longest matching path prefix for a ``Response``. The Anthropic, OpenAI and
GitHub emulations are handlers; tests can call them directly without a socket.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["Handler", "Request", "Response", "json_response"]


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request as the emulator received it."""

    method: str
    path: str  # path relative to the mount prefix, starting with "/" (no query string)
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    base_url: str  # scheme://host:port of the server, for absolute URLs in responses
    mount: str = ""  # the prefix this handler is mounted at ("" for root)

    def json(self) -> Any:
        """The body parsed as JSON (raises ``ValueError`` on bad JSON)."""
        return json.loads(self.body or b"null")


@dataclass(slots=True)
class Response:
    """What a handler answers. ``stream`` (if set) yields body chunks for SSE responses."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterator[bytes] | None = None
    delay_s: float = 0.0  # wait this long (on the emulator clock) before answering


def json_response(
    payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON response with the right content type."""
    hdrs = {"content-type": "application/json"}
    hdrs.update(headers or {})
    return Response(status=status, body=json.dumps(payload).encode(), headers=hdrs)


class Handler(Protocol):
    """Something the emulator can mount at a path prefix."""

    def handle(self, request: Request) -> Response:
        """Answer one request."""
        ...
