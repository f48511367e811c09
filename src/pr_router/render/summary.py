"""A run as the sticky PR comment, the job summary, terminal lines and action outputs.

Every figure is a sum of the ledger records inside ``RunSummary`` (measured, never
estimated). The comment body never carries an HTML comment: the publisher adds the hidden
marker and state block, and anything in model text that could open one is defused here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from pr_router.pricing import format_usd
from pr_router.render._body import Part, code_span, defuse, details, fit, one_line
from pr_router.render.gate import gate_markdown, gate_terminal_lines
from pr_router.render.lifetime import lifetime_lines
from pr_router.render.pending import pending_text
from pr_router.render.plan import routing_rows
from pr_router.render.runner_cost import (
    cost_part,
    runner_lines,
    runner_outputs,
    runner_terminal_line,
    savings_part,
)
from pr_router.render.tables import markdown_table
from pr_router.summary import JobRun, RunSummary

__all__ = [
    "BODY_LIMIT",
    "COMMENT_LIMIT",
    "action_outputs",
    "format_tokens",
    "inline_cost_note",
    "job_line",
    "step_summary_markdown",
    "summary_markdown",
    "terminal_summary",
]

# GitHub rejects comment bodies longer than this many characters.
COMMENT_LIMIT = 65_536
# The visible body's default budget: the publisher adds the marker and a state block of up
# to ~13k characters (500 fingerprints plus pending batches, base64), and both must fit.
BODY_LIMIT = 49_152

_COST_HEADER = (
    "job",
    "model",
    "mode",
    "tokens in",
    "cached",
    "out",
    "cost",
    "all-frontier",
    "saved",
)
_ROUTING_HEADER = ("job", "class", "tier", "model", "mode", "effort", "why")
_ICON = {"ok": "", "failed": "❌ ", "pending": "⏳ ", "skipped": "⏭️ "}
_NO_COST = {
    "pending": "⏳ pending, not billed yet",
    "skipped": "skipped, not billed",
    "failed": "failed, not billed",
    "ok": "not billed",
}


def _no_cost(job: JobRun) -> str:
    return "billed in an earlier run" if job.earlier else _NO_COST[job.status]


_MAX_INLINE_FILES = 10  # more unseen files than this go into a collapsible list
_DASH = "–"


# -- small formatting helpers -------------------------------------------------------------


def format_tokens(n: int) -> str:
    """A token count as people read it: ``950``, ``6.1k``, ``1.2M``."""
    if n < 1000:
        return str(n)
    tenths = (n * 10 + 500) // 1000
    if tenths < 10_000:
        return f"{tenths // 10}.{tenths % 10}k"
    tenths = (n * 10 + 500_000) // 1_000_000
    return f"{tenths // 10}.{tenths % 10}M"


def _usd(amount: Decimal) -> str:
    """Dollars with the sign in front: ``-$0.0060`` (routing can cost more, e.g. cache writes)."""
    return "-" + format_usd(-amount) if amount < 0 else format_usd(amount)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _duration(seconds: float) -> str:
    total = round(seconds)
    if total < 60:
        return f"{total}s"
    minutes, secs = divmod(total, 60)
    return f"{minutes}m {secs:02d}s" if minutes < 60 else f"{minutes // 60}h {minutes % 60:02d}m"


# -- per-job facts ------------------------------------------------------------------------


def _billed(job: JobRun) -> bool:
    """Whether any attempt of the job was billed (pending and skipped ones are not)."""
    return any(r.usage.tokens().prompt or r.usage.output or r.cost_usd for r in job.records)


def _shown(summary: RunSummary) -> list[JobRun]:
    """Jobs that belong in the cost table: planned to run, or billed anyway."""
    return [j for j in summary.jobs if j.plan.run or j.records]


def _models(job: JobRun) -> str:
    models = list(dict.fromkeys(r.model for r in job.records)) or [job.plan.model or _DASH]
    return " → ".join(models)


def _tiers(job: JobRun) -> str:
    tiers = [str(t) for t in dict.fromkeys(r.tier for r in job.records)] or [job.plan.tier or _DASH]
    return " → ".join(tiers)


def _modes(job: JobRun) -> list[str]:
    """The modes a job ran in, in order: ``["batch", "sync"]`` for a batch re-run synchronously."""
    planned = [job.plan.mode] if job.plan.mode else []
    modes: list[str] = list(dict.fromkeys([*planned, *(r.mode for r in job.records)]))
    return modes or [_DASH]


def _mode(job: JobRun) -> str:
    return " → ".join(_modes(job))


# What went wrong with a batch attempt, from its recorded error (first match wins).
_BATCH_FAILURES = (
    ("batch failed", "batch failed"),
    ("batch item expired", "batch expired"),
    ("batch item canceled", "batch canceled"),
    ("batch item errored", "batch request errored"),
    ("batch submission failed", "batch submission failed"),
)


def _sync_rerun(job: JobRun) -> str | None:
    """Why a batch job ended up synchronous ("batch expired, retried synchronously"), if it did.

    Escalations (invalid output, next tier up) are explained by their own note instead.
    """
    sync = next((r for r in job.records if r.mode == "sync"), None)
    if job.plan.mode != "batch" or sync is None or sync.escalated_from:
        return None
    failed = next((r for r in job.records if r.mode == "batch" and r.status == "failed"), None)
    if failed is None:  # never batched: e.g. the provider has no batch API
        return f"{sync.escalation_reason or 'not batched'}: ran synchronously"
    error = failed.error or ""
    what = next((label for key, label in _BATCH_FAILURES if key in error), "batch attempt failed")
    return f"{what}, retried synchronously"


def _batches(job: JobRun, summary: RunSummary) -> list[str]:
    """Batch ids a pending job waits on: its records', else its provider's pending ones."""
    ids = [r.batch_id for r in job.records if r.batch_id]
    if not ids:
        for entry in summary.pending_batches:
            provider, _, batch_id = entry.rpartition(":")
            if not provider or job.plan.provider in (None, provider):
                ids.append(batch_id)
    return list(dict.fromkeys(ids))


# -- the parts of the comment -------------------------------------------------------------


def _headline(summary: RunSummary, *, bold: bool = True) -> str:
    name = "**pr-router**" if bold else "pr-router"
    runs = summary.pr_runs
    parts = [
        name + (" (dry run: nothing was posted)" if summary.dry_run else ""),
        cost_part(summary),
        f"PR total {format_usd(summary.pr_total_usd)} over {_plural(runs, 'run')}",
    ]
    saved = savings_part(summary)
    if saved is not None:
        parts.append(saved)
    pending = sum(1 for j in summary.jobs if j.status == "pending")
    if pending:
        parts.append(f"⏳ {pending} pending")
    if summary.failed:
        parts.append(f"❌ {len(summary.failed)} failed")
    return " · ".join(parts)


def _pending_line(job: JobRun, summary: RunSummary) -> str:
    return f"⏳ {pending_text(job, _batches(job, summary), summary, markdown=True)}."


def _unseen_line(job: JobRun) -> str:
    files = job.not_seen
    head = f"⚠️ `{job.plan.job}` did not see {_plural(len(files), 'file')} (token budget)"
    if len(files) > _MAX_INLINE_FILES:
        return head + ": listed below."
    return head + ": " + ", ".join(code_span(f) for f in files)


def _status_lines(summary: RunSummary) -> list[str]:
    lines: list[str] = []
    if summary.incremental_since:
        lines.append(f"🔁 Reviewed only changes since {code_span(summary.incremental_since[:7])}.")
    for job in summary.jobs:
        if job.status == "pending":
            lines.append(_pending_line(job, summary))
        elif job.status == "failed":
            reason = one_line(job.error or "no reason recorded")
            lines.append(f"❌ `{job.plan.job}` failed: {reason}")
        if job.not_seen:
            lines.append(_unseen_line(job))
    if summary.budget_line:
        lines.append(f"💰 {one_line(summary.budget_line)}")
    lines += [f"ℹ️ {one_line(n)}" for n in summary.notices]
    return lines


def _cost_row(job: JobRun) -> list[str]:
    label = _ICON[job.status] + job.plan.job
    if not _billed(job):
        return [label, _models(job), _mode(job), _DASH, _DASH, _DASH, _no_cost(job),
                _DASH, _DASH]  # fmt: skip
    u = job.usage
    cached = format_tokens(u.cache_read)
    if u.cache_write:
        cached += f" ({format_tokens(u.cache_write)} written)"
    return [label, _models(job), _mode(job), format_tokens(u.prompt), cached,
            format_tokens(u.output), format_usd(job.cost_usd),
            format_usd(job.all_frontier_usd),
            _usd(job.all_frontier_usd - job.cost_usd)]  # fmt: skip


def _total_row(summary: RunSummary, jobs: Sequence[JobRun]) -> list[str]:
    prompt = sum(j.usage.prompt for j in jobs)
    read = sum(j.usage.cache_read for j in jobs)
    out = sum(j.usage.output for j in jobs)
    return ["**total**", "", "", format_tokens(prompt), format_tokens(read), format_tokens(out),
            f"**{format_usd(summary.cost_usd)}**", format_usd(summary.all_frontier_usd),
            _usd(summary.savings_usd)]  # fmt: skip


def _pr_total_line(summary: RunSummary, runs: int) -> str:
    """The PR's cost so far; with runner minutes billed, tokens and runner spelled out."""
    earlier = summary.previous_cost_usd + summary.previous_runner_usd
    line = (f"PR total: **{format_usd(summary.pr_total_usd)}** over {_plural(runs, 'run')} "
            f"(earlier runs {format_usd(earlier)})")  # fmt: skip
    runner = summary.previous_runner_usd + summary.runner_usd + summary.later_usd
    if summary.later:
        line += f", later runs without a job {format_usd(summary.later_usd)}"
    if runner:
        line += f": tokens {format_usd(summary.pr_cost_usd)} + runner {format_usd(runner)}"
    return line + "."


