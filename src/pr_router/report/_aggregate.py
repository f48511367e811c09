"""The report's figures from ledger records: pure arithmetic on ``Decimal`` and ``int``.

Definitions (each figure can be recomputed by hand from the records):

- spend: the sum of ``cost_usd``; a *run* is a record whose status is neither ``skipped``
  nor ``pending``; *pending* counts batch items submitted and not collected yet (``dedupe``
  drops the pending record of an item once its final record is there), never spend;
- cost per PR: the sum per (repo, PR); median of an even count is the mean of the two middle
  values; p90 is the nearest rank, ``ceil(0.9 n)``-th smallest, a value that occurred;
- batch saving: a batch record paid half the synchronous price, so its sync equivalent is
  ``cost / 0.5`` and it saved ``sync equivalent - cost``;
- cache saving: cache reads priced at the read rate instead of the input rate, at the
  record's stored ``rates``; cache writes cost a premium over the input rate; net is both;
- acceptance: among ``ok`` records, by (job, tier); ``n`` counts decided ones (accepted +
  rejected), undecided ones are ``unknown``;
- routing efficiency: the share of runs on the efficient or standard tier, and the
  all-frontier counterfactual (``all_frontier_usd``) against the actual spend;
- runner: billed runner minutes and their cost, once per ``run_id`` (every record of a
  run carries the same figures); totals are token spend plus runner;
- gate acceptances: every finding a maintainer accepted for the merge gate (the records'
  ``accepted``, from any record, billed or not), once per PR and finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from pr_router.ledger import Entry, LedgerRecord
from pr_router.pricing import BATCH_FACTOR, MTOK
from pr_router.report._period import Period, utc
from pr_router.report._runner import RunnerTotals, runner_totals

__all__ = [
    "Acceptance",
    "Efficiency",
    "GateAccepted",
    "PRCosts",
    "Savings",
    "Spend",
    "Summary",
    "Timeline",
    "median",
    "nearest_rank",
    "summarize",
]

_ZERO = Decimal(0)
TIER_ORDER = ("frontier", "standard", "efficient")


@dataclass(frozen=True, slots=True)
class Spend:
    """Spend and run count of one group (a job, tier, model or mode)."""

    key: str
    runs: int
    usd: Decimal


@dataclass(frozen=True, slots=True)
class PRCosts:
    """What each PR cost over the period, summed across its runs."""

    prs: int
    total: Decimal
    median: Decimal
    p90: Decimal
    max: Decimal
    max_pr: str | None  # "owner/name#123" of the most expensive PR


@dataclass(frozen=True, slots=True)
class Savings:
    """What batch mode and prompt caching saved."""

    runs: int
    batch_runs: int
    batch_usd: Decimal  # what the batch runs cost
    batch_saved: Decimal
    prompt_tokens: int
    cache_read_tokens: int
    cache_read_saved: Decimal
    cache_write_extra: Decimal  # the premium paid for cache writes over plain input

    @property
    def cache_net(self) -> Decimal:
        """Cache read savings minus the write premium."""
        return self.cache_read_saved - self.cache_write_extra


@dataclass(frozen=True, slots=True)
class Acceptance:
    """What users did with one job's results on one tier."""

    job: str
    tier: str
    job_class: str
    accepted: int
    rejected: int
    unknown: int

    @property
    def n(self) -> int:
        """Decided results: accepted plus rejected."""
        return self.accepted + self.rejected

    @property
    def rejection(self) -> Decimal | None:
        """Share of decided results that were rejected, or None with no decided result."""
        return Decimal(self.rejected) / Decimal(self.n) if self.n else None


@dataclass(frozen=True, slots=True)
class GateAccepted:
    """A finding a maintainer accepted for the merge gate."""

    pr: str  # "owner/name#123"
    job: str
    severity: str
    title: str
    by: str
    reason: str
    via: str


