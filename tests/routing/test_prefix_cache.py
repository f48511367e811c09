"""Caching across runs: none, 5m or 1h for the prefix that stays the same from push to push,
decided from its length, the model's minimum and the PR's intervals between runs; the
prefix is byte-identical on two pushes of a real PR history."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from pr_router.caching import CacheMultipliers, decide_prefix_cache, intervals
from pr_router.changes import analyze
from pr_router.changes.interdiff import interdiff
from pr_router.context import PRContext
from pr_router.estimate import invariant_prefix_tokens
from pr_router.github.state import State
from pr_router.jobs import JobInputs, build_calls
from pr_router.pipeline.pr_run import run_gaps
from pr_router.pipeline.push_diff import changes_of
from pr_router.plan import Plan, plan_to_json
from pr_router.policy.loader import check_policy_text, load_policy
from pr_router.policy.models import Policy
from pr_router.pricing import PriceTable
from pr_router.providers._anthropic_wire import message_params
from pr_router.pushes import PushFacts
from pr_router.render.plan import plan_text
from pr_router.router import route

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from _histories import find

PRICES = PriceTable(at=datetime(2026, 11, 22, tzinfo=UTC))
PR = PRContext(repo="o/r", number=1, title="t", body="A description.", action="synchronize")
MINUTE = 60.0


def _decide(gaps: list[float], *, shared: bool = True, tokens: int = 931) -> tuple[str, dict[str, Decimal]]:  # fmt: skip
    made = decide_prefix_cache("claude-opus-5-5", tokens, 512, gaps, shared_in_run=shared)
    return made.ttl, dict(made.cost)


def test_a_prefix_under_the_models_minimum_is_never_cached() -> None:
    made = decide_prefix_cache("claude-sonnet-4-6", 931, 1024, [MINUTE] * 5, shared_in_run=True)
    assert made.ttl == "none"
    assert "931 tokens, under the 1,024" in made.reason
    assert made.cost == ()


def test_pushes_minutes_apart_cache_for_5_minutes() -> None:
    ttl, cost = _decide([MINUTE, 2 * MINUTE, 3 * MINUTE])
    assert ttl == "5m"
    assert cost == {"none": Decimal("1.25"), "5m": Decimal("0.1"), "1h": Decimal("0.1")}


def test_pushes_within_the_hour_but_after_5_minutes_cache_for_an_hour() -> None:
    ttl, cost = _decide([20 * MINUTE, 40 * MINUTE, 3 * 3600.0])
    assert ttl == "1h"
    # 2 of 3 within the hour: 2/3 x 0.1 + 1/3 x 2 = 0.733...; 5m never hits: 1.25
    assert cost["5m"] == Decimal("1.25")
    assert cost["1h"] < Decimal("0.74")


def test_the_1h_write_does_not_pay_when_few_pushes_come_within_the_hour() -> None:
    # 1 of 3 within the hour: 1h costs 1/3 x 0.1 + 2/3 x 2 = 1.37 > 1.25
    ttl, cost = _decide([30 * MINUTE, 5 * 3600.0, 9 * 3600.0])
    assert ttl == "5m"
    assert cost["1h"] > cost["5m"]


def test_a_lone_request_is_not_cached_without_evidence_of_a_quick_next_run() -> None:
    assert _decide([], shared=False)[0] == "none"  # first run: no interval yet
    assert _decide([2 * 3600.0], shared=False)[0] == "none"
    assert _decide([MINUTE], shared=False)[0] == "5m"


def test_the_first_run_of_a_pr_marks_5m_when_its_jobs_share_the_prefix_anyway() -> None:
    ttl, cost = _decide([])
    assert ttl == "5m"
    assert cost["5m"] == cost["none"] == Decimal("1.25")


def test_the_models_own_cache_prices_decide() -> None:
    cheap_hour = CacheMultipliers(write_5m=Decimal("1.25"), write_1h=Decimal("1.3"),
                                  read=Decimal("0.05"))  # fmt: skip
    made = decide_prefix_cache("m", 931, 512, [30 * MINUTE, 5 * 3600.0], shared_in_run=True,
                               prices=cheap_hour)  # fmt: skip
    assert made.ttl == "1h"  # 0.5 x 0.05 + 0.5 x 1.3 = 0.675 < 1.25


def test_intervals_come_from_the_runs_times_in_the_state() -> None:
    t0 = datetime(2026, 7, 10, 13, 0, tzinfo=UTC)
    state = State(history=(
        {"head": "a", "what": "whole PR", "usd": "0.01", "at": t0.isoformat()},
        {"head": "b", "what": "changes since a", "usd": "0.01"},  # from before runs were timed
        {"head": "c", "what": "changes since b", "usd": "0.01",
         "at": (t0 + timedelta(minutes=20)).isoformat()},
    ))  # fmt: skip
    assert run_gaps(state, t0 + timedelta(minutes=80)) == [20 * MINUTE, 60 * MINUTE]
    assert run_gaps(State(), t0) == []
    assert intervals([t0, t0 - timedelta(minutes=1)]) == []


def _policy(extra: str = "") -> Policy:
    if not extra:
        return load_policy(None).policy
    text = "version: 1\ntiers:\n" + "".join(
        f"  {t}: {{provider: anthropic, model: {m}}}\n"
        for t, m in (("frontier", "claude-opus-5-5"), ("standard", "claude-sonnet-5-5"),
                     ("efficient", "claude-haiku-5-5"))
    ) + extra  # fmt: skip
    loaded = check_policy_text(text, source="test").loaded
    assert loaded is not None
    return loaded.policy


def _push_plan(at: int, gaps: list[float], policy: Policy | None = None) -> tuple[Plan, JobInputs]:
    h = find("pypa/pip", 14159)  # three pushes; the first two change code, 51 s apart
    old, new = h.pushes[at - 1], h.pushes[at]
    whole = analyze(new.diff)
    if at == 0:
        changes, push, pr = whole, None, replace(PR, action="opened")
    else:
        changes = changes_of(interdiff(old.diff, new.diff).diff, source="interdiff")
        push, pr = PushFacts(old.head, whole, {}), PR
    pol = policy or _policy()
    plan = route(pol, changes, pr, prices=PRICES, push=push, gaps=gaps)
    return plan, JobInputs(changes, pr, pol, run_tag=f"r{at}", whole=whole if push else None)


def test_plan_shows_the_decision_and_marks_the_requests() -> None:
    plan, inputs = _push_plan(1, [51.0])
    (decision,) = plan.prefix_caches
    assert (decision.model, decision.ttl) == ("claude-opus-5-5", "5m")
    assert decision.prefix_tokens == invariant_prefix_tokens("findings")
    assert "Across runs (claude-opus-5-5" in plan_text(plan)
    assert plan_to_json(plan)["prefix_cache"][0]["ttl"] == "5m"
    calls = {c.plan.job: c for c in build_calls(plan, inputs)}
    system = message_params(calls["review"].request)["system"]
    assert system[0]["cache_control"] == {"type": "ephemeral", "ttl": "5m"}


def test_the_policy_can_fix_or_switch_off_the_breakpoint() -> None:
    off, inputs = _push_plan(1, [51.0], _policy("caching: {across_runs: none}\n"))
    assert off.prefix_caches[0].ttl == "none"
    calls = build_calls(off, inputs)
    assert all(isinstance(message_params(c.request)["system"], str) for c in calls)
    hour, _ = _push_plan(1, [51.0], _policy("caching: {across_runs: 1h}\n"))
    assert hour.prefix_caches[0].ttl == "1h"
    assert hour.prefix_caches[0].reason == "caching.across_runs: 1h"


def test_the_invariant_prefix_is_byte_identical_on_two_pushes() -> None:
    first, first_inputs = _push_plan(0, [])
    second, second_inputs = _push_plan(2, [51.0, 3 * 86_400.0])
    a = {c.plan.job: message_params(c.request) for c in build_calls(first, first_inputs)}
    b = {c.plan.job: message_params(c.request) for c in build_calls(second, second_inputs)}
    for job in ("review", "security"):
        assert a[job]["system"] == b[job]["system"]
        assert a[job]["output_config"]["format"] == b[job]["output_config"]["format"]
        # what follows the invariant prefix is this push's own context
        assert a[job]["messages"] != b[job]["messages"]
    assert a["review"]["system"][0]["text"] == a["security"]["system"][0]["text"]


def test_jobs_with_different_output_schemas_do_not_share_a_cache_mark() -> None:
    # describe and changelog see one compact context, but each output schema comes first in
    # its prompt: neither can read the other's prefix, so neither pays for a write.
    pol = _policy("jobs:\n  describe: {mode: sync}\n  changelog: {mode: sync}\n")
    plan, inputs = _push_plan(0, [], pol)
    jobs = {j.job: j for j in plan.running}
    assert {"describe", "changelog"} <= set(jobs)
    assert jobs["describe"].cache_role is None
    assert jobs["changelog"].cache_role is None
    assert (jobs["review"].cache_role, jobs["security"].cache_role) == ("write", "read")
    calls = {c.plan.job: c.request for c in build_calls(plan, inputs)}
    assert calls["describe"].cache_key is None
    assert calls["review"].cache_key == calls["security"].cache_key is not None
