"""Accepting findings: read the acceptances in the findings' threads, re-evaluate the gate.

A maintainer accepts a finding by replying ``/pr-router accept REASON`` in its review thread
(parsed by the command language of ``pr_router.talk``), or by leaving the reaction the
policy names. Either counts only when GitHub says the user has write permission
(``talk.authorize``). ``reevaluate_gate`` applies what it finds to the findings the last run
judged (kept in the PR's state), updates the check runs and the summary comment, and
returns ledger records that say who accepted what and why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime

from pr_router.errors import GitHubError
from pr_router.gate.accept import thread_acceptances
from pr_router.gate.verdict import Acceptance
from pr_router.github.state import State
from pr_router.ledger import LedgerRecord, LedgerUsage
from pr_router.pipeline.gate_step import (
    GateDecision,
    accept_hint,
    cost_lines,
    gate_state,
    ledger_acceptances,
    post_gate,
    recheck,
)
from pr_router.pipeline.policy_source import LoadedPolicy
from pr_router.pipeline.services import Services
from pr_router.pipeline.snapshot import restore_summary, snapshot_summary
from pr_router.pipeline.sticky import read_state, write_state
from pr_router.render.summary import summary_markdown
from pr_router.summary import RunSummary
from pr_router.talk import authorize, parse_comment

__all__ = ["Recheck", "reevaluate_gate", "seen_acceptances"]

log = logging.getLogger("pr_router")


def seen_acceptances(
    services: Services, number: int, loaded: LoadedPolicy, fingerprints: Collection[str]
) -> list[Acceptance]:
    """Acceptances of ``fingerprints`` in the PR's review threads, by people who may give them."""
    if not fingerprints:
        return []
    policy = loaded.policy
    allowed: dict[str, bool] = {}

    def can_write(login: str) -> bool:
        if login not in allowed:
            try:
                allowed[login] = authorize(login, services.github.permission).allowed
            except GitHubError as exc:  # not known: not accepted, and said in the log
                log.warning("gate: the permission of %s could not be read: %s", login, exc)
                allowed[login] = False
        return allowed[login]

    def parse(body: str) -> str | None:
        found = parse_comment(body, policy.commands.prefix).commands
        return next((c.text for c in found if c.verb == "accept"), None)

    reaction = policy.gate.accept_reaction
    return thread_acceptances(
        services.github.list_review_comments(number), services.own_login, fingerprints,
        can_write=can_write, parse=parse if policy.commands.enabled else None,
        reactions=services.github.reactions_for_review_comment if reaction else None,
        reaction=reaction,
    )  # fmt: skip


@dataclass(frozen=True)
class Recheck:
    """What a re-evaluation did."""

    message: str
    decision: GateDecision | None = None
    summary: RunSummary | None = None
    records: tuple[LedgerRecord, ...] = ()
    problems: tuple[str, ...] = ()


def _records(summary: RunSummary | None, decision: GateDecision, run_id: str,
             at: datetime) -> tuple[LedgerRecord, ...]:  # fmt: skip
    """One record per job with new acceptances: nothing billed, who accepted what and why."""
    if summary is None:
        return ()
    out: list[LedgerRecord] = []
    for job in summary.jobs:
        entries = ledger_acceptances(decision, job.plan.job)
        if not entries or not job.records:
            continue
        out.append(job.records[-1].model_copy(update={
            "run_id": run_id, "timestamp": at, "status": "skipped", "error": None,
            "usage": LedgerUsage(), "rates": None, "cost_usd": 0, "all_frontier_usd": 0,
            "latency_s": 0.0, "attempt": 1, "escalated_from": None, "escalation_reason": None,
            "batch_id": None, "custom_id": None, "request_id": None, "outcome": None,
            "published": [], "accepted": entries,
        }))  # fmt: skip
    return tuple(out)


def reevaluate_gate(
    services: Services, number: int, load: Callable[[], LoadedPolicy], *, run_id: str,
    only_failing: bool,
) -> Recheck:  # fmt: skip
    """Apply the acceptances given since the last run, and update the checks and the summary.

    ``only_failing`` (for ``collect``) skips PRs whose checks all pass: there an acceptance
    changes no conclusion, and the next run records it. ``load`` reads the policy, only when
    there is a gate to re-evaluate.
    """
    state = read_state(services, number)
    judged = state.gate or {}
    before = recheck(judged, ())
    if before is None:
        return Recheck("no merge gate on this PR yet")
    if only_failing and before.output != "fail":
        return Recheck("no failing check to re-evaluate", before)
    loaded = load()
    if not loaded.policy.gate.enabled:
        return Recheck("the merge gate is off", before)
    fps = {f.fingerprint for found in before.findings.values() for f in found}
    decision = recheck(judged, seen_acceptances(services, number, loaded, fps))
    assert decision is not None
    if not decision.new:  # nothing to change: no write, no check update
        return Recheck("no new acceptance", decision)
    summary = restore_summary(state.last_run) if state.last_run else None
    costs = cost_lines(summary) if summary is not None else {}
    checks, problems = post_gate(services.check_poster, decision, costs,
                                 hint=accept_hint(loaded.policy))  # fmt: skip

    def compose(on_pr: State) -> tuple[str, State, RunSummary | None]:
        new = replace(on_pr, gate=gate_state(decision))
        if new.last_run is None:
            return "pr-router: merge gate re-evaluated.", new, None
        shown = replace(restore_summary(new.last_run), checks=checks, gate=decision.output)
        new = replace(new, last_run=snapshot_summary(shown))
        return summary_markdown(shown), new, shown

    _, shown = write_state(services, number, compose)
    records = _records(summary, decision, run_id, services.wall_clock())
    accepted = ", ".join(f"{a.fingerprint} by {a.by}" for a in decision.new) or "no new acceptance"
    return Recheck(f"gate re-evaluated ({accepted}): {decision.output}", decision, shown,
                   records, problems)  # fmt: skip
