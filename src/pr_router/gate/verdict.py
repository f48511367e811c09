"""The gate's verdict for one job: which findings block the merge, which a maintainer accepted.

Pure: findings and acceptances in, a ``Verdict`` out. A finding blocks when its severity is
at or above the job's gate level and nobody with write permission accepted it. A job that
could not run gets ``neutral`` (or ``failure`` when the policy says an outage blocks), so an
outage never blocks a merge by accident.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pr_router.jobs.results import SEVERITY_ORDER, Finding

__all__ = [
    "Acceptance",
    "Conclusion",
    "GateFinding",
    "GateOutput",
    "Verdict",
    "at_or_above",
    "check_name",
    "evaluate",
    "gate_findings",
    "gate_output",
    "not_needed",
    "unrunnable",
]

Conclusion = Literal["success", "failure", "neutral"]
GateOutput = Literal["pass", "fail", "skipped"]
Via = Literal["reply", "reaction"]


def check_name(job: str) -> str:
    """The check run's name: ``pr-router / security`` (what branch protection requires)."""
    return f"pr-router / {job}"


def at_or_above(severity: str, level: str) -> bool:
    """Whether ``severity`` is ``level`` or worse (``off`` is never reached)."""
    if level not in SEVERITY_ORDER or severity not in SEVERITY_ORDER:
        return False
    return SEVERITY_ORDER.index(severity) <= SEVERITY_ORDER.index(level)


@dataclass(frozen=True, slots=True)
class GateFinding:
    """What the gate keeps of a finding (also kept in the PR state to re-evaluate later)."""

    fingerprint: str
    severity: str
    title: str
    path: str
    line: int | None  # on the head commit when side is RIGHT; None: outside the diff
    side: str = "RIGHT"
    start_line: int | None = None
    cwe: str | None = None
    category: str = ""
    explanation: str = ""
    line_text: str = ""  # the head's text of the first line (what SARIF fingerprints hash)

    def to_json(self) -> dict[str, Any]:
        """A plain dict for the state block."""
        return {
            "fp": self.fingerprint, "sev": self.severity, "title": self.title,
            "path": self.path, "line": self.line, "side": self.side,
            "start": self.start_line, "cwe": self.cwe, "cat": self.category,
            "code": self.line_text,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GateFinding:
        """Back from ``to_json`` (the explanation is not kept in the state)."""
        return cls(
            fingerprint=str(data["fp"]), severity=str(data["sev"]), title=str(data["title"]),
            path=str(data["path"]), line=data.get("line"), side=str(data.get("side") or "RIGHT"),
            start_line=data.get("start"), cwe=data.get("cwe"), category=str(data.get("cat") or ""),
            line_text=str(data.get("code") or ""),
        )  # fmt: skip


_LINE_TEXT_CHARS = 200  # enough to tell lines apart; keeps the state block small


def gate_findings(
    findings: Iterable[Finding], lines: Mapping[tuple[str, int], str] | None = None
) -> tuple[GateFinding, ...]:
    """The gate's view of a job's findings; ``lines`` gives the head's line texts."""
    return tuple(_gate_finding(f, lines or {}) for f in findings)


def _gate_finding(f: Finding, lines: Mapping[tuple[str, int], str]) -> GateFinding:
    first = f.start_line or f.line
    text = lines.get((f.path, first), "") if first is not None and f.side == "RIGHT" else ""
    return GateFinding(
        fingerprint=f.fingerprint, severity=f.severity, title=f.title, path=f.path,
        line=f.line, side=f.side, start_line=f.start_line, cwe=f.cwe,
        category=f.category, explanation=f.explanation,
        line_text=" ".join(text.split())[:_LINE_TEXT_CHARS],
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Acceptance:
    """A maintainer's acceptance of one finding: who, why, and how it was given."""

    fingerprint: str
    by: str
    reason: str
    via: Via


@dataclass(frozen=True, slots=True)
class Verdict:
    """One gating job's check: its conclusion and the findings behind it."""

    job: str
    level: str  # the gate level: findings at or above it block
    conclusion: Conclusion
    findings: tuple[GateFinding, ...] = ()
    accepted: tuple[Acceptance, ...] = ()  # acceptances of findings of this head
    reason: str | None = None  # why the job could not run (neutral) or was not needed

    @property
    def name(self) -> str:
        """The check run's name."""
        return check_name(self.job)

    @property
    def ran(self) -> bool:
        """The job ran and the verdict comes from its findings."""
        return self.reason is None

    def acceptance(self, fingerprint: str) -> Acceptance | None:
        """The acceptance of one finding, if any."""
        return next((a for a in self.accepted if a.fingerprint == fingerprint), None)

    @property
    def blocking(self) -> tuple[GateFinding, ...]:
        """Findings at or above the level that nobody accepted."""
        return tuple(
            f
            for f in self.findings
            if at_or_above(f.severity, self.level) and self.acceptance(f.fingerprint) is None
        )


def evaluate(
    job: str, level: str, findings: Sequence[GateFinding], acceptances: Iterable[Acceptance]
) -> Verdict:
    """The verdict from the current head's findings minus the accepted ones."""
    fps = {f.fingerprint for f in findings}
    accepted = tuple({a.fingerprint: a for a in acceptances if a.fingerprint in fps}.values())
    taken = {a.fingerprint for a in accepted}
    blocked = any(at_or_above(f.severity, level) and f.fingerprint not in taken for f in findings)
    return Verdict(job, level, "failure" if blocked else "success", tuple(findings), accepted)


def unrunnable(job: str, level: str, reason: str, *, on_outage: str = "neutral") -> Verdict:
    """A job that could not run (outage, budget, fork without secrets)."""
    conclusion: Conclusion = "failure" if on_outage == "failure" else "neutral"
    return Verdict(job, level, conclusion, reason=reason)


def not_needed(job: str, level: str, reason: str) -> Verdict:
    """A job the plan did not need for this change (nothing to gate on): a pass."""
    return Verdict(job, level, "success", reason=reason)


def gate_output(verdicts: Sequence[Verdict]) -> GateOutput:
    """The action output ``gate``: ``fail`` if any check fails, ``skipped`` when any gating
    job could not be judged (or nothing gates), else ``pass``."""
    if any(v.conclusion == "failure" for v in verdicts):
        return "fail"
    if not verdicts or any(v.conclusion == "neutral" for v in verdicts):
        return "skipped"
    return "pass"
