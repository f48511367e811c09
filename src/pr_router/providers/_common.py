"""Vendor-neutral pieces shared by the adapters: JSON output, hints, batch bookkeeping."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pr_router.providers.base import BatchHandle, BatchItemResult, ModelRequest

__all__ = [
    "RETRYABLE_STATUSES",
    "check_batch_requests",
    "complete_results",
    "is_retryable_status",
    "models_of",
    "one_line",
    "parse_json",
    "status_hint",
]

# The statuses both SDKs retry themselves; still failing after that is worth a fallback.
RETRYABLE_STATUSES = frozenset({408, 409, 429})

_KEY_VARS = {"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY"}


def parse_json(text: str) -> Any | None:
    """The parsed JSON output, or ``None`` when the text is not JSON (validated above us)."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def one_line(text: object, limit: int = 200) -> str:
    """A message squeezed onto one line and cut to ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def is_retryable_status(status: int) -> bool:
    """Whether a status is transient (the SDKs retry these before giving up)."""
    return status in RETRYABLE_STATUSES or status >= 500


def status_hint(provider: str, status: int | None, model: str | None = None) -> str | None:
    """What the user can do about an HTTP error, by status."""
    key_var = _KEY_VARS.get(provider, f"the {provider} API key")
    if status == 401:
        return f"check {key_var} (the key was rejected)"
    if status == 403:
        return f"the key in {key_var} may not use this model or endpoint"
    if status == 404:
        return f"check the model id {model!r} in the policy tiers" if model else None
    if status == 402:
        return f"the {provider} account has a billing problem"
    if status == 429:
        return f"rate limited by {provider} after the SDK's retries; try again later"
    if status is not None and status >= 500:
        return f"{provider} is having trouble; the job falls back if the policy sets a fallback"
    return None


def complete_results(
    handle: BatchHandle,
    found: Iterable[BatchItemResult],
    missing: BatchItemResult | None = None,
) -> list[BatchItemResult]:
    """One result per submitted custom id, in submission order; nothing dropped.

    A submitted request without a result becomes ``missing`` (re-addressed to its custom
    id) or, by default, an errored result "missing from results". Results for custom ids
    that were never submitted are ignored.
    """
    by_id: dict[str, BatchItemResult] = {}
    for result in found:
        by_id.setdefault(result.custom_id, result)
    out = []
    for custom_id in handle.custom_ids:
        found_result = by_id.get(custom_id)
        if found_result is not None:
            out.append(found_result)
        elif missing is not None:
            out.append(BatchItemResult(custom_id, missing.status, error=missing.error))
        else:
            out.append(BatchItemResult(custom_id, "errored", error="missing from results"))
    return out


def check_batch_requests(provider: str, requests: Iterable[ModelRequest]) -> list[ModelRequest]:
    """The requests as a list; raises ``ValueError`` on an empty batch or duplicate ids."""
    items = list(requests)
    if not items:
        raise ValueError(f"{provider}: a batch needs at least one request")
    ids = [r.custom_id for r in items]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{provider}: custom ids in a batch must be unique: {ids}")
    return items


def models_of(requests: Iterable[ModelRequest]) -> Mapping[str, str]:
    """custom_id -> model, for the batch handle."""
    return {r.custom_id: r.model for r in requests}
