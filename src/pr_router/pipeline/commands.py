"""A PR comment with commands: who wrote it, what it asks, doing it, and the reply.

``run_comment`` is the I/O edge around the pure pieces of ``pr_router.talk``: it reads the
PR, its policy and state, asks GitHub for the author's permission, runs what the commands
ask through the same pipeline as a push (``run_pull_request`` with a ``Steer``), and posts
one reply: in the finding's thread for a review comment, on the PR otherwise. A refusal
spends nothing; the sticky summary's audit and the ledger say who commanded what.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from pr_router.budget import Spent, limits
from pr_router.changes import analyze
from pr_router.context import PRContext
from pr_router.github.event import Event
from pr_router.github.publish import fingerprints_in
from pr_router.github.state import State
from pr_router.ledger import LedgerRecord
from pr_router.pipeline.gate_accept import Recheck, reevaluate_gate
from pr_router.pipeline.policy_source import LoadedPolicy, policy_from_base
from pr_router.pipeline.pr_run import PullRequestRun, plan_for, run_pull_request
from pr_router.pipeline.services import Services
from pr_router.pipeline.settings import Settings
from pr_router.pipeline.snapshot import restore_summary
from pr_router.pipeline.sticky import read_state, write_state
from pr_router.plan import Plan
from pr_router.policy.catalog import resolve_jobs
from pr_router.policy.models import JobSpec, Policy, Tier
from pr_router.pricing import format_usd
from pr_router.render.plan import plan_markdown
from pr_router.render.summary import summary_markdown
from pr_router.steer import Steer
from pr_router.summary import RunSummary
from pr_router.talk import (
    CommentAuthor,
    ParsedComment,
    authorize,
    error_reply,
    help_text,
    ignore_reason,
    parse_comment,
)
from pr_router.talk._orders import ASK_JOB, Order, merge_orders, order_for
from pr_router.talk.audit import audit_entry, audit_lines, with_audit
from pr_router.talk.replies import ask_prompt, job_line, reply_body

__all__ = ["CommentRun", "run_comment"]

log = logging.getLogger("pr_router")


@dataclass(frozen=True)
class CommentRun:
    """What a comment led to: the run's summary and ledger records, and the reply posted."""

    message: str
    summaries: tuple[RunSummary, ...] = ()
    records: tuple[LedgerRecord, ...] = ()
    problems: tuple[str, ...] = ()
    reply: str = ""


@dataclass(frozen=True)
class _Asked:
    """A comment's commands in context: the PR, its policy, who asked, where to answer."""

    pr: PRContext
    loaded: LoadedPolicy
    thread: _Thread
    login: str

    @property
    def prefix(self) -> str:
        """The policy's command prefix."""
        return self.loaded.policy.commands.prefix

    def said(self, orders: Sequence[Order]) -> str:
        """The commands as given, canonical, on one line."""
        return "; ".join(o.command.describe(self.prefix) for o in orders)


@dataclass(frozen=True)
class _Thread:
    """Where the reply goes, and the finding a review-thread command is about."""

    number: int
    root: int | None = None  # the review thread's first comment
    finding: str | None = None


def _reply(services: Services, thread: _Thread, body: str) -> None:
    if thread.root is not None:
        services.publisher.reply_to_review_comment(thread.number, thread.root, body)
    else:
        services.publisher.create_issue_comment(thread.number, body)


def _thread(services: Services, event: Event, number: int) -> _Thread:
    info = event.comment
    if info is None or not info.review:
        return _Thread(number)
    root = info.in_reply_to_id or info.id
    first = next((c for c in services.github.list_review_comments(number) if c.id == root), None)
    ours = first is not None and (first.author or "").lower() == services.own_login.lower()
    return _Thread(number, root, first.body if first is not None and ours else None)


def _previous_tiers(state: State) -> dict[str, Tier]:
    """The tier of each job's last answer on the PR (its final attempt)."""
    if state.last_run is None:
        return {}
    try:
        last = restore_summary(state.last_run)
    except ValueError:
        return {}
    return {j.plan.job: j.records[-1].tier for j in last.jobs if j.status == "ok" and j.records}


def _gate(policy: Policy) -> Callable[[Plan, State, Decimal], str | None]:
    """Refuse a command whose estimate is over what a budget has left (unless allowed)."""

    def gate(plan: Plan, state: State, month: Decimal) -> str | None:
        if policy.commands.allow_over_budget:
            return None
        spent = Spent(run_usd=Decimal(0), pr_usd=state.cost_usd, month_usd=month)
        for limit in limits(policy, spent):
            if plan.total_usd > limit.room:
                return (f"nothing was run: it would cost about {format_usd(plan.total_usd)}, "
                        f"over a budget ({limit.describe()}, `budgets.{limit.key}_usd`); the "
                        "policy key `commands.allow_over_budget: true` lets commands pass it")  # fmt: skip
        return None

    return gate


