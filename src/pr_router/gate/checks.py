"""A verdict as a check run: name, conclusion, title, Markdown summary and line annotations.

Pure. Annotations go on the findings' lines of the head commit (RIGHT side only: removed
lines are not in the head); their text is plain, model-written, and passes the same
sanitising as every comment. GitHub takes at most 50 annotations per request; splitting
them is the publisher's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pr_router.gate.verdict import GateFinding, Verdict, at_or_above
from pr_router.jobs.results import SEVERITY_BADGES
from pr_router.jobs.sanitize import cap_markdown, inline_code, sanitize_output
from pr_router.render._body import one_line

__all__ = ["Annotation", "CheckRunSpec", "check_run_spec"]

SUMMARY_LIMIT = 65_535  # GitHub's limit on output.summary and output.text
_MESSAGE_CHARS = 2_000  # an annotation is read beside a line of code: keep it short
_TITLE_CHARS = 255


@dataclass(frozen=True, slots=True)
class Annotation:
    """One annotation of a check run, with the finding it belongs to."""

    fingerprint: str
    path: str
    start_line: int
    end_line: int
    level: str  # notice | warning | failure
    title: str
    message: str
    raw_details: str | None = None

    def wire(self) -> dict[str, Any]:
        """The ``output.annotations[]`` item GitHub expects."""
        item: dict[str, Any] = {
            "path": self.path,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "annotation_level": self.level,
            "title": self.title,
            "message": self.message,
        }
        if self.raw_details:
            item["raw_details"] = self.raw_details
        return item


@dataclass(frozen=True, slots=True)
class CheckRunSpec:
    """A check run as it is created on the head commit."""

    name: str
    head_sha: str
    conclusion: str
    title: str
    summary: str
    annotations: tuple[Annotation, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The check run as ``checks.json`` of the demo shows it."""
        return {
            "name": self.name,
            "head_sha": self.head_sha,
            "status": "completed",
            "conclusion": self.conclusion,
            "output": {
                "title": self.title,
                "summary": self.summary,
                "annotations": [a.wire() for a in self.annotations],
            },
        }


def _text(text: str, limit: int) -> str:
    """Untrusted text (model output, a maintainer's reason) on one line, safe to post."""
    return sanitize_output(one_line(text, limit))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _title(v: Verdict) -> str:
    if v.reason is not None:
        prefix = "Not needed" if v.conclusion == "success" else "Could not run"
        return one_line(f"{prefix}: {v.reason}", 200)  # plain text: GitHub shows it as is
    blocking = len(v.blocking)
    if blocking:
        verb = "blocks" if blocking == 1 else "block"
        return f"{_plural(blocking, 'finding')} at {v.level} or above {verb} the merge"
    if not v.findings:
        return "No findings"
    accepted = f", {len(v.accepted)} accepted" if v.accepted else ""
    return f"No blocking findings ({_plural(len(v.findings), 'finding')}{accepted})"


def _status(v: Verdict, f: GateFinding) -> str:
    a = v.acceptance(f.fingerprint)
    if a is not None:
        reason = _text(a.reason, 200) if a.reason.strip() else "no reason given"
        return f"✅ accepted by {inline_code(a.by)} ({a.via}): {reason}"
    if at_or_above(f.severity, v.level):
        return "❌ blocks the merge"
    return f"below {v.level}: advisory"


def _where(f: GateFinding) -> str:
    if f.line is None:
        return f"{inline_code(f.path)} (outside the diff)"
    lines = f"line {f.line}" if f.start_line is None else f"lines {f.start_line}–{f.line}"
    removed = " (removed code)" if f.side == "LEFT" else ""
    return f"{inline_code(f.path)} {lines}{removed}"


def _table(v: Verdict) -> str:
    rows = ["| Severity | Finding | Where | Status |", "|---|---|---|---|"]
    for f in sorted(v.findings, key=lambda f: _rank(v, f)):
        cells = [
            SEVERITY_BADGES.get(f.severity, f.severity), _text(f.title, 120), _where(f),
            _status(v, f),
        ]  # fmt: skip
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


def _rank(v: Verdict, f: GateFinding) -> tuple[int, int]:
    order = ("critical", "high", "medium", "low", "info")
    blocking = at_or_above(f.severity, v.level) and v.acceptance(f.fingerprint) is None
    return (0 if blocking else 1, order.index(f.severity) if f.severity in order else 9)


def _summary(v: Verdict, cost_line: str, accept_hint: str) -> str:
    parts = [
        f"**Gate:** a finding of severity **{v.level}** or above fails this check, unless a "
        "maintainer accepts it."
    ]
    if v.reason is not None:
        parts.append(_text(v.reason, 500))
    if cost_line:
        parts.append(f"Cost: {sanitize_output(cost_line)}")
    if v.findings:
        parts.append(_table(v))
        if accept_hint:
            parts.append(accept_hint)
    return cap_markdown("\n\n".join(parts), SUMMARY_LIMIT)


def _level(v: Verdict, f: GateFinding) -> str:
    if v.acceptance(f.fingerprint) is not None:
        return "notice"
    return "failure" if at_or_above(f.severity, v.level) else "warning"


def _annotation(v: Verdict, f: GateFinding) -> Annotation | None:
    if f.line is None or f.side != "RIGHT":
        return None  # not a line of the head commit
    badge = f.severity.capitalize()
    title = _text(f"[{badge}] {f.title}", _TITLE_CHARS)[:_TITLE_CHARS]
    message = sanitize_output(" ".join(f.explanation.split()) or f.title)[:_MESSAGE_CHARS]
    accepted = v.acceptance(f.fingerprint)
    if accepted is not None:
        message = f"Accepted by {accepted.by}: {_text(accepted.reason, 200)}\n\n{message}"
    details = " · ".join(p for p in (f.cwe or "", f.category.strip()) if p) or None
    return Annotation(
        fingerprint=f.fingerprint, path=f.path, start_line=f.start_line or f.line,
        end_line=f.line, level=_level(v, f), title=title, message=message,
        raw_details=sanitize_output(details) if details else None,
    )  # fmt: skip


def check_run_spec(
    v: Verdict, head_sha: str, *, cost_line: str = "", accept_hint: str = ""
) -> CheckRunSpec:
    """The check run for a verdict; annotations for blocking findings come first."""
    found = (_annotation(v, f) for f in sorted(v.findings, key=lambda f: _rank(v, f)))
    return CheckRunSpec(
        name=v.name,
        head_sha=head_sha,
        conclusion=v.conclusion,
        title=_title(v),
        summary=_summary(v, cost_line, accept_hint),
        annotations=tuple(a for a in found if a is not None),
    )