@dataclass(frozen=True, slots=True)
class Efficiency:
    """How much routing kept off the frontier tier, and what that saved."""

    runs: int
    lower_tier_runs: int  # efficient + standard
    actual_usd: Decimal
    all_frontier_usd: Decimal

    @property
    def saved_usd(self) -> Decimal:
        """All-frontier counterfactual minus actual spend."""
        return self.all_frontier_usd - self.actual_usd


@dataclass(frozen=True, slots=True)
class Timeline:
    """Spend per time bucket (a day, or a week starting Monday) and tier."""

    granularity: str  # "day" or "week"
    buckets: tuple[tuple[date, dict[str, Decimal]], ...]


@dataclass(frozen=True, slots=True)
class Summary:
    """Every figure of a report."""

    period: Period
    records: int
    runs: int
    pending: int  # batch items submitted and not collected: neither runs nor spend
    failed: int
    escalations: int
    total_usd: Decimal
    by_job: tuple[Spend, ...]
    by_tier: tuple[Spend, ...]
    by_model: tuple[Spend, ...]
    by_mode: tuple[Spend, ...]
    per_pr: PRCosts | None
    savings: Savings
    acceptance: tuple[Acceptance, ...]
    efficiency: Efficiency
    timeline: Timeline
    gate_accepted: tuple[GateAccepted, ...] = ()
    runner: RunnerTotals = field(default_factory=lambda: runner_totals(()))

    @property
    def total_with_runner_usd(self) -> Decimal:
        """Token spend plus the runner minutes recorded: what the runs cost in total."""
        return self.total_usd + self.runner.usd


def _spend(runs: Sequence[LedgerRecord], key: Callable[[LedgerRecord], str]) -> tuple[Spend, ...]:
    """Spend per group, most expensive first (ties by name)."""
    usd: dict[str, Decimal] = defaultdict(Decimal)
    count: dict[str, int] = defaultdict(int)
    for r in runs:
        k = key(r)
        usd[k] += r.cost_usd
        count[k] += 1
    return tuple(sorted((Spend(k, count[k], usd[k]) for k in usd), key=lambda s: (-s.usd, s.key)))


