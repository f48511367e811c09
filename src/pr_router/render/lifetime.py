"""The PR's lifetime in the summary comment: what each run looked at and what it cost."""

from __future__ import annotations

from decimal import Decimal

from pr_router.pricing import format_usd
from pr_router.render._body import code_span, one_line
from pr_router.render.tables import markdown_table
from pr_router.summary import RunSummary

__all__ = ["lifetime_lines"]

_SHOWN = 12  # newest runs listed; older ones are folded into one line
_HEADER = ("run", "head", "looked at", "cost")


def lifetime_lines(summary: RunSummary) -> list[str]:
    """A run-by-run table of the PR's cost, tokens plus runner (empty on a first run); runs
    after this one that ended before any job follow it."""
    if not summary.lifetime and not summary.later:
        return []
    this = (summary.head_sha or "", summary.looked_at, summary.total_usd)
    runs = [*summary.lifetime, this, *summary.later]
    first = max(len(runs) - _SHOWN, 0)
    rows = [
        [str(n), code_span(head[:7]) if head else "", one_line(what or "", 120), format_usd(usd)]
        for n, (head, what, usd) in enumerate(runs[first:], first + 1)
    ]
    at = len(summary.lifetime) - first
    if at >= 0:
        rows[at][0] = f"**{rows[at][0]}** (this run)"
    lines = ["", "<details><summary>PR lifetime, run by run</summary>", ""]
    if first:
        older = sum((usd for _, _, usd in runs[:first]), Decimal(0))
        lines.append(f"{first} earlier run(s): {format_usd(older)}.")
        lines.append("")
    lines += [markdown_table(_HEADER, rows, "lllr"), "", "</details>"]
    return lines
