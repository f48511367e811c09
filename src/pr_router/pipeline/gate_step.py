"""The merge gate in a run: verdicts from the jobs' findings, check runs on the head, SARIF.

The gate judges the findings of the current head. A full review gives them all; an
incremental one (only the commits since the last reviewed head) gives the new ones, and the
findings of the last head are carried over unless their file changed since (the model saw
that file's new changes, so a finding it did not repeat is taken as fixed). Acceptances are
remembered per finding in the PR's state. Everything here is a value except
``post_gate``, which writes the check runs.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pr_router.errors import GitHubError
from pr_router.gate import (
    Acceptance,
    GateFinding,
    Verdict,
    check_run_spec,
    evaluate,
    gate_findings,
    gate_output,
    not_needed,
    post_check_runs,
    unrunnable,
)
from pr_router.gate.checks import CheckRunSpec
from pr_router.gate.publish import CheckPoster
from pr_router.gate.sarif import sarif_log
from pr_router.jobs import JobResult
from pr_router.jobs.sanitize import inline_code, sanitize_output
from pr_router.ledger import LedgerAcceptance
from pr_router.policy.models import GateSettings, Policy
from pr_router.render._body import one_line
from pr_router.render.summary import job_line
from pr_router.summary import CheckLine, JobRun, RunSummary

__all__ = [
    "GateDecision",
    "accept_hint",
    "cost_lines",
    "decide_gate",
    "gate_state",
    "ledger_acceptances",
    "post_gate",
    "recheck",
    "remembered_acceptances",
    "sarif_for",
    "unrunnable_gate",
    "with_acceptances",
    "write_sarif",
]

GATE_STATE_VERSION = 1


def accept_hint(policy: Policy) -> str:
    """How a maintainer accepts a finding, for the check's summary ('' when no way is on)."""
    prefix, reaction = policy.commands.prefix, policy.gate.accept_reaction
    ways = [f"replying `{prefix} accept REASON` in its thread"] if policy.commands.enabled else []
    ways += [f"reacting with :{reaction}: to it"] if reaction else []
    if not ways:
        return ""
    return (
        f"A maintainer accepts a finding by {' or by '.join(ways)}; the check is then re-evaluated."
    )


@dataclass(frozen=True)
class GateDecision:
    """What the gate decided for one head: a verdict per gating job."""

    head_sha: str
    verdicts: tuple[Verdict, ...]
    findings: Mapping[str, tuple[GateFinding, ...]]  # the head's findings, by gating job
    accepted: tuple[Acceptance, ...] = ()  # every acceptance known, new ones included
    new: tuple[Acceptance, ...] = ()  # acceptances first seen by this run

    @property
    def output(self) -> str:
        """The action output ``gate``."""
        return gate_output(self.verdicts)


def _previous(state: Mapping[str, Any] | None) -> tuple[str | None, dict[str, list[GateFinding]]]:
    if not state or state.get("version") != GATE_STATE_VERSION:
        return None, {}
    jobs = {
        job: [GateFinding.from_json(f) for f in found]
        for job, found in (state.get("jobs") or {}).items()
    }
    return state.get("head"), jobs


def remembered_acceptances(state: Mapping[str, Any] | None) -> tuple[Acceptance, ...]:
    """Acceptances kept in the PR's state."""
    if not state or state.get("version") != GATE_STATE_VERSION:
        return ()
    return tuple(
        Acceptance(str(a["fp"]), str(a["by"]), str(a["reason"]), a["via"])
        for a in state.get("accepted") or []
    )


def _findings(
    job: str, result: JobResult | None, previous: Mapping[str, list[GateFinding]], *,
    incremental: bool, changed: Collection[str], lines: Mapping[tuple[str, int], str],
) -> tuple[GateFinding, ...]:  # fmt: skip
    new = gate_findings(result.findings, lines) if result is not None else ()
    if not incremental:
        return new
    fps = {f.fingerprint for f in new}
    kept = [f for f in previous.get(job, []) if f.path not in changed and f.fingerprint not in fps]
    return (*new, *kept)


