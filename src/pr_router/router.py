"""The router: a pure function from (policy, changes, PR context) to a plan.

Every decision carries its reasons, each traceable to a policy rule, a catalogue default,
or a signal. No network, no clock: ``pr-router plan`` prints exactly this.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from pr_router.batch_choice import BatchCandidate, choose_modes, collection_minutes
from pr_router.caching import plan_prefix_caches
from pr_router.changes.model import ChangeSet
from pr_router.complexity import ComplexityNote, read_note
from pr_router.conditions import Facts, evaluate
from pr_router.context import PRContext
from pr_router.estimate import ContextKind, context_kind, context_tokens, instruction_tokens
from pr_router.model_settings import settings_for
from pr_router.plan import Estimate, JobPlan, Plan
from pr_router.policy.catalog import PUSH_RULES, ResolvedJob, resolve_jobs, rules_of
from pr_router.policy.models import TIERS, Effort, Mode, Policy, Rule, Tier
from pr_router.pricing import PriceTable
from pr_router.pushes import PushFacts, grown, surface_changed
from pr_router.runner import RunnerRate, resolve_rate
from pr_router.steer import Steer
from pr_router.tokens import TokenUsage

__all__ = ["EFFORT_OUTPUT_FACTOR", "route"]

# Reasoning effort changes how many output (reasoning) tokens a job spends.
EFFORT_OUTPUT_FACTOR: dict[Effort, Decimal] = {
    "low": Decimal("0.8"),
    "medium": Decimal("1.0"),
    "high": Decimal("1.6"),
}


@dataclass
class _Decision:
    """A job's routing while rules are applied (mutable, private to the router)."""

    job: ResolvedJob
    run: bool
    tier: Tier
    mode: Mode
    effort: Effort
    max_output_tokens: int
    reasons: list[str] = field(default_factory=list)
    cache_role: str | None = None
    mode_forced: bool = False  # set by the policy (job or rule): the router does not choose


def _start(job: ResolvedJob, policy: Policy, facts: Facts, steer: Steer) -> _Decision:
    d = _Decision(job, True, job.tier, job.mode, job.effort, job.max_output_tokens,
                  mode_forced=job.mode_forced)  # fmt: skip
    if job.name in steer.skipped:
        return _skip(d, f"skipped on this PR by {steer.skipped[job.name]} (command `skip`)")
    if steer.only is not None and job.name not in steer.only:
        return _skip(d, "not named by the command")
    if not job.enabled:
        d.run = False
        d.reasons.append(f"disabled by policy (jobs.{job.name}.enabled: false)")
        return d
    if facts.context.draft and policy.drafts == "skip":
        d.run = False
        d.reasons.append("draft PR (policy drafts: skip)")
        return d
    if steer.asked(job.name) and job.output != "failure":
        # a job a command names looks at the whole PR, whatever its trigger or push rule
        whole = facts if facts.push is None else facts.whole()
        if not whole.changes.files:
            return _skip(d, "no files to look at (empty diff or everything ignored)")
        return _when(d, whole, (f"asked by {steer.by or 'a command'}",), check=False)
    if facts.push is not None and job.output != "failure":
        return _on_push(d, facts, facts.push)
    if not facts.changes.files and job.output != "failure":
        d.run = False
        d.reasons.append("no files to look at (empty diff or everything ignored)")
        return d
    return _when(d, facts)


def _when(
    d: _Decision, facts: Facts, why: tuple[str, ...] = (), *, check: bool = True
) -> _Decision:
    """Apply the job's ``when`` condition against ``facts`` (``check`` False: it runs)."""
    job = d.job
    if job.when is not None and check:
        ok, held = evaluate(job.when, facts)
        if not ok:
            d.run = False
            d.reasons.extend([*why, *held])
            return d
        d.reasons.extend(f"runs: {w}" for w in [*why, *held])
    elif why:
        d.reasons.extend(f"runs: {w}" for w in why)
    origin = "policy" if job.builtin is False else "catalogue default"
    d.reasons.insert(0, f"{job.job_class}-path job: {job.tier} tier, {job.mode} ({origin})")
    return d


def _skip(d: _Decision, why: str) -> _Decision:
    d.run = False
    d.reasons.append(why)
    return d


