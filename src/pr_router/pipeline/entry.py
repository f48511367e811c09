"""The entry point of ``run`` and ``collect``: build the clients from the environment, pick
what to do from the event, run it, and report (outputs, job summary, annotations, ledger).

An AI or GitHub outage never fails the user's CI unless ``fail-on-error`` is set: the
summary says what failed. Usage and policy errors exit 2.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TextIO
from urllib.parse import urlsplit

from pr_router.context import PRContext
from pr_router.errors import GitHubError, PrRouterError
from pr_router.execute import Clock, SystemClock
from pr_router.github.client import GitHubClient
from pr_router.github.event import Event, decide, load_event_from_env
from pr_router.github.publish import Publisher
from pr_router.github.transport import RetrySettings
from pr_router.jobs import FailureLog
from pr_router.ledger import Entry, LedgerRecord, write_ledger
from pr_router.pipeline.collect import collect_pull_request
from pr_router.pipeline.early_run import count_early_run
from pr_router.pipeline.elsewhere import collect_elsewhere, report_elsewhere
from pr_router.pipeline.gate_accept import reevaluate_gate
from pr_router.pipeline.gate_step import post_gate, unrunnable_gate, write_sarif
from pr_router.pipeline.policy_source import LoadedPolicy, policy_from_base
from pr_router.pipeline.pr_run import run_pull_request
from pr_router.pipeline.runner_time import (
    billed_entries,
    early_figures,
    job_started,
    stamp_records,
    sweep_figures,
)
from pr_router.pipeline.services import Services
from pr_router.pipeline.settings import Settings
from pr_router.pipeline.sinks import RecordingPublisher
from pr_router.policy.models import GateSettings
from pr_router.providers.base import Provider
from pr_router.providers.registry import Providers
from pr_router.render import annotations as gha
from pr_router.render.runner_cost import runner_outputs, sweep_line
from pr_router.render.summary import action_outputs, step_summary_markdown, terminal_summary
from pr_router.runner import RunnerFigures, RunnerRate, resolve_rate
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
              providers: Mapping[str, Provider] | None,
              github: GitHubClient | None = None, *,
              wall_clock: Callable[[], datetime] | None = None) -> Services:  # fmt: skip
    started = job_started(clock, environ)
    github = github or GitHubClient.from_env(environ, retry=_github_pacing(environ))
    own = settings.own_login or github.whoami()
    publisher: Publisher = github
    if settings.dry_run or settings.publish_dir is not None:
        publisher = RecordingPublisher(github, own)
    if providers is None:
        from pr_router.providers.registry import build_providers

        built = build_providers(environ)
        providers, missing = built, dict(built.missing)
    else:
        missing = dict(providers.missing) if isinstance(providers, Providers) else {}
    checks = publisher if isinstance(publisher, RecordingPublisher) else None
    services = Services(github, publisher, providers, clock, own, missing,
                        month_records=_artifact_ledgers(environ), checks=checks,
                        run_started=started)  # fmt: skip
    return services if wall_clock is None else replace(services, wall_clock=wall_clock)


def _artifact_ledgers(environ: Mapping[str, str]) -> Callable[[datetime], list[LedgerRecord]]:
    """Read this repository's ledger artifacts (needs ``actions: read``), on demand."""

    def records(since: datetime) -> list[LedgerRecord]:
        from pr_router.report.artifacts import ArtifactLedgers

        reader = ArtifactLedgers.from_env(environ, environ.get("GITHUB_REPOSITORY", ""))
        # Token spend only: run records carry runner minutes, which budgets do not count.
        return [r for r in reader.records(since) if isinstance(r, LedgerRecord)]

    return records


def _github_pacing(environ: Mapping[str, str]) -> RetrySettings | None:
    """No write pacing for a GitHub API on the loopback interface (the emulator).

    Pacing only spares GitHub's servers from bursts (secondary rate limits); against a local
    API it is pure runner time (3 s of sleeps in ``pr-router demo``). Retries stay as they are.
    """
    host = urlsplit(environ.get("GITHUB_API_URL") or "").hostname or ""
    if host not in ("127.0.0.1", "::1", "localhost"):
        return None
    return replace(RetrySettings(), seconds_between_requests=None, seconds_between_writes=None)


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


