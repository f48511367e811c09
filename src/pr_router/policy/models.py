"""The policy file as pydantic models. Field descriptions are the JSON schema and the reference.

A policy maps tiers to models, defines the job catalogue (built-in jobs are data, user jobs
are added the same way), the routing rules, budgets, batch settings and price overrides.
Unknown keys are errors everywhere: a typo must never silently disable a rule.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "BatchSettings",
    "Budgets",
    "CachingSettings",
    "CommandSettings",
    "ComplexitySettings",
    "Condition",
    "GateSettings",
    "JobSpec",
    "Policy",
    "PriceOverride",
    "Rule",
    "RuleAction",
    "RunnerSettings",
    "TierModel",
]

Tier = Literal["frontier", "standard", "efficient"]
TIERS: tuple[Tier, ...] = ("efficient", "standard", "frontier")  # cheapest first
Provider = Literal["anthropic", "openai"]
Mode = Literal["sync", "batch"]
Effort = Literal["low", "medium", "high"]
JobClass = Literal["critical", "auxiliary"]
OutputKind = Literal["findings", "comment", "description", "changelog", "docs", "failure"]
PushRule = Literal["changed", "changed-sensitive", "grown", "surface", "new-surface", "whole"]
FileKindName = Literal[
    "code", "test", "docs", "config", "ci", "dependency", "lockfile",
    "migration", "generated", "vendored", "binary", "asset",
]  # fmt: skip
NoteDomain = Literal["general", "docs", "ui", "api", "data", "infra", "security"]
NoteScope = Literal["local", "module", "cross-module", "cross-service"]
JobName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
PositiveUSD = Annotated[Decimal, Field(ge=0, le=Decimal(1_000_000), decimal_places=6)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class TierModel(_Strict):
    """Which provider and model serve a tier."""

    provider: Provider = Field(description="Model provider: `anthropic` or `openai`.")
    model: str = Field(
        min_length=1, max_length=100, description="Model id as the provider names it."
    )


class PriceOverride(_Strict):
    """Negotiated rates for one model, in USD per million tokens (standard, not batch)."""

    input: PositiveUSD = Field(description="Uncached input tokens.")
    output: PositiveUSD = Field(description="Output tokens (reasoning included).")
    cache_write_5m: PositiveUSD | None = Field(
        default=None, description="5-minute cache writes; default 1.25 x input."
    )
    cache_write_1h: PositiveUSD | None = Field(
        default=None, description="1-hour cache writes; default 2 x input."
    )
    cache_read: PositiveUSD | None = Field(
        default=None, description="Cache reads; default 0.1 x input."
    )


class Condition(_Strict):
    """A test on the change and the PR. Every field given must hold (AND); `any` is OR."""

    kinds_any: list[FileKindName] | None = Field(
        default=None, description="At least one changed file is of one of these kinds."
    )
    paths_any: list[str] | None = Field(
        default=None,
        description="At least one changed path matches one of these gitignore-style globs.",
    )
    labels_any: list[str] | None = Field(
        default=None, description="The PR has at least one of these labels."
    )
    labels_none: list[str] | None = Field(
        default=None, description="The PR has none of these labels."
    )
    events: list[str] | None = Field(
        default=None,
        description="The run's event is one of these (`pull_request`, `workflow_run`, ...).",
    )
    actions: list[str] | None = Field(
        default=None, description="The event action is one of these (`opened`, `synchronize`, ...)."
    )
    code_changed: bool | None = Field(default=None, description="Code or migrations changed.")
    docs_only: bool | None = Field(default=None, description="Only docs (and assets) changed.")
    security_sensitive: bool | None = Field(
        default=None, description="The security detector flagged the change."
    )
    public_api_changed: bool | None = Field(
        default=None, description="Public signatures, CLI flags or config keys changed."
    )
    changelog_touched: bool | None = Field(default=None, description="The PR edits the changelog.")
    ci_failed: bool | None = Field(default=None, description="A CI run of the PR failed.")
    body_empty: bool | None = Field(default=None, description="The PR description is empty.")
    risk_at_least: Literal["low", "medium", "high"] | None = Field(
        default=None, description="The change's risk is at least this."
    )
    risk_at_most: Literal["low", "medium", "high"] | None = Field(
        default=None, description="The change's risk is at most this."
    )
    min_changed_lines: int | None = Field(
        default=None, ge=0, le=10_000_000, description="At least this many changed lines."
    )
    max_changed_lines: int | None = Field(
        default=None, ge=0, le=10_000_000, description="At most this many changed lines."
    )
    note_domain_any: list[NoteDomain] | None = Field(
        default=None, description="The author's complexity note names one of these domains."
    )
    note_scope_at_least: NoteScope | None = Field(
        default=None,
        description="The note's scope is at least this (local < module < cross-module < "
        "cross-service).",
    )
    note_ambiguity_at_least: Literal["low", "medium", "high"] | None = Field(
        default=None, description="The note's ambiguity is at least this."
    )
    any: list[Condition] | None = Field(
        default=None, description="At least one of these conditions holds."
    )


class RuleAction(_Strict):
    """What a rule changes on the jobs it applies to."""

    tier: Tier | None = Field(default=None, description="Move the job to this tier.")
    promote: bool = Field(default=False, description="Move the job one tier up.")
    demote: bool = Field(default=False, description="Move the job one tier down.")
    mode: Mode | None = Field(default=None, description="Run the job synchronously or in a batch.")
    effort: Effort | None = Field(default=None, description="Reasoning effort for the job.")
    max_output_tokens: int | None = Field(
        default=None, ge=16, le=128_000, description="Output cap."
    )
    skip: bool = Field(default=False, description="Do not run the job.")


class Rule(_Strict):
    """An escalation or demotion rule: when `if` holds, apply `then` to the selected jobs."""

    name: str = Field(min_length=1, max_length=80, description="Shown as the reason in the plan.")
    jobs: list[JobName] | None = Field(
        default=None, description="Jobs the rule applies to (default: all)."
    )
    job_class: JobClass | None = Field(
        default=None, alias="class", description="Only jobs of this class."
    )
    if_: Condition = Field(alias="if", description="When the rule applies.")
    then: RuleAction = Field(description="What it changes.")


class JobSpec(_Strict):
    """One job of the catalogue. Built-in jobs are defined with this same model."""

    job_class: JobClass | None = Field(
        default=None,
        alias="class",
        description="`critical` gates merges; `auxiliary` is checked by a human.",
    )
    enabled: bool = Field(default=True, description="Set false to never run this job.")
    tier: Tier | None = Field(default=None, description="Default tier.")
    mode: Mode | None = Field(
        default=None, description="Default mode; batch only applies to auxiliary jobs."
    )
    effort: Effort | None = Field(default=None, description="Default reasoning effort.")
    max_output_tokens: int | None = Field(
        default=None, ge=16, le=128_000, description="Output cap."
    )
    expected_output_tokens: int | None = Field(
        default=None, ge=1, le=128_000, description="Typical output length, for estimates."
    )
    output: OutputKind | None = Field(
        default=None,
        description="What the job produces: inline `findings`, or a `comment` section.",
    )
    when: Condition | None = Field(
        default=None, description="Triggers: the job runs when this holds."
    )
    prompt: str | None = Field(
        default=None,
        max_length=20_000,
        description="Instructions for custom jobs (built-ins have their own).",
    )
    title: str | None = Field(
        default=None, max_length=80, description="Heading in the summary comment."
    )
    optional: bool | None = Field(
        default=None, description="May be skipped first when a budget runs short."
    )
    on_push: PushRule | None = Field(
        default=None,
        description="What the job does on a later push (`synchronize`): `changed` looks at what "
        "the author changed since the last reviewed head (base-branch updates left out); "
        "`changed-sensitive` adds the PR's other hunks in the security-sensitive files the "
        "push touched; `grown` runs again only when the PR grew by half (and 30 lines) since "
        "the job last ran; `surface` only when the push changed user-facing surface (public "
        "API, CLI/config, dependencies, migrations); `new-surface` only when the push changed "
        "public API, CLI or config surface; `whole` re-runs on the whole PR every push.",
    )


class Budgets(_Strict):
    """Spending limits. Before spending, the estimate is checked against what is left."""

    per_run_usd: PositiveUSD | None = Field(default=None, description="Limit for one run.")
    per_pr_usd: PositiveUSD | None = Field(
        default=None, description="Limit for one PR, across runs."
    )
    per_month_usd: PositiveUSD | None = Field(
        default=None, description="Limit per calendar month, from the ledgers."
    )
    on_exceed: list[
        Literal[
            "batch_auxiliary", "demote_auxiliary", "skip_optional", "demote_critical", "skip_all"
        ]
    ] = Field(
        default=["batch_auxiliary", "demote_auxiliary", "skip_optional"],
        description="Steps taken, in order, until the estimate fits. Critical jobs are touched "
        "only by `demote_critical`/`skip_all`, never silently.",
    )


class BatchSettings(_Strict):
    """How batch-mode jobs are submitted and waited for."""

    enabled: bool = Field(default=True, description="Set false to run every job synchronously.")
    wait_seconds: int = Field(
        default=0,
        ge=0,
        le=86_400,
        description="How long a run waits for its batches (counted from its start) before "
        "leaving them pending for the PR's next run or a `collect`. 0: no idle waiting; a batch "
        "that ends while the synchronous jobs run is still posted by this run.",
    )
    poll_initial_seconds: float = Field(default=5, gt=0, le=600, description="First poll interval.")
    poll_max_seconds: float = Field(default=60, gt=0, le=3600, description="Longest poll interval.")
    on_item_failure: Literal["retry_sync", "report"] = Field(
        default="retry_sync",
        description="A request that fails inside a batch is re-run "
        "synchronously, or reported as failed.",
    )


class CachingSettings(_Strict):
    """Prompt caching of the shared PR context."""

    enabled: bool = Field(
        default=True, description="Lay prompts out for caching and mark breakpoints."
    )
    ttl: Literal["5m", "1h"] = Field(default="5m", description="Anthropic cache TTL.")
    across_runs: Literal["auto", "none", "5m", "1h"] = Field(
        default="auto",
        description="The breakpoint after the prefix that stays the same from push to push "
        "(output schema and system text), read by the PR's next run: `auto` picks none, 5m or "
        "1h from the PR's measured intervals between runs (see docs/costs.md); `none` never "
        "marks it; `5m`/`1h` always do when the model can cache a prefix that short.",
    )


class CommandSettings(_Strict):
    """Commands given in PR comments (`/pr-router escalate review`); see docs/commands.md."""

    enabled: bool = Field(
        default=True, description="Read commands in PR comments and review-comment threads."
    )
    prefix: str = Field(
        default="/pr-router",
        pattern=r"^/[A-Za-z][A-Za-z0-9_-]{0,39}$",
        description="What a command line starts with, e.g. `/pr-router rerun review`.",
    )
    ask_tier: Tier = Field(default="standard", description="The tier that answers `ask`.")
    allow_below_frontier: bool = Field(
        default=False,
        description="Let `skip` drop a job of `must_stay_frontier` on a PR that changes code.",
    )
    allow_over_budget: bool = Field(
        default=False,
        description="Let a command run when its estimate is over what a budget has left.",
    )


GateLevel = Literal["critical", "high", "medium", "low", "info", "off"]
ReactionName = Literal["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]


class GateSettings(_Strict):
    """The merge gate: a check run per gating job, failing on unaccepted findings."""

    enabled: bool = Field(
        default=True,
        description="Post a check run (`pr-router / JOB`) per gating job on the PR head. A check "
        "only blocks a merge once branch protection or a ruleset requires it.",
    )
    jobs: dict[JobName, GateLevel] = Field(
        default={"security": "high", "review": "critical"},
        description="Gating jobs (critical `findings` jobs) and the lowest severity that fails "
        "their check; `off` posts no check for that job.",
    )
    on_outage: Literal["neutral", "failure"] = Field(
        default="neutral",
        description="Conclusion when a gating job could not run (provider outage, budget, fork "
        "without secrets): `neutral` never blocks a merge, `failure` does.",
    )
    accept_reaction: ReactionName | None = Field(
        default=None,
        description="A reaction on a finding's comment that accepts the finding when a user "
        "with write permission leaves it (e.g. `rocket`); picked up by the next run or "
        "`collect`. Replying `/pr-router accept REASON` in the finding's thread works too.",
    )
    sarif_jobs: list[JobName] = Field(
        default=["security"],
        description="Jobs whose findings `pr-router run` writes as SARIF 2.1.0 for code "
        "scanning (add `review` to include the review's).",
    )


class RunnerSettings(_Strict):
    """What a minute of the runner that runs pr-router costs (part of every run's total)."""

    usd_per_minute: PositiveUSD | Literal["auto"] = Field(
        default="auto",
        description="USD per billed runner minute. `auto`: $0 on a public repository or a "
        "self-hosted runner, GitHub's Linux 2-core list price ($0.006) on a private one. Set "
        "a figure for larger runners (e.g. 0.012 for 4-core) or a self-hosted estimate.",
    )
    prs_per_month: int = Field(
        default=100,
        ge=1,
        le=1_000_000,
        description="About how many PRs the repository sees a month: a collect sweep's "
        "minutes are shared among them when the router weighs the Batch API.",
    )
    sweep_minutes_per_month: int = Field(
        default=0,
        ge=0,
        le=1_000_000,
        description="Billed minutes a month of a scheduled `collect` workflow, if you run one "
        "(hourly: about 720). 0: pending results wait for the PR's next run.",
    )


class ComplexitySettings(_Strict):
    """The PR author's complexity note (`pr-router: domain=... scope=... ambiguity=...`)."""

    enabled: bool = Field(
        default=True, description="Read the note line in the PR description and the labels."
    )
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="Labels that stand for note pairs, e.g. `risky: ambiguity=high`.",
    )

    @field_validator("labels")
    @classmethod
    def _pairs(cls, value: dict[str, str]) -> dict[str, str]:
        from pr_router.complexity import parse_pairs

        for label, text in value.items():
            _, problems = parse_pairs(text)
            if problems:
                raise ValueError(f"label {label!r}: {'; '.join(problems)}")
        return value