def _with_ask(loaded: LoadedPolicy, orders: Sequence[Order], thread: _Thread) -> LoadedPolicy:
    """The policy with the ``ask`` job added when a command asks a question."""
    asks = [o.command.text for o in orders if o.kind == "ask"]
    if not asks:
        return loaded
    policy = loaded.policy
    question = "\n\n".join(asks)
    spec = JobSpec(job_class="auxiliary", tier=policy.commands.ask_tier, mode="sync",
                   output="comment", title="Answer", prompt=ask_prompt(question, thread.finding),
                   expected_output_tokens=600)  # fmt: skip
    jobs = {**policy.jobs, ASK_JOB: spec}
    return replace(loaded, policy=policy.model_copy(update={"jobs": jobs}))


def _stamp(run: PullRequestRun, orders: Sequence[Order], login: str) -> tuple[LedgerRecord, ...]:
    """This run's ledger records, each naming the command; a rejected answer marked once."""
    rejects = {job: tier for o in orders for job, tier in o.rejects.items()}
    lines = {j: o.command.describe() for o in orders if o.steer.only for j in o.steer.only}
    anyone = next((o.command.describe() for o in orders if o.kind == "run"), None)
    out: list[LedgerRecord] = []
    for job in run.summary.jobs:
        for i, record in enumerate(job.records):
            update: dict[str, object] = {"command": lines.get(job.plan.job, anyone),
                                         "commanded_by": login}  # fmt: skip
            if i == 0 and job.plan.job in rejects:
                update["rejected_tier"] = rejects[job.plan.job]
            out.append(record.model_copy(update=update))
    return tuple(out)


def _lines(orders: Sequence[Order], run: PullRequestRun | None, plan: Plan,
           prefix: str, names: Sequence[str], *,
           accepted: str | None = None) -> tuple[list[str], list[str]]:  # fmt: skip
    """The reply's lines (one per command, then one per job run) and any answers."""
    lines: list[str] = []
    answers: list[str] = []
    for o in orders:
        said = o.command.describe(prefix)
        if o.kind == "refuse":
            lines.append(f"`{said}`: refused: {o.refusal}.")
        elif o.kind == "skip":
            lines.append(f"`{said}`: `{o.command.job}` will not run on this PR again.")
        elif o.kind == "help":
            answers.append(help_text(prefix, names))
        elif o.kind == "plan":
            answers.append(plan_markdown(plan))
        elif o.kind == "accept":
            lines.append(f"`{said}`: {accepted or 'nothing was changed'}.")
    if run is not None and run.refused:
        lines.append(run.refused + ".")
    elif run is not None:
        ran = [j for j in run.summary.jobs if not j.earlier and j.status != "skipped"]
        lines += [job_line(j) for j in ran] or ["no job ran (see the plan's reasons)."]
        answers += [j.section.markdown for j in ran if j.plan.job == ASK_JOB and j.section]
    return lines, answers


def _changed(orders: Sequence[Order], summary: RunSummary | None, refused: str | None) -> str:
    """What the commands changed, for the audit line."""
    said = [f"refused ({o.refusal})" for o in orders if o.kind == "refuse"]
    said += [f"skipped {o.command.job} on this PR" for o in orders if o.kind == "skip"]
    if refused:
        said.append(refused)
    elif summary is not None:
        for j in summary.jobs:
            if not j.earlier and j.records:
                said.append(f"{j.plan.job} ran on {j.records[-1].tier} ({j.records[-1].model}), "
                            f"{format_usd(j.cost_usd)}")  # fmt: skip
    return "; ".join(said) or "nothing changed"


def _audit_only(services: Services, number: int, entry: Mapping[str, object],
                skipped: Mapping[str, str]) -> None:  # fmt: skip
    """Record a command that ran nothing (a skip, a refusal) in the state and summary."""

    def compose(on_pr: State) -> tuple[str, State, None]:
        new = with_audit(on_pr, [entry], skipped)
        if new.last_run is None:
            return "pr-router: commands on this PR are listed below.", new, None
        shown = replace(restore_summary(new.last_run), commands=audit_lines(new.commands))
        return summary_markdown(shown), new, None

    write_state(services, number, compose)