def _on_push(d: _Decision, facts: Facts, push: PushFacts) -> _Decision:
    """A later push: the job's push rule picks the change set and may skip it."""
    rule = d.job.on_push
    whole = facts.whole()
    d.reasons.append(f"push rule '{rule}' ({PUSH_RULES[rule]})")
    if d.job.name in push.pending:
        return _skip(d, "an earlier run's batch of this job is still running: not sent again")
    if not push.whole.files:
        return _skip(d, "no files to look at (empty diff or everything ignored)")
    if rule == "whole":
        return _when(d, whole)
    if rule == "grown":
        ok, why = grown(d.job.name, push)
        if ok is None:
            return _when(d, whole)
        return _when(d, whole, (why,), check=False) if ok else _skip(d, why)
    if not facts.changes.files:
        return _skip(d, f"nothing changed since {push.since[:7]} but base updates or reverts")
    if rule in ("changed", "changed-sensitive"):
        return _when(d, facts)
    ok, why = surface_changed(rule, facts.changes)
    return _when(d, whole, (why,)) if ok else _skip(d, why)


def _selects(rule: Rule, job: ResolvedJob) -> bool:
    if rule.jobs is not None and job.name not in rule.jobs:
        return False
    return rule.job_class is None or rule.job_class == job.job_class


def _step(tier: Tier, by: int) -> Tier:
    index = min(max(TIERS.index(tier) + by, 0), len(TIERS) - 1)
    return TIERS[index]


def _apply(rule: Rule, d: _Decision, why: list[str]) -> bool:
    """Apply a rule's action; False when it skipped the job."""
    act, changes = rule.then, []
    if act.skip:
        d.run = False
        changes.append("skipped")
    tier = act.tier or (
        _step(d.tier, 1) if act.promote else _step(d.tier, -1) if act.demote else None
    )
    if tier is not None and tier != d.tier:
        d.tier, changes = tier, [*changes, f"tier {tier}"]
    if act.mode is not None:
        d.mode_forced = True
        if act.mode != d.mode:
            d.mode, changes = act.mode, [*changes, f"mode {act.mode}"]
    if act.effort is not None and act.effort != d.effort:
        d.effort, changes = act.effort, [*changes, f"effort {act.effort}"]
    if act.max_output_tokens is not None and act.max_output_tokens != d.max_output_tokens:
        d.max_output_tokens = act.max_output_tokens
        changes.append(f"max output {act.max_output_tokens}")
    if changes:
        because = f" ({'; '.join(why)})" if why else ""
        d.reasons.append(f"rule '{rule.name}': {', '.join(changes)}{because}")
    return d.run


def _constrain(d: _Decision, policy: Policy, facts: Facts) -> None:
    """Hard constraints that no rule can override."""
    if d.job.job_class == "critical" and d.mode == "batch":
        d.mode = "sync"
        d.reasons.append("critical-path jobs gate the merge: run synchronously")
    if d.mode == "batch" and not policy.batch.enabled:
        d.mode = "sync"
        d.reasons.append("batch disabled by policy (batch.enabled: false)")
    stays = d.job.name in policy.must_stay_frontier
    if stays and facts.changes.signals.code_changed and d.tier != "frontier":
        d.tier = "frontier"
        d.reasons.append("must_stay_frontier: PR changes code, kept on the frontier tier")


def _steer(d: _Decision, steer: Steer) -> None:
    """A command's tier (only ever up) and effort; a commanded job answers now (sync)."""
    name, by = d.job.name, steer.by or "a command"
    tier = steer.tiers.get(name)
    if tier is not None and TIERS.index(tier) > TIERS.index(d.tier):
        d.tier = tier
        d.reasons.append(f"command by {by}: tier {tier}")
    effort = steer.efforts.get(name)
    if effort is not None and effort != d.effort:
        d.effort = effort
        d.reasons.append(f"command by {by}: effort {effort}")
    if steer.asked(name) and d.mode == "batch":
        d.mode = "sync"
        d.reasons.append("a command waits for its answer: synchronous")


_EFFORTS: tuple[Effort, ...] = ("low", "medium", "high")