@dataclass
class _Done:
    """What a command produced: summaries to show, ledger records, and what failed to post."""

    summaries: list[RunSummary] = field(default_factory=list)
    records: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rate: RunnerRate | None = None  # a collect's runner rate, from the first PR's policy


def _report(done: _Done, settings: Settings, out: TextIO, recorder: Publisher | None,
            sweep: RunnerFigures | None = None) -> Outcome:  # fmt: skip
    """Write the ledger, outputs and job summary; pick the exit code.

    A problem (something that could not be posted) is one ``::warning::`` line; the
    summaries carry it as a notice, left out of the terminal lines so it is said once.
    """
    if done.records:
        write_ledger(settings.ledger_path, done.records)
    for s in done.summaries:
        shown = replace(s, notices=tuple(n for n in s.notices if n not in done.problems))
        out.write(terminal_summary(shown) + "\n")
        for job in s.failed:
            out.write(gha.warning(f"{job.plan.job} failed: {job.error}") + "\n")
    for problem in done.problems:
        out.write(gha.warning(problem) + "\n")
    if sweep is not None:
        out.write(f"pr-router collect: {sweep_line(sweep)}\n")
    if settings.output_path is not None:
        gha.write_outputs(settings.output_path, _outputs(done.summaries, sweep))
    if settings.step_summary_path is not None:
        for s in done.summaries:
            gha.append_step_summary(settings.step_summary_path, step_summary_markdown(s))
        if sweep is not None:
            gha.append_step_summary(settings.step_summary_path, f"{sweep_line(sweep)}\n")
    published = ""
    if isinstance(recorder, RecordingPublisher):
        if settings.publish_dir is not None:
            recorder.write(settings.publish_dir)
        published = recorder.render()
        if settings.dry_run:
            out.write("\n--- dry run: this is what would be posted ---\n\n" + published)
    failed = any(s.failed for s in done.summaries) or bool(done.problems)
    code = 1 if failed and settings.fail_on_error else 0
    return Outcome(code, tuple(done.summaries), published=published)