def median(values: Sequence[Decimal]) -> Decimal:
    """The median; of an even count, the mean of the two middle values."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def nearest_rank(values: Sequence[Decimal], pct: int) -> Decimal:
    """The ``pct``-th percentile by nearest rank: the ``ceil(pct/100 n)``-th smallest."""
    ordered = sorted(values)
    rank = max(1, -(-pct * len(ordered) // 100))
    return ordered[rank - 1]


def _per_pr(records: Sequence[LedgerRecord]) -> PRCosts | None:
    costs: dict[str, Decimal] = defaultdict(Decimal)
    for r in records:
        if r.pr is not None:
            costs[f"{r.repo or ''}#{r.pr}"] += r.cost_usd
    if not costs:
        return None
    values = list(costs.values())
    top = max(costs, key=lambda k: (costs[k], k))
    return PRCosts(
        prs=len(costs),
        total=sum(values, _ZERO),
        median=median(values),
        p90=nearest_rank(values, 90),
        max=costs[top],
        max_pr=top,
    )


def _savings(runs: Sequence[LedgerRecord]) -> Savings:
    batch_runs, batch_usd, prompt, read = 0, _ZERO, 0, 0
    read_saved, write_extra = _ZERO, _ZERO
    for r in runs:
        u = r.usage
        prompt += u.input + u.cache_write_5m + u.cache_write_1h + u.cache_read
        read += u.cache_read
        if r.mode == "batch":
            batch_runs += 1
            batch_usd += r.cost_usd
        if r.rates is not None:
            rt = r.rates
            read_saved += u.cache_read * (rt.input - rt.cache_read)
            write_extra += u.cache_write_5m * (rt.cache_write_5m - rt.input)
            write_extra += u.cache_write_1h * (rt.cache_write_1h - rt.input)
    return Savings(
        runs=len(runs),
        batch_runs=batch_runs,
        batch_usd=batch_usd,
        batch_saved=batch_usd / BATCH_FACTOR - batch_usd,
        prompt_tokens=prompt,
        cache_read_tokens=read,
        cache_read_saved=read_saved / MTOK,
        cache_write_extra=write_extra / MTOK,
    )


def _acceptance(runs: Sequence[LedgerRecord]) -> tuple[Acceptance, ...]:
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in runs:
        if r.rejected_tier is not None:  # a command re-ran the job: its last answer was rejected
            counts[(r.job, r.rejected_tier, r.job_class)][1] += 1
        if r.status != "ok":
            continue
        slot = {"accepted": 0, "rejected": 1}.get(r.outcome or "unknown", 2)
        counts[(r.job, r.tier, r.job_class)][slot] += 1
    return tuple(
        Acceptance(job, tier, cls, *c)
        for (job, tier, cls), c in sorted(
            counts.items(), key=lambda kv: (kv[0][0], TIER_ORDER.index(kv[0][1]))
        )
    )


def _efficiency(runs: Sequence[LedgerRecord]) -> Efficiency:
    return Efficiency(
        runs=len(runs),
        lower_tier_runs=sum(1 for r in runs if r.tier != "frontier"),
        actual_usd=sum((r.cost_usd for r in runs), _ZERO),
        all_frontier_usd=sum((r.all_frontier_usd for r in runs), _ZERO),
    )


def _bucket(day: date, granularity: str) -> date:
    return day - timedelta(days=day.weekday()) if granularity == "week" else day


def _timeline(runs: Sequence[LedgerRecord], period: Period) -> Timeline:
    days = [utc(r.timestamp).date() for r in runs]
    span = period.days if period.start is not None else None
    if span is None and days:
        span = (max(days) - min(days)).days + 1
    granularity = "week" if (span or 0) > 31 else "day"
    buckets: dict[date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r, day in zip(runs, days, strict=True):
        buckets[_bucket(day, granularity)][r.tier] += r.cost_usd
    ordered = tuple((d, dict(buckets[d])) for d in sorted(buckets))
    return Timeline(granularity, ordered)


def _gate_accepted(records: Sequence[LedgerRecord]) -> tuple[GateAccepted, ...]:
    seen: dict[tuple[str, str], GateAccepted] = {}
    for r in sorted(records, key=lambda r: r.timestamp):
        pr = f"{r.repo or '?'}#{r.pr}" if r.pr is not None else r.repo or "?"
        for a in r.accepted:
            seen.setdefault((pr, a.fingerprint),
                            GateAccepted(pr, r.job, a.severity, a.title, a.by, a.reason, a.via))  # fmt: skip
    return tuple(seen.values())


def summarize(entries: Sequence[Entry], period: Period) -> Summary:
    """Every figure of the report for the records (already cut to ``period``); run records
    (runs without a job record) count in the runner minutes only."""
    records = [r for r in entries if isinstance(r, LedgerRecord)]
    billed = [r for r in records if r.status != "pending"]
    runs = [r for r in billed if r.status != "skipped"]
    return Summary(
        period=period,
        records=len(records),
        runs=len(runs),
        pending=len(records) - len(billed),
        failed=sum(1 for r in runs if r.status == "failed"),
        escalations=sum(1 for r in runs if r.escalated_from is not None),
        total_usd=sum((r.cost_usd for r in billed), _ZERO),
        by_job=_spend(runs, lambda r: r.job),
        by_tier=_spend(runs, lambda r: r.tier),
        by_model=_spend(runs, lambda r: f"{r.provider}/{r.model}"),
        by_mode=_spend(runs, lambda r: r.mode),
        per_pr=_per_pr(billed),
        savings=_savings(runs),
        acceptance=_acceptance(runs),
        efficiency=_efficiency(runs),
        timeline=_timeline(runs, period),
        gate_accepted=_gate_accepted(records),
        runner=runner_totals(entries),
    )
