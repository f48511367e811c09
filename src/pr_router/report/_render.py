"""The report as text, Markdown or JSON. Money in JSON is a decimal string, never a float."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from pr_router.jobs.sanitize import sanitize_output
from pr_router.pricing import format_usd
from pr_router.render._body import one_line
from pr_router.render.tables import markdown_table, text_table
from pr_router.report._advice import Advice
from pr_router.report._aggregate import Acceptance, Spend, Summary

__all__ = ["report_json", "report_markdown", "report_text"]

Table = Callable[[Sequence[str], Sequence[Sequence[str]], str], str]


def pct(part: Decimal | int, whole: Decimal | int) -> str:
    """``part`` as a percentage of ``whole`` with one decimal ("n/a" for an empty whole)."""
    if not whole:
        return "n/a"
    return f"{Decimal(part) / Decimal(whole) * 100:.1f}%"


def _headline(s: Summary) -> list[str]:
    e, prs = s.efficiency, s.per_pr
    on = f" on {prs.prs} PRs" if prs else ""
    jobs = "job" if s.pending == 1 else "jobs"
    pending = f"; {s.pending} batch {jobs} still pending" if s.pending else ""
    lines = [
        f"Spend {format_usd(s.total_usd)} over {s.runs} job runs{on} "
        f"({s.failed} failed, {s.escalations} escalated){pending}.",
        f"All-frontier would have cost {format_usd(e.all_frontier_usd)}: routing saved "
        f"{format_usd(e.saved_usd)} ({pct(e.saved_usd, e.all_frontier_usd)}); "
        f"{pct(e.lower_tier_runs, e.runs)} of runs on the efficient or standard tier.",
    ]
    v = s.savings
    lines.append(
        f"Batch: {pct(v.batch_runs, v.runs)} of runs ({v.batch_runs}), cost "
        f"{format_usd(v.batch_usd)}, saved {format_usd(v.batch_saved)}. "
        f"Cache: {pct(v.cache_read_tokens, v.prompt_tokens)} of prompt tokens read from cache, "
        f"saved {format_usd(v.cache_read_saved)} on reads, write premium "
        f"{format_usd(v.cache_write_extra)}, net {format_usd(v.cache_net)}."
    )
    lines += _runner_lines(s)
    if prs:
        lines.append(
            f"Cost per PR: median {format_usd(prs.median)}, p90 {format_usd(prs.p90)}, "
            f"max {format_usd(prs.max)} ({prs.max_pr})."
        )
    return lines


def _runner_lines(s: Summary) -> list[str]:
    """Runner minutes and the totals (tokens + runner), both sides of the comparison."""
    r, e = s.runner, s.efficiency
    if not r.runs:  # ledgers written before runner minutes were recorded
        return []
    frontier = e.all_frontier_usd + r.all_frontier_usd
    saved = frontier - s.total_with_runner_usd
    older = f"; {r.unmeasured} older runs without them not counted" if r.unmeasured else ""
    return [
        f"Runner: {r.minutes} billed minutes over {r.runs} runs, {format_usd(r.usd)}{older}. "
        f"Total: tokens {format_usd(s.total_usd)} + runner {format_usd(r.usd)} = "
        f"{format_usd(s.total_with_runner_usd)}; all-frontier total {format_usd(frontier)} "
        f"(runner {r.all_frontier_minutes} min, {format_usd(r.all_frontier_usd)}), saved "
        f"{format_usd(saved)} ({pct(saved, frontier)})."
    ]


def _spend_rows(groups: Sequence[Spend], total: Decimal) -> list[list[str]]:
    return [[g.key, str(g.runs), format_usd(g.usd), pct(g.usd, total)] for g in groups]


def _acceptance_rows(rows: Sequence[Acceptance]) -> list[list[str]]:
    return [
        [a.job, a.tier, str(a.accepted), str(a.rejected), str(a.unknown), str(a.n),
         pct(a.rejected, a.n)]
        for a in rows
    ]  # fmt: skip


def _sections(s: Summary, advice: Sequence[Advice], table: Table) -> list[tuple[str, str]]:
    spend_header = ["", "runs", "spend", "share"]
    out = [
        (title, table([name, *spend_header[1:]], _spend_rows(groups, s.total_usd), "lrrr"))
        for title, name, groups in (
            ("Spend by tier", "tier", s.by_tier),
            ("Spend by job", "job", s.by_job),
            ("Spend by model", "model", s.by_model),
            ("Spend by mode", "mode", s.by_mode),
        )
        if groups
    ]
    if s.acceptance:
        header = ["job", "tier", "accepted", "rejected", "unknown", "n", "rejected %"]
        out.append(("Acceptance", table(header, _acceptance_rows(s.acceptance), "llrrrrr")))
    if s.gate_accepted:
        header = ["PR", "job", "severity", "finding", "accepted by", "via", "reason"]
        # the finding's title is model output, the reason a person's words: both untrusted
        rows = [[g.pr, g.job, g.severity, sanitize_output(one_line(g.title, 80)), g.by, g.via,
                 sanitize_output(one_line(g.reason, 120))] for g in s.gate_accepted]  # fmt: skip
        out.append(("Findings accepted for the merge gate", table(header, rows, "lllllll")))
    if advice:
        out.append(("Advice", "\n".join(f"- {a.text()}" for a in advice)))
    return out


def report_text(s: Summary, advice: Sequence[Advice]) -> str:
    """The report for a terminal."""
    lines = [f"pr-router report: {s.period.label()} ({s.records} records)", ""]
    lines += _headline(s)
    if not s.records:
        return "\n".join([*lines, "", "No ledger records in this period."]) + "\n"
    for title, body in _sections(s, advice, text_table):
        lines += ["", title, body]
    return "\n".join(lines) + "\n"


def report_markdown(s: Summary, advice: Sequence[Advice]) -> str:
    """The report as GitHub Markdown (the weekly issue body)."""
    lines = [f"## pr-router report: {s.period.label()}", ""]
    lines += [f"- {line}" for line in _headline(s)]
    if not s.records:
        return "\n".join([*lines, "", "_No ledger records in this period._"]) + "\n"
    for title, body in _sections(s, advice, markdown_table):
        lines += ["", f"### {title}", "", body]
    lines += ["", f"<sub>{s.records} ledger records; costs are measured, not estimated.</sub>"]
    return "\n".join(lines) + "\n"


def _money(value: Decimal) -> str:
    # Canonical, exact, never in exponent form: 0.0140 -> "0.014", 1E+2 -> "100".
    return format(value.normalize(), "f")


def _share(part: Decimal | int, whole: Decimal | int) -> float | None:
    return round(float(Decimal(part) / Decimal(whole)), 4) if whole else None


def _groups(groups: Sequence[Spend]) -> list[dict[str, Any]]:
    return [{"key": g.key, "runs": g.runs, "usd": _money(g.usd)} for g in groups]


def _advice_json(a: Advice) -> dict[str, Any]:
    return {"job": a.job, "tier": a.tier, "action": a.action, "n": a.n, "rejected": a.rejected,
            "target": a.target, "edit": a.edit, "text": a.text()}  # fmt: skip


def report_json(s: Summary, advice: Sequence[Advice]) -> dict[str, Any]:
    """The ``report --format json`` document (schema_version 1)."""
    e, v, p = s.efficiency, s.savings, s.per_pr
    return {
        "schema_version": 1,
        "period": {
            "start": s.period.start.isoformat() if s.period.start else None,
            "end": s.period.end.isoformat(),
        },
        "records": s.records, "runs": s.runs, "pending": s.pending, "failed": s.failed,
        "escalations": s.escalations, "total_usd": _money(s.total_usd),
        "spend": {"by_job": _groups(s.by_job), "by_tier": _groups(s.by_tier),
                  "by_model": _groups(s.by_model), "by_mode": _groups(s.by_mode)},
        "per_pr": None if p is None else {
            "prs": p.prs, "total_usd": _money(p.total), "median_usd": _money(p.median),
            "p90_usd": _money(p.p90), "max_usd": _money(p.max), "max_pr": p.max_pr},
        "batch": {"runs": v.batch_runs, "share": _share(v.batch_runs, v.runs),
                  "usd": _money(v.batch_usd), "saved_usd": _money(v.batch_saved)},
        "cache": {"prompt_tokens": v.prompt_tokens, "read_tokens": v.cache_read_tokens,
                  "share": _share(v.cache_read_tokens, v.prompt_tokens),
                  "read_saved_usd": _money(v.cache_read_saved),
                  "write_extra_usd": _money(v.cache_write_extra), "net_usd": _money(v.cache_net)},
        "efficiency": {"runs": e.runs, "lower_tier_runs": e.lower_tier_runs,
                       "lower_tier_share": _share(e.lower_tier_runs, e.runs),
                       "actual_usd": _money(e.actual_usd),
                       "all_frontier_usd": _money(e.all_frontier_usd),
                       "saved_usd": _money(e.saved_usd)},
        "acceptance": [
            {"job": a.job, "tier": a.tier, "class": a.job_class, "accepted": a.accepted,
             "rejected": a.rejected, "unknown": a.unknown, "n": a.n,
             "rejection": _share(a.rejected, a.n)}
            for a in s.acceptance],
        "timeline": {"granularity": s.timeline.granularity, "buckets": [
            {"start": d.isoformat(), "usd": {t: _money(u) for t, u in sorted(tiers.items())}}
            for d, tiers in s.timeline.buckets]},
        "advice": [_advice_json(a) for a in advice],
        "gate_accepted": [
            {"pr": g.pr, "job": g.job, "severity": g.severity, "title": g.title, "by": g.by,
             "reason": g.reason, "via": g.via}
            for g in s.gate_accepted],
        "runner": {"runs": s.runner.runs, "minutes": s.runner.minutes,
                   "usd": _money(s.runner.usd), "unmeasured_runs": s.runner.unmeasured,
                   "all_frontier_minutes": s.runner.all_frontier_minutes,
                   "all_frontier_usd": _money(s.runner.all_frontier_usd)},
        "total_with_runner_usd": _money(s.total_with_runner_usd),
        "all_frontier_total_usd": _money(e.all_frontier_usd + s.runner.all_frontier_usd),
    }  # fmt: skip
