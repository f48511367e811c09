"""The Anthropic adapter: Messages (plain and streamed) and Message Batches.

The ``anthropic`` SDK is imported when an adapter is constructed, never at import time,
and its exceptions never leave this module: they become ``ProviderError``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from pr_router.errors import ProviderError
from pr_router.providers import _anthropic_wire as wire
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

__all__ = ["DEFAULT_BASE_URL", "AnthropicProvider"]

DEFAULT_BASE_URL = "https://api.anthropic.com"
NAME = "anthropic"
_T = TypeVar("_T")


class AnthropicProvider(Provider):
    """Anthropic Messages API with prompt caching, structured output and batches."""

    name = NAME
    supports_batch = True
    supports_cache_control = True

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        max_retries: int = 2,
        timeout_s: float = 600.0,
        strict: bool = False,
    ) -> None:
        import anthropic

        self._sdk = anthropic
        self.base_url = base_url or DEFAULT_BASE_URL
        self._client = anthropic.Anthropic(
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
        return f"AnthropicProvider(base_url={self.base_url!r})"

    def complete(self, request: ModelRequest, *, on_start: OnStart | None = None) -> ModelResponse:
        """One Messages call; streamed when ``on_start`` is given."""
        params = wire.message_params(request)
        started = time.perf_counter()
        with self._translated(request.model):
            if on_start is None:
                raw = self._client.messages.with_raw_response.create(
                    **params, timeout=request.timeout_s
                )
                message, request_id = raw.parse(), raw.headers.get("request-id")
            else:
                message, request_id = self._stream(params, request.timeout_s, on_start)
            return wire.response_of(
                message.to_dict(),
                request.custom_id,
                request_id=request_id,
                latency_s=time.perf_counter() - started,
            )

    def _stream(self, params: dict[str, Any], timeout_s: float, on_start: OnStart) -> Any:
        with self._client.messages.stream(**params, timeout=timeout_s) as stream:
            started = False
            for _event in stream:
                if not started:
                    # message_start: the prompt (and its cacheable prefix) has been processed.
                    started = True
                    on_start()
            if not started:  # get_final_message() would fail an assert
                raise ValueError("the stream ended before the message started")
            return stream.get_final_message(), stream.request_id

    def submit_batch(self, requests: Sequence[ModelRequest]) -> BatchHandle:
        """Create one Message Batch holding every request."""
        items = check_batch_requests(NAME, requests)
        body: list[Any] = [
            {"custom_id": r.custom_id, "params": wire.message_params(r)} for r in items
        ]
        batch = self._call(lambda: self._client.messages.batches.create(requests=body))
        return BatchHandle(NAME, batch.id, tuple(r.custom_id for r in items), models_of(items))

    def batch_state(self, handle: BatchHandle) -> BatchState:
        """``in_progress`` until the batch has ended (cancellation included)."""
        batch = self._call(lambda: self._client.messages.batches.retrieve(handle.batch_id))
        return wire.batch_state(batch.to_dict())

    def batch_results(self, handle: BatchHandle) -> list[BatchItemResult]:
        """Every submitted request's result; a request without a line becomes errored."""

        def fetch() -> list[BatchItemResult]:
            lines = self._client.messages.batches.results(handle.batch_id)
            return [wire.batch_item(line.to_dict()) for line in lines]

        return complete_results(handle, self._call(fetch))

    def cancel_batch(self, handle: BatchHandle) -> None:
        """Ask Anthropic to cancel the batch (items not yet run end as canceled)."""
        self._call(lambda: self._client.messages.batches.cancel(handle.batch_id))

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
        except self._sdk.AnthropicError as exc:
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
                hint="check network access to the API (or ANTHROPIC_BASE_URL)",
            )
        if isinstance(exc, sdk.APIStatusError):
            status = exc.status_code
            kind = exc.type or "error"
            detail = exc.api_message or exc.message
            return ProviderError(
                f"{NAME}: HTTP {status} {kind}: {one_line(detail)}",
                provider=NAME,
                retryable=is_retryable_status(status) or kind == "overloaded_error",
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