def _usd(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.000001'), rounding=ROUND_HALF_UP):f}"


def _outputs(summaries: list[RunSummary], sweep: RunnerFigures | None = None) -> dict[str, str]:
    """The action outputs; several summaries (collect) add up, none gives zeros.

    ``sweep``: the runner figures of a collect job, which replace the summaries' own (those
    are the runs that submitted the batches, billed in their own jobs).
    """
    if len(summaries) == 1 and sweep is None:
        return action_outputs(summaries[0])
    total = sum((s.cost_usd for s in summaries), Decimal(0))
    frontier = sum((s.all_frontier_usd for s in summaries), Decimal(0))
    pending = [b for s in summaries for b in s.pending_batches]
    failed = [j.plan.job for s in summaries for j in s.failed]
    return {"cost-usd": _usd(total), "all-frontier-usd": _usd(frontier),
            "savings-usd": _usd(frontier - total), "pending-batches": ",".join(pending),
            "jobs-failed": ",".join(dict.fromkeys(failed)),
            "gate": _gate_of(s.gate for s in summaries)} | runner_outputs(
        total, frontier, sweep.used if sweep else None,
        sweep.all_frontier.usd if sweep else Decimal(0))  # fmt: skip


def _gate_of(gates: Iterable[str]) -> str:
    """Several PRs (collect): ``fail`` if any fails, ``pass`` only if every one passes."""
    seen = set(gates)
    return "fail" if "fail" in seen else "pass" if seen == {"pass"} else "skipped"


def _nothing(settings: Settings, out: TextIO, message: str, *, code: int = 0,
             runner: RunnerFigures | None = None) -> Outcome:  # fmt: skip
    """An early end (skip, nothing to do, GitHub unreachable): say why; zero token amounts,
    and the runner time the job took when the run got far enough to know it."""
    line = f"pr-router: {message}" + (f"; {sweep_line(runner)}" if runner is not None else "")
    out.write(line + "\n")
    if settings.output_path is not None:
        gha.write_outputs(settings.output_path, _outputs([], runner))
    if settings.step_summary_path is not None:
        gha.append_step_summary(settings.step_summary_path, line + "\n")
    return Outcome(code, message=message)


def _early(services: Services, settings: Settings, pr: PRContext | None,
           loaded: LoadedPolicy | None = None, *, ended: str) -> RunnerFigures:  # fmt: skip
    """The runner figures of a run that ends before any model call, recorded in the ledger
    (one run record: ``ended`` says why) so that ``report`` counts its minutes."""
    setting = loaded.policy.runner.usd_per_minute if loaded is not None else "auto"
    rate = resolve_rate(setting, private=pr.private if pr is not None else None,
                        runner_environment=settings.runner_environment)  # fmt: skip
    figures = early_figures(services, rate)
    write_ledger(settings.ledger_path, billed_entries(
        (), figures, ended=ended, run_id=settings.run_id, services=services, pr=pr))  # fmt: skip
    return figures


def _ended(services: Services, settings: Settings, out: TextIO, message: str,
           pr: PRContext | None, *, loaded: LoadedPolicy | None = None,
           on_pr: bool = False) -> Outcome:  # fmt: skip
    """An early end after the clients were built: said, with its runner time recorded, and
    with ``on_pr`` added to the PR's summary comment when it has one."""
    runner = _early(services, settings, pr, loaded, ended=message)
    if on_pr and pr is not None and pr.number is not None:
        what = message.split(" (", 1)[0]  # "skipped: draft pull request"
        problem = count_early_run(services, pr, runner, what, services.wall_clock())
        if problem is not None:
            out.write(gha.warning(problem) + "\n")
    return _nothing(settings, out, message, runner=runner)


def _github_failed(exc: GitHubError, settings: Settings, out: TextIO) -> Outcome:
    """GitHub refused or failed: one clear line; the step fails only with fail-on-error."""
    message = f"{exc}" + (f" ({exc.hint})" if exc.hint else "")
    out.write(gha.warning(message) + "\n")
    return _nothing(settings, out, f"stopped: {exc}", code=1 if settings.fail_on_error else 0)


def _plan_only(event: Event, services: Services, settings: Settings, out: TextIO) -> Outcome:
    """Fork PRs (no secrets) and runs without any provider key: show the plan, post nothing."""
    from pr_router.changes import analyze
    from pr_router.render.plan import plan_markdown
    from pr_router.router import route

    assert event.pr is not None
    assert event.pr.number is not None
    loaded = policy_from_base(services.github, settings.policy_path, event.pr.base_sha)
    changes = analyze(services.github.pull_diff(event.pr.number).data, ignore=loaded.policy.ignore)
    plan = route(loaded.policy, changes, event.pr, prices=loaded.prices, policy_name=loaded.source)
    why = "; ".join(services.missing_providers.values()) or "no model provider configured"
    note = (f"pr-router ran in plan-only mode: {why}. Fork PRs get no secrets; "
            "see docs/security.md for the fork-safe two-stage workflow.")  # fmt: skip
    out.write(gha.notice(note) + "\n")
    _neutral_checks(event.pr, loaded.policy.gate, services, f"no model provider: {why}", out)
    runner = _early(services, settings, event.pr, loaded, ended=f"plan only: {why}")
    out.write(f"pr-router: {sweep_line(runner)}\n")
    if settings.output_path is not None:
        gha.write_outputs(settings.output_path, _outputs([], runner))
    if settings.step_summary_path is not None:
        gha.append_step_summary(settings.step_summary_path,
                                f"> {note}\n\n{sweep_line(runner)}\n\n" + plan_markdown(plan))  # fmt: skip
    return Outcome(0, message=note)


def _neutral_checks(pr: PRContext, gate: GateSettings, services: Services, reason: str,
                    out: TextIO) -> None:  # fmt: skip
    """The gating checks say why the jobs did not run (neutral: a fork PR is not blocked).

    A fork PR's token is read-only, so GitHub refuses the check runs there: that is expected
    and logged as a plain line; the fork-safe workflow's second stage posts them.
    """
    decision = unrunnable_gate(gate, pr.head_sha or "", reason) if pr.head_sha else None
    if decision is None:
        return
    lines, problems = post_gate(services.check_poster, decision)
    for line in lines:
        out.write(f"pr-router: {line.name}: {line.conclusion}: {line.title}"
                  + ("" if line.posted else " (not posted)") + "\n")  # fmt: skip
    for problem in problems:
        log.info("%s", problem)


def run_from_env(environ: Mapping[str, str] | None = None, *, settings: Settings | None = None,
                 clock: Clock | None = None, providers: Mapping[str, Provider] | None = None,
                 github: GitHubClient | None = None, out: TextIO | None = None,
                 wall_clock: Callable[[], datetime] | None = None) -> Outcome:  # fmt: skip
    """``pr-router run``: act on the GitHub event of this workflow run.

    ``clock``, ``providers``, ``github`` and ``wall_clock`` replace what would be built from
    the environment.
    """
    env = os.environ if environ is None else environ
    settings = settings or Settings.from_env(env)
    out = out or sys.stdout
    event = load_event_from_env(env)
    if event.kind in ("schedule", "workflow_dispatch"):
        return collect_from_env(env, settings=settings, clock=clock, providers=providers,
                                github=github, out=out, wall_clock=wall_clock)  # fmt: skip
    try:
        services = _services(
            settings, env, clock or SystemClock(), providers, github, wall_clock=wall_clock
        )
        outcome = _run_event(event, env, settings, services, out)
    except GitHubError as exc:
        return _github_failed(exc, settings, out)
    if services.providers and not (settings.dry_run or settings.publish_dir is not None):
        number = event.pr.number if event.pr is not None else None
        report_elsewhere(collect_elsewhere(services, settings, exclude=number), outcome,
                         settings, out)  # fmt: skip
    return outcome


def _run_event(event: Event, env: Mapping[str, str], settings: Settings, services: Services,
               out: TextIO) -> Outcome:  # fmt: skip
    """Pick the PR and what to do for it, then do it."""
    if event.comment is not None:
        return _comment_event(event, settings, services, out)
    pr = event.pr
    logs: tuple[FailureLog, ...] = ()
    if event.kind == "workflow_run":
        pr = _target(event, services, env)
        if pr is None:
            why = f"nothing to do: {event.note or 'no pull request'}"
            return _ended(services, settings, out, why, None)
        if pr.ci_failed:
            logs = _failure_logs(services.github, event.workflow_run.run_id)  # type: ignore[union-attr]
        elif env.get("PR_ROUTER_PR_NUMBER") or env.get("PR_ROUTER_ON_WORKFLOW_RUN") == "review":
            # Fork-safe stage two: the PR recorded by an unprivileged pull_request run.
            pr = replace(pr, event="pull_request", action="synchronize")
        else:
            why = "nothing to do: the CI run did not fail"
            return _ended(services, settings, out, why, pr, on_pr=True)
    if pr is None:
        why = f"nothing to do: {event.note or 'not a pull request'}"
        return _ended(services, settings, out, why, None)
    loaded = policy_from_base(services.github, settings.policy_path, pr.base_sha)
    decision = decide(replace(event, pr=pr), draft_reviews=loaded.policy.drafts == "run")
    if decision.kind == "skip" and pr.event != "workflow_run":
        return _ended(
            services, settings, out, f"skipped: {decision.reason}", pr, loaded=loaded, on_pr=True
        )
    if not services.providers:
        return _plan_only(replace(event, pr=pr), services, settings, out)
    result = run_pull_request(pr, settings, services, logs=logs, loaded=loaded)
    records = billed_entries((r for j in result.summary.jobs for r in j.records),
                             result.summary.runner, ended=f"no job ran ({result.summary.looked_at})",
                             run_id=settings.run_id, services=services, pr=pr)  # fmt: skip
    done = _Done([result.summary], records, list(result.problems))
    if settings.sarif_path is not None and result.sarif is not None:
        write_sarif(settings.sarif_path, result.sarif)
        out.write(f"pr-router: wrote {settings.sarif_path} ({_results(result.sarif)})\n")
    return _report(done, settings, out, services.publisher)


def _results(log: Mapping[str, object]) -> str:
    runs = log.get("runs")
    count = sum(len(r.get("results", [])) for r in runs) if isinstance(runs, list) else 0
    return f"{count} finding(s) for code scanning"


def _comment_event(event: Event, settings: Settings, services: Services, out: TextIO) -> Outcome:
    """A PR comment: commands from people with write access, through ``run_comment``."""
    from pr_router.pipeline.commands import run_comment

    decision = decide(event, draft_reviews=False)
    if decision.kind == "skip":
        return _ended(services, settings, out, f"skipped: {decision.reason}", event.pr)
    result = run_comment(event, settings, services)
    if not result.summaries:
        if result.records:  # an accepted finding: recorded, no tokens billed
            runner = _early(services, settings, event.pr, ended=result.message)
            write_ledger(settings.ledger_path, stamp_records(result.records, runner))
            return _nothing(settings, out, result.message, runner=runner)
        return _ended(services, settings, out, result.message, event.pr)
    records = billed_entries(result.records, result.summaries[0].runner, ended=result.message,
                             run_id=settings.run_id, services=services, pr=event.pr)  # fmt: skip
    done = _Done(list(result.summaries), records, list(result.problems))
    return _report(done, settings, out, services.publisher)


def _recheck_gate(pr: PRContext, settings: Settings, services: Services, done: _Done,
                  out: TextIO) -> None:  # fmt: skip
    """A failing gate on an open PR: apply acceptances given since (a reaction starts no run)."""
    assert pr.number is not None
    try:
        rechecked = reevaluate_gate(
            services, pr.number,
            lambda: policy_from_base(services.github, settings.policy_path, pr.base_sha),
            run_id=settings.run_id, only_failing=True)  # fmt: skip
    except (GitHubError, PrRouterError) as exc:
        done.problems.append(f"PR #{pr.number}: the merge gate could not be re-evaluated: {exc}")
        return
    if rechecked.decision is not None and rechecked.decision.new:
        out.write(f"pr-router: PR #{pr.number}: {rechecked.message}\n")
    done.records += rechecked.records
    done.problems += rechecked.problems


def collect_from_env(environ: Mapping[str, str] | None = None, *, settings: Settings | None = None,
                     clock: Clock | None = None, providers: Mapping[str, Provider] | None = None,
                     github: GitHubClient | None = None, out: TextIO | None = None,
                     numbers: tuple[int, ...] = (),
                     wall_clock: Callable[[], datetime] | None = None) -> Outcome:  # fmt: skip
    """``pr-router collect``: finish pending batches on open PRs and update their summaries."""
    env = os.environ if environ is None else environ
    settings = settings or Settings.from_env(env)
    out = out or sys.stdout
    try:
        services = _services(
            settings, env, clock or SystemClock(), providers, github, wall_clock=wall_clock
        )
        pulls = (
            [services.github.pull(n) for n in numbers] if numbers else services.github.open_pulls()
        )
    except GitHubError as exc:
        return _github_failed(exc, settings, out)
    done = _Done()
    for pr in pulls:
        try:
            collected = collect_pull_request(pr, settings, services)
        except (GitHubError, PrRouterError) as exc:
            done.problems.append(f"PR #{pr.number}: collect failed: {exc}")
            continue
        if collected is not None:
            done.rate = done.rate or collected.rate
            done.summaries.append(collected.summary)
            done.records += collected.records
            done.problems += collected.problems
        _recheck_gate(pr, settings, services, done, out)
    out.write(f"pr-router collect: {len(done.summaries)} PR(s) updated of {len(pulls)} open\n")
    rate = done.rate or resolve_rate("auto", private=pulls[0].private if pulls else None,
                                     runner_environment=settings.runner_environment)  # fmt: skip
    sweep = sweep_figures(services, rate)
    done.records = billed_entries(done.records, sweep, ended="collect: nothing finished",
                                  run_id=settings.run_id, services=services)  # fmt: skip
    return _report(done, settings, out, services.publisher, sweep)
