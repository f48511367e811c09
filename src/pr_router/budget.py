"""Budgets: before spending, fit the plan's estimate into what is left of each limit.

``apply_budget`` is pure. When the estimate exceeds what is left of a budget (per run, per
PR across runs, per calendar month), it follows ``budgets.on_exceed`` step by step, one job
at a time (most expensive first), until the plan fits:

- ``batch_auxiliary``: synchronous auxiliary jobs move to batch mode (half price);
- ``demote_auxiliary``: auxiliary jobs move one tier down (never below efficient);
- ``skip_optional``: optional auxiliary jobs are skipped;
- ``demote_critical``: critical jobs move one tier down;
- ``skip_all``: any job is skipped, auxiliary first, critical last.

Jobs in ``must_stay_frontier`` keep their tier on PRs that change code: only ``skip_all``
touches them, and says so loudly. Nothing changes silently: every change adds a reason to
the job and every exceeded budget adds a notice line to the plan.

A job's extra attempt during the run (a critical answer retried with more room, a cascade
escalation) is held to the same budgets by ``Headroom``: it may spend the job's own estimate
plus what the fitted plan left unreserved, less what the job's attempts already cost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from pr_router.ledger import LedgerRecord
from pr_router.plan import Estimate, JobPlan, Plan
from pr_router.policy.models import TIERS, Policy, Tier
from pr_router.pricing import MTOK, PriceTable, Rates, cost, format_usd
from pr_router.tokens import TokenUsage

__all__ = [
    "Headroom",
    "Limit",
    "Spent",
    "apply_budget",
    "budget_line",
    "headroom_of",
    "limits",
    "month_spent",
    "output_room",
]

Step = Literal[
    "batch_auxiliary", "demote_auxiliary", "skip_optional", "demote_critical", "skip_all"
]
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Spent:
    """What has already been spent against each budget, in USD."""

    run_usd: Decimal = _ZERO  # earlier jobs of this same run
    pr_usd: Decimal = _ZERO  # cumulative, from the sticky state
    month_usd: Decimal = _ZERO  # this calendar month, from the ledgers


@dataclass(frozen=True, slots=True)
class Limit:
    """One budget that is set: its limit and what is already spent against it."""

    key: str  # "per_run", "per_pr", "per_month"
    label: str  # "per run", "per PR", "per month"
    limit: Decimal
    spent: Decimal

    @property
    def left(self) -> Decimal:
        """What is left before the limit (negative when already over)."""
        return self.limit - self.spent

    @property
    def room(self) -> Decimal:
        """What this run may still spend: what is left, never below zero."""
        return max(self.left, _ZERO)

    def describe(self) -> str:
        """E.g. "per-PR $5.00 has $0.42 left"."""
        name = f"{self.label.replace(' ', '-')} {format_usd(self.limit)}"
        if self.left <= 0:
            return f"{name} is used up (spent {format_usd(self.spent)})"
        return f"{name} has {format_usd(self.left)} left"


def limits(policy: Policy, spent: Spent) -> tuple[Limit, ...]:
    """The budgets the policy sets, with what is spent against each."""
    b = policy.budgets
    pairs = (
        ("per_run", "per run", b.per_run_usd, spent.run_usd),
        ("per_pr", "per PR", b.per_pr_usd, spent.pr_usd),
        ("per_month", "per month", b.per_month_usd, spent.month_usd),
    )
    return tuple(Limit(k, label, lim, s) for k, label, lim, s in pairs if lim is not None)


@dataclass(frozen=True, slots=True)
class Headroom:
    """What a run's jobs may spend on extra attempts without exceeding a budget."""

    binding: Limit | None  # the budget with the least left; None: no budget is set
    planned: Decimal = _ZERO  # the fitted plan's estimate: every running job's share

    def for_job(self, estimate: Decimal, spent: Decimal) -> Decimal:
        """What one more attempt of a job may cost: the job's estimate plus the plan's
        unreserved room, less what its attempts spent (never below zero); only with a budget set.

        The other jobs keep their estimates; the unreserved room is offered to each job
        that needs an extra attempt (jobs run side by side and cannot wait for each other).
        """
        if self.binding is None:
            raise ValueError("no budget is set: nothing to hold an attempt to")
        return max(self.binding.room - self.planned + estimate - spent, _ZERO)


def headroom_of(policy: Policy, spent: Spent, plan: Plan) -> Headroom:
    """The run's headroom: the binding budget's room against the fitted plan's estimate."""
    budgets = limits(policy, spent)
    return Headroom(_binding(budgets) if budgets else None, plan.total_usd)


def output_room(allowance: Decimal, prompt: TokenUsage, rates: Rates, wanted: int) -> int:
    """The output cap (reasoning included), at most ``wanted``, that ``allowance`` pays for
    once ``prompt`` is paid at ``rates``; 0 when it does not even pay for the prompt."""
    left = allowance - cost(prompt, rates)
    if left <= 0:
        return 0
    if rates.output <= 0:  # output is free at these rates: the prompt is all it costs
        return wanted
    return min(wanted, int(left * MTOK / rates.output))