def _cost_block(summary: RunSummary) -> str:
    jobs = _shown(summary)
    rows = [_cost_row(j) for j in jobs] + [_total_row(summary, jobs)]
    runs = summary.pr_runs
    lines = [
        "#### Cost (measured)",
        "",
        markdown_table(_COST_HEADER, rows, "lllrrrrrr"),
        "",
        _pr_total_line(summary, runs),
        *lifetime_lines(summary),
    ]
    if summary.wait_seconds > 0 or any("batch" in _modes(j) for j in jobs):
        waited = _duration(summary.wait_seconds)
        lines.append(f"Runner time spent waiting for models and batches: {waited}.")
    lines += runner_lines(summary)
    lines += [
        "",
        "<sub>Measured from the providers' usage. All-frontier: the same tokens on the "
        "frontier model, synchronous, uncached.</sub>",
    ]
    return "\n".join(lines)


def _routing_rows(summary: RunSummary) -> list[list[str]]:
    """The plan's routing table without estimates, showing escalations and sync re-runs."""
    runs = {j.plan.job: j for j in summary.jobs}
    rows: list[list[str]] = []
    for row in routing_rows(summary.plan):
        cells = row[:6] + row[7:]  # drop the estimate: the cost table has measured figures
        job = runs.get(cells[0])
        if job is None:
            rows.append(cells)
            continue
        notes = [cells[6]]
        if job.escalations:
            reasons = [r.escalation_reason for r in job.records if r.escalation_reason]
            cells[2], cells[3] = _tiers(job), _models(job)
            notes += [f"escalated: {r}" for r in reasons]
        if job.plan.mode and len(_modes(job)) > 1:
            cells[4] = _mode(job) + cells[4].removeprefix(job.plan.mode)  # keep "(… cache)"
        if (rerun := _sync_rerun(job)) is not None:
            notes.append(rerun)
        cells[6] = "; ".join(n for n in notes if n)
        rows.append(cells)
    return rows


