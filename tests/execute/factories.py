"""Plans, calls, validators and executors for the executor tests."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from pr_router.budget import Headroom
from pr_router.emulator import Emulator, FakeClock
from pr_router.errors import InvalidOutputError
from pr_router.execute import Clock, Executor, JobCall
from pr_router.plan import JobPlan
from pr_router.policy.models import (
    BatchSettings,
    Effort,
    JobClass,
    Mode,
    Policy,
    Tier,
    TierModel,
)
from pr_router.pricing import PriceTable
from pr_router.providers.base import ModelResponse, Provider
from pr_router.providers.registry import build_providers
from providers.factories import request

TIERS = {
    "frontier": TierModel(provider="anthropic", model="claude-opus-5-5"),
    "standard": TierModel(provider="anthropic", model="claude-sonnet-5-5"),
    "efficient": TierModel(provider="anthropic", model="claude-haiku-5-5"),
}
FALLBACK = {
    "frontier": TierModel(provider="openai", model="gpt-6.1-sol"),
    "standard": TierModel(provider="openai", model="gpt-6.1-terra"),
    "efficient": TierModel(provider="openai", model="gpt-6-luna"),
}
PRICES = PriceTable(at=datetime(2026, 11, 22, tzinfo=UTC))
NOW = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)


def policy(
    *,
    fallback: bool = True,
    wait_seconds: int = 300,
    on_item_failure: str = "retry_sync",
    tiers: Mapping[str, TierModel] | None = None,
) -> Policy:
    """The test policy: Anthropic tiers, OpenAI fallbacks, 5 s -> 60 s polling."""
    return Policy(
        tiers=dict(tiers or TIERS),  # type: ignore[arg-type]
        fallback=dict(FALLBACK) if fallback else {},  # type: ignore[arg-type]
        batch=BatchSettings(
            wait_seconds=wait_seconds,
            poll_initial_seconds=5,
            poll_max_seconds=60,
            on_item_failure=on_item_failure,  # type: ignore[arg-type]
        ),
    )


def plan(
    job: str,
    tier: Tier = "frontier",
    mode: Mode = "sync",
    *,
    job_class: JobClass | None = None,
    effort: Effort | None = "high",
    cache_key: str | None = None,
    cache_role: str | None = None,
    tiers: Mapping[str, TierModel] = TIERS,
) -> JobPlan:
    """A routed job on ``tier`` (its model from ``tiers``)."""
    target = tiers[tier]
    return JobPlan(
        job=job,
        job_class=job_class or ("critical" if job in ("review", "security") else "auxiliary"),
        run=True,
        reasons=("test",),
        tier=tier,
        provider=target.provider,
        model=target.model,
        mode=mode,
        effort=effort,
        max_output_tokens=2000,
        cache_key=cache_key,
        cache_role=cache_role,  # type: ignore[arg-type]
    )


def accept(response: ModelResponse) -> dict[str, Any]:
    """The job's validator: a JSON object with a non-empty summary."""
    data = response.data
    if not isinstance(data, dict) or not data.get("summary"):
        raise InvalidOutputError(
            f"{response.custom_id}: empty or missing summary", provider=response.provider
        )
    return data


def call(
    job: str,
    tier: Tier = "frontier",
    mode: Mode = "sync",
    *,
    schema_name: str | None = None,
    validate: Callable[[ModelResponse], Any] = accept,
    **plan_options: Any,
) -> JobCall[Any]:
    """A ``JobCall`` whose request matches its plan."""
    job_plan = plan(job, tier, mode, **plan_options)
    assert job_plan.model is not None
    req = request(
        job,
        model=job_plan.model,
        cache_key=job_plan.cache_key,
        schema_name=schema_name,
        effort=job_plan.effort,
    )
    return JobCall(job_plan, req, validate)


def providers_for(
    stack: contextlib.ExitStack, emu: Emulator, *, keys: tuple[str, ...] = ("anthropic", "openai")
) -> Mapping[str, Provider]:
    """Real adapters on the emulator for the providers that have a key."""
    built = build_providers(
        {},
        keys={name: f"test-key-{name}" for name in keys},
        base_urls={"anthropic": emu.base_url, "openai": emu.openai_base_url},
        max_retries=1,
        strict=True,
    )
    stack.callback(built.close)
    return built


def executor(
    stack: contextlib.ExitStack,
    emu: Emulator,
    pol: Policy | None = None,
    *,
    clock: Clock | None = None,
    keys: tuple[str, ...] = ("anthropic", "openai"),
    run_id: str = "run-1",
    headroom: Headroom | None = None,
) -> Executor:
    """An executor on the emulator, sharing its clock (``headroom``: the run's budgets)."""
    return Executor(
        providers_for(stack, emu, keys=keys),
        pol or policy(),
        PRICES,
        clock or emu.clock,  # type: ignore[arg-type]
        run_id=run_id,
        repo="octo/app",
        pr=7,
        head_sha="abc123",
        wall_clock=lambda: NOW,
        headroom=headroom,
    )


def fake_clock() -> FakeClock:
    """The emulator's fake clock (auto-advancing sleeps)."""
    return FakeClock()
