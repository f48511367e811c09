"""When a pending batch's results are expected, from what the providers document.

- Anthropic Message Batches: "most batches finish in less than 1 hour", and a batch that has
  not ended 24 hours after it was created expires (Anthropic's batch processing guide;
  ``../shared/research/provider-apis.md`` section 2.4).
- OpenAI Batch API: ``completion_window`` has one value, ``24h``; the guide promises the
  batch within that window and documents no typical time.

Pure: the submission time comes from the pending batch, the text is what the summary shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["LIMIT", "TYPICAL", "BatchEta", "batch_eta", "eta_text"]

LIMIT = timedelta(hours=24)  # both providers end or expire a batch within a day
TYPICAL = {"anthropic": timedelta(hours=1)}  # a documented usual time, per provider
_NAMES = {"anthropic": "Anthropic", "openai": "OpenAI"}


@dataclass(frozen=True, slots=True)
class BatchEta:
    """A batch's submission, its usual end (None: not documented), its limit, and why."""

    submitted: datetime
    expected: datetime | None
    limit: datetime
    why: str


def batch_eta(provider: str, submitted: datetime) -> BatchEta:
    """The expectation for a batch of ``provider`` submitted at ``submitted`` (UTC)."""
    at = submitted.astimezone(UTC) if submitted.tzinfo else submitted.replace(tzinfo=UTC)
    name = _NAMES.get(provider, provider)
    typical = TYPICAL.get(provider)
    if typical is None:
        why = f"{name} batches end within 24 h; no usual time is documented"
        return BatchEta(at, None, at + LIMIT, why)
    hours = int(typical.total_seconds() // 3600)
    why = f"{name} batches usually end within {hours} hour{'s' if hours != 1 else ''}; limit 24 h"
    return BatchEta(at, at + typical, at + LIMIT, why)


def _clock(moment: datetime, since: datetime) -> str:
    """``14:02 UTC``, with the date when it is not the day of ``since``."""
    return moment.strftime("%H:%M UTC" if moment.date() == since.date() else "%b %d %H:%M UTC")


def eta_text(provider: str, submitted: datetime) -> str:
    """``submitted 14:02 UTC, expected by ~15:02 UTC (Anthropic batches usually end ...)``."""
    eta = batch_eta(provider, submitted)
    start = eta.submitted
    when = eta.expected if eta.expected is not None else eta.limit
    by = f"~{_clock(when, start)}" if eta.expected is not None else _clock(when, start)
    return f"submitted {_clock(start, start)}, expected by {by} ({eta.why})"