def _verdict(
    job: str, level: str, run: JobRun | None, *, found: Sequence[GateFinding],
    accepted: Iterable[Acceptance], gate: GateSettings,
) -> Verdict:  # fmt: skip
    if run is None or not run.plan.run:
        reasons = run.plan.reasons if run is not None else ("the job is not in the catalogue",)
        budget = next((r for r in reasons if r.startswith("budget:")), None)
        if budget is not None:
            return unrunnable(job, level, budget, on_outage=gate.on_outage)
        return not_needed(job, level, "; ".join(reasons) or "not needed for this change")
    if run.status == "failed":
        why = f"the job failed: {run.error or 'no reason recorded'}"
        return unrunnable(job, level, why, on_outage=gate.on_outage)
    if run.status != "ok":
        return unrunnable(job, level, f"the job is {run.status}", on_outage=gate.on_outage)
    return evaluate(job, level, found, accepted)


def decide_gate(
    gate: GateSettings, summary: RunSummary, results: Mapping[str, JobResult], *,
    state: Mapping[str, Any] | None, seen: Iterable[Acceptance] = (),
    changed: Collection[str] = (), lines: Mapping[tuple[str, int], str] | None = None,
) -> GateDecision | None:  # fmt: skip
    """The gate's verdicts for this run (None when nothing gates)."""
    jobs = [(j, level) for j, level in gate.jobs.items() if level != "off"] if gate.enabled else []
    if not jobs or summary.head_sha is None:
        return None
    head, previous = _previous(state)
    incremental = summary.incremental_since is not None and head == summary.incremental_since
    runs = {r.plan.job: r for r in summary.jobs}
    # A command's run that did not re-run a gating job shows its last result on this head:
    # the gate keeps that result's findings (a re-run of `describe` must not clear the gate).
    kept = {j for j, r in runs.items() if r.earlier and head == summary.head_sha}
    findings = {
        job: tuple(previous.get(job, []))
        if job in kept
        else _findings(
            job,
            results.get(job),
            previous,
            incremental=incremental,
            changed=changed,
            lines=lines or {},
        )
        for job, _ in jobs
    }
    known = remembered_acceptances(state)
    taken = {a.fingerprint for a in known}
    new = tuple({a.fingerprint: a for a in seen if a.fingerprint not in taken}.values())
    accepted = (*known, *new)
    verdicts = tuple(
        _verdict(job, level, runs.get(job), found=findings[job], accepted=accepted, gate=gate)
        for job, level in jobs
    )
    return GateDecision(summary.head_sha, verdicts, findings, accepted, new)


def unrunnable_gate(gate: GateSettings, head_sha: str, reason: str) -> GateDecision | None:
    """Every gating job could not run (a fork PR without secrets, no provider configured)."""
    jobs = [(j, level) for j, level in gate.jobs.items() if level != "off"] if gate.enabled else []
    if not jobs:
        return None
    verdicts = tuple(unrunnable(j, level, reason, on_outage=gate.on_outage) for j, level in jobs)
    return GateDecision(head_sha, verdicts, {})


def gate_state(decision: GateDecision) -> dict[str, Any]:
    """The gate's part of the PR state: the head, its findings, the acceptances."""
    return {
        "version": GATE_STATE_VERSION,
        "head": decision.head_sha,
        "jobs": {job: [f.to_json() for f in found] for job, found in decision.findings.items()},
        "accepted": [
            {"fp": a.fingerprint, "by": a.by, "reason": a.reason[:500], "via": a.via}
            for a in decision.accepted
        ],
        # verdicts not drawn from findings (could not run, not needed): kept as they were
        "unjudged": {
            v.job: {"level": v.level, "conclusion": v.conclusion, "reason": v.reason}
            for v in decision.verdicts
            if not v.ran
        },
        "levels": {v.job: v.level for v in decision.verdicts},
    }


def recheck(state: Mapping[str, Any], seen: Iterable[Acceptance]) -> GateDecision | None:
    """The decision of the head the state judged, again, with acceptances seen since."""
    head, previous = _previous(state)
    if head is None:
        return None
    known = remembered_acceptances(state)
    taken = {a.fingerprint for a in known}
    new = tuple({a.fingerprint: a for a in seen if a.fingerprint not in taken}.values())
    accepted = (*known, *new)
    unjudged = state.get("unjudged") or {}
    verdicts: list[Verdict] = []
    for job, level in (state.get("levels") or {}).items():
        kept = unjudged.get(job)
        if kept is not None:
            verdicts.append(Verdict(job, level, kept["conclusion"], reason=kept["reason"]))
        else:
            verdicts.append(evaluate(job, level, previous.get(job, []), accepted))
    findings = {job: tuple(previous.get(job, ())) for job in state.get("levels") or {}}
    return GateDecision(head, tuple(verdicts), findings, accepted, new)


