"""The cost benchmark's table (text and Markdown) and chart."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["markdown_table", "text_table", "write_chart"]

Doc = Mapping[str, Mapping[str, Any]]
_HEAD = ("setup", "total", "median/PR", "p90/PR", "critical on frontier (all / code PRs)",
         "vs single-frontier", "vs floor")  # fmt: skip


def _row(name: str, s: Mapping[str, Any]) -> tuple[str, ...]:
    share = 100 * s["share_of_single_frontier"]
    return (
        name,
        f"${s['total_usd']:.2f}",
        f"${s['median_pr_usd']:.4f}",
        f"${s['p90_pr_usd']:.4f}",
        f"{100 * s['critical_frontier_share']:.1f}% / {100 * s['critical_frontier_share_code_prs']:.1f}%",
        f"{share:.1f}% of it (saves {s['savings_vs_single_frontier_pct']:.1f}%)",
        f"+{s['above_floor_pct']:.1f}%" if s["above_floor_pct"] > 0 else "floor",
    )


def text_table(doc: Doc) -> str:
    """The table as aligned text."""
    rows = [_HEAD, *(_row(n, s) for n, s in doc.items())]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_HEAD))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def markdown_table(doc: Doc) -> str:
    """The table as Markdown."""
    rows = [_row(n, s) for n, s in doc.items()]
    lines = ["| " + " | ".join(_HEAD) + " |", "|" + "---|" * len(_HEAD)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def write_chart(path: Path, doc: Doc, per_pr: Mapping[str, list[float]], title: str) -> Path:
    """Total cost per setup (bars, $ labels) next to the cost per PR (box plot, log $)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    names = list(doc)
    totals = [doc[n]["total_usd"] for n in names]
    colors = ["#9e9e9e", "#bdbdbd", "#1f77b4", "#2ca02c", "#d62728", "#ff7f0e"][: len(names)]
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(13, 5.2), gridspec_kw={"width_ratios": [1, 1.2]}
    )
    bars = left.bar(names, totals, color=colors)
    for bar, total in zip(bars, totals, strict=True):
        left.annotate(f"${total:.2f}", (bar.get_x() + bar.get_width() / 2, total),
                      ha="center", va="bottom", fontsize=9, xytext=(0, 2), textcoords="offset points")  # fmt: skip
    left.set_ylabel("total cost over the corpus (USD)")
    left.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"${v:,.2f}"))
    left.set_title("Total cost, same PRs")
    left.tick_params(axis="x", rotation=20)
    data = [per_pr[n] for n in names]
    right.boxplot(data, whis=(10, 90), showfliers=True, flierprops={"markersize": 3})
    right.set_xticks(range(1, len(names) + 1), names, rotation=20)
    right.set_yscale("log")
    right.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"${v:g}"))
    right.set_ylabel("cost per PR (USD, log scale)")
    right.set_title("Cost per PR (box: quartiles, whiskers: p10-p90)")
    for ax in (left, right):
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
