"""Runner minutes next to token cost: the lines every renderer shares.

A run's total is its tokens plus the runner minutes its job is billed (rounded up per job,
as GitHub bills). The all-frontier figure it is compared with is a total too: the same
tokens on the frontier model plus the runner time an all-frontier setup would have needed
(``pr_router.runner.all_frontier_seconds``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pr_router.pricing import format_usd
from pr_router.runner import RunnerFigures, RunnerUsage
from pr_router.summary import RunSummary

__all__ = [
    "cost_part",
    "runner_lines",
    "runner_outputs",
    "runner_terminal_line",
    "savings_part",
    "sweep_line",
]


def _minutes(n: int) -> str:
    return f"{n} min"


def _seconds(seconds: float) -> str:
    total = round(seconds)
    if total < 60:
        return f"{total}s"
    return f"{total // 60}m {total % 60:02d}s"


def _pct(part: Decimal, whole: Decimal) -> str:
    return f"{(part / whole * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def _usage(usage: RunnerUsage) -> str:
    """``1 min ($0.0060)``: billed minutes and their cost."""
    return f"{_minutes(usage.minutes)} ({format_usd(usage.usd)})"


_FREE = {
    "public": "free on a public repository",
    "self-hosted": "self-hosted, no charge from GitHub",
    "unknown": "not priced",
    "policy": "$0 by the policy",
    "private": "$0",
}


def cost_part(summary: RunSummary) -> str:
    """The headline's cost: tokens alone, or the total with tokens and runner spelled out."""
    if summary.runner is None:
        return f"this run {format_usd(summary.cost_usd)}"
    used = summary.runner.used
    if used.rate.free:
        why = _FREE[used.rate.basis]
        return f"this run {format_usd(summary.total_usd)} (runner {_minutes(used.minutes)}: {why})"
    return (
        f"this run {format_usd(summary.total_usd)} (tokens {format_usd(summary.cost_usd)}"
        f" + runner {_usage(summary.runner.used)})"
    )


def savings_part(summary: RunSummary) -> str | None:
    """``saved $X (N%) vs all-frontier`` on totals (tokens and runner on both sides)."""
    frontier, saved = summary.all_frontier_total_usd, summary.total_savings_usd
    if frontier <= 0:
        return None
    if saved >= 0:
        return f"saved {format_usd(saved)} ({_pct(saved, frontier)}) vs all-frontier"
    return f"{format_usd(-saved)} more than all-frontier"


def runner_lines(summary: RunSummary) -> list[str]:
    """The cost block's runner lines: this run's minutes and the all-frontier estimate."""
    figures = summary.runner
    if figures is None:
        return []
    used, frontier = figures.used, figures.all_frontier
    return [
        f"Runner: {_minutes(used.minutes)} billed ({_seconds(used.seconds)} measured up to "
        f"this comment) at {figures.rate.describe()}: {format_usd(used.usd)}. "
        f"Total this run: tokens {format_usd(summary.cost_usd)} + runner "
        f"{format_usd(used.usd)} = **{format_usd(summary.total_usd)}**.",
        f"All-frontier total: tokens {format_usd(summary.all_frontier_usd)} + runner "
        f"{_usage(frontier)} = {format_usd(summary.all_frontier_total_usd)} (runner estimated: "
        f"this run's {_seconds(frontier.seconds - figures.slowest_sync)} outside the model "
        f"calls plus its slowest synchronous job; no batch to wait for).",
    ]


def runner_terminal_line(summary: RunSummary) -> str | None:
    """One log line: billed minutes, their cost, and the run's total."""
    figures = summary.runner
    if figures is None:
        return None
    used = figures.used
    return (
        f"Runner: {_minutes(used.minutes)} billed ({_seconds(used.seconds)}) at "
        f"${figures.rate.usd_per_minute}/min: {format_usd(used.usd)}; total "
        f"{format_usd(summary.total_usd)} (all-frontier {format_usd(summary.all_frontier_total_usd)})"
    )


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.000001'), rounding=ROUND_HALF_UP):f}"


def runner_outputs(
    tokens: Decimal, all_frontier: Decimal, runner: RunnerUsage | None, frontier_runner: Decimal
) -> dict[str, str]:
    """The action outputs that add the runner: minutes, its cost and the totals."""
    minutes = runner.minutes if runner else 0
    usd = runner.usd if runner else Decimal(0)
    total, frontier_total = tokens + usd, all_frontier + frontier_runner
    return {
        "runner-minutes": str(minutes),
        "runner-usd": _money(usd),
        "total-usd": _money(total),
        "all-frontier-total-usd": _money(frontier_total),
        "total-savings-usd": _money(frontier_total - total),
    }


def sweep_line(figures: RunnerFigures) -> str:
    """The runner line of a job without model calls of its own (collect, a run that ended
    early)."""
    used = figures.used
    return (
        f"runner {_minutes(used.minutes)} billed ({_seconds(used.seconds)}) at "
        f"{figures.rate.describe()}: {format_usd(used.usd)}"
    )
