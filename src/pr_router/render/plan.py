"""Render a plan as a terminal table or as the Markdown the summary comment shows."""

from __future__ import annotations

import re

from pr_router.plan import JobPlan, Plan
from pr_router.pricing import format_usd
from pr_router.render.tables import markdown_table, text_table

__all__ = ["plan_markdown", "plan_text", "push_rules_line", "routing_rows"]

_SHOWN_REASONS = 5
_MORE = re.compile(r"^(?:\.\.\.|…) and (\d+) more$")
_HEADER = ("job", "class", "tier", "model", "mode", "effort", "est. cost", "why")


def _why(job: JobPlan, limit: int = 2) -> str:
    # The first reason is the catalogue default; the interesting ones follow it.
    reasons = list(job.reasons[1:] if job.run and len(job.reasons) > 1 else job.reasons)
    shown = "; ".join(reasons[-limit:]) if reasons else ""
    return shown


def _sensitive(reasons: tuple[str, ...], limit: int = _SHOWN_REASONS) -> list[str]:
    """The first ``limit`` reasons and a "… and N more" line counting all the others.

    ``reasons`` may already end in the signals' own "... and N more" cap; it is folded in.
    """
    hidden = 0
    if reasons and (m := _MORE.match(reasons[-1])):
        reasons, hidden = reasons[:-1], int(m.group(1))
    hidden += max(0, len(reasons) - limit)
    return [*reasons[:limit], *([f"… and {hidden} more"] if hidden else [])]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


_CACHE_NOTE = {
    "write": " (writes cache)",
    "read": " (reads cache)",
    "warm": " (reads the PR's cache if warm)",
}


def routing_rows(plan: Plan, why_width: int | None = None) -> list[list[str]]:
    """One row per catalogue job: running jobs first, in catalogue order."""
    rows: list[list[str]] = []
    for j in sorted(plan.jobs, key=lambda j: not j.run):
        if j.run:
            cost = format_usd(j.estimate.usd) if j.estimate else "-"
            cache = _CACHE_NOTE.get(j.cache_role or "", "")
            rows.append([j.job, j.job_class, j.tier or "", f"{j.model}", f"{j.mode}{cache}",
                         j.effort or "", cost, _why(j)])  # fmt: skip
        else:
            rows.append([j.job, j.job_class, "-", "-", "skipped", "-", "-", _why(j)])
    if why_width is not None:
        for row in rows:
            row[-1] = _clip(row[-1], why_width)
    return rows


def _totals_line(plan: Plan) -> str:
    return (
        f"Estimated: {format_usd(plan.total_usd)} for {len(plan.running)} job(s); "
        f"all-frontier: {format_usd(plan.all_frontier_usd)}; "
        f"routing saves {plan.savings_pct:.1f}%"
    )


def _signals_line(plan: Plan) -> str:
    s = plan.signals
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(s.file_kinds.items()))
    return (
        f"{s.files_changed} file(s), +{s.lines_added} -{s.lines_removed} ({kinds}); "
        f"risk {s.risk}; ~{s.estimated_diff_tokens:,} diff tokens"
    )


def push_rules_line(plan: Plan) -> str:
    """What each job does on a later push: ``On a push: review changed; ...``."""
    rules = [f"{j.job} {j.on_push}" for j in plan.jobs if j.on_push]
    return f"On a push: {'; '.join(rules)} (see docs/routing.md)" if rules else ""


def prefix_cache_lines(plan: Plan) -> list[str]:
    """Caching across runs, one line per model: the TTL chosen and the figures behind it."""
    return [f"Across runs ({c.model}, {c.prefix_tokens:,}-token prefix, caches from "
            f"{c.min_tokens:,}): {c.ttl}; {c.reason} (see docs/costs.md)"
            for c in plan.prefix_caches]  # fmt: skip


def plan_text(plan: Plan) -> str:
    """A readable plan for the terminal."""
    lines = [f"Policy: {plan.policy}", f"Change: {_signals_line(plan)}"]
    lines += [f"Sensitive: {r}" for r in _sensitive(plan.signals.sensitive_reasons)]
    lines += [
        "",
        text_table(_HEADER, routing_rows(plan, why_width=72), "llllllr"),
        "",
        _totals_line(plan),
    ]
    if rules := push_rules_line(plan):
        lines.append(rules)
    lines += prefix_cache_lines(plan)
    lines += [f"Note: {n}" for n in plan.notices]
    return "\n".join(lines) + "\n"


def plan_markdown(plan: Plan) -> str:
    """The routing table as the summary comment shows it (estimates marked as such)."""
    parts = [
        "#### Routing",
        f"_{_signals_line(plan)}_",
        "",
        markdown_table(_HEADER, routing_rows(plan), "llllllr"),
        "",
        f"**{_totals_line(plan)}** (plan estimate; the run reports measured costs)",
    ]
    if plan.signals.sensitive_reasons:
        parts += [
            "",
            "Security-sensitive: " + "; ".join(_sensitive(plan.signals.sensitive_reasons)),
        ]
    parts += [f"> {n}" for n in plan.notices]
    return "\n".join(parts) + "\n"
