"""Figures of the lifetime benchmark: what each setup cost over every PR's whole life.

Token cost comes from the ledger records (priced from the emulated providers' usage).
Runner time comes from the cost benchmark's latency model (``_latency``, billed with
``pr_router.runner``): each ``run`` of a push is one GitHub Actions job of set-up, install,
pr-router's overhead, then its synchronous calls (``run_seconds``), or the whole
``batch.wait_seconds`` budget when it submitted a batch, plus ``COLLECT_IN_RUN_S`` when it
collected an earlier run's results. The scheduled collects of the simulation stand for the
next pr-router run in the repository picking the results up: ``COLLECT_IN_RUN_S`` of that
run's time each, counted as that fraction of a minute.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from _cost_stats import quantile
from _emulated import CaseRun
from _floor import floor_of
from _latency import COLLECT_IN_RUN_S, Call, billed_minutes, run_seconds
from _lifetime_run import HistoryRun, PushRun
from pr_router.ledger import LedgerRecord
from pr_router.runner import GITHUB_LINUX_2CORE_USD_PER_MINUTE

__all__ = ["LifetimeFigures", "RunnerModel", "figures", "floor_figures", "run_minutes"]


@dataclass(frozen=True, slots=True)
class RunnerModel:
    """What a runner minute costs on a private repository (public ones are free)."""

    usd_per_minute: Decimal = GITHUB_LINUX_2CORE_USD_PER_MINUTE
    collect_minutes: Decimal = Decimal(str(round(COLLECT_IN_RUN_S / 60, 4)))


def _calls(records: Sequence[LedgerRecord]) -> list[Call]:
    """The synchronous calls of one run, a cache reader behind its writer."""
    sync = [r for r in records if r.mode == "sync"]
    writer = next((r.job for r in sync if r.usage.cache_write_5m or r.usage.cache_write_1h), None)
    return [Call(r.model, r.usage.output, name=r.job,
                 after=writer if r.usage.cache_read and r.job != writer else None)
            for r in sync]  # fmt: skip


def run_minutes(push: PushRun, records: Sequence[LedgerRecord], batch_wait_s: float, *,
                critical_only: bool = False) -> int:  # fmt: skip
    """Billed minutes of one push's ``run`` (``critical_only``: the floor's run)."""
    mine = [r for r in records if r.run_id.startswith(f"{push.run_id}-")]
    if critical_only:
        return billed_minutes(run_seconds(_calls([r for r in mine if r.job_class == "critical"])))
    tag = f"r{push.run_id}-"
    submitted = any(r.mode == "batch" and r.custom_id.startswith(tag) for r in records)
    collected = any(r.mode == "batch" and not r.custom_id.startswith(tag) for r in mine)
    seconds = run_seconds(_calls(mine), batch_wait_s=batch_wait_s if submitted else 0.0,
                          collect_s=COLLECT_IN_RUN_S if collected else 0.0)  # fmt: skip
    return billed_minutes(seconds)


@dataclass
class LifetimeFigures:
    """One setup over the corpus."""

    name: str
    per_pr: dict[str, Decimal] = field(default_factory=dict)  # tokens, per PR lifetime
    per_pr_tco: dict[str, Decimal] = field(default_factory=dict)  # tokens + runner (private)
    runner_minutes: Decimal = Decimal(0)
    waiting_minutes: int = 0  # billed minutes the runs spent waiting for their batches
    runs: int = 0
    runs_in_ledger: int = 0  # runs the product's ledger (and so ``report``) counts minutes of
    collects: int = 0
    critical: int = 0
    critical_frontier: int = 0
    reposted: int = 0
    repeats: int = 0
    looked_at: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pending_left: int = 0
    errors: list[str] = field(default_factory=list)
    by_push: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    by_job: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    prefix_hits: int = 0  # runs whose first request read a prefix an earlier run cached
    prefix_read: int = 0  # tokens those runs read from it
    attainable: dict[str, Decimal] = field(default_factory=dict)  # floor only: see floor_figures

    @property
    def tokens_usd(self) -> Decimal:
        """Token cost over the corpus."""
        return sum(self.per_pr.values(), Decimal(0))

    def to_json(self, runner: RunnerModel, peer: LifetimeFigures | None,
                floor: LifetimeFigures | None) -> dict[str, Any]:  # fmt: skip
        """The ``--json`` object of this setup."""
        tokens = self.tokens_usd
        private = tokens + runner.usd_per_minute * self.runner_minutes
        out: dict[str, Any] = {
            "tokens_usd": _usd(tokens), "runner_minutes": round(float(self.runner_minutes), 2),
            "runner_usd_private": _usd(runner.usd_per_minute * self.runner_minutes),
            "runner_minutes_waiting_for_batches": self.waiting_minutes,
            "tco_private_usd": _usd(private), "tco_public_usd": _usd(tokens),
            "median_pr_usd": _usd(quantile(list(self.per_pr.values()), 0.5)),
            "p90_pr_usd": _usd(quantile(list(self.per_pr.values()), 0.9)),
            "median_pr_tco_private_usd": _usd(quantile(list(self.per_pr_tco.values()), 0.5)),
            "p90_pr_tco_private_usd": _usd(quantile(list(self.per_pr_tco.values()), 0.9)),
            "runs": self.runs, "runs_in_ledger": self.runs_in_ledger, "collects": self.collects, "prs": len(self.per_pr),
            "critical_frontier_share": round(self.critical_frontier / self.critical, 4)
            if self.critical else 1.0,
            "critical_jobs_code_prs": self.critical,
            "reposted_findings": self.reposted, "repeated_findings_not_reposted": self.repeats,
            "runs_by_scope": dict(sorted(self.looked_at.items())),
            "pending_after_collect": self.pending_left, "errors": self.errors,
            "tokens_usd_by_push": {k: _usd(v) for k, v in sorted(self.by_push.items())},
            "tokens_usd_by_job": {k: _usd(v) for k, v in
                                  sorted(self.by_job.items(), key=lambda kv: -kv[1])},
            "prefix_cache_hits_across_runs": self.prefix_hits,
            "prefix_tokens_read_across_runs": self.prefix_read,
        }  # fmt: skip
        if self.attainable:
            best = sum(self.attainable.values(), Decimal(0))
            out["tokens_usd_attainable"] = _usd(best)
            out["tco_private_usd_attainable"] = _usd(best + private - tokens)
        if floor is not None and floor is not self and floor.attainable:
            best = sum(floor.attainable.values(), Decimal(0))
            best_private = best + runner.usd_per_minute * floor.runner_minutes
            out["tco_private_x_attainable"] = _ratio(private, best_private)
            out["tco_public_x_attainable"] = _ratio(tokens, best)
        for key, base in (("peer_rerun", peer), ("floor", floor)):
            if base is None or base is self:
                continue
            base_private = base.tokens_usd + runner.usd_per_minute * base.runner_minutes
            out[f"tco_private_x_{key}"] = _ratio(private, base_private)
            out[f"tco_public_x_{key}"] = _ratio(tokens, base.tokens_usd)
        return out


def _usd(x: Decimal) -> float:
    return round(float(x), 6)


def _ratio(a: Decimal, b: Decimal) -> float:
    return round(float(a / b), 4) if b else 0.0


def _push_of(record: LedgerRecord, pushes: Sequence[PushRun]) -> PushRun | None:
    """The run that wrote ``record`` (a collect writes under the run id it finishes)."""
    return next((p for p in pushes if record.run_id.startswith(f"{p.run_id}-")), None)


def _final(records: Iterable[LedgerRecord]) -> list[LedgerRecord]:
    last: dict[tuple[str, str], LedgerRecord] = {}
    for r in records:
        key = (r.run_id, r.job)
        if key not in last or r.attempt >= last[key].attempt:
            last[key] = r
    return list(last.values())


def _add(fig: LifetimeFigures, run: HistoryRun, runner: RunnerModel) -> None:
    if run.error:
        fig.errors.append(f"{run.history}: {run.error}")
        if not run.pushes:
            return
    records = run.ledger()
    tokens = sum((r.cost_usd for r in records), Decimal(0))
    minutes = Decimal(sum(run_minutes(p, records, run.batch_wait_s) for p in run.pushes))
    fig.waiting_minutes += int(minutes) - sum(run_minutes(p, records, 0.0) for p in run.pushes)
    minutes += runner.collect_minutes * run.collected_later
    fig.per_pr[run.history] = tokens
    fig.per_pr_tco[run.history] = tokens + runner.usd_per_minute * minutes
    fig.runner_minutes += minutes
    fig.runs += len(run.pushes)
    fig.runs_in_ledger += run.runs_in_ledger
    fig.collects += run.collected_later
    fig.reposted += run.reposted
    fig.repeats += sum(p.repeats for p in run.pushes)
    fig.pending_left += run.pending_left
    for p in run.pushes:
        fig.looked_at[_scope(p.looked_at)] += 1
        mine = [r for r in records if r.run_id.startswith(f"{p.run_id}-")]
        fig.by_push[_push_key(p.index)] += sum((r.cost_usd for r in mine), Decimal(0))
        read = _read_across_runs(mine)
        fig.prefix_hits += read > 0
        fig.prefix_read += read
    for r in records:
        fig.by_job[r.job] += r.cost_usd
    for r in _final(records):
        push = _push_of(r, run.pushes)
        if r.job_class == "critical" and push is not None and push.code_changed:
            fig.critical += 1
            fig.critical_frontier += r.tier == "frontier"


def _push_key(index: int) -> str:
    """Pushes 1, 2 and 3 on their own, the later ones together."""
    return str(index) if index <= 3 else "4+"


def _read_across_runs(records: Sequence[LedgerRecord]) -> int:
    """Prompt tokens a run read from what an earlier run cached: the cache reads of the
    request that wrote the run's shared prefix, or of a run's only synchronous request."""
    sync = [r for r in records if r.mode == "sync"]
    first = [r for r in sync if r.usage.cache_write_5m or r.usage.cache_write_1h]
    if not first and len(sync) == 1:
        first = sync
    return sum(r.usage.cache_read for r in first)


def _scope(looked_at: str) -> str:
    return "changes since the last reviewed head" if looked_at.startswith("changes") else looked_at


def figures(name: str, runs: Iterable[HistoryRun], runner: RunnerModel) -> LifetimeFigures:
    """Figures of one measured setup."""
    fig = LifetimeFigures(name)
    for run in runs:
        _add(fig, run, runner)
    return fig


def floor_figures(default_runs: Iterable[HistoryRun], runner: RunnerModel) -> LifetimeFigures:
    """The floor: each of default's runs at its token floor (``_floor``), its runner time that
    of its critical calls alone (nothing waited for, nothing collected later).

    Also the attainable bound (``attainable``): each run at ``_floor``'s attainable cost
    (its shared prefix written once, by one job), with every run after a PR's first reading
    the prefix that stays the same from push to push from an earlier run's cache. That is
    the least any setup pays that shows the models the same prompts and gets the same
    answers: only the text that is new in a run is paid for in full.
    """
    fig = LifetimeFigures("floor")
    runs = list(default_runs)
    ledgers = [run.ledger() for run in runs]
    invariant = max((_read_across_runs([r for r in records
                                        if r.run_id.startswith(f"{p.run_id}-")])
                     for run, records in zip(runs, ledgers, strict=True)
                     for p in run.pushes), default=0)  # fmt: skip
    for run, records in zip(runs, ledgers, strict=True):
        if run.error and not run.pushes:
            fig.errors.append(f"{run.history}: {run.error}")
            continue
        by_run: dict[str, list[str]] = defaultdict(list)
        first: dict[str, bool] = {}
        for raw, record in zip(run.records, records, strict=True):
            by_run[record.run_id].append(raw)
            push = _push_of(record, run.pushes)
            first[record.run_id] = push is None or push.index == 1
        tokens = best = Decimal(0)
        for run_id, raws in by_run.items():
            case = CaseRun(f"{run.history} {run_id}", "default", 0, 0, True, False,
                           tuple(raws), run.instructions)  # fmt: skip
            floors = floor_of(case, carried=0 if first[run_id] else invariant)
            tokens += sum((f.usd for f in floors), Decimal(0))
            best += sum((f.attainable for f in floors), Decimal(0))
        minutes = Decimal(sum(run_minutes(p, records, 0.0, critical_only=True)
                              for p in run.pushes))  # fmt: skip
        fig.attainable[run.history] = best
        fig.per_pr[run.history] = tokens
        fig.per_pr_tco[run.history] = tokens + runner.usd_per_minute * minutes
        fig.runner_minutes += minutes
        fig.runs += len(run.pushes)
        fig.runs_in_ledger += run.runs_in_ledger
        base = figures("default", [run], runner)
        fig.critical += base.critical
        fig.critical_frontier += base.critical_frontier
    return fig
