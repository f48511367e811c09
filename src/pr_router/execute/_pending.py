"""Batches a run stopped waiting for: plain data that a later ``collect`` can finish anywhere."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, cast

from pr_router.execute._records import Attempt
from pr_router.plan import JobPlan
from pr_router.policy.models import Effort, JobClass, Mode, Tier
from pr_router.providers.base import BatchHandle

__all__ = ["PendingBatch", "PendingItem"]

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class PendingItem:
    """One request of a pending batch: enough to price, validate and record its result."""

    custom_id: str
    job: str
    job_class: JobClass
    tier: Tier
    model: str
    mode: Mode
    effort: Effort | None
    max_output_tokens: int
    attempt: int = 1  # the attempt number the batch request was

    @classmethod
    def of(cls, custom_id: str, plan: JobPlan, attempt: Attempt) -> PendingItem:
        """From the job's plan and the attempt that submitted it."""
        return cls(
            custom_id=custom_id,
            job=plan.job,
            job_class=plan.job_class,
            tier=attempt.tier,
            model=attempt.model,
            mode="batch",
            effort=plan.effort,
            max_output_tokens=plan.max_output_tokens or 0,
            attempt=attempt.number,
        )

    def batch_attempt(self, provider: str, batch_id: str) -> Attempt:
        """The attempt this item was, to record its result against."""
        return Attempt(self.tier, provider, self.model, "batch", self.attempt,
                       custom_id=self.custom_id, batch_id=batch_id)  # fmt: skip

    def plan(self, provider: str) -> JobPlan:
        """A ``JobPlan`` standing in for the original one when the batch is collected."""
        return JobPlan(
            job=self.job,
            job_class=self.job_class,
            run=True,
            reasons=("collected from a pending batch",),
            tier=self.tier,
            provider=provider,
            model=self.model,
            mode=self.mode,
            effort=self.effort,
            max_output_tokens=self.max_output_tokens,
        )


@dataclass(frozen=True, slots=True)
class PendingBatch:
    """A submitted batch that had not ended when the run's wait budget ran out."""

    provider: str
    batch_id: str
    submitted_at: datetime
    items: tuple[PendingItem, ...]

    def handle(self) -> BatchHandle:
        """The provider handle to poll and fetch it with."""
        ids = tuple(i.custom_id for i in self.items)
        return BatchHandle(
            self.provider, self.batch_id, ids, {i.custom_id: i.model for i in self.items}
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (for the summary comment's state block)."""
        return {
            "version": FORMAT_VERSION,
            "provider": self.provider,
            "batch_id": self.batch_id,
            "submitted_at": self.submitted_at.isoformat(),
            "items": [asdict(i) for i in self.items],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> PendingBatch:
        """Back from ``to_json`` data (or its JSON text); ``ValueError`` if it is not that."""
        raw = json.loads(data) if isinstance(data, str) else data
        try:
            if raw.get("version") != FORMAT_VERSION:
                raise ValueError(f"unknown pending batch version {raw.get('version')!r}")
            items = tuple(PendingItem(**cast(dict[str, Any], i)) for i in raw["items"])
            return cls(
                provider=str(raw["provider"]),
                batch_id=str(raw["batch_id"]),
                submitted_at=datetime.fromisoformat(str(raw["submitted_at"])),
                items=items,
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a pending batch: {exc}") from None