def _routing_table(summary: RunSummary) -> str:
    return markdown_table(_ROUTING_HEADER, _routing_rows(summary))


def _pie(summary: RunSummary) -> str | None:
    """A mermaid pie: the whole is the all-frontier cost, split into each job and the saving."""
    slices = [(j.plan.job, j.cost_usd) for j in _shown(summary) if j.cost_usd > 0]
    if summary.savings_usd > 0:
        slices.append(("saved by routing", summary.savings_usd))
    if len(slices) < 2:
        return None
    lines = ["```mermaid", "pie showData title This run vs all-frontier (USD)"]
    lines += [f'    "{label.replace(chr(34), "")}" : {usd:.4f}' for label, usd in slices]
    return "\n".join([*lines, "```"])


def _section_parts(summary: RunSummary) -> list[Part]:
    parts: list[Part] = []
    for job in summary.jobs:
        if job.section is None:
            continue
        cost = format_usd(job.cost_usd) if _billed(job) else _no_cost(job)
        label = f"{job.section.title} · {job.plan.job} · {_models(job)} · {cost}"
        parts.append(details(html.escape(one_line(label, 300)), job.section.markdown))
    return parts


def _findings_line(job: JobRun) -> str | None:
    counts = [
        (job.findings_inline, "inline"),
        (job.findings_in_body, "in the review body"),
        (job.findings_duplicate, "already posted earlier"),
    ]
    shown = [f"{n} {what}" for n, what in counts if n]
    return f"`{job.plan.job}`: findings {', '.join(shown)}." if shown else None


def _unseen_parts(summary: RunSummary) -> list[Part]:
    return [
        details(
            html.escape(f"Files {j.plan.job} did not see ({len(j.not_seen)}, token budget)"),
            "\n".join(f"- {code_span(f)}" for f in j.not_seen),
        )
        for j in summary.jobs
        if len(j.not_seen) > _MAX_INLINE_FILES
    ]


# -- public renderers ---------------------------------------------------------------------


def _fixed(text: str) -> Part:
    return Part(defuse(text))


