"""What a run did, per job, as one value: the input of every renderer (PR comment, job
summary, terminal line, demo page). Built by the pipeline from the plan, the executor's
outcome and the jobs' parsed results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pr_router.ledger import LedgerRecord
from pr_router.plan import JobPlan, Plan
from pr_router.runner import RunnerFigures
from pr_router.tokens import TokenUsage

__all__ = ["CheckLine", "JobRun", "RunSummary", "Section"]

JobStatus = Literal["ok", "failed", "pending", "skipped"]


@dataclass(frozen=True, slots=True)
class Section:
    """A collapsible section of the summary comment (an auxiliary job's result)."""

    title: str
    markdown: str  # already sanitised model output

    def render(self, level: int = 3) -> str:
        """The section with its heading."""
        return f"{'#' * level} {self.title}\n\n{self.markdown}"


@dataclass(frozen=True, slots=True)
class JobRun:
    """One job in this run: its routing, what happened, and every billed attempt."""

    plan: JobPlan
    status: JobStatus
    records: tuple[LedgerRecord, ...] = ()
    section: Section | None = None
    findings_inline: int = 0  # findings posted as inline review comments
    findings_in_body: int = 0  # findings kept in the review body (outside the diff)
    findings_duplicate: int = 0  # already posted on an earlier run
    error: str | None = None
    not_seen: tuple[str, ...] = ()  # files the job did not see (token budget)
    earlier: bool = False  # an earlier run's result, kept on show by a command's run

    @property
    def cost_usd(self) -> Decimal:
        """Measured cost of every attempt."""
        return sum((r.cost_usd for r in self.records), Decimal(0))

    @property
    def all_frontier_usd(self) -> Decimal:
        """The same tokens on the frontier model, synchronous, uncached."""
        return sum((r.all_frontier_usd for r in self.records), Decimal(0))

    @property
    def usage(self) -> TokenUsage:
        """Tokens of every attempt, added up."""
        return sum((r.usage.tokens() for r in self.records), TokenUsage())

    @property
    def final_model(self) -> str | None:
        """The model of the last attempt (after escalations), else the planned one."""
        return self.records[-1].model if self.records else self.plan.model

    @property
    def escalations(self) -> int:
        """How many times the output was retried one tier up."""
        return sum(1 for r in self.records if r.escalated_from)


@dataclass(frozen=True, slots=True)
class CheckLine:
    """One check run of the merge gate, as the summary shows it."""

    name: str  # "pr-router / security"
    conclusion: str  # success | failure | neutral
    title: str
    accepted: tuple[str, ...] = ()  # one line per accepted finding: what, who, why
    posted: bool = True  # False when GitHub refused it (or a dry run)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """The whole run, ready to render."""

    plan: Plan
    jobs: tuple[JobRun, ...]
    run_id: str
    head_sha: str | None = None
    previous_cost_usd: Decimal = Decimal(0)  # PR cost of earlier runs, from the sticky state
    previous_runs: int = 0
    previous_runner_usd: Decimal = Decimal(0)  # runner cost of earlier runs, from the state
    incremental_since: str | None = None  # base of an incremental review (last reviewed head)
    wait_seconds: float = 0.0  # runner time in the executor: waiting for models and batches
    pending_batches: tuple[str, ...] = ()  # "provider:batch_id"
    # when each pending batch was submitted ("provider:batch_id", UTC), for its expected time
    pending_since: tuple[tuple[str, datetime], ...] = ()
    budget_line: str | None = None
    notices: tuple[str, ...] = field(default=())
    dry_run: bool = False
    # earlier runs of the PR, oldest first: (head sha, what was looked at, tokens + runner)
    lifetime: tuple[tuple[str, str, Decimal], ...] = ()
    # runs after this one that ended before any job (skipped, nothing to do): their runner
    # time, in the PR total and the lifetime table until the next run replaces this summary
    later: tuple[tuple[str, str, Decimal], ...] = ()
    looked_at: str = ""  # what this run looked at ("whole PR", "changes since abc1234", ...)
    checks: tuple[CheckLine, ...] = ()  # the merge gate's check runs
    gate: str = "skipped"  # the action output: pass | fail | skipped
    commands: tuple[str, ...] = field(default=())  # audit lines of the PR's commands (Markdown)
    # The job's runner time so far and the all-frontier counterfactual's (None: not measured,
    # e.g. a summary rendered from an old snapshot or by a test).
    runner: RunnerFigures | None = None

    @property
    def cost_usd(self) -> Decimal:
        """Measured cost of this run."""
        return sum((j.cost_usd for j in self.jobs), Decimal(0))

    @property
    def all_frontier_usd(self) -> Decimal:
        """What this run's tokens would cost on the frontier model, sync, uncached."""
        return sum((j.all_frontier_usd for j in self.jobs), Decimal(0))

    @property
    def savings_usd(self) -> Decimal:
        """All-frontier cost minus the measured cost."""
        return self.all_frontier_usd - self.cost_usd

    @property
    def runner_usd(self) -> Decimal:
        """What this run's billed runner minutes cost (0 when not measured or free)."""
        return self.runner.used.usd if self.runner else Decimal(0)

    @property
    def total_usd(self) -> Decimal:
        """Tokens plus runner: what this run costs the user."""
        return self.cost_usd + self.runner_usd

    @property
    def all_frontier_total_usd(self) -> Decimal:
        """All-frontier tokens plus the runner time an all-frontier setup would need."""
        frontier_runner = self.runner.all_frontier.usd if self.runner else Decimal(0)
        return self.all_frontier_usd + frontier_runner

    @property
    def total_savings_usd(self) -> Decimal:
        """All-frontier total minus this run's total (tokens and runner on both sides)."""
        return self.all_frontier_total_usd - self.total_usd

    @property
    def pr_cost_usd(self) -> Decimal:
        """Cumulative PR cost including this run."""
        return self.previous_cost_usd + self.cost_usd

    @property
    def later_usd(self) -> Decimal:
        """Runner cost of the runs after this one that ended before any job."""
        return sum((usd for _, _, usd in self.later), Decimal(0))

    @property
    def pr_runs(self) -> int:
        """How many runs the PR has had: earlier ones, this one and later early endings."""
        return self.previous_runs + 1 + len(self.later)

    @property
    def pr_total_usd(self) -> Decimal:
        """What the PR has cost the user so far: every run's tokens and runner minutes."""
        return self.pr_cost_usd + self.previous_runner_usd + self.runner_usd + self.later_usd

    @property
    def failed(self) -> tuple[JobRun, ...]:
        """Jobs that failed, with their errors."""
        return tuple(j for j in self.jobs if j.status == "failed")