def _noted(d: _Decision, note: ComplexityNote) -> None:
    """The author's note raises a critical job's tier or effort; it never lowers them."""
    if d.job.job_class != "critical" or not note.values:
        return
    said = f"complexity note ({note.source})"
    tier = note.get("tier")
    if tier is not None and TIERS.index(tier) > TIERS.index(d.tier):
        d.tier = tier  # type: ignore[assignment]
        d.reasons.append(f"{said}: tier {tier}")
    elif tier is not None and tier != d.tier:
        d.reasons.append(f"{said} asks tier={tier}: not obeyed (a note only raises routing)")
    effort = note.get("effort") or ("high" if note.get("ambiguity") == "high" else None)
    if effort is not None and _EFFORTS.index(effort) > _EFFORTS.index(d.effort):
        why = f"effort={effort}" if note.get("effort") else "ambiguity=high"
        d.effort = effort  # type: ignore[assignment]
        d.reasons.append(f"{said}: {why}, effort {effort}")
    elif effort is not None and effort != d.effort and note.get("effort"):
        d.reasons.append(f"{said} asks effort={effort}: not obeyed (a note only raises routing)")


def _decide(job: ResolvedJob, policy: Policy, rules: tuple[Rule, ...], facts: Facts,
            steer: Steer) -> _Decision:  # fmt: skip
    d = _start(job, policy, facts, steer)
    if not d.run:
        return d
    for rule in rules:
        if _selects(rule, job):
            ok, why = evaluate(rule.if_, facts)
            if ok and not _apply(rule, d, why):
                return d  # the rule skipped the job
    _steer(d, steer)
    _noted(d, facts.note)
    # On a push, rules judge what the job looks at; the hard constraints (a code PR's
    # critical jobs on the frontier tier) judge the PR as a whole.
    _constrain(d, policy, facts if facts.push is None else facts.whole())
    return d


def _assign_cache(
    decisions: list[_Decision], policy: Policy, shared: dict[ContextKind, int], steer: Steer
) -> None:
    """Jobs on one model sharing a context: the first writes the prefix, the rest read it.

    A job a command asks for marks its prefix too, even alone (``warm``): the PR's last run
    may have cached that prefix on the same model minutes ago, and the command reads it
    (estimated uncached all the same: nobody knows whether the window is still open).
    """
    if not policy.caching.enabled:
        return
    for d in decisions:
        if d.run and d.mode == "sync" and steer.asked(d.job.name):
            d.cache_role = "warm"
    # The output schema comes before the prompt (the providers put it first), so only jobs
    # with one output kind can read each other's prefix: describe and changelog cannot.
    groups: dict[tuple[str, str, ContextKind, str], list[_Decision]] = defaultdict(list)
    for d in decisions:
        if d.run and d.mode == "sync":
            tier = policy.tiers[d.tier]
            key = (tier.provider, tier.model, context_kind(d.job.output), d.job.output)
            groups[key].append(d)
    for (_, model, kind, _), members in groups.items():
        if shared[kind] < settings_for(model).min_cache_tokens:
            for m in members:
                m.cache_role = None
            continue
        if len(members) < 2:
            continue
        members[0].cache_role = "write"
        for m in members[1:]:
            m.cache_role = "read"


def _usage(d: _Decision, policy: Policy, shared: dict[ContextKind, int]) -> TokenUsage:
    """The tokens a job is expected to bill, by kind (cache writes at the policy's TTL)."""
    job = d.job
    prefix, own = shared[context_kind(job.output)], instruction_tokens(job.output, job.prompt)
    expected = min(job.expected_output_tokens, d.max_output_tokens)
    output = min(int(expected * EFFORT_OUTPUT_FACTOR[d.effort]), d.max_output_tokens)
    if d.cache_role == "write":
        write = {"cache_write_1h" if policy.caching.ttl == "1h" else "cache_write_5m": prefix}
        return TokenUsage(input=own, output=output, **write)
    if d.cache_role == "read":
        return TokenUsage(input=own, cache_read=prefix, output=output)
    return TokenUsage(input=prefix + own, output=output)  # no cache, or a command's "warm"


def _choose_batch(
    decisions: list[_Decision], policy: Policy, shared: dict[ContextKind, int],
    prices: PriceTable, rate: RunnerRate,
) -> None:  # fmt: skip
    """Batch or sync for each running auxiliary batch job: what batching saves against what
    getting the result back costs in runner time (``batch_choice``)."""
    batchable = [d for d in decisions if d.run and d.mode == "batch"
                 and d.job.job_class == "auxiliary"]  # fmt: skip
    candidates = []
    for d in batchable:
        tier, usage = policy.tiers[d.tier], _usage(d, policy, shared)
        sync = prices.cost(tier.provider, tier.model, usage, "sync")
        saving = sync - prices.cost(tier.provider, tier.model, usage, "batch")
        candidates.append(BatchCandidate(d.job.name, saving, "batch" if d.mode_forced else None))
    choices = choose_modes(candidates, rate, collection_minutes(policy))
    for d, choice in zip(batchable, choices, strict=True):
        d.mode = choice.mode
        if not d.mode_forced:
            d.reasons.append(choice.reason)


