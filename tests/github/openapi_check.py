"""Check GitHub requests (and responses) against GitHub's OpenAPI description.

Reusable by any test suite that talks to GitHub:

    from openapi_check import check_request, example, github_api_mock

    with github_api_mock() as mock:      # a responses.RequestsMock that validates on exit
        mock.get(url, json=example("pulls/get"))   # GitHub's own example answer
        mock.add(...)
        ...                              # every request sent is checked against the spec

``check_request`` accepts a ``requests.PreparedRequest`` (e.g. ``responses.calls[i].request``)
or an emulator ``Request``. The spec's only server is https://api.github.com, so the
client's base path (``/api/v3`` on GitHub Enterprise, ``/github`` on the emulator) is
stripped before matching. One check the spec cannot make is added: ``side`` and
``start_side`` of create-review comments must be LEFT or RIGHT (the subset has no enum
there, see tests/fixtures/github/README.md).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import responses
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from pr_router.emulator.http import Request

SPEC_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "github" / "openapi-subset.json"
API_HOST = "https://api.github.com"


@functools.cache
def spec_dict() -> dict[str, Any]:
    """The OpenAPI description as a dict (loaded once)."""
    with SPEC_PATH.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


@functools.cache
def github_openapi() -> OpenAPI:
    """The OpenAPI object (spec validated once per test session)."""
    return OpenAPI.from_dict(spec_dict())


@dataclass
class SpecRequest:
    """An openapi-core request built from method, URL, headers and body."""

    method_: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes | None
    parameters: RequestParameters = field(init=False)

    def __post_init__(self) -> None:
        self.parameters = RequestParameters(
            query=ImmutableMultiDict([(k, v) for k, vs in self.query.items() for v in vs]),
            header=Headers(dict(self.headers)),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        """Always api.github.com: the spec's only server."""
        return API_HOST

    @property
    def method(self) -> str:
        """Lower-case method."""
        return self.method_.lower()

    @property
    def content_type(self) -> str:
        """The body's content type (JSON when there is a body)."""
        for name, value in self.headers.items():
            if name.lower() == "content-type":
                return value.lower()
        return "application/json"


_MULTI_SEGMENT = "/contents/"


def _strip(path: str, base_path: str) -> str:
    base = base_path.rstrip("/")
    if base and path.startswith(base + "/"):
        path = path[len(base) :]
    # get-content's {path} is x-multi-segment, which openapi-core does not know: fold the
    # file path into one segment so the template matches.
    head, sep, rest = path.partition(_MULTI_SEGMENT)
    return head + sep + rest.replace("/", "%2F") if sep else path


def spec_request(request: requests.PreparedRequest | Request, base_path: str = "") -> SpecRequest:
    """An openapi-core request for a requests PreparedRequest or an emulator Request."""
    if isinstance(request, Request):
        path = _strip(request.path, base_path)
        body = request.body or None
        return SpecRequest(request.method, path, request.query, request.headers, body)
    url = urlsplit(request.url or "")
    raw = request.body
    body = raw.encode() if isinstance(raw, str) else raw
    headers = dict(request.headers)
    return SpecRequest(
        request.method or "GET", _strip(url.path, base_path), parse_qs(url.query), headers, body
    )


def _extra_problems(req: SpecRequest) -> list[str]:
    """Rules the subset cannot express (see the fixtures README)."""
    if req.method != "post" or not req.path.endswith("/reviews") or not req.body:
        return []
    data = json.loads(req.body)
    problems = []
    for i, comment in enumerate(data.get("comments") or []):
        for key in ("side", "start_side"):
            if key in comment and comment[key] not in ("LEFT", "RIGHT"):
                problems.append(f"comments[{i}].{key} must be LEFT or RIGHT, got {comment[key]!r}")
        if "position" in comment:
            problems.append(f"comments[{i}] uses the legacy position; send line and side")
    return problems


def request_problems(request: requests.PreparedRequest | Request, base_path: str = "") -> list[str]:
    """Why GitHub's contract rejects this request (empty when it is valid)."""
    req = spec_request(request, base_path)
    problems = [_describe(e) for e in github_openapi().iter_request_errors(req)]
    return problems + _extra_problems(req)


def _describe(exc: BaseException) -> str:
    inner = exc.__cause__
    errors = getattr(inner, "schema_errors", None)
    if errors:
        return f"{exc}: " + "; ".join(getattr(e, "message", str(e)) for e in errors)
    return f"{exc}: {inner}" if inner else str(exc)


def check_request(request: requests.PreparedRequest | Request, base_path: str = "") -> None:
    """Fail the test when the request breaks GitHub's OpenAPI contract."""
    problems = request_problems(request, base_path)
    if problems:
        method = request.method
        where = request.path if isinstance(request, Request) else request.url
        raise AssertionError(
            f"{method} {where} violates GitHub's API contract:\n" + "\n".join(problems)
        )


def check_calls(calls: Any, base_url: str = API_HOST) -> int:
    """Check every request in ``responses.calls`` sent to the API at ``base_url``.

    Requests to other hosts (the log storage a job-log redirect points at) are not part of
    the REST API and are skipped. Returns how many requests were checked.
    """
    base = urlsplit(base_url)
    checked = 0
    for call in calls:
        url = urlsplit(call.request.url or "")
        if url.hostname == base.hostname and url.path.startswith(base.path.rstrip("/") + "/"):
            check_request(call.request, base.path)
            checked += 1
    return checked


@dataclass
class SpecResponse:
    """An openapi-core response."""

    status_code: int
    data: bytes
    content_type: str
    headers: Mapping[str, str]


def response_problems(
    request: Request, status: int, body: bytes, headers: Mapping[str, str]
) -> list[str]:
    """Why a response does not match GitHub's documented response for the request."""
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "application/json")
    if not ctype.startswith("application/json"):
        return []  # diffs and logs: the subset documents them as plain strings
    req = spec_request(request)
    resp = SpecResponse(status, body, "application/json", Headers(dict(headers)))
    return [_describe(e) for e in github_openapi().iter_response_errors(req, resp)]


def example(operation_id: str, status: str = "200", name: str | None = None) -> Any:
    """The JSON example the spec gives for an operation's response (GitHub's own data)."""
    spec = spec_dict()
    for item in spec["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                content = op["responses"][status]["content"]["application/json"]
                examples = content["examples"]
                ref = examples[name or next(iter(examples))]["$ref"]
                return spec["components"]["examples"][ref.rsplit("/", 1)[-1]]["value"]
    raise KeyError(operation_id)


@contextmanager
def github_api_mock(base_url: str = API_HOST) -> Iterator[responses.RequestsMock]:
    """A ``responses`` mock that, on exit, checks every API request sent against the contract."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
        check_calls(mock.calls, base_url)
