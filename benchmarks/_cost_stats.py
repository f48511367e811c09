"""Figures of the cost benchmark: per-setup totals, per-PR quantiles, tier shares, the floor."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from _emulated import CaseRun
from _floor import PARTS, floor_of
from _runner_figs import PRIVATE_USD_PER_MINUTE
from pr_router.ledger import LedgerRecord
from pr_router.pricing import MTOK, Rates
from pr_router.tokens import TokenUsage

__all__ = ["SetupFigures", "figures", "floor_figures", "quantile"]

_KINDS = ("input", "cache_write_5m", "cache_write_1h", "cache_read", "output")


def quantile(values: Sequence[Decimal], q: float) -> Decimal:
    """The ``q`` quantile, linear between closest ranks (numpy's default, 'inclusive')."""
    data = sorted(values)
    if not data:
        return Decimal(0)
    pos = Decimal(str(q)) * (len(data) - 1)
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


@dataclass
class SetupFigures:
    """What one setup cost over the corpus."""

    name: str
    per_pr: dict[str, Decimal]
    critical: int = 0
    critical_frontier: int = 0
    critical_code: int = 0
    critical_code_frontier: int = 0
    critical_failed: int = 0  # critical jobs whose last attempt failed: no result posted
    jobs: int = 0
    batch_jobs: int = 0
    cached_read_tokens: int = 0
    prompt_tokens: int = 0
    cascades: int = 0
    failed: int = 0
    pending_left: int = 0
    errors: list[str] = field(default_factory=list)
    by_kind: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(_KINDS, Decimal(0)))
    by_class: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    all_frontier_usd: Decimal = Decimal(0)
    reasoning_usd: Decimal = Decimal(0)  # reasoning tokens at the output rate
    critical_output_usd: Decimal = Decimal(0)  # output tokens of critical jobs
    unmarked_usd: Decimal = Decimal(0)  # the floor's only: unread writes sent as plain input
    attainable_usd: Decimal = Decimal(0)  # the floor's only: one shared prefix per PR
    estimate_usd: Decimal = Decimal(0)  # what `plan` estimated for the same runs
    above_floor: dict[str, Decimal] | None = None  # the floor's only: default minus floor
    above_floor_prs: dict[str, int] | None = None
    runner_minutes: int = 0  # billed, rounded up per run, summed over the corpus
    diffs_rebuilt: dict[str, list[str]] = field(default_factory=dict)  # PR -> jobs that ran

    @property
    def total(self) -> Decimal:
        """Total cost over the corpus."""
        return sum(self.per_pr.values(), Decimal(0))

    def to_json(self, single: Decimal, floor: Decimal, corpus: str,
                single_reasoning: Decimal = Decimal(0)) -> dict[str, Any]:  # fmt: skip
        """The ``--json`` object of this setup."""
        costs = list(self.per_pr.values())

        def usd(x: Decimal) -> float:
            return round(float(x), 6)

        out: dict[str, Any] = {
            "total_usd": usd(self.total), "median_pr_usd": usd(quantile(costs, 0.5)),
            "p90_pr_usd": usd(quantile(costs, 0.9)), "mean_pr_usd": usd(self.total / max(len(costs), 1)),
            "max_pr_usd": usd(max(costs, default=Decimal(0))),
            "critical_frontier_share": _share(self.critical_frontier, self.critical),
            "critical_frontier_share_code_prs": _share(self.critical_code_frontier, self.critical_code),
            "critical_jobs": self.critical, "critical_jobs_code_prs": self.critical_code,
            "critical_jobs_failed": self.critical_failed,
            "jobs": self.jobs, "batch_jobs": self.batch_jobs,
            "cache_read_share_of_prompt": _share(self.cached_read_tokens, self.prompt_tokens),
            "share_of_single_frontier": _share_d(self.total, single),
            "savings_vs_single_frontier_pct": round(100 * (1 - _share_d(self.total, single)), 1),
            "above_floor_pct": round(100 * (_share_d(self.total, floor) - 1), 1),
            "cost_by_token_kind_usd": {k: usd(v) for k, v in self.by_kind.items()},
            "cost_by_job_class_usd": {k: usd(v) for k, v in sorted(self.by_class.items())},
            "cascade_escalations": self.cascades, "failed_attempts": self.failed,
            "pending_after_collect": self.pending_left, "errors": self.errors,
            "prs": len(costs), "corpus": corpus,
        }  # fmt: skip
        # PRs whose diff GitHub refuses (over 300 files or 20,000 lines), rebuilt from the
        # files list, with the jobs that produced a result on them
        out["diffs_rebuilt"] = dict(sorted(self.diffs_rebuilt.items()))
        runner = self.runner_minutes * PRIVATE_USD_PER_MINUTE
        out |= {"tokens_usd": usd(self.total), "runner_minutes": self.runner_minutes,
                "runner_usd_private": usd(runner), "tco_private_usd": usd(self.total + runner),
                "tco_public_usd": usd(self.total)}  # fmt: skip
        out["reasoning_usd"] = usd(self.reasoning_usd)
        out["critical_output_usd"] = usd(self.critical_output_usd)
        without = _share_d(self.total - self.reasoning_usd, single - single_reasoning)
        out["share_of_single_frontier_without_reasoning"] = round(without, 4)
        if self.above_floor is None:
            out["ledger_all_frontier_usd"] = usd(self.all_frontier_usd)
            out["plan_estimate_usd"] = usd(self.estimate_usd)
        else:
            out["default_above_floor_usd"] = {k: usd(v) for k, v in self.above_floor.items()}
            out["default_above_floor_prs"] = dict(self.above_floor_prs or {})
            out["unread_writes_as_plain_input_saves_usd"] = usd(self.unmarked_usd)
            out["attainable_floor_usd"] = usd(self.attainable_usd)
        return out


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def _share_d(part: Decimal, whole: Decimal) -> float:
    return float(part / whole) if whole else 0.0