def month_spent(records: Iterable[LedgerRecord], now: datetime) -> Decimal:
    """Actual spend of the records in ``now``'s calendar month (UTC)."""
    now = _utc(now)
    return sum(
        (
            r.cost_usd
            for r in records
            if (t := _utc(r.timestamp)).year == now.year and t.month == now.month
        ),
        _ZERO,
    )


def _utc(moment: datetime) -> datetime:
    # Naive timestamps are taken as UTC, the runner's clock.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def budget_line(
    label: str, limit: Decimal, spent: Decimal, estimate: Decimal, after: Decimal | None = None
) -> str:
    """E.g. "Budget: per PR $5.00, spent $4.58, this run est. $0.61 → after changes $0.39"."""
    line = (
        f"Budget: {label} {format_usd(limit)}, spent {format_usd(spent)}, "
        f"this run est. {format_usd(estimate)}"
    )
    if after is not None and after != estimate:
        line += f" → after changes {format_usd(after)}"
    return line


# --- re-estimating one job --------------------------------------------------------------


def _usage(estimate: Estimate, policy: Policy | None = None) -> TokenUsage:
    """The token usage behind an estimate (the router's own layout), cache writes at the
    policy's ``caching.ttl``; uncached without a policy."""
    prompt, out = estimate.input_tokens, estimate.output_tokens
    if policy is None:
        return TokenUsage(input=prompt, output=out)
    own = prompt - estimate.cached_tokens - estimate.cache_write_tokens
    ttl = "cache_write_1h" if policy.caching.ttl == "1h" else "cache_write_5m"
    return TokenUsage(
        input=own, cache_read=estimate.cached_tokens, output=out,
        **{ttl: estimate.cache_write_tokens},
    )  # fmt: skip


def _moved(job: JobPlan, policy: Policy, prices: PriceTable, tier: Tier, batch: bool) -> JobPlan:
    """The job on another tier and/or in batch mode, re-estimated like the router does.

    A moved job leaves its prompt-cache group, so it is estimated without caching: an upper
    bound, never an underestimate.
    """
    # Only running jobs are moved, and the router gives every running job both.
    assert job.estimate is not None
    assert job.mode is not None
    mode = "batch" if batch else job.mode
    model = policy.tiers[tier]
    usage = _usage(job.estimate)
    estimate = replace(
        job.estimate,
        usd=prices.cost(model.provider, model.model, usage, mode),
        cached_tokens=0,
        cache_write_tokens=0,
    )
    return replace(
        job, tier=tier, provider=model.provider, model=model.model, mode=mode,
        estimate=estimate, cache_key=None, cache_role=None,
    )  # fmt: skip


def _recache(jobs: list[JobPlan], policy: Policy, prices: PriceTable) -> None:
    """Fix cache groups that lost members: a lone member is uncached, a group needs a writer."""
    sizes = Counter(j.cache_key for j in jobs if j.run and j.cache_key is not None)
    seen: set[str] = set()
    for i, job in enumerate(jobs):
        key = job.cache_key
        if not job.run or key is None:
            continue
        if sizes[key] < 2:
            alone = _moved(job, policy, prices, job.tier or "frontier", batch=False)
            why = "budget: no other job shares its cached context now; estimated uncached"
            jobs[i] = replace(alone, reasons=(*job.reasons, why))
        elif key not in seen and job.cache_role == "read" and job.estimate is not None:
            # The writer left the group: this job writes the shared prefix now.
            shared = job.estimate.cached_tokens
            est = replace(job.estimate, cached_tokens=0, cache_write_tokens=shared)
            model = policy.tiers[job.tier or "frontier"]
            usd = prices.cost(model.provider, model.model, _usage(est, policy), job.mode or "sync")
            why = "budget: writes the shared cached context now (its writer no longer runs)"
            jobs[i] = replace(
                job, cache_role="write", estimate=replace(est, usd=usd),
                reasons=(*job.reasons, why),
            )  # fmt: skip
        if key is not None:
            seen.add(key)


def _skipped(job: JobPlan, reason: str) -> JobPlan:
    return JobPlan(
        job=job.job, job_class=job.job_class, run=False, reasons=(*job.reasons, reason),
        title=job.title, output=job.output, optional=job.optional,
    )  # fmt: skip


# --- the steps --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ctx:
    policy: Policy
    prices: PriceTable
    protected: frozenset[str]  # must_stay_frontier jobs, on a PR that changes code


def _down(tier: Tier | None) -> Tier | None:
    """One tier down, or None when already on the cheapest tier."""
    if tier is None or tier == TIERS[0]:
        return None
    return TIERS[TIERS.index(tier) - 1]


