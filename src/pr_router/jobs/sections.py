"""Each job's section of the sticky summary comment, rendered from its validated output.

All model text goes through ``sanitize_output`` (prose) or ``code_block`` (code) here.
Facts pr-router found itself (files not seen, failing tests read from the log) are stated
next to what the model said, so a reader can tell the two apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pr_router.jobs.changelog_style import ChangelogStyle
from pr_router.jobs.context import Omitted
from pr_router.jobs.failure_logs import LogExcerpt
from pr_router.jobs.outputs import (
    ChangelogOutput,
    CommentOutput,
    DescribeOutput,
    DocsOutput,
    FailureOutput,
)
from pr_router.jobs.results import (
    MAX_SECTION_CHARS,
    SEVERITY_ORDER,
    Finding,
    Section,
    code_block,
    not_seen_note,
)
from pr_router.jobs.sanitize import cap_markdown, inline_code, sanitize_output

__all__ = [
    "changelog_section",
    "comment_section",
    "describe_section",
    "docs_section",
    "failure_section",
    "findings_section",
]


def _section(title: str, parts: Sequence[str]) -> Section:
    text = "\n\n".join(p for p in parts if p)
    return Section(title, cap_markdown(text, MAX_SECTION_CHARS))


def _cell(text: str) -> str:
    # Flattened first, sanitised last: a code span is read as it will sit in the cell.
    return sanitize_output(" ".join(text.split())).replace("|", "\\|")


def _counts(findings: Sequence[Finding]) -> str:
    by = Counter(f.severity for f in findings)
    return ", ".join(f"{by[s]} {s}" for s in SEVERITY_ORDER if by[s])


def findings_section(
    title: str,
    summary: str,
    findings: Sequence[Finding],
    not_seen: tuple[str, ...],
    listed_only: tuple[Omitted, ...],
) -> Section:
    """Summary, counts, and exactly which files the model did not see."""
    inline = [f for f in findings if f.line is not None]
    outside = [f for f in findings if f.line is None]
    if findings:
        count = f"**{len(findings)} finding(s)** ({_counts(findings)})"
        where = f": {len(inline)} inline" + (
            f", {len(outside)} in the review body (file not in the diff)" if outside else ""
        )
        tally = count + where + "."
    else:
        tally = "No findings."
    moved = sum(1 for f in findings if f.moved_from is not None)
    moved_note = f"{moved} finding(s) moved to the nearest line of the diff." if moved else ""
    return _section(
        title,
        [
            sanitize_output(summary.strip()),
            tally,
            moved_note,
            not_seen_note(not_seen, listed_only),
        ],
    )


def describe_section(title: str, out: DescribeOutput, dropped: int) -> Section:
    """The proposed description with a per-file walkthrough table."""
    rows = [f"| {inline_code(w.path)} | {_cell(w.change)} |" for w in out.walkthrough]
    table = ""
    if rows:
        table = (
            f"<details><summary>Walkthrough ({len(rows)} files)</summary>\n\n"
            "| File | Change |\n|---|---|\n" + "\n".join(rows) + "\n\n</details>"
        )
    note = (
        f"{dropped} walkthrough entry(ies) named files not in the PR and were left out."
        if dropped
        else ""
    )
    return _section(title, [sanitize_output(out.summary.strip()), table, note])


def changelog_section(title: str, out: ChangelogOutput, style: ChangelogStyle) -> Section:
    """The proposed entry in the project's style, or why none is needed."""
    if not out.user_facing:
        reason = sanitize_output(" ".join(out.entry.split())) or "internal change"
        return _section(title, [f"No changelog entry needed: not user-facing ({reason})."])
    entry = " ".join(out.entry.split())
    if style.kind == "keep-a-changelog":
        where = "under `## [Unreleased]`" if style.has_unreleased else "in the next release"
        intro = f"Suggested entry for **{out.section}** {where} (Keep a Changelog):"
        block = code_block(f"### {out.section}\n- {entry}", "markdown")
    else:
        intro = f"Suggested entry ({out.section}):"
        block = code_block(f"- {entry}", "markdown")
    return _section(title, [intro, block])


def docs_section(title: str, out: DocsOutput) -> Section:
    """Each documentation suggestion with its target, kind and ready-to-paste text."""
    if not out.suggestions:
        return _section(title, ["No documentation changes suggested."])
    items = []
    for s in out.suggestions:
        head = f"**{inline_code(s.target)}** · {s.kind}"
        items.append(f"{head}\n\n{code_block(s.text.strip(), 'text')}")
    return _section(title, items)


def failure_section(title: str, out: FailureOutput, excerpts: Sequence[LogExcerpt]) -> Section:
    """Cause, step and fix from the model; failing tests and exit code from the log itself."""
    tests = list(dict.fromkeys(t for e in excerpts for t in e.failing_tests))
    facts: list[str] = []
    if tests:
        shown = ", ".join(inline_code(t) for t in tests[:15])
        more = f" and {len(tests) - 15} more" if len(tests) > 15 else ""
        facts.append(f"Failing tests in the log: {shown}{more}.")
    codes = [e.exit_code for e in excerpts if e.exit_code is not None]
    if codes:
        facts.append(f"Exit code: {codes[0]}.")
    return _section(
        title,
        [
            f"**Failing step:** {_cell(out.failing_step)}",
            f"**Likely cause:** {sanitize_output(out.likely_cause.strip())}",
            f"**Fix:** {sanitize_output(out.fix.strip())}",
            f"Confidence: {out.confidence}.",
            " ".join(facts),
        ],
    )


def comment_section(title: str, out: CommentOutput) -> Section:
    """A custom comment job's Markdown, sanitised."""
    return _section(title, [sanitize_output(out.body.strip())])