def _final(records: Iterable[LedgerRecord]) -> list[LedgerRecord]:
    """The last attempt of each job (cascades and retries leave earlier ones behind)."""
    last: dict[str, LedgerRecord] = {}
    for r in records:
        if r.job not in last or r.attempt >= last[r.job].attempt:
            last[r.job] = r
    return list(last.values())


def _kind_costs(usage: TokenUsage, rates: Rates | None) -> dict[str, Decimal]:
    if rates is None:
        return {}
    return {k: Decimal(getattr(usage, k)) * getattr(rates, k) / MTOK for k in _KINDS}


def _at_output_rate(tokens: int, rates: Rates | None) -> Decimal:
    """Output-rate tokens (reasoning, or all output) in USD."""
    return Decimal(tokens) * rates.output / MTOK if rates else Decimal(0)


def _add_run(fig: SetupFigures, run: CaseRun) -> None:
    if run.error:
        fig.errors.append(f"{run.case}: {run.error}")
        return
    records = run.ledger()
    if run.diff_rebuilt:
        fig.diffs_rebuilt[run.case] = sorted({r.job for r in records if r.status == "ok"})
    fig.per_pr[run.case] = run.cost()
    fig.pending_left += run.pending_left
    fig.estimate_usd += Decimal(run.estimate_usd)
    for r in records:
        fig.reasoning_usd += _at_output_rate(
            r.usage.reasoning, r.rates.rates() if r.rates else None
        )
        if r.job_class == "critical":
            fig.critical_output_usd += _at_output_rate(
                r.usage.output, r.rates.rates() if r.rates else None
            )
        fig.cascades += r.escalated_from is not None
        fig.failed += r.status == "failed"
        fig.all_frontier_usd += r.all_frontier_usd
        fig.by_class[r.job_class] += r.cost_usd
        fig.cached_read_tokens += r.usage.cache_read
        fig.prompt_tokens += r.usage.tokens().prompt
        for k, v in _kind_costs(r.usage.tokens(), r.rates.rates() if r.rates else None).items():
            fig.by_kind[k] += v
    _count_jobs(fig, run, records)


def _count_jobs(fig: SetupFigures, run: CaseRun, records: Iterable[LedgerRecord], *,
                floor: bool = False) -> None:  # fmt: skip
    """Jobs, batch jobs and critical jobs on the frontier tier (last attempt of each job)."""
    for r in _final(records):
        fig.jobs += 1
        fig.batch_jobs += r.mode == "batch" or (floor and r.job_class == "auxiliary")
        if r.job_class == "critical":
            on_top = r.tier == "frontier"
            fig.critical += 1
            fig.critical_frontier += on_top
            fig.critical_failed += r.status == "failed"
            if run.code_changed:
                fig.critical_code += 1
                fig.critical_code_frontier += on_top


def figures(name: str, runs: Iterable[CaseRun]) -> SetupFigures:
    """Figures of one measured setup."""
    fig = SetupFigures(name, {})
    for run in runs:
        _add_run(fig, run)
    return fig


def floor_figures(default_runs: Iterable[CaseRun]) -> SetupFigures:
    """The floor, from the default setup's runs (see ``_floor``)."""
    fig = SetupFigures("floor", {}, above_floor={k: Decimal(0) for k in PARTS},
                       above_floor_prs=dict.fromkeys(PARTS, 0))  # fmt: skip
    assert fig.above_floor is not None
    assert fig.above_floor_prs is not None
    for run in default_runs:
        if run.error:
            fig.errors.append(f"{run.case}: {run.error}")
            continue
        floors = floor_of(run)
        fig.per_pr[run.case] = sum((f.usd for f in floors), Decimal(0))
        seen: set[str] = set()
        for f in floors:
            for part, usd in f.above.items():
                fig.above_floor[part] += usd
                seen.add(part)
            for k, v in _kind_costs(f.usage, f.rates).items():
                fig.by_kind[k] += v
            fig.reasoning_usd += _at_output_rate(f.usage.reasoning, f.rates)
            fig.unmarked_usd += f.unmarked
            fig.attainable_usd += f.attainable
            if f.record.job_class == "critical":
                fig.critical_output_usd += _at_output_rate(f.usage.output, f.rates)
            fig.cached_read_tokens += f.usage.cache_read
            fig.prompt_tokens += f.usage.prompt
            fig.by_class[f.record.job_class] += f.usd
        for part in seen:
            fig.above_floor_prs[part] += 1
        _count_jobs(fig, run, [f.record for f in floors], floor=True)
    return fig
