"""The plan: for every catalogue job, whether it runs and where, with reasons and estimates."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pr_router.caching import PrefixCache
from pr_router.changes.model import Signals
from pr_router.policy.models import Effort, JobClass, Mode, OutputKind, Tier
from pr_router.runner import RunnerRate

__all__ = ["Estimate", "JobPlan", "Plan", "plan_to_json"]

# "warm": a command's lone request, marked to read what the PR's last run cached
CacheRole = Literal["write", "read", "warm"]


@dataclass(frozen=True, slots=True)
class Estimate:
    """Estimated tokens and cost of one job. ``input_tokens`` counts every prompt token."""

    input_tokens: int
    output_tokens: int
    usd: Decimal
    cached_tokens: int = 0  # prompt tokens expected to be read from cache
    cache_write_tokens: int = 0  # prompt tokens expected to be written to cache


@dataclass(frozen=True, slots=True)
class JobPlan:
    """The routing decision for one job."""

    job: str
    job_class: JobClass
    run: bool
    reasons: tuple[str, ...]
    title: str = ""
    output: OutputKind = "comment"
    tier: Tier | None = None
    provider: str | None = None
    model: str | None = None
    mode: Mode | None = None
    effort: Effort | None = None
    max_output_tokens: int | None = None
    estimate: Estimate | None = None
    all_frontier_usd: Decimal = Decimal(0)
    cache_key: str | None = None  # jobs with the same key share the cached PR context
    cache_role: CacheRole | None = None
    optional: bool = False
    on_push: str | None = None  # the job's push rule (``policy.catalog.PUSH_RULES``)
    prefix_ttl: Literal["5m", "1h"] | None = None  # cross-run breakpoint (``caching``)


@dataclass(frozen=True, slots=True)
class Plan:
    """What a run will do. Built by ``router.route``, a pure function."""

    policy: str
    signals: Signals
    jobs: tuple[JobPlan, ...]
    ignored: tuple[str, ...] = ()
    notices: tuple[str, ...] = field(default=())
    runner: RunnerRate | None = None  # what a runner minute costs this run
    prefix_caches: tuple[PrefixCache, ...] = ()  # caching across runs, per model (``caching``)

    @property
    def running(self) -> tuple[JobPlan, ...]:
        """Jobs that will run."""
        return tuple(j for j in self.jobs if j.run)

    @property
    def total_usd(self) -> Decimal:
        """Estimated cost of the running jobs."""
        return sum((j.estimate.usd for j in self.running if j.estimate), Decimal(0))

    @property
    def all_frontier_usd(self) -> Decimal:
        """The same jobs on the frontier model, synchronous, without caching."""
        return sum((j.all_frontier_usd for j in self.running), Decimal(0))

    @property
    def savings_pct(self) -> float:
        """Share of the all-frontier cost that routing saves, in percent."""
        if self.all_frontier_usd == 0:
            return 0.0
        return round(float((1 - self.total_usd / self.all_frontier_usd) * 100), 1)

    def job(self, name: str) -> JobPlan:
        """The plan of one job by name."""
        return next(j for j in self.jobs if j.job == name)


def usd_number(amount: Decimal) -> float:
    """A dollar amount as a JSON number, to the micro-dollar."""
    return float(amount.quantize(Decimal("0.000001")))


def _signals_json(s: Signals) -> dict[str, Any]:
    return {
        "files_changed": s.files_changed,
        "lines_added": s.lines_added,
        "lines_removed": s.lines_removed,
        "file_kinds": dict(sorted(s.file_kinds.items())),
        "code_changed": s.code_changed,
        "docs_only": s.docs_only,
        "security_sensitive": s.security_sensitive,
        "sensitive_reasons": list(s.sensitive_reasons),
        "risk": s.risk,
        "estimated_diff_tokens": s.estimated_diff_tokens,
        "scope": s.scope,
        "modules": list(s.modules),
        "changelog_touched": s.changelog_touched,
        "public_api_changed": s.public_api_changed,
    }


def _job_json(j: JobPlan) -> dict[str, Any]:
    out: dict[str, Any] = {"job": j.job, "class": j.job_class, "run": j.run}
    if j.run:
        out |= {
            "tier": j.tier,
            "provider": j.provider,
            "model": j.model,
            "mode": j.mode,
            "effort": j.effort,
            "max_output_tokens": j.max_output_tokens,
        }
    out["reasons"] = list(j.reasons)
    if j.on_push is not None:
        out["on_push"] = j.on_push
    if j.run and j.estimate is not None:
        e = j.estimate
        out["estimate"] = {
            "input_tokens": e.input_tokens,
            "output_tokens": e.output_tokens,
            "usd": usd_number(e.usd),
            "cached_tokens": e.cached_tokens,
            "cache_write_tokens": e.cache_write_tokens,
            "all_frontier_usd": usd_number(j.all_frontier_usd),
        }
    return out


def _runner_json(rate: RunnerRate | None) -> dict[str, Any] | None:
    if rate is None:
        return None
    return {"usd_per_minute": usd_number(rate.usd_per_minute), "basis": rate.basis}


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The ``plan --format json`` document (schema_version 1)."""
    return {
        "schema_version": 1,
        "policy": plan.policy,
        "signals": _signals_json(plan.signals),
        "jobs": [_job_json(j) for j in plan.jobs],
        "totals": {
            "usd": usd_number(plan.total_usd),
            "all_frontier_usd": usd_number(plan.all_frontier_usd),
            "savings_pct": plan.savings_pct,
        },
        "ignored": list(plan.ignored),
        "notices": list(plan.notices),
        "runner": _runner_json(plan.runner),
        "prefix_cache": [c.to_json() for c in plan.prefix_caches],
        "estimated": True,
    }
