"""Benchmark: critical jobs side by side with prompt caching, and what caching + batching save.

Runs the bundled demo PR through the real router, jobs layer and executor against the local
emulator on the real clock. Each critical job answers after ``--latency`` seconds (first
token after ``--ttft``). Prints the wall time of review + security against the slowest single
job (target ratio <= 1.25, with the security job still reading the review's cached prefix),
then the cost of the whole run as routed (cached, auxiliary jobs batched) next to the same
jobs sent plainly (all sync, no cache marks). Both for the jobs as the jobs layer builds
them and with review and security sharing one output schema (see ``_shared_schema``).

    python benchmarks/provider_concurrency.py [--latency 1.0] [--ttft 0.1] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
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


def _scenario(latency: float, ttft: float) -> Scenario:
    """Canned demo answers by schema name; critical jobs slow, the rest quick."""
    outputs: dict[str, Any] = json.loads(_demo("outputs.json"))
    slow = {"ReviewOutput", "SecurityOutput"}
    rules = [
        Rule(job=name, output=out, latency_s=latency if name in slow else 0.05, ttft_s=ttft)
        for name, out in outputs.items()
    ]
    return Scenario(rules, batch_duration_s=0.3)


def _calls(policy: Policy, prices: PriceTable) -> list[JobCall[Any]]:
    """The demo PR routed by the real router and built by the real jobs layer."""
    event = json.loads(_demo("event.json"))
    changes = analyze(_demo("example.diff"), source="demo diff", ignore=policy.ignore)
    context = pr_context_from_pull(event["pull_request"])
    plan = route(policy, changes, context, prices=prices)
    return build_calls(plan, JobInputs(changes, context, policy, run_tag="bench"))


def _shared_schema(calls: Sequence[JobCall[Any]]) -> list[JobCall[Any]]:
    """Security sends the review's output schema, so both prompts start with the same bytes.

    The providers put the structured-output schema before the prompt, so two jobs with
    different schemas never share a cached prefix. This variant shows what one shared
    findings schema would give; its outputs are taken as they come (no job validation).
    """
    review = next(c.request for c in calls if c.job == "review")
    out = []
    for c in calls:
        if c.job != "security":
            out.append(c)
            continue
        request = replace(
            c.request, output_schema=review.output_schema, schema_name=review.schema_name
        )
        out.append(replace(c, request=request, validate=lambda r: r.data))
    return out


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


def _figures(
    calls: Sequence[JobCall[Any]], policy: Policy, prices: PriceTable, timing: tuple[float, float]
) -> dict[str, Any]:
    """Wall time of the critical pair, cache reads, and the plain vs routed cost."""
    critical = [c for c in calls if c.job in CRITICAL]
    crit, wall = _run(_scenario(*timing), policy, prices, critical)
    routed, _ = _run(_scenario(*timing), policy, prices, calls)
    plain, _ = _run(_scenario(*timing), policy, prices, _plain(calls))
    slowest = max(r.latency_s for r in crit.records)
    return {
        "wall_s": round(wall, 3),
        "slowest_job_s": round(slowest, 3),
        "ratio": round(wall / slowest, 3),
        "cache_read_tokens": sum(r.usage.cache_read for r in crit.records),
        "cache_write_tokens": sum(r.usage.tokens().cache_write for r in crit.records),
        "usd_plain": str(plain.cost_usd),
        "usd_cached_batched": str(routed.cost_usd),
        "statuses": {o.job: o.status for o in routed.jobs},
    }


def measure(latency: float, ttft: float) -> dict[str, Any]:
    """Figures for the jobs as built today, and with one schema for review and security."""
    loaded = load_policy(None)
    batch = BatchSettings(wait_seconds=30, poll_initial_seconds=0.05, poll_max_seconds=0.2)
    policy = loaded.policy.model_copy(update={"batch": batch})
    calls = _calls(policy, loaded.prices)
    result = _figures(calls, policy, loaded.prices, (latency, ttft))
    result["shared_schema"] = _figures(
        _shared_schema(calls), policy, loaded.prices, (latency, ttft)
    )
    return result


def _text(result: dict[str, Any]) -> str:
    shared = result["shared_schema"]
    rows = [
        ("review + security wall time (s)", "wall_s"),
        ("slowest single job (s)", "slowest_job_s"),
        ("ratio (target <= 1.25)", "ratio"),
        ("cache read tokens (critical)", "cache_read_tokens"),
        ("cache write tokens (critical)", "cache_write_tokens"),
        ("USD plain: all sync, no caching", "usd_plain"),
        ("USD as routed: cached + batched", "usd_cached_batched"),
    ]
    lines = [f"{'':<34}{'jobs as built':>16}{'shared schema':>16}"]
    lines += [f"{label:<34}{result[key]!s:>16}{shared[key]!s:>16}" for label, key in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--latency", type=float, default=1.0, help="critical job latency (s)")
    parser.add_argument("--ttft", type=float, default=0.1, help="time to first token (s)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = measure(args.latency, args.ttft)
    print(json.dumps(result) if args.json else _text(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
