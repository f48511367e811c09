"""The provider contract: one small interface that every model provider implements.

Built-in adapters (``anthropic``, ``openai``) are written exactly like a third-party one
would be. Nothing above this layer imports a vendor SDK or sees a vendor exception.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pr_router.tokens import TokenUsage

__all__ = [
    "TRUNCATED_STOP_REASONS",
    "BatchHandle",
    "BatchItemResult",
    "BatchState",
    "Effort",
    "ModelRequest",
    "ModelResponse",
    "OnStart",
    "Provider",
]

Effort = Literal["low", "medium", "high"]
BatchState = Literal["in_progress", "ended", "failed"]
# Called once when the provider starts answering: the prompt has been read and its cacheable
# prefix stored, so requests sharing that prefix can now start and read it from the cache.
OnStart = Callable[[], None]


# Stop reasons meaning "cut at max_output_tokens": Anthropic ``max_tokens``, Chat Completions
# ``length``, Responses ``max_output_tokens``/``incomplete``.
TRUNCATED_STOP_REASONS = frozenset({"max_tokens", "length", "max_output_tokens", "incomplete"})


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """One structured-output call, laid out for prompt caching.

    The prompt is ``system`` + ``shared_context`` + ``instructions``. ``shared_context`` is
    the large PR context shared by jobs on the same model; it is the stable, cacheable
    prefix (Anthropic ``cache_control`` breakpoint after it; OpenAI ``prompt_cache_key``).
    ``instructions`` is the job-specific suffix.
    """

    job: str
    custom_id: str  # ^[a-zA-Z0-9_-]{1,64}$, unique within a run
    model: str
    system: str
    shared_context: str
    instructions: str
    output_schema: Mapping[str, Any]  # JSON schema of the job's output model
    schema_name: str  # ^[a-zA-Z0-9_-]{1,64}$
    max_output_tokens: int
    effort: Effort | None = None
    cache_key: str | None = None  # same value for jobs that share ``shared_context``
    cache_ttl: Literal["5m", "1h"] = "5m"
    # A breakpoint after ``system`` (the prefix that stays the same from push to push), read
    # by the PR's next run (``caching.decide_prefix_cache``); None: no breakpoint there.
    prefix_ttl: Literal["5m", "1h"] | None = None
    timeout_s: float = 120.0


@dataclass(frozen=True, slots=True)
class ModelResponse:
    """What came back: the text, the parsed JSON (if any) and the billed usage."""

    custom_id: str
    provider: str
    model: str
    text: str
    data: Any | None  # parsed JSON output; None when the text is not JSON
    usage: TokenUsage
    batch: bool = False
    request_id: str | None = None
    stop_reason: str | None = None
    latency_s: float = 0.0

    @property
    def truncated(self) -> bool:
        """True when the answer was cut at the output cap (reasoning counts against it)."""
        return self.stop_reason in TRUNCATED_STOP_REASONS


@dataclass(frozen=True, slots=True)
class BatchHandle:
    """A submitted batch: enough to poll and fetch it from any machine later."""

    provider: str
    batch_id: str
    custom_ids: tuple[str, ...]
    models: Mapping[str, str] = field(default_factory=dict)  # custom_id -> model


@dataclass(frozen=True, slots=True)
class BatchItemResult:
    """The outcome of one request in a batch. Exactly one of ``response``/``error`` is set."""

    custom_id: str
    status: Literal["succeeded", "errored", "canceled", "expired"]
    response: ModelResponse | None = None
    error: str | None = None


class Provider(abc.ABC):
    """A model provider. Subclasses translate vendor errors into ``ProviderError``."""

    name: str
    supports_batch: bool = True
    supports_cache_control: bool = False

    @abc.abstractmethod
    def complete(self, request: ModelRequest, *, on_start: OnStart | None = None) -> ModelResponse:
        """Run one request synchronously (after the SDK's own retries).

        With ``on_start`` the answer is streamed and ``on_start()`` is called once, when the
        first event arrives.
        """

    def submit_batch(self, requests: Sequence[ModelRequest]) -> BatchHandle:
        """Submit requests as one batch."""
        raise NotImplementedError(f"{self.name} does not support batches")

    def batch_state(self, handle: BatchHandle) -> BatchState:
        """Where the batch is in its lifecycle."""
        raise NotImplementedError(f"{self.name} does not support batches")

    def batch_results(self, handle: BatchHandle) -> list[BatchItemResult]:
        """Results of an ended batch, one per submitted request (missing ones as errored)."""
        raise NotImplementedError(f"{self.name} does not support batches")

    def cancel_batch(self, handle: BatchHandle) -> None:
        """Ask the provider to cancel a batch."""
        raise NotImplementedError(f"{self.name} does not support batches")

    def close(self) -> None:  # noqa: B027 - optional hook; most providers hold no connections
        """Release the provider's connections (nothing to release by default)."""
