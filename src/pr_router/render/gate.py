"""The merge gate's check runs in the summary comment, the job summary and the run log."""

from __future__ import annotations

from collections.abc import Sequence

from pr_router.render._body import one_line
from pr_router.summary import CheckLine

__all__ = ["gate_markdown", "gate_terminal_lines"]

ICONS = {"success": "✅", "failure": "❌", "neutral": "⚪"}


def gate_markdown(checks: Sequence[CheckLine]) -> str:
    """A "Merge gate" block: one line per check run, accepted findings below it."""
    if not checks:
        return ""
    lines = ["#### Merge gate", ""]
    for c in checks:
        unposted = "" if c.posted else " *(not posted)*"
        lines.append(
            f"- {ICONS.get(c.conclusion, '•')} **{c.name}**: {one_line(c.title)}{unposted}"
        )
        lines += [f"  - {a}" for a in c.accepted]  # sanitised when the line was made
    return "\n".join(lines)


def gate_terminal_lines(checks: Sequence[CheckLine]) -> list[str]:
    """One plain line per check run, for the run log."""
    return [
        f"{c.name}: {c.conclusion}: {one_line(c.title)}" + ("" if c.posted else " (not posted)")
        for c in checks
    ]
