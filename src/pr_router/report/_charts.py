"""PNG charts of a report: spend over time by tier, acceptance by job. Needs matplotlib.

matplotlib is optional (``pip install pr-router[charts]``). Figures are drawn through the
object API on an Agg canvas: no pyplot global state, no display, no backend switch.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pr_router.report._aggregate import TIER_ORDER, Summary

__all__ = ["CHART_FILES", "charts_available", "skipped_charts", "usd_tick_labels", "write_charts"]

CHART_FILES = ("spend-by-tier.png", "acceptance-by-job.png")
_COLOURS = {"frontier": "#7b3294", "standard": "#c2a5cf", "efficient": "#008837"}
_DPI = 100


def charts_available() -> bool:
    """Whether matplotlib is installed."""
    return importlib.util.find_spec("matplotlib") is not None


def _tick_decimals(ticks: Sequence[float], least: int = 2, most: int = 6) -> int:
    # Ticks are round numbers: the fewest decimals that write each one exactly also keep
    # adjacent labels apart ($0.005 steps need three, not $0.01 twice).
    for decimals in range(least, most):
        if all(abs(v - round(v, decimals)) <= 1e-9 * max(1.0, abs(v)) for v in ticks):
            return decimals
    return most


def usd_tick_labels(ticks: Sequence[float]) -> list[str]:
    """Dollar labels of an axis's ticks, with as many decimals (two or more) as they need."""
    decimals = _tick_decimals(ticks)
    return [f"${v:,.{decimals}f}" for v in ticks]


def _usd_formatter() -> Any:
    from matplotlib.ticker import Formatter

    class USDFormatter(Formatter):
        # The axis formats its ticks together, so their decimals follow from all of them.
        def format_ticks(self, values: Sequence[float]) -> list[str]:
            return usd_tick_labels(values)

        def __call__(self, x: float, pos: int | None = None) -> str:
            return usd_tick_labels([x])[0]

    return USDFormatter()


def _figure(width: float, height: float) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _spend_chart(s: Summary, path: Path) -> None:
    fig, ax = _figure(10, 5)
    labels = [d.isoformat() for d, _ in s.timeline.buckets]
    xs = list(range(len(labels)))
    bottom = [0.0] * len(xs)
    for tier in TIER_ORDER:
        values = [float(t.get(tier, 0)) for _, t in s.timeline.buckets]
        if any(values):
            ax.bar(xs, values, bottom=bottom, label=tier, color=_COLOURS[tier], width=0.8)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = max(1, len(xs) // 15)  # keep date labels legible on long periods
    ax.set_xticks(xs[::step], labels[::step], rotation=45, ha="right")
    ax.yaxis.set_major_formatter(_usd_formatter())
    per = "week (starting Monday)" if s.timeline.granularity == "week" else "day"
    ax.set_title(f"Spend per {per} by model tier, {s.period.label()}")
    ax.set_xlabel(s.timeline.granularity)
    ax.set_ylabel("spend (USD)")
    if xs:
        ax.legend(title="tier")
    ax.grid(axis="y", alpha=0.3)
    fig.savefig(path, format="png")


def _acceptance_chart(s: Summary, path: Path) -> None:
    from matplotlib.patches import Patch
    from matplotlib.ticker import PercentFormatter

    decided = [a for a in s.acceptance if a.n][::-1]  # barh draws bottom-up: keep the table's order
    # Grow with the rows so that job names never overlap.
    fig, ax = _figure(10, min(12.0, max(4.0, 1.5 + 0.45 * len(decided))))
    ys = list(range(len(decided)))
    values = [float(a.accepted / a.n * 100) for a in decided]
    bars = ax.barh(ys, values, color=[_COLOURS.get(a.tier, "#888888") for a in decided])
    for bar, a in zip(bars, decided, strict=True):
        ax.annotate(f" n={a.n}", (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    va="center", fontsize=9)  # fmt: skip
    ax.set_yticks(ys, [f"{a.job} ({a.tier})" for a in decided])
    ax.set_xlim(0, 112)
    ax.xaxis.set_major_formatter(PercentFormatter())
    ax.axvline(80, color="#d7191c", linestyle="--", linewidth=1)
    ax.set_title(f"Share of results accepted, by job and tier, {s.period.label()}")
    ax.set_xlabel("accepted, of results with a known outcome (n)")
    tiers = [t for t in TIER_ORDER if any(a.tier == t for a in decided)]
    handles = [Patch(color=_COLOURS[t], label=t) for t in tiers]
    handles.append(Patch(color="#d7191c", label="80%: keep on this tier"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    fig.savefig(path, format="png")


def skipped_charts(s: Summary) -> dict[str, str]:
    """The charts with nothing to draw, by file name, each with the reason."""
    if any(a.n for a in s.acceptance):
        return {}
    return {CHART_FILES[1]: "no result has a known outcome yet (--outcomes looks them up)"}


def write_charts(s: Summary, directory: Path) -> list[Path]:
    """Draw the charts that have something to show into ``directory``; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    skipped = skipped_charts(s)
    draw = {CHART_FILES[0]: _spend_chart, CHART_FILES[1]: _acceptance_chart}
    written = []
    for name, chart in draw.items():
        if name not in skipped:
            chart(s, directory / name)
            written.append(directory / name)
    return written
