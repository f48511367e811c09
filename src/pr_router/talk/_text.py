"""The fixed replies of the command language: help, and the answer to a malformed command."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from pr_router.render._body import code_span, defuse
from pr_router.talk._grammar import DEFAULT_PREFIX, USAGE, CommandError

__all__ = ["error_reply", "help_text"]

_WHAT: dict[str, str] = {
    "rerun": "re-run JOB, or every job that would run on this head",
    "escalate": "run JOB again one tier up (or on TIER)",
    "effort": "run JOB again with this reasoning effort",
    "skip": "do not run JOB on this pull request",
    "plan": "reply with the routing plan and its estimate",
    "ask": "answer a question about this pull request (in a finding's thread: that finding)",
    "accept": "accept a finding, in its thread, with the reason",
    "help": "this list",
}


def help_text(prefix: str = DEFAULT_PREFIX, jobs: Collection[str] = ()) -> str:
    """The commands, one per line, who may give them, and the jobs they can name."""
    lines = ["**pr-router commands** (one per line, on a line of its own):", ""]
    lines += [f"- `{prefix} {USAGE[v]}`: {what}" for v, what in _WHAT.items()]  # type: ignore[index]
    lines += [
        "",
        "Only people with write access to the repository can give commands. Lines in quotes "
        "(`>`) and code blocks are not commands.",
    ]
    if jobs:
        lines.append("Jobs: " + ", ".join(f"`{j}`" for j in sorted(jobs)) + ".")
    return "\n".join(lines)


def error_reply(errors: Sequence[CommandError], prefix: str = DEFAULT_PREFIX) -> str:
    """The reply to malformed command lines: each line, what is wrong, and the usage."""
    lines = ["pr-router did not understand this comment, so nothing was run:", ""]
    for e in errors:
        usage = f" Usage: `{prefix} {e.usage}`." if e.usage else ""
        lines.append(f"- line {e.line}, {code_span(e.text)}: {e.message}.{usage}")
    lines += ["", f"`{prefix} help` lists the commands."]
    return defuse("\n".join(lines))