_MAX_COMMAND_LINES = 20  # the newest commands; the ledger keeps every one


def summary_markdown(summary: RunSummary, *, limit: int = BODY_LIMIT) -> str:
    """The sticky summary comment's visible body (no marker, no state block)."""
    if limit < 2_000:
        raise ValueError("limit leaves no room for the cost table")
    parts = [
        _fixed(_headline(summary)),
        _fixed("\n".join(f"- {s}" for s in _status_lines(summary))),
    ]
    gate = gate_markdown(summary.checks)
    if gate:
        parts.append(_fixed(gate))
    results = [line for j in summary.jobs if (line := _findings_line(j))]
    sections = _section_parts(summary)
    if results or sections:
        parts.append(_fixed("#### Results\n\n" + "\n".join(f"- {r}" for r in results)))
        parts += sections
    parts.append(_fixed(_cost_block(summary)))
    pie = _pie(summary)
    if pie is not None:
        parts.append(details("Chart: where this run's all-frontier cost went", pie))
    parts.append(
        details(
            "Routing: which model each job ran on, and why",
            _routing_table(summary),
            trimmable=False,
        )
    )
    parts += _unseen_parts(summary)
    if summary.commands:
        shown = summary.commands[-_MAX_COMMAND_LINES:]
        parts.append(details(f"Commands on this PR ({len(summary.commands)})",
                             "\n".join(f"- {line}" for line in shown)))  # fmt: skip
    return fit(parts, limit)


def step_summary_markdown(summary: RunSummary) -> str:
    """The job summary (``GITHUB_STEP_SUMMARY``): headline, cost table and routing."""
    status = "\n".join(f"- {s}" for s in _status_lines(summary))
    parts = [_headline(summary), status, gate_markdown(summary.checks), _cost_block(summary)]
    parts += ["#### Routing", _routing_table(summary)]
    return defuse("\n\n".join(p for p in parts if p)) + "\n"


def job_line(job: JobRun, summary: RunSummary) -> str:
    """One job's line: tokens sent, cached and received, and its cost (or why it has none)."""
    name = job.plan.job
    if job.status == "pending":
        return pending_text(job, _batches(job, summary), summary, markdown=False)
    if not _billed(job):
        suffix = f": {one_line(job.error, 200)}" if job.error else ""
        return f"{name}: {_no_cost(job)}{suffix}"
    u = job.usage
    written = f", {format_tokens(u.cache_write)} written to cache" if u.cache_write else ""
    line = (
        f"{name}: {format_tokens(u.prompt)} sent ({format_tokens(u.cache_read)} cached{written}), "
        f"{format_tokens(u.output)} received. Cost: {format_usd(job.cost_usd)} "
        f"(all-frontier {format_usd(job.all_frontier_usd)})"
    )
    if job.status == "failed":
        line += f"; failed: {one_line(job.error or 'no reason recorded', 200)}"
    return line


def terminal_summary(summary: RunSummary) -> str:
    """A few plain lines for the run log: the headline, then one line per job."""
    lines = [_headline(summary, bold=False)]
    lines += [job_line(j, summary) for j in _shown(summary)]
    lines += gate_terminal_lines(summary.checks)
    if summary.wait_seconds > 0:
        lines.append(f"Waited {_duration(summary.wait_seconds)} for models and batches.")
    if (runner := runner_terminal_line(summary)) is not None:
        lines.append(runner)
    if summary.budget_line:
        lines.append(one_line(summary.budget_line))
    lines += [f"Note: {one_line(n)}" for n in summary.notices]
    return "\n".join(lines) + "\n"


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.000001'), rounding=ROUND_HALF_UP):f}"


def action_outputs(summary: RunSummary) -> dict[str, str]:
    """The action's outputs: dollar figures as plain decimals, lists comma-separated."""
    return {
        "cost-usd": _money(summary.cost_usd),
        "all-frontier-usd": _money(summary.all_frontier_usd),
        "savings-usd": _money(summary.savings_usd),
        "pending-batches": ",".join(summary.pending_batches),
        "jobs-failed": ",".join(j.plan.job for j in summary.failed),
        "gate": summary.gate,
    } | runner_outputs(
        summary.cost_usd,
        summary.all_frontier_usd,
        summary.runner.used if summary.runner else None,
        summary.all_frontier_total_usd - summary.all_frontier_usd,
    )


def inline_cost_note(job: JobRun) -> str:
    """The short cost annotation appended to each inline comment a job posts."""
    cost = format_usd(job.cost_usd) if _billed(job) else "not billed yet"
    model = job.final_model or _DASH
    escalated = " (escalated)" if job.escalations else ""
    return f"<sub>{html.escape(f'{job.plan.job} · {model}{escalated} · {cost}')}</sub>"