class Policy(_Strict):
    """A repository's routing policy (`.github/pr-router.yml`)."""

    version: Literal[1] = Field(default=1, description="Policy format version.")
    tiers: dict[Tier, TierModel] = Field(description="Provider and model for each tier.")
    fallback: dict[Tier, TierModel] = Field(
        default_factory=dict,
        description="Same tier on another provider, used when the first fails.",
    )
    must_stay_frontier: list[JobName] = Field(
        default=["review", "security"],
        description="Jobs that stay on the frontier tier whenever the PR changes code, whatever "
        "rules or budgets say.",
    )
    jobs: dict[JobName, JobSpec] = Field(
        default_factory=dict,
        description="Overrides of built-in jobs and new custom jobs, by name.",
    )
    builtin_rules: bool = Field(default=True, description="Apply the built-in routing rules first.")
    rules: list[Rule] = Field(default_factory=list, description="Extra rules, applied in order.")
    ignore: list[str] = Field(
        default_factory=list, description="Gitignore-style globs of files no job sees."
    )
    drafts: Literal["skip", "run"] = Field(default="skip", description="What to do with draft PRs.")
    budgets: Budgets = Field(default_factory=Budgets, description="Spending limits.")
    batch: BatchSettings = Field(default_factory=BatchSettings, description="Batch API settings.")
    caching: CachingSettings = Field(default_factory=CachingSettings, description="Prompt caching.")
    gate: GateSettings = Field(
        default_factory=GateSettings, description="Merge gate: check runs and SARIF."
    )
    runner: RunnerSettings = Field(
        default_factory=RunnerSettings, description="Runner minutes: what a minute costs."
    )
    prices: dict[str, PriceOverride] = Field(
        default_factory=dict, description="Negotiated rates by model id (USD per million tokens)."
    )
    max_context_tokens: int = Field(
        default=150_000, ge=1_000, le=1_000_000, description="Largest prompt any one call may send."
    )
    commands: CommandSettings = Field(
        default_factory=CommandSettings, description="Commands in PR comments."
    )
    complexity: ComplexitySettings = Field(
        default_factory=ComplexitySettings, description="The PR author's complexity note."
    )

    @field_validator("tiers")
    @classmethod
    def _all_tiers(cls, value: dict[Tier, TierModel]) -> dict[Tier, TierModel]:
        missing = [t for t in TIERS if t not in value]
        if missing:
            raise ValueError(f"missing tier(s): {', '.join(missing)}; every tier needs a model")
        return value

    @field_validator("jobs")
    @classmethod
    def _custom_jobs_complete(cls, value: dict[str, JobSpec]) -> dict[str, JobSpec]:
        from pr_router.policy.catalog import BUILTIN_JOBS

        for name, spec in value.items():
            if name in BUILTIN_JOBS:
                continue
            missing = [
                f for f in ("job_class", "prompt", "output", "tier") if getattr(spec, f) is None
            ]
            if missing:
                names = ", ".join("class" if m == "job_class" else m for m in missing)
                # A typed error with the job's name, so the loader can point at its key.
                raise PydanticCustomError(
                    "custom_job_incomplete",
                    "custom job '{job}' needs: {missing}",
                    {"job": name, "missing": names},
                )
        return value
