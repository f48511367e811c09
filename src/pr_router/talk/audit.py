"""The audit trail of commands: entries kept in the sticky state, lines shown in the summary."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from pr_router.github.state import State
from pr_router.render._body import code_span, one_line

__all__ = ["MAX_AUDIT", "audit_entry", "audit_lines", "with_audit"]

MAX_AUDIT = 50  # newest entries kept in the state; the ledger keeps every billed one


def audit_entry(login: str, command: str, changed: str, *, at: str = "") -> dict[str, Any]:
    """One command, who gave it and what it changed, for the state."""
    return {"by": login, "command": one_line(command, 300), "changed": one_line(changed, 400),
            "at": at}  # fmt: skip


def with_audit(state: State, entries: Iterable[Mapping[str, Any]],
               skipped: Mapping[str, str] | None = None) -> State:  # fmt: skip
    """The state with ``entries`` appended (capped) and the PR's skipped jobs replaced."""
    commands = (*state.commands, *(dict(e) for e in entries))[-MAX_AUDIT:]
    new = replace(state, commands=commands)
    return new if skipped is None else replace(new, skipped=dict(skipped))


def audit_lines(entries: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """Markdown lines for the summary: who (not pinged), the command, what changed."""
    lines = []
    for e in entries:
        who = code_span("@" + str(e.get("by", "?")))
        when = f" ({e['at']})" if e.get("at") else ""
        what = one_line(str(e.get("changed", "")), 400).replace("<!--", "&lt;!--")
        lines.append(f"{who}{when}: {code_span(str(e.get('command', '')))}: {what}")
    return tuple(lines)
