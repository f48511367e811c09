"""Benchmark: critical jobs side by side with prompt caching, and what caching + batching save.

Runs the bundled demo PR through the real router, jobs layer and executor against the local
emulator on the real clock. Each critical job answers after ``--latency`` seconds (first
token after ``--ttft``). Prints the wall time of review + security against the slowest single
job (target ratio <= 1.25, with the security job still reading the review's cached prefix),
then the cost of the whole run as routed (cached, auxiliary jobs batched) next to the same
jobs sent plainly (all sync, no cache marks).

    python benchmarks/provider_concurrency.py [--latency 1.0] [--ttft 0.1] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from importlib import resources
from typing import Any

from pr_router.changes import analyze
from pr_router.emulator import Emulator, RealClock, Rule, Scenario
from pr_router.execute import Executor, JobCall, RunOutcome
from pr_router.github.event import pr_context_from_pull
from pr_router.jobs import JobInputs, build_calls
from pr_router.policy.loader import load_policy
from pr_router.policy.models import BatchSettings, Policy
from pr_router.pricing import PriceTable
from pr_router.providers.registry import build_providers
from pr_router.router import route

CRITICAL = ("review", "security")


def _demo(name: str) -> bytes:
    return resources.files("pr_router.data.demo").joinpath(name).read_bytes()


def _scenario(frontier_model: str, latency: float, ttft: float) -> Scenario:
    """Frontier calls (the critical jobs) slow, everything else quick; schema-filled answers."""
    rules = [Rule(model=frontier_model, latency_s=latency, ttft_s=ttft)]
    return Scenario(rules, latency_s=0.05, batch_duration_s=0.3)


def _calls(policy: Policy, prices: PriceTable) -> list[JobCall[Any]]:
    """The demo PR routed by the real router and built by the real jobs layer."""
    event = json.loads(_demo("event.json"))
    changes = analyze(_demo("example.diff"), source="demo diff", ignore=policy.ignore)
    context = pr_context_from_pull(event["pull_request"])
    plan = route(policy, changes, context, prices=prices)
    return build_calls(plan, JobInputs(changes, context, policy, run_tag="bench"))


def _plain(calls: Sequence[JobCall[Any]]) -> list[JobCall[Any]]:
    """The same jobs without caching or batching: every call sync, no cache mark."""
    return [
        replace(
            c,
            plan=replace(c.plan, mode="sync", cache_key=None, cache_role=None),
            request=replace(c.request, cache_key=None, custom_id=c.request.custom_id + "-p"),
        )
        for c in calls
    ]


def _run(
    scenario: Scenario, policy: Policy, prices: PriceTable, calls: Sequence[JobCall[Any]]
) -> tuple[RunOutcome, float]:
    """One executor run on a fresh emulator (a cold prompt cache), real clock."""
    with Emulator(scenario=scenario, clock=RealClock()) as emu:
        providers = build_providers(
            {},
            keys={"anthropic": "bench", "openai": "bench"},
            base_urls={"anthropic": emu.base_url, "openai": emu.openai_base_url},
        )
        try:
            executor = Executor(providers, policy, prices, RealClock(), run_id="bench")
            started = time.monotonic()
            outcome = executor.run(calls)
            return outcome, time.monotonic() - started
        finally:
            providers.close()


def measure(latency: float, ttft: float) -> dict[str, Any]:
    """Wall time of the critical pair, its cache reads, and the plain vs routed cost."""
    loaded = load_policy(None)
    batch = BatchSettings(wait_seconds=30, poll_initial_seconds=0.05, poll_max_seconds=0.2)
    policy = loaded.policy.model_copy(update={"batch": batch})
    prices = loaded.prices
    calls = _calls(policy, prices)
    timing = (policy.tiers["frontier"].model, latency, ttft)
    crit, wall = _run(_scenario(*timing), policy, prices, [c for c in calls if c.job in CRITICAL])
    routed, _ = _run(_scenario(*timing), policy, prices, calls)
    plain, _ = _run(_scenario(*timing), policy, prices, _plain(calls))
    slowest = max(r.latency_s for r in crit.records)
    return {
        "wall_s": round(wall, 3),
        "slowest_job_s": round(slowest, 3),
        "ratio": round(wall / slowest, 3),
        "cache_read_tokens": sum(r.usage.cache_read for r in crit.records),
        "usd_plain": str(plain.cost_usd),
        "usd_cached_batched": str(routed.cost_usd),
        "jobs": {o.job: f"{o.status} ({o.records[-1].mode})" for o in routed.jobs},
    }


def _text(result: dict[str, Any]) -> str:
    saved = Decimal(result["usd_plain"]) - Decimal(result["usd_cached_batched"])
    share = saved / Decimal(result["usd_plain"]) * 100
    jobs = ", ".join(f"{job}: {status}" for job, status in result["jobs"].items())
    return "\n".join([
        f"review + security wall time   {result['wall_s']:.3f} s",
        f"slowest single job            {result['slowest_job_s']:.3f} s",
        f"ratio                         {result['ratio']:.3f}  (target <= 1.25)",
        f"cache read tokens (security)  {result['cache_read_tokens']}",
        "",
        f"plain (all sync, no caching)  ${result['usd_plain']}",
        f"cached + auxiliary batched    ${result['usd_cached_batched']}",
        f"saved                         ${saved} ({share:.1f}%)",
        f"jobs as routed                {jobs}",
    ])  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--latency", type=float, default=1.0, help="critical job latency (s)")
    parser.add_argument("--ttft", type=float, default=0.1, help="time to first token (s)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = measure(args.latency, args.ttft)
    if args.json:
        result.pop("jobs")
        print(json.dumps(result))
    else:
        print(_text(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
