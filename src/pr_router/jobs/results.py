"""What a job produced, ready to publish: placed findings and a summary-comment section.

Every piece of model text passes ``sanitize_output`` here, on its way into Markdown, so
nothing downstream has to remember to. Findings carry a stable fingerprint (job, path,
normalised title, line bucket) so that a re-run recognises what it already posted.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from pr_router.github.models import InlineComment
from pr_router.jobs.anchors import Side
from pr_router.jobs.context import Omitted
from pr_router.jobs.outputs import JobOutput, Severity
from pr_router.jobs.sanitize import (
    MAX_FINDING_CHARS,
    cap_markdown,
    inline_code,
    sanitize_output,
    sanitize_output_code,
)
from pr_router.summary import Section

__all__ = [
    "SEVERITY_BADGES",
    "Finding",
    "JobResult",
    "Section",
    "code_block",
    "fingerprint",
    "not_seen_note",
]

SEVERITY_BADGES: dict[str, str] = {
    "critical": "🔴 Critical",
    "high": "🟠 High",
    "medium": "🟡 Medium",
    "low": "🔵 Low",
    "info": "⚪ Info",
}
SEVERITY_ORDER: tuple[Severity, ...] = ("critical", "high", "medium", "low", "info")
_LINE_BUCKET = 20  # lines: a finding that drifts a little between pushes keeps its id
_CWE = re.compile(r"^CWE-(\d{1,5})$")
_BACKTICKS = re.compile(r"`+")
MAX_SECTION_CHARS = 20_000  # one job's part of the summary comment


def fingerprint(job: str, path: str, title: str, line: int | None) -> str:
    """Stable id of a finding: job, path, normalised title and a line bucket."""
    words = " ".join(re.findall(r"[a-z0-9]+", title.lower()))
    bucket = "body" if line is None else str(line // _LINE_BUCKET)
    raw = "\x1f".join((job, path, words, bucket))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def code_block(code: str, info: str = "") -> str:
    """``code`` (model-written) in a fence longer than any backtick run inside it."""
    longest = max((len(m) for m in _BACKTICKS.findall(code)), default=0)
    ticks = "`" * max(3, longest + 1)
    body = sanitize_output_code(code).rstrip("\n")
    return f"{ticks}{info}\n{body}\n{ticks}"


def _one_line(text: str, limit: int = 120) -> str:
    # Flattened and cut first, sanitised last: a code span is read where it is posted.
    flat = " ".join(text.split())
    return sanitize_output(flat if len(flat) <= limit else flat[: limit - 1] + "…")


@dataclass(frozen=True, slots=True)
class Finding:
    """A finding placed on the diff (``line`` set) or kept for the review body."""

    job: str
    job_title: str
    path: str
    line: int | None  # None: the file is not in the diff; shown in the review body
    side: Side
    start_line: int | None
    severity: Severity
    category: str
    title: str
    explanation: str
    suggestion: str | None
    cwe: str | None = None
    moved_from: int | None = None  # the line the model gave, when the finding had to move
    exact: bool = True  # anchored on exactly the lines the model named
    fingerprint: str = ""

    @property
    def start_side(self) -> Side | None:
        """Side of ``start_line``; ranges never cross sides."""
        return self.side if self.start_line is not None else None

    def _headline(self) -> str:
        parts = [f"**{SEVERITY_BADGES[self.severity]}**"]
        if self.category.strip():
            parts.append(_one_line(self.category, 40))
        if self.cwe and (m := _CWE.match(self.cwe.strip())):
            cwe = f"CWE-{m.group(1)}"
            parts.append(f"[{cwe}](https://cwe.mitre.org/data/definitions/{m.group(1)}.html)")
        return " · ".join(parts)

    def _suggestion(self) -> str | None:
        if not self.suggestion or not self.suggestion.strip():
            return None
        # A GitHub suggestion replaces the commented lines: only offer one when the comment
        # sits on exactly the RIGHT-side lines the model wrote it for.
        if self.side == "RIGHT" and self.exact and self.line is not None:
            return code_block(self.suggestion, "suggestion")
        return "Suggested code:\n\n" + code_block(self.suggestion)

    def body(self) -> str:
        """The inline comment's Markdown: badge, title, explanation, suggestion, notes."""
        parts = [self._headline(), f"**{_one_line(self.title, 200)}**"]
        if self.explanation.strip():
            parts.append(sanitize_output(self.explanation.strip()))
        suggestion = self._suggestion()
        if suggestion:
            parts.append(suggestion)
        footer = f"<sub>pr-router · {self.job_title}</sub>"
        if self.moved_from is not None:
            footer = f"_(moved from line {self.moved_from}: outside the diff)_\n\n" + footer
        text = "\n\n".join(parts)
        return cap_markdown(text, MAX_FINDING_CHARS - len(footer) - 2) + "\n\n" + footer

    def body_entry(self) -> str:
        """One list item for the review body (findings on files outside the diff)."""
        where = inline_code(self.path)
        text = _one_line(self.explanation, 600)
        return (
            f"- **{SEVERITY_BADGES[self.severity]}** {where}: **{_one_line(self.title)}** — {text}"
        )

    def inline_comment(self) -> InlineComment:
        """The comment to post; only for findings placed on the diff."""
        if self.line is None:
            raise ValueError(f"{self.path}: finding is not on the diff; it belongs in the body")
        return InlineComment(
            path=self.path,
            line=self.line,
            side=self.side,
            start_line=self.start_line,
            start_side=self.start_side,
            body=self.body(),
            fingerprint=self.fingerprint,
        )


def not_seen_note(not_seen: tuple[str, ...], listed_only: tuple[Omitted, ...]) -> str:
    """What the model did not see: files over budget, then files listed by name only."""
    lines: list[str] = []
    if not_seen:
        names = ", ".join(inline_code(p) for p in not_seen)
        lines.append(
            f"> [!WARNING]\n> **Not reviewed:** {len(not_seen)} file(s) did not fit the "
            f"context budget and were not seen: {names}."
        )
    if listed_only:
        names = ", ".join(f"{inline_code(o.path)} ({o.reason})" for o in listed_only)
        lines.append(f"Listed by name only, content not reviewed: {names}.")
    return "\n\n".join(lines)


@dataclass(frozen=True, slots=True)
class JobResult:
    """The validated outcome of one job."""

    job: str
    title: str
    output: JobOutput
    section: Section
    findings: tuple[Finding, ...] = ()  # every finding, placed or not, in model order
    not_seen: tuple[str, ...] = ()
    listed_only: tuple[Omitted, ...] = ()
    notes: tuple[str, ...] = field(default=())  # what validation changed (moves, clamps)

    @property
    def inline(self) -> tuple[Finding, ...]:
        """Findings placed on diff lines."""
        return tuple(f for f in self.findings if f.line is not None)

    @property
    def body_findings(self) -> tuple[Finding, ...]:
        """Findings on files that are not in the diff: they go in the review body."""
        return tuple(f for f in self.findings if f.line is None)

    def inline_comments(self) -> tuple[InlineComment, ...]:
        """The inline comments to post, in model order."""
        return tuple(f.inline_comment() for f in self.inline)

    def review_body(self) -> str:
        """This job's part of the review body: findings outside the diff and coverage."""
        parts: list[str] = []
        if self.body_findings:
            entries = "\n".join(f.body_entry() for f in self.body_findings)
            parts.append(f"**{self.title}: findings outside the diff**\n\n{entries}")
        note = not_seen_note(self.not_seen, ())
        if note:
            parts.append(note)
        return cap_markdown("\n\n".join(parts), MAX_SECTION_CHARS)
