"""The built-in job catalogue and routing rules, as data in the policy's own models.

A policy's ``jobs:`` entries override fields of these (or add custom jobs); ``rules:`` are
applied after these built-in rules unless ``builtin_rules: false``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pr_router.policy.models import (
    Condition,
    Effort,
    FileKindName,
    JobClass,
    JobSpec,
    Mode,
    OutputKind,
    Policy,
    PushRule,
    Rule,
    RuleAction,
    Tier,
)

__all__ = ["BUILTIN_JOBS", "BUILTIN_RULES", "PUSH_RULES", "ResolvedJob", "resolve_jobs"]

_REVIEWABLE: list[FileKindName] = [
    "code",
    "test",
    "config",
    "ci",
    "dependency",
    "migration",
    "docs",
]
_SECURITY_KINDS: list[FileKindName] = ["code", "ci", "dependency", "migration", "config"]
_PR_EVENTS = ["pull_request", "pull_request_target"]

BUILTIN_JOBS: dict[str, JobSpec] = {
    "review": JobSpec(
        job_class="critical", tier="frontier", mode="sync", effort="medium",
        max_output_tokens=8000, expected_output_tokens=1500, output="findings",
        title="Code review", on_push="changed", when=Condition(events=_PR_EVENTS, kinds_any=_REVIEWABLE),
    ),
    "security": JobSpec(
        job_class="critical", tier="frontier", mode="sync", effort="medium",
        max_output_tokens=8000, expected_output_tokens=1000, output="findings",
        title="Security scan", on_push="changed-sensitive", when=Condition(events=_PR_EVENTS, kinds_any=_SECURITY_KINDS),
    ),
    "describe": JobSpec(
        job_class="auxiliary", tier="efficient", mode="batch", effort="low",
        max_output_tokens=2000, expected_output_tokens=600, output="description",
        title="Description", optional=True, on_push="grown",
        when=Condition(events=_PR_EVENTS, any=[
            Condition(actions=["opened", "reopened", "ready_for_review"]),
            Condition(body_empty=True),
        ]),
    ),
    "changelog": JobSpec(
        job_class="auxiliary", tier="efficient", mode="batch", effort="low",
        max_output_tokens=800, expected_output_tokens=200, output="changelog",
        title="Changelog entry", optional=True, on_push="surface",
        when=Condition(
            events=_PR_EVENTS,
            changelog_touched=False,
            kinds_any=["code", "dependency", "migration", "config"],
        ),
    ),
    "docs": JobSpec(
        job_class="auxiliary", tier="efficient", mode="batch", effort="low",
        max_output_tokens=2000, expected_output_tokens=500, output="docs",
        title="Docs suggestions", optional=True, on_push="new-surface", when=Condition(events=_PR_EVENTS, public_api_changed=True),
    ),
    "failure-summary": JobSpec(
        job_class="auxiliary", tier="efficient", mode="sync", effort="low",
        max_output_tokens=1500, expected_output_tokens=500, output="failure",
        title="CI failure summary", when=Condition(events=["workflow_run"], ci_failed=True),
    ),
}  # fmt: skip

# What each push rule means, as ``plan`` and the docs say it (policy field ``on_push``).
PUSH_RULES: dict[PushRule, str] = {
    "changed": "on a push: what the author changed since the last reviewed head",
    "changed-sensitive": "on a push: what changed, plus the PR's other hunks in the "
    "security-sensitive files it touched",
    "grown": "on a push: again only when the PR grew by half (and 30 lines) since it last ran",
    "surface": "on a push: only when user-facing surface changed (API, CLI/config, "
    "dependencies, migrations)",
    "new-surface": "on a push: only when public API, CLI or config surface changed",
    "whole": "on a push: again, on the whole PR",
}

BUILTIN_RULES: tuple[Rule, ...] = (
    Rule(
        name="docs-only change: efficient review",
        jobs=["review"],
        if_=Condition(docs_only=True),
        then=RuleAction(tier="efficient", effort="low"),
    ),
    Rule(
        name="security-sensitive change: high effort",
        job_class="critical",
        if_=Condition(security_sensitive=True),
        then=RuleAction(effort="high"),
    ),
    Rule(
        name="small routine change: low effort",
        job_class="critical",
        # low risk: nothing sensitive changed and no security-relevant file or migration
        # around it (a two-line edit in auth/ keeps the catalogue's medium effort)
        if_=Condition(risk_at_most="low", max_changed_lines=40, code_changed=True),
        then=RuleAction(effort="low"),
    ),
)


@dataclass(frozen=True, slots=True)
class ResolvedJob:
    """A catalogue job with every field filled in from built-ins and the policy."""

    name: str
    job_class: JobClass
    enabled: bool
    tier: Tier
    mode: Mode
    effort: Effort
    max_output_tokens: int
    expected_output_tokens: int
    output: OutputKind
    when: Condition | None
    prompt: str | None
    title: str
    optional: bool
    builtin: bool
    on_push: PushRule = "changed"
    mode_forced: bool = False  # the policy set `mode` itself: the router does not choose


def _merge(name: str, base: JobSpec | None, override: JobSpec | None) -> ResolvedJob:
    """Fields set in ``override`` win over ``base``; the rest fall back to safe defaults."""
    fields_set = override.model_fields_set if override else set()

    def pick(field: str, default: object) -> object:
        if override is not None and field in fields_set:
            return getattr(override, field)
        value = getattr(base, field) if base is not None else None
        return default if value is None else value

    job_class = pick("job_class", "auxiliary")
    return ResolvedJob(
        name=name,
        job_class=job_class,  # type: ignore[arg-type]
        enabled=bool(pick("enabled", True)),
        tier=pick("tier", "efficient"),  # type: ignore[arg-type]
        mode=pick("mode", "sync" if job_class == "critical" else "batch"),  # type: ignore[arg-type]
        effort=pick("effort", "medium"),  # type: ignore[arg-type]
        max_output_tokens=int(pick("max_output_tokens", 4000)),  # type: ignore[call-overload]
        expected_output_tokens=int(pick("expected_output_tokens", 800)),  # type: ignore[call-overload]
        output=pick("output", "comment"),  # type: ignore[arg-type]
        when=pick("when", None),  # type: ignore[arg-type]
        prompt=pick("prompt", None),  # type: ignore[arg-type]
        title=str(pick("title", name)),
        optional=bool(pick("optional", job_class == "auxiliary")),
        builtin=base is not None,
        on_push=pick("on_push", "changed"),  # type: ignore[arg-type]
        mode_forced="mode" in fields_set,
    )


def resolve_jobs(policy: Policy) -> tuple[ResolvedJob, ...]:
    """Built-in jobs (overridden by the policy) followed by the policy's custom jobs."""
    names = list(BUILTIN_JOBS) + [n for n in policy.jobs if n not in BUILTIN_JOBS]
    return tuple(_merge(n, BUILTIN_JOBS.get(n), policy.jobs.get(n)) for n in names)


def rules_of(policy: Policy) -> tuple[Rule, ...]:
    """The rules the router applies, in order."""
    return (BUILTIN_RULES if policy.builtin_rules else ()) + tuple(policy.rules)