def _specs(decision: GateDecision, cost_lines: Mapping[str, str], hint: str) -> list[CheckRunSpec]:
    return [
        check_run_spec(
            v,
            decision.head_sha,
            accept_hint=hint,
            cost_line=cost_lines.get(v.job, "") if v.ran else "",
        )
        for v in decision.verdicts
    ]


def cost_lines(summary: RunSummary) -> dict[str, str]:
    """Each job's cost line (tokens and dollars), for its check run's summary."""
    return {j.plan.job: job_line(j, summary) for j in summary.jobs}


def _accepted_lines(v: Verdict) -> tuple[str, ...]:
    """What, who, why: model text and the maintainer's words, made safe to post."""
    titles = {f.fingerprint: f.title for f in v.findings}
    return tuple(
        sanitize_output(
            f"{one_line(titles.get(a.fingerprint, a.fingerprint), 120)} — accepted by "
            f"{inline_code(a.by)} ({a.via}): {one_line(a.reason, 200) or 'no reason given'}"
        )
        for a in v.accepted
    )


def post_gate(
    poster: CheckPoster, decision: GateDecision, costs: Mapping[str, str] | None = None,
    *, hint: str = "",
) -> tuple[tuple[CheckLine, ...], tuple[str, ...]]:  # fmt: skip
    """Create or update the check runs; what the summary shows, and what could not be posted.

    A token without ``checks: write`` is a problem line naming the permission, never a crash.
    """
    specs = _specs(decision, costs or {}, hint)
    try:
        posted = post_check_runs(poster, specs)
    except GitHubError as exc:  # listing the existing check runs failed
        posted = []
        problems: tuple[str, ...] = (f"check runs could not be posted: {exc}",)
    else:
        problems = tuple(p.problem for p in posted if p.problem)
    ok = {p.name for p in posted if p.check_run_id is not None}
    lines = tuple(
        CheckLine(s.name, s.conclusion, s.title, _accepted_lines(v), posted=s.name in ok)
        for s, v in zip(specs, decision.verdicts, strict=True)
    )
    return lines, problems


def ledger_acceptances(decision: GateDecision, job: str) -> list[LedgerAcceptance]:
    """The acceptances first seen now of ``job``'s findings, as the ledger records them."""
    found = {f.fingerprint: f for f in decision.findings.get(job, ())}
    return [
        LedgerAcceptance(
            fingerprint=a.fingerprint,
            severity=found[a.fingerprint].severity,
            title=found[a.fingerprint].title[:200],
            by=a.by,
            reason=a.reason[:500],
            via=a.via,
        )
        for a in decision.new
        if a.fingerprint in found
    ]


def with_acceptances(runs: Sequence[JobRun], decision: GateDecision) -> tuple[JobRun, ...]:
    """The runs with this run's new acceptances on their job's last ledger record."""
    out: list[JobRun] = []
    for run in runs:
        entries = ledger_acceptances(decision, run.plan.job)
        if not entries or not run.records:
            out.append(run)
            continue
        last = run.records[-1].model_copy(update={"accepted": entries})
        out.append(replace(run, records=(*run.records[:-1], last)))
    return tuple(out)


def sarif_for(
    decision: GateDecision | None, jobs: Sequence[str], results: Mapping[str, JobResult], *,
    head_sha: str, lines: Mapping[tuple[str, int], str], repo_uri: str | None,
) -> dict[str, Any]:  # fmt: skip
    """SARIF for the ``sarif_jobs`` that produced results (a job that could not run is left
    out, so code scanning does not take its alerts as fixed)."""
    found: dict[str, Sequence[GateFinding]] = {}
    judged = {v.job for v in decision.verdicts if v.ran} if decision is not None else set()
    for job in jobs:
        if decision is not None and job in judged:
            found[job] = decision.findings[job]
        elif job in results:
            found[job] = gate_findings(results[job].findings, lines)
    return sarif_log(found, head_sha, repo_uri=repo_uri)


def write_sarif(path: Path, log: Mapping[str, Any]) -> None:
    """Write a SARIF log (UTF-8 JSON) where the upload step will find it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(log, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
