"""Serialise the last run's summary into the sticky state, so a later ``collect`` (on any
machine) can re-render the whole summary with the batch results filled in.

Only what the renderers need is kept: per job its routing, status, ledger records, result
section (capped) and counts; the plan's signals and notices.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from pr_router.changes.model import Signals
from pr_router.ledger import LedgerRecord
from pr_router.plan import Estimate, JobPlan, Plan
from pr_router.runner import RunnerFigures, RunnerRate, runner_usage
from pr_router.summary import CheckLine, JobRun, RunSummary, Section

__all__ = ["SNAPSHOT_VERSION", "restore_summary", "snapshot_summary"]

SNAPSHOT_VERSION = 1
MAX_SECTION_CHARS = 6_000  # keeps the state block small next to a full summary


def _job_plan(j: JobPlan) -> dict[str, Any]:
    data = {f.name: getattr(j, f.name) for f in fields(j) if f.name not in ("estimate",)}
    data["reasons"] = list(j.reasons)
    data["all_frontier_usd"] = str(j.all_frontier_usd)
    if j.estimate is not None:
        e = asdict(j.estimate)
        e["usd"] = str(j.estimate.usd)
        data["estimate"] = e
    return data


def _job_plan_back(d: dict[str, Any]) -> JobPlan:
    data = dict(d)
    est = data.pop("estimate", None)
    data["reasons"] = tuple(data.get("reasons", ()))
    data["all_frontier_usd"] = Decimal(data.get("all_frontier_usd", "0"))
    if est is not None:
        est["usd"] = Decimal(est["usd"])
        data["estimate"] = Estimate(**est)
    return JobPlan(**data)


def _job_run(r: JobRun) -> dict[str, Any]:
    section = None
    if r.section is not None:
        section = {"title": r.section.title, "markdown": r.section.markdown[:MAX_SECTION_CHARS]}
    return {
        "plan": _job_plan(r.plan),
        "status": r.status,
        "records": [rec.model_dump(mode="json") for rec in r.records],
        "section": section,
        "findings": [r.findings_inline, r.findings_in_body, r.findings_duplicate],
        "error": r.error,
        "not_seen": list(r.not_seen),
        "earlier": r.earlier,
    }


def _job_run_back(d: dict[str, Any]) -> JobRun:
    inline, body, dupes = d.get("findings", [0, 0, 0])
    section = Section(**d["section"]) if d.get("section") else None
    return JobRun(
        plan=_job_plan_back(d["plan"]),
        status=d["status"],
        records=tuple(LedgerRecord.model_validate(r) for r in d.get("records", [])),
        section=section,
        findings_inline=inline,
        findings_in_body=body,
        findings_duplicate=dupes,
        error=d.get("error"),
        not_seen=tuple(d.get("not_seen", [])),
        earlier=bool(d.get("earlier", False)),
    )


def _check_back(d: dict[str, Any]) -> CheckLine:
    return CheckLine(
        name=d["name"], conclusion=d["conclusion"], title=d["title"],
        accepted=tuple(d.get("accepted", ())), posted=bool(d.get("posted", True)),
    )  # fmt: skip


def snapshot_summary(summary: RunSummary) -> dict[str, Any]:
    """JSON-ready data for the state block."""
    signals = asdict(summary.plan.signals)
    signals["sensitive_hits"] = []  # the reasons are kept; the hits are not needed to render
    return {
        "version": SNAPSHOT_VERSION,
        "policy": summary.plan.policy,
        "signals": signals,
        "notices": list(summary.plan.notices),
        "jobs": [_job_run(j) for j in summary.jobs],
        "run_id": summary.run_id,
        "head_sha": summary.head_sha,
        "incremental_since": summary.incremental_since,
        "wait_seconds": summary.wait_seconds,
        "budget_line": summary.budget_line,
        "previous_cost_usd": str(summary.previous_cost_usd),
        "previous_runs": summary.previous_runs,
        "previous_runner_usd": str(summary.previous_runner_usd),
        "pending_batches": list(summary.pending_batches),
        "pending_since": [[k, at.isoformat()] for k, at in summary.pending_since],
        "lifetime": [[h, w, str(u)] for h, w, u in summary.lifetime],
        "later": [[h, w, str(u)] for h, w, u in summary.later],
        "looked_at": summary.looked_at,
        "checks": [asdict(c) for c in summary.checks],
        "gate": summary.gate,
        "runner": _runner(summary.runner),
    }


def _runner(figures: RunnerFigures | None) -> dict[str, Any] | None:
    """The measured seconds and the rate: minutes and dollars are recomputed from them."""
    if figures is None:
        return None
    return {
        "seconds": figures.used.seconds,
        "all_frontier_seconds": figures.all_frontier.seconds,
        "slowest_sync": figures.slowest_sync,
        "usd_per_minute": str(figures.rate.usd_per_minute),
        "basis": figures.rate.basis,
    }


def _runner_back(data: dict[str, Any] | None) -> RunnerFigures | None:
    if not data:
        return None
    rate = RunnerRate(Decimal(data["usd_per_minute"]), data["basis"])
    used = runner_usage(float(data["seconds"]), rate)
    frontier = runner_usage(float(data["all_frontier_seconds"]), rate)
    return RunnerFigures(used, frontier, float(data.get("slowest_sync", 0.0)))


def _since_back(pairs: list[list[str]]) -> tuple[tuple[str, datetime], ...]:
    return tuple((str(k), datetime.fromisoformat(str(at))) for k, at in pairs)


def restore_summary(data: dict[str, Any]) -> RunSummary:
    """A ``RunSummary`` back from ``snapshot_summary`` data; ``ValueError`` if malformed."""
    try:
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"unknown snapshot version {data.get('version')!r}")
        sig = dict(data["signals"])
        sig["sensitive_reasons"] = tuple(sig.get("sensitive_reasons", ()))
        sig["modules"] = tuple(sig.get("modules", ()))
        sig["sensitive_hits"] = ()
        jobs = tuple(_job_run_back(j) for j in data["jobs"])
        plan = Plan(policy=data["policy"], signals=Signals(**sig),
                    jobs=tuple(j.plan for j in jobs), notices=tuple(data.get("notices", ())))  # fmt: skip
        return RunSummary(
            plan=plan, jobs=jobs, run_id=data["run_id"], head_sha=data.get("head_sha"),
            previous_cost_usd=Decimal(data.get("previous_cost_usd", "0")),
            previous_runs=int(data.get("previous_runs", 0)),
            previous_runner_usd=Decimal(data.get("previous_runner_usd", "0")),
            pending_batches=tuple(data.get("pending_batches", ())),
            pending_since=_since_back(data.get("pending_since", ())),
            incremental_since=data.get("incremental_since"),
            wait_seconds=float(data.get("wait_seconds", 0.0)), budget_line=data.get("budget_line"),
            notices=plan.notices,
            lifetime=tuple((str(h), str(w), Decimal(u)) for h, w, u in data.get("lifetime", ())),
            later=tuple((str(h), str(w), Decimal(u)) for h, w, u in data.get("later", ())),
            looked_at=str(data.get("looked_at", "")),
            gate=str(data.get("gate") or "skipped"),
            checks=tuple(_check_back(c) for c in data.get("checks", ())),
            runner=_runner_back(data.get("runner")),
        )  # fmt: skip
    except (KeyError, TypeError, ArithmeticError) as exc:
        raise ValueError(f"malformed run snapshot: {exc}") from None
