"""Caching across runs: whether the prompt prefix that stays the same from push to push is
cached between a PR's runs, and for how long.

Every findings job's prompt starts with the same bytes on every push: the output schema,
then the system text (instructions and rules shared by all jobs). Only what follows (the
PR context, the job's own task) changes. A cache breakpoint after that invariant prefix
lets the next run of the PR read it instead of paying for it again, if the entry is still
alive when that run comes. Three choices, priced in units of the prefix at the model's
base input rate, per run:

- ``none``: no breakpoint there. The prefix costs 1x; or, when the run caches its shared
  PR context anyway (two or more jobs share it), it is written with that context at the
  5-minute write rate (1.25x) and a breakpoint of its own costs nothing more on a miss.
- ``5m``: written at 1.25x, read at 0.1x by a run that comes within 5 minutes.
- ``1h``: written at 2x, read at 0.1x by a run that comes within an hour.

The share of the PR's observed intervals between runs under 5 minutes (``p5m``) and under
an hour (``p1h``) is the chance that the next run finds the entry. Expected cost per run:
``5m = p5m x read + (1 - p5m) x write_5m``, ``1h = p1h x read + (1 - p1h) x write_1h``;
the cheapest wins (a tie goes to ``5m``, which costs nothing more on a miss). A prefix shorter than the model's minimum
cacheable length is never cached (the provider would bill it in full and say nothing), and
a PR with no interval yet is priced as if no run came back in time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # plan.py imports this module
    from pr_router.plan import JobPlan
    from pr_router.policy.models import Policy
    from pr_router.pricing import PriceTable, Rates

__all__ = [
    "CacheMultipliers",
    "PrefixCache",
    "PrefixTTL",
    "decide_prefix_cache",
    "intervals",
    "multipliers_of",
    "plan_prefix_caches",
]

PrefixTTL = Literal["none", "5m", "1h"]
_WINDOW_S = {"5m": 300.0, "1h": 3600.0}


@dataclass(frozen=True, slots=True)
class CacheMultipliers:
    """Cache prices as multiples of the base input rate (Anthropic's list multipliers)."""

    write_5m: Decimal = Decimal("1.25")
    write_1h: Decimal = Decimal("2")
    read: Decimal = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class PrefixCache:
    """The decision for one model's invariant prefix, with the figures behind it."""

    model: str
    ttl: PrefixTTL
    reason: str
    prefix_tokens: int
    min_tokens: int
    intervals: int = 0  # observed intervals between the PR's runs
    p5m: float = 0.0  # share of them under 5 minutes
    p1h: float = 0.0  # share of them under an hour
    cost: tuple[tuple[PrefixTTL, Decimal], ...] = ()  # expected x base input, per run

    def to_json(self) -> dict[str, object]:
        """The decision as plain JSON (``plan --json``)."""
        return {
            "model": self.model, "ttl": self.ttl, "reason": self.reason,
            "prefix_tokens": self.prefix_tokens, "min_tokens": self.min_tokens,
            "intervals": self.intervals, "p5m": round(self.p5m, 4), "p1h": round(self.p1h, 4),
            "cost_x_input": {k: float(v) for k, v in self.cost},
        }  # fmt: skip


def intervals(times: Sequence[datetime]) -> list[float]:
    """Seconds between consecutive run times (oldest first; out-of-order pairs are dropped)."""
    return [(b - a).total_seconds() for a, b in pairwise(times) if b >= a]


def _share(gaps: Sequence[float], window_s: float) -> float:
    return sum(1 for g in gaps if g <= window_s) / len(gaps) if gaps else 0.0


def decide_prefix_cache(
    model: str,
    prefix_tokens: int,
    min_tokens: int,
    gaps: Sequence[float],
    *,
    shared_in_run: bool,
    prices: CacheMultipliers | None = None,
) -> PrefixCache:
    """none, 5m or 1h for the invariant prefix of ``model``'s requests, and why (see module).

    ``gaps``: seconds between the PR's earlier runs and this one; ``shared_in_run``: the run
    writes its shared PR context to the cache anyway (the prefix is then written with it).
    """
    m = prices or CacheMultipliers()
    if prefix_tokens < min_tokens:
        why = (f"the prefix that stays the same across pushes is {prefix_tokens:,} tokens, "
               f"under the {min_tokens:,} {model} caches")  # fmt: skip
        return PrefixCache(model, "none", why, prefix_tokens, min_tokens, len(gaps))
    p5m, p1h = _share(gaps, _WINDOW_S["5m"]), _share(gaps, _WINDOW_S["1h"])
    d5, d1 = Decimal(str(p5m)), Decimal(str(p1h))
    cost: dict[PrefixTTL, Decimal] = {
        "none": m.write_5m if shared_in_run else Decimal(1),
        "5m": d5 * m.read + (1 - d5) * m.write_5m,
        "1h": d1 * m.read + (1 - d1) * m.write_1h,
    }
    ttl = min(cost, key=lambda k: (cost[k], ("5m", "none", "1h").index(k)))
    seen = (f"{len(gaps)} interval(s) between this PR's runs, {p5m:.0%} under 5 min, "
            f"{p1h:.0%} under 1 h") if gaps else "no earlier run of this PR to measure"  # fmt: skip
    figures = ", ".join(f"{k} {v.quantize(Decimal('0.01'))}x" for k, v in cost.items())
    why = f"{seen}: expected cost per run {figures} of input; {ttl} is cheapest"
    return PrefixCache(model, ttl, why, prefix_tokens, min_tokens, len(gaps), p5m, p1h,
                       tuple(cost.items()))  # fmt: skip


def multipliers_of(rates: Rates) -> CacheMultipliers:
    """A model's cache prices as multiples of its input rate (the price table's, not a rule)."""
    if not rates.input:
        return CacheMultipliers()
    return CacheMultipliers(rates.cache_write_5m / rates.input,
                            rates.cache_write_1h / rates.input, rates.cache_read / rates.input)  # fmt: skip


def plan_prefix_caches(
    jobs: Sequence[JobPlan], policy: Policy, gaps: Sequence[float], prices: PriceTable
) -> tuple[tuple[JobPlan, ...], tuple[PrefixCache, ...]]:
    """The decision for each model whose synchronous Anthropic jobs share an invariant
    prefix (one output schema), and the jobs with their ``prefix_ttl`` set from it.

    OpenAI caches every long prefix by itself, and batch requests carry no cache marks, so
    neither gets a decision. ``caching.across_runs`` fixes the TTL instead of ``auto``.
    """
    from pr_router.estimate import invariant_prefix_tokens
    from pr_router.model_settings import settings_for

    if not policy.caching.enabled:
        return tuple(jobs), ()
    groups: dict[tuple[str, str], list[JobPlan]] = {}
    for j in jobs:
        if j.run and j.mode == "sync" and j.provider == "anthropic" and j.model:
            kind = "findings" if j.output == "findings" else j.job
            groups.setdefault((j.model, kind), []).append(j)
    decisions: dict[str, PrefixCache] = {}
    for (model, _), members in groups.items():
        tokens = invariant_prefix_tokens(members[0].output)
        shared = any(m.cache_role in ("write", "read") for m in members)
        rates = multipliers_of(prices.rates("anthropic", model, "sync", tokens))
        made = decide_prefix_cache(model, tokens, settings_for(model).min_cache_tokens, gaps,
                                   shared_in_run=shared, prices=rates)  # fmt: skip
        fixed = policy.caching.across_runs
        if fixed != "auto" and tokens >= made.min_tokens:
            made = replace(made, ttl=fixed, reason=f"caching.across_runs: {fixed}")
        for m in members:
            decisions[m.job] = made
    out = tuple(replace(j, prefix_ttl=None if decisions[j.job].ttl == "none" else
                        decisions[j.job].ttl) if j.job in decisions else j  # type: ignore[arg-type]
                for j in jobs)  # fmt: skip
    return out, tuple(dict.fromkeys(decisions.values()))