Change = Callable[[JobPlan, str], JobPlan | None]  # (job, why) -> changed job, or None


def _step_change(step: Step, ctx: _Ctx) -> Change:
    """How one ``on_exceed`` step changes a job (None: the step does not apply to it)."""

    def batch(j: JobPlan, why: str) -> JobPlan | None:
        if j.job_class != "auxiliary" or j.mode != "sync" or not ctx.policy.batch.enabled:
            return None
        moved = _moved(j, ctx.policy, ctx.prices, j.tier or "efficient", batch=True)
        return replace(moved, reasons=(*j.reasons, f"budget: {why}; moved to batch"))

    def demote(cls: str) -> Change:
        def change(j: JobPlan, why: str) -> JobPlan | None:
            tier = _down(j.tier)
            if j.job_class != cls or tier is None or j.job in ctx.protected:
                return None
            moved = _moved(j, ctx.policy, ctx.prices, tier, batch=False)
            return replace(moved, reasons=(*j.reasons, f"budget: {why}; demoted to {tier}"))

        return change

    def skip_optional(j: JobPlan, why: str) -> JobPlan | None:
        if j.job_class != "auxiliary" or not j.optional or j.job in ctx.protected:
            return None
        return _skipped(j, f"budget: {why}; optional job skipped")

    def skip_all(j: JobPlan, why: str) -> JobPlan | None:
        loud = "CRITICAL JOB SKIPPED" if j.job_class == "critical" else "skipped"
        return _skipped(j, f"budget: {why}; {loud} (budgets.on_exceed: skip_all)")

    table: dict[Step, Change] = {
        "batch_auxiliary": batch,
        "demote_auxiliary": demote("auxiliary"),
        "skip_optional": skip_optional,
        "demote_critical": demote("critical"),
        "skip_all": skip_all,
    }
    return table[step]


def _cost(job: JobPlan) -> Decimal:
    return job.estimate.usd if job.run and job.estimate is not None else _ZERO


def _order(jobs: list[JobPlan], step: Step) -> list[int]:
    """Indices of running jobs in the order a step takes them: most expensive first."""
    running = [i for i, j in enumerate(jobs) if j.run]
    if step == "skip_all":  # auxiliary before critical, whatever they cost
        return sorted(running, key=lambda i: (jobs[i].job_class == "critical", -_cost(jobs[i])))
    return sorted(running, key=lambda i: (-_cost(jobs[i]), jobs[i].job))


def _total(jobs: list[JobPlan]) -> Decimal:
    return sum((_cost(j) for j in jobs), _ZERO)


def _binding(budgets: tuple[Limit, ...]) -> Limit:
    return min(budgets, key=lambda b: b.left)


def _fit(jobs: list[JobPlan], ctx: _Ctx, budgets: tuple[Limit, ...]) -> list[str]:
    """Apply the ``on_exceed`` steps in place until the jobs fit; returns extra notices."""
    binding = _binding(budgets)
    why = binding.describe()
    notices: list[str] = []
    for step in ctx.policy.budgets.on_exceed:
        if _total(jobs) <= binding.room:
            break
        if step == "batch_auxiliary" and not ctx.policy.batch.enabled:
            notices.append("budget step batch_auxiliary unavailable: batch.enabled is false")
        change = _step_change(step, ctx)
        for i in _order(jobs, step):
            if _total(jobs) <= binding.room:
                break
            changed = change(jobs[i], why)
            if changed is not None:
                if step == "skip_all" and jobs[i].job_class == "critical":
                    notices.append(f"⚠ Budget: critical job '{jobs[i].job}' skipped ({why})")
                jobs[i] = changed
                _recache(jobs, ctx.policy, ctx.prices)
    return notices


def apply_budget(plan: Plan, policy: Policy, spent: Spent, prices: PriceTable) -> Plan:
    """The plan fitted into the budgets left, following ``budgets.on_exceed``; never silent."""
    budgets = limits(policy, spent)
    before = plan.total_usd
    exceeded = tuple(b for b in budgets if before > b.room)
    if not exceeded:
        return plan
    code = plan.signals.code_changed
    protected = frozenset(policy.must_stay_frontier) if code else frozenset()
    ctx = _Ctx(policy, prices, protected)
    jobs = list(plan.jobs)
    extra = _fit(jobs, ctx, exceeded)
    after = _total(jobs)
    lines = [budget_line(b.label, b.limit, b.spent, before, after) for b in exceeded]
    still = [b for b in exceeded if after > b.room]
    if still:
        left = ", ".join(j.job for j in jobs if j.run)
        steps = ", ".join(policy.budgets.on_exceed) or "none"
        lines.append(
            f"⚠ Budget: {_binding(tuple(still)).describe()}, but budgets.on_exceed "
            f"({steps}) allows no further change: {left or 'nothing'} still runs"
        )
    return replace(plan, jobs=tuple(jobs), notices=(*plan.notices, *lines, *extra))