def _finish(
    d: _Decision, policy: Policy, shared: dict[ContextKind, int], prices: PriceTable
) -> JobPlan:
    job = d.job
    base = JobPlan(job=job.name, job_class=job.job_class, run=d.run, reasons=tuple(d.reasons),
                   title=job.title, output=job.output, optional=job.optional,
                   on_push=job.on_push if job.output != "failure" else None)  # fmt: skip
    if not d.run:
        return base
    kind = context_kind(job.output)
    usage = _usage(d, policy, shared)
    output = usage.output
    tier = policy.tiers[d.tier]
    frontier = policy.tiers["frontier"]
    usd = prices.cost(tier.provider, tier.model, usage, d.mode)
    counterfactual = prices.cost(frontier.provider, frontier.model, usage.as_uncached(), "sync")
    estimate = Estimate(
        input_tokens=usage.prompt,
        output_tokens=output,
        usd=usd,
        cached_tokens=usage.cache_read,
        cache_write_tokens=usage.cache_write,
    )
    return replace(
        base, tier=d.tier, provider=tier.provider, model=tier.model, mode=d.mode,
        effort=d.effort, max_output_tokens=d.max_output_tokens, estimate=estimate,
        all_frontier_usd=counterfactual,
        cache_key=f"{kind}:{tier.provider}:{tier.model}" if d.cache_role else None,
        cache_role=d.cache_role,  # type: ignore[arg-type]
    )  # fmt: skip


def route(
    policy: Policy,
    changes: ChangeSet,
    context: PRContext,
    *,
    prices: PriceTable,
    policy_name: str = "bundled default",
    push: PushFacts | None = None,
    steer: Steer | None = None,
    runner: RunnerRate | None = None,
    gaps: Sequence[float] = (),
) -> Plan:
    """Decide, for every catalogue job, whether it runs and on which tier, mode and effort.

    ``push``: a later push of the PR, with ``changes`` what it changed (see ``pushes``).
    ``steer``: what a PR comment command changes (see ``pr_router.steer``).
    ``runner``: what a runner minute costs this run; None resolves the policy's setting from
    the PR's facts alone (``auto``: free on a public repository, else the list price).
    ``gaps``: seconds between the PR's earlier runs and this one (caching across runs).
    """
    rate = runner or resolve_rate(policy.runner.usd_per_minute, private=context.private)
    note = (read_note(context.body, context.labels, policy.complexity.labels)
            if policy.complexity.enabled else ComplexityNote())  # fmt: skip
    facts = Facts(changes, context, push, note)
    rules = rules_of(policy)
    steer = steer or Steer()
    decisions = [_decide(job, policy, rules, facts, steer) for job in resolve_jobs(policy)]
    cap = policy.max_context_tokens
    compact = push.whole if push is not None else changes  # auxiliary jobs see the whole PR
    shared = {"diff": context_tokens("diff", changes, context, cap),
              "compact": context_tokens("compact", compact, context, cap),
              "log": context_tokens("log", changes, context, cap)}  # fmt: skip
    _choose_batch(decisions, policy, shared, prices, rate)  # type: ignore[arg-type]
    _assign_cache(decisions, policy, shared, steer)  # type: ignore[arg-type]
    jobs = tuple(_finish(d, policy, shared, prices) for d in decisions)  # type: ignore[arg-type]
    jobs, prefix_caches = plan_prefix_caches(jobs, policy, gaps, prices)
    notices: list[str] = []
    if changes.ignored:
        notices.append(f"{len(changes.ignored)} file(s) ignored by policy globs")
    if context.draft and policy.drafts == "skip":
        notices.append("draft PR: nothing runs until it is ready for review")
    if note.values:
        notices.append(f"complexity note ({note.source}): {note.describe()}")
    if note.problems:
        notices.append("complexity note ignored: " + "; ".join(note.problems))
    return Plan(policy=policy_name, signals=changes.signals, jobs=jobs,
                ignored=changes.ignored, notices=tuple(notices), runner=rate,
                prefix_caches=prefix_caches)  # fmt: skip
