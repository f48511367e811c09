"""The OpenAI adapter: Responses API (plain and streamed), Files and Batches.

The ``openai`` SDK is imported when an adapter is constructed, never at import time, and
its exceptions never leave this module: they become ``ProviderError``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from pr_router.errors import ProviderError
from pr_router.providers import _openai_wire as wire
from pr_router.providers._common import (
    check_batch_requests,
    complete_results,
    is_retryable_status,
    models_of,
    one_line,
    status_hint,
)
from pr_router.providers.base import (
    BatchHandle,
    BatchItemResult,
    BatchState,
    ModelRequest,
    ModelResponse,
    OnStart,
    Provider,
)

__all__ = ["DEFAULT_BASE_URL", "OpenAIProvider"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
NAME = "openai"
_FINAL_EVENTS = {"response.completed", "response.incomplete", "response.failed"}
_ACCEPTED_EVENTS = {"response.created", "response.queued", "response.in_progress"}
_T = TypeVar("_T")


class OpenAIProvider(Provider):
    """OpenAI Responses API with automatic prompt caching, structured output and batches."""

    name = NAME
    supports_batch = True
    supports_cache_control = False

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        max_retries: int = 2,
        timeout_s: float = 600.0,
        strict: bool = False,
    ) -> None:
        import openai

        self._sdk = openai
        self.base_url = base_url or DEFAULT_BASE_URL
        self._client = openai.OpenAI(
            api_key=api_key,
            base_url=self.base_url,
            max_retries=max_retries,
            timeout=timeout_s,
            _strict_response_validation=strict,
        )

    def close(self) -> None:
        """Close the SDK client's connection pool."""
        self._client.close()

    def __repr__(self) -> str:
        return f"OpenAIProvider(base_url={self.base_url!r})"

    def complete(self, request: ModelRequest, *, on_start: OnStart | None = None) -> ModelResponse:
        """One Responses call; streamed when ``on_start`` is given."""
        params = wire.response_params(request)
        started = time.perf_counter()
        with self._translated(request.model):
            if on_start is None:
                raw = self._client.responses.with_raw_response.create(
                    **params, timeout=request.timeout_s
                )
                response, request_id = raw.parse().to_dict(), raw.headers.get("x-request-id")
            else:
                response, request_id = self._stream(params, request.timeout_s, on_start)
            return wire.response_of(
                response,
                request.custom_id,
                request_id=request_id,
                latency_s=time.perf_counter() - started,
            )

    def _stream(
        self, params: dict[str, Any], timeout_s: float, on_start: OnStart
    ) -> tuple[dict[str, Any], str | None]:
        stream = self._client.responses.create(**params, stream=True, timeout=timeout_s)
        with stream:
            final: dict[str, Any] | None = None
            started = False
            for event in stream:
                if not started and event.type not in _ACCEPTED_EVENTS:
                    # The first output event: the prompt (and its cacheable prefix) has been
                    # read. response.created comes earlier, as soon as the request is accepted.
                    started = True
                    on_start()
                if event.type in _FINAL_EVENTS:
                    final = event.to_dict().get("response")
            request_id = stream.response.headers.get("x-request-id")
        if final is None:
            raise ValueError("the stream ended without a final response event")
        return final, request_id

    def submit_batch(self, requests: Sequence[ModelRequest]) -> BatchHandle:
        """Upload the requests as a JSONL file and create one batch on ``/v1/responses``."""
        items = check_batch_requests(NAME, requests)
        data = wire.batch_jsonl(items)

        def submit() -> Any:
            upload = self._client.files.create(file=("batch.jsonl", data), purpose="batch")
            return self._client.batches.create(
                input_file_id=upload.id, endpoint=wire.ENDPOINT, completion_window="24h"
            )

        batch = self._call(submit)
        return BatchHandle(NAME, batch.id, tuple(r.custom_id for r in items), models_of(items))

    def batch_state(self, handle: BatchHandle) -> BatchState:
        """``in_progress`` until completed, expired or cancelled; ``failed`` on a bad file."""
        batch = self._call(lambda: self._client.batches.retrieve(handle.batch_id))
        return wire.batch_state(batch.to_dict())

    def batch_results(self, handle: BatchHandle) -> list[BatchItemResult]:
        """Every submitted request's result, from the output and error files."""

        def fetch() -> list[BatchItemResult]:
            batch = self._client.batches.retrieve(handle.batch_id).to_dict()
            found: list[BatchItemResult] = []
            for key in ("output_file_id", "error_file_id"):
                file_id = batch.get(key)
                if isinstance(file_id, str) and file_id:
                    found.extend(wire.parse_jsonl(self._client.files.content(file_id).text))
            return complete_results(handle, found, wire.missing_reason(batch))

        return self._call(fetch)

    def cancel_batch(self, handle: BatchHandle) -> None:
        """Ask OpenAI to cancel the batch (requests not yet run end as cancelled)."""
        self._call(lambda: self._client.batches.cancel(handle.batch_id))

    def _call(self, fn: Callable[[], _T]) -> _T:
        with self._translated(None):
            return fn()

    @contextmanager
    def _translated(self, model: str | None) -> Iterator[None]:
        """Turn every SDK or wire failure into a ``ProviderError``."""
        try:
            yield
        except ProviderError:
            raise
        except self._sdk.OpenAIError as exc:
            raise self._error(exc, model) from None
        except ValueError as exc:  # a body that is not JSON or misses required fields
            raise ProviderError(
                f"{NAME}: malformed response: {one_line(exc)}",
                provider=NAME,
                retryable=True,
                hint="the API answered with something the SDK could not read; try again",
            ) from None

    def _error(self, exc: Exception, model: str | None) -> ProviderError:
        sdk = self._sdk
        if isinstance(exc, sdk.APITimeoutError):
            return ProviderError(
                f"{NAME}: request timed out",
                provider=NAME,
                retryable=True,
                hint="the SDK already retried; raise the job's timeout or try again later",
            )
        if isinstance(exc, sdk.APIConnectionError):
            return ProviderError(
                f"{NAME}: connection failed: {one_line(exc)}",
                provider=NAME,
                retryable=True,
                hint="check network access to the API (or OPENAI_BASE_URL)",
            )
        if isinstance(exc, sdk.APIStatusError):
            status = exc.status_code
            kind = exc.code or exc.type or "error"
            return ProviderError(
                f"{NAME}: HTTP {status} {kind}: {one_line(_api_message(exc.body, exc.message))}",
                provider=NAME,
                retryable=is_retryable_status(status),
                status=status,
                request_id=exc.request_id,
                hint=status_hint(NAME, status, model),
            )
        if isinstance(exc, sdk.APIResponseValidationError):
            return ProviderError(
                f"{NAME}: malformed response (HTTP {exc.status_code}): {one_line(exc.message)}",
                provider=NAME,
                retryable=True,
                status=exc.status_code,
                hint="the API answered with something the SDK could not read; try again",
            )
        return ProviderError(f"{NAME}: {one_line(exc)}", provider=NAME, retryable=False)


def _api_message(body: object, fallback: str) -> str:
    """``error.message`` from an error body (the SDK's message prefixes the status)."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
    return fallback
