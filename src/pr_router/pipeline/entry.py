"""The entry point of ``run`` and ``collect``: build the clients from the environment, pick
what to do from the event, run it, and report (outputs, job summary, annotations, ledger).

An AI or GitHub outage never fails the user's CI unless ``fail-on-error`` is set: the
summary says what failed. Usage and policy errors exit 2.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TextIO

from pr_router.context import PRContext
from pr_router.errors import GitHubError, PrRouterError
from pr_router.execute import Clock, SystemClock
from pr_router.github.client import GitHubClient
from pr_router.github.event import Event, decide, load_event_from_env
from pr_router.github.publish import Publisher
from pr_router.jobs import FailureLog
from pr_router.ledger import write_ledger
from pr_router.pipeline.collect import collect_pull_request
from pr_router.pipeline.policy_source import policy_from_base
from pr_router.pipeline.pr_run import run_pull_request
from pr_router.pipeline.services import Services
from pr_router.pipeline.settings import Settings
from pr_router.pipeline.sinks import RecordingPublisher
from pr_router.providers.base import Provider
from pr_router.render import annotations as gha
from pr_router.render.summary import action_outputs, step_summary_markdown, terminal_summary
from pr_router.summary import RunSummary

__all__ = ["Outcome", "collect_from_env", "run_from_env"]

log = logging.getLogger("pr_router")


@dataclass(frozen=True)
class Outcome:
    """What the command reports back: its exit code and the summaries it produced."""

    exit_code: int
    summaries: tuple[RunSummary, ...] = ()
    message: str = ""
    published: str = ""  # what a dry run would have posted


def _services(settings: Settings, environ: Mapping[str, str], clock: Clock,
              providers: Mapping[str, Provider] | None) -> Services:  # fmt: skip
    github = GitHubClient.from_env(environ)
    own = settings.own_login or github.whoami()
    publisher: Publisher = github
    if settings.dry_run or settings.publish_dir is not None:
        publisher = RecordingPublisher(github, own)
    if providers is None:
        from pr_router.providers.registry import build_providers

        built = build_providers(environ)
        providers, missing = built, dict(built.missing)
    else:
        missing = {}
    return Services(github, publisher, providers, clock, own, missing)


def _failure_logs(github: GitHubClient, run_id: int) -> tuple[FailureLog, ...]:
    logs = []
    for job in github.failed_jobs(run_id):
        logs.append(FailureLog(job.name, github.job_log(job.id), job.failed_steps, job.url))
    return tuple(logs)


def _target(event: Event, services: Services, environ: Mapping[str, str]) -> PRContext | None:
    """The PR a workflow_run event is about (its own list, or PR_ROUTER_PR_NUMBER)."""
    run = event.workflow_run
    override = environ.get("PR_ROUTER_PR_NUMBER", "").strip()
    numbers = (int(override),) if override.isdigit() else (run.pr_numbers if run else ())
    if not numbers:
        return None
    pr = services.github.pull(numbers[0])
    return replace(pr, event="workflow_run", action=event.action,
                   ci_failed=bool(run and run.ci_failed),
                   workflow_run_id=run.run_id if run else None)  # fmt: skip


def _report(summaries: list[RunSummary], settings: Settings, out: TextIO,
            recorder: Publisher | None) -> Outcome:  # fmt: skip
    """Write the ledger, outputs and job summary; pick the exit code."""
    records = [r for s in summaries for j in s.jobs for r in j.records]
    if records:
        write_ledger(settings.ledger_path, records)
    for s in summaries:
        out.write(terminal_summary(s) + "\n")
        for job in s.failed:
            out.write(gha.warning(f"{job.plan.job} failed: {job.error}") + "\n")
    if settings.output_path is not None:
        gha.write_outputs(settings.output_path, _outputs(summaries))
    if settings.step_summary_path is not None:
        for s in summaries:
            gha.append_step_summary(settings.step_summary_path, step_summary_markdown(s))
    published = ""
    if isinstance(recorder, RecordingPublisher):
        if settings.publish_dir is not None:
            recorder.write(settings.publish_dir)
        published = recorder.render()
        if settings.dry_run:
            out.write("\n--- dry run: this is what would be posted ---\n\n" + published)
    failed = any(s.failed for s in summaries)
    code = 1 if failed and settings.fail_on_error else 0
    return Outcome(code, tuple(summaries), published=published)


def _outputs(summaries: list[RunSummary]) -> dict[str, str]:
    if len(summaries) == 1:
        return action_outputs(summaries[0])
    total = sum((s.cost_usd for s in summaries), Decimal(0))
    frontier = sum((s.all_frontier_usd for s in summaries), Decimal(0))
    pending = [b for s in summaries for b in s.pending_batches]
    return {"cost-usd": str(total), "all-frontier-usd": str(frontier),
            "savings-usd": str(frontier - total), "pending-batches": ",".join(pending),
            "jobs-failed": str(sum(len(s.failed) for s in summaries))}  # fmt: skip


def _plan_only(event: Event, services: Services, settings: Settings, out: TextIO) -> Outcome:
    """Fork PRs (no secrets) and runs without any provider key: show the plan, post nothing."""
    from pr_router.changes import analyze
    from pr_router.render.plan import plan_markdown
    from pr_router.router import route

    assert event.pr is not None
    assert event.pr.number is not None
    loaded = policy_from_base(services.github, settings.policy_path, event.pr.base_sha)
    changes = analyze(services.github.pull_diff(event.pr.number), ignore=loaded.policy.ignore)
    plan = route(loaded.policy, changes, event.pr, prices=loaded.prices, policy_name=loaded.source)
    why = "; ".join(services.missing_providers.values()) or "no model provider configured"
    note = (f"pr-router ran in plan-only mode: {why}. Fork PRs get no secrets; "
            "see docs/security.md for the fork-safe two-stage workflow.")  # fmt: skip
    out.write(gha.notice(note) + "\n")
    if settings.step_summary_path is not None:
        gha.append_step_summary(settings.step_summary_path, f"> {note}\n\n" + plan_markdown(plan))
    return Outcome(0, message=note)


def run_from_env(environ: Mapping[str, str] | None = None, *, settings: Settings | None = None,
                 clock: Clock | None = None, providers: Mapping[str, Provider] | None = None,
                 out: TextIO | None = None) -> Outcome:  # fmt: skip
    """``pr-router run``: act on the GitHub event of this workflow run."""
    env = os.environ if environ is None else environ
    settings = settings or Settings.from_env(env)
    out = out or sys.stdout
    event = load_event_from_env(env)
    if event.kind in ("schedule", "workflow_dispatch"):
        return collect_from_env(env, settings=settings, clock=clock, providers=providers, out=out)
    services = _services(settings, env, clock or SystemClock(), providers)
    pr = event.pr
    logs: tuple[FailureLog, ...] = ()
    if event.kind == "workflow_run":
        pr = _target(event, services, env)
        if pr is None:
            return Outcome(
                0, message=f"nothing to do: {event.note or 'no pull request for this run'}"
            )
        if pr.ci_failed:
            logs = _failure_logs(services.github, event.workflow_run.run_id)  # type: ignore[union-attr]
        elif env.get("PR_ROUTER_PR_NUMBER") or env.get("PR_ROUTER_ON_WORKFLOW_RUN") == "review":
            # Fork-safe stage two: the PR recorded by an unprivileged pull_request run.
            pr = replace(pr, event="pull_request", action="synchronize")
        else:
            return Outcome(0, message="nothing to do: the CI run did not fail")
    if pr is None:
        return Outcome(0, message=f"nothing to do: {event.note or 'not a pull request event'}")
    loaded = policy_from_base(services.github, settings.policy_path, pr.base_sha)
    decision = decide(replace(event, pr=pr), draft_reviews=loaded.policy.drafts == "run")
    if decision.kind == "skip" and pr.event != "workflow_run":
        out.write(f"pr-router: skipped: {decision.reason}\n")
        return Outcome(0, message=decision.reason)
    if not services.providers:
        return _plan_only(replace(event, pr=pr), services, settings, out)
    result = run_pull_request(pr, settings, services, logs=logs)
    return _report([result.summary], settings, out, services.publisher)


def collect_from_env(environ: Mapping[str, str] | None = None, *, settings: Settings | None = None,
                     clock: Clock | None = None, providers: Mapping[str, Provider] | None = None,
                     out: TextIO | None = None, numbers: tuple[int, ...] = ()) -> Outcome:  # fmt: skip
    """``pr-router collect``: finish pending batches on open PRs and update their summaries."""
    env = os.environ if environ is None else environ
    settings = settings or Settings.from_env(env)
    out = out or sys.stdout
    services = _services(settings, env, clock or SystemClock(), providers)
    pulls = [services.github.pull(n) for n in numbers] if numbers else services.github.open_pulls()
    summaries: list[RunSummary] = []
    for pr in pulls:
        try:
            summary = collect_pull_request(pr, settings, services)
        except (GitHubError, PrRouterError) as exc:
            out.write(gha.warning(f"PR #{pr.number}: collect failed: {exc}") + "\n")
            continue
        if summary is not None:
            summaries.append(summary)
    out.write(f"pr-router collect: {len(summaries)} PR(s) updated of {len(pulls)} open\n")
    return _report(summaries, settings, out, services.publisher)
