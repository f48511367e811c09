"""Small table helpers shared by the text and Markdown renderers."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["markdown_table", "text_table"]


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A GitHub-flavoured Markdown table; ``align`` has one of l/r/c per column."""
    spec = {"l": "---", "r": "---:", "c": ":---:"}
    aligns = [spec[a] for a in align.ljust(len(header), "l")]
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "|".join(aligns) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A plain-text table with padded columns for terminals."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    aligns = align.ljust(len(header), "l")

    def fmt(row: Sequence[str]) -> str:
        cells = [
            str(c).rjust(w) if a == "r" else str(c).ljust(w)
            for c, w, a in zip(row, widths, aligns, strict=True)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(r) for r in rows)])