def run_comment(event: Event, settings: Settings, services: Services) -> CommentRun:
    """Read one PR comment for commands and do what it asks, if its author may ask."""
    info, number = event.comment, event.pr.number if event.pr else None
    if info is None or number is None:
        return CommentRun("nothing to do: not a comment on a pull request")
    author = CommentAuthor(info.login, info.user_type, event.action or "created")
    reason = ignore_reason(author, own_login=services.own_login, body=info.body)
    if reason is not None:
        return CommentRun(f"comment ignored: {reason}")
    # Routed as a push to this head would be (the jobs' triggers are PR events); the jobs a
    # command names run whatever their triggers say.
    pr = replace(services.github.pull(number), event="pull_request", action="synchronize")
    loaded = policy_from_base(services.github, settings.policy_path, pr.base_sha)
    names = [j.name for j in resolve_jobs(loaded.policy)]
    parsed = parse_comment(info.body, loaded.policy.commands.prefix, jobs=names)
    if parsed.empty or not loaded.policy.commands.enabled:
        return CommentRun("no command in the comment")
    thread = _thread(services, event, number)
    verdict = authorize(info.login, services.github.permission)
    if not verdict.allowed:
        _reply(services, thread, verdict.refusal)
        return CommentRun(f"refused {info.login} ({verdict.permission.role_name})",
                          reply=verdict.refusal)  # fmt: skip
    if parsed.errors:
        body = error_reply(parsed.errors, loaded.policy.commands.prefix)
        _reply(services, thread, body)
        return CommentRun("malformed command: nothing was run", reply=body)
    return _execute(parsed, _Asked(pr, loaded, thread, info.login), settings, services)


def _execute(parsed: ParsedComment, asked: _Asked, settings: Settings,
             services: Services) -> CommentRun:  # fmt: skip
    """Decide each command, run what runs in one go, record and reply."""
    pr, loaded = asked.pr, asked.loaded
    assert pr.number is not None
    state = read_state(services, pr.number)
    changes = analyze(services.github.pull_diff(pr.number).data, ignore=loaded.policy.ignore)
    plan = plan_for(loaded, changes, pr, state)
    tiers = {j.job: j.tier for j in plan.jobs if j.tier is not None}
    orders = [order_for(c, loaded.policy, by=f"@{asked.login}", tiers=tiers,
                        code_changed=changes.signals.code_changed,
                        previous=_previous_tiers(state)) for c in parsed.commands]  # fmt: skip
    skipped = {**state.skipped, **{k: v for o in orders if o.kind == "skip"
                                   for k, v in o.steer.skipped.items()}}  # fmt: skip
    steer = merge_orders(orders, skipped)
    gate = _accept(asked, settings, services) if any(o.kind == "accept" for o in orders) else None
    run = None
    if steer is not None and not services.providers:
        orders.append(Order(parsed.commands[0], "refuse",
                            refusal="no model provider key is configured for this run"))  # fmt: skip
    elif steer is not None:
        run = _run(asked, orders, steer, settings, services)
    if run is None or run.refused:
        entry = audit_entry(asked.login, asked.said(orders),
                            _changed(orders, None, run.refused if run else None), at=_now(services))  # fmt: skip
        _audit_only(services, pr.number, entry, steer.skipped if steer else skipped)
    lines, answers = _lines(orders, run, plan, asked.prefix, names=tuple(tiers),
                            accepted=gate.message if gate else None)  # fmt: skip
    body = reply_body(asked.login, lines, answers)
    _reply(services, asked.thread, body)
    if run is None or run.refused:
        return CommentRun("commands done", records=gate.records if gate else (), reply=body,
                          problems=gate.problems if gate else ())  # fmt: skip
    records = _stamp(run, orders, asked.login)
    return CommentRun("commands done", (run.summary,), records, run.problems, body)


def _accept(asked: _Asked, settings: Settings, services: Services) -> Recheck:
    """``accept`` in a finding's thread: re-evaluate the merge gate now (the reply itself is
    among the acceptances it reads, with the author's permission asked again)."""
    if asked.thread.root is None or not fingerprints_in(asked.thread.finding or ""):
        return Recheck("`accept` works in the review thread of a finding; nothing was changed")
    assert asked.pr.number is not None
    rechecked = reevaluate_gate(services, asked.pr.number, lambda: asked.loaded,
                                run_id=settings.run_id, only_failing=False)  # fmt: skip
    if rechecked.decision is None or not rechecked.decision.new:
        return replace(rechecked, message=f"nothing new to accept ({rechecked.message})")
    checks = rechecked.summary.checks if rechecked.summary else ()
    verdicts = "; ".join(f"`{c.name}` {c.conclusion}" for c in checks)
    return replace(rechecked, message=f"accepted; the merge gate was re-evaluated: {verdicts}")


def _now(services: Services) -> str:
    return services.wall_clock().strftime("%Y-%m-%d %H:%M UTC")


def _run(asked: _Asked, orders: Sequence[Order], steer: Steer, settings: Settings,
         services: Services) -> PullRequestRun:  # fmt: skip
    """The commands' run through the pipeline, its audit entry written with its summary."""

    def audit(state: State, done: RunSummary) -> State:
        entry = audit_entry(asked.login, asked.said(orders), _changed(orders, done, None),
                            at=_now(services))  # fmt: skip
        return with_audit(state, [entry], steer.skipped)

    loaded = _with_ask(asked.loaded, orders, asked.thread)
    return run_pull_request(asked.pr, settings, services, loaded=loaded, steer=steer,
                            command_gate=_gate(asked.loaded.policy), audit=audit)  # fmt: skip
