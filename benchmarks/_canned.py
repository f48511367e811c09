"""Canned model answers of realistic length, written from what each prompt shows.

The emulator would otherwise answer with a minimal instance of each job's JSON schema (a
few dozen tokens), which makes output, the largest cost of a review, nearly free. These
answers have the lengths in ``Lengths`` and point at lines the prompt really shows, so the
jobs' validators accept them and the review is published like a real one.

Only the *visible* answer is canned. The emulator adds reasoning tokens on top, by effort
(low +25%, medium +50%, high +100% of the visible tokens), billed as output the way both
providers bill them: effort stays a cost dial in the benchmark as it is in production.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import cycle, islice
from threading import Lock
from typing import Any

from pr_router.emulator import Call, Rule, Scenario
from pr_router.tokens import estimate_tokens

__all__ = ["CallLog", "Lengths", "Sizes", "answer", "job_of", "scenario_for", "seen_lines"]

# The instructions of each built-in job start with one of these headings (jobs/prompts.py).
_TASKS = {
    "## Task: code review": "review",
    "## Task: security scan": "security",
    "## Task: pull request description": "describe",
    "## Task: changelog entry": "changelog",
    "## Task: documentation suggestions": "docs",
    "## Task: CI failure summary": "failure-summary",
}
_HEADING = re.compile(r"^### `([^`\n]+)` \(", re.MULTILINE)
_NUMBERED = re.compile(r"^ *(\d+) ([+ ]) ", re.MULTILINE)
_LISTED = re.compile(r"^- `([^`\n]+)` \(", re.MULTILINE)

# Plain review prose, cycled to the length wanted. No quotes or backslashes: the JSON
# encoding adds nothing, so characters / 4 is the token count the emulator bills.
_PROSE = (
    "The new branch returns before the pooled connection is released, so a request that "
    "fails here keeps its socket until the garbage collector runs.",
    "Callers that passed a timeout of zero relied on the old meaning, which was to wait "
    "forever; after this change they fail at once and nothing in the changelog says so.",
    "The error raised on the empty input is a ValueError, while every other path of this "
    "function raises the library's own exception, which callers already catch.",
    "This loop re-reads the header list for each item, which is quadratic in the number of "
    "headers; large responses from proxies carry hundreds of them.",
    "The test covers the happy path only; a case with a missing field and one with a "
    "duplicated key would pin the behaviour that this change is about.",
    "Consider keeping the previous name as a deprecated alias for one release, so that "
    "downstream code that imports it keeps working while users migrate.",
    "The value comes from the request and reaches the path join without normalisation, so a "
    "name with parent-directory segments can point outside the intended folder.",
    "Decoding with errors set to replace hides malformed input; the caller then compares "
    "the replaced text and accepts values it should have refused.",
)


@dataclass(frozen=True, slots=True)
class Lengths:
    """Visible output tokens per job; review and security grow mildly with the PR's size.

    ``review`` and ``security`` are the lengths at ``pivot_lines`` changed lines. Elsewhere
    they are multiplied by ``(lines / pivot_lines) ** exponent``, kept within
    ``[min_factor, max_factor]``: 0.6x at 10 lines, 1.0x at 200, 1.6x at 2,000, 2.0x from
    6,300 lines up. A PR that changes no code gets ``non_code_factor`` of the review length.
    """

    review: int = 1200
    security: int = 700
    describe: int = 400
    changelog: int = 80
    docs: int = 300
    failure: int = 300
    comment: int = 400
    pivot_lines: int = 200
    exponent: float = 0.2
    min_factor: float = 0.6
    max_factor: float = 2.0
    non_code_factor: float = 0.5

    def size_factor(self, changed_lines: int) -> float:
        """How much longer than at ``pivot_lines`` a findings answer is."""
        raw: float = (max(changed_lines, 1) / self.pivot_lines) ** self.exponent
        return min(max(raw, self.min_factor), self.max_factor)

    def for_pr(self, changed_lines: int, code_changed: bool) -> dict[str, int]:
        """Visible output tokens by job name for one PR."""
        factor = self.size_factor(changed_lines)
        review = self.review * factor * (1.0 if code_changed else self.non_code_factor)
        return {
            "review": round(review),
            "security": round(self.security * factor),
            "describe": self.describe,
            "changelog": self.changelog,
            "docs": self.docs,
            "failure-summary": self.failure,
            "custom-findings": round(self.review * factor),
            "custom-comment": self.comment,
        }


@dataclass
class CallLog:
    """What the emulated model saw: instruction tokens and calls, by job (thread-safe)."""

    instructions: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    _lock: Lock = field(default_factory=Lock)

    def add(self, job: str, instruction_tokens: int) -> None:
        """Record one call of ``job``."""
        with self._lock:
            self.instructions[job] = instruction_tokens
            self.calls[job] = self.calls.get(job, 0) + 1


def _instructions(call: Call) -> str:
    """The job-specific suffix: the last text block of the last message."""
    messages = call.body.get("messages") or []
    if messages and isinstance(messages[-1], Mapping):
        content = messages[-1].get("content")
        if isinstance(content, list) and content and isinstance(content[-1], Mapping):
            return str(content[-1].get("text", ""))
        if isinstance(content, str):
            return content
    at = call.prompt.rfind("## Task:")
    return call.prompt[at:] if at >= 0 else ""


def job_of(call: Call) -> str:
    """The job a call belongs to, from the heading of its instructions."""
    text = _instructions(call)
    for heading, job in _TASKS.items():
        if text.startswith(heading):
            return job
    findings = call.job == "FindingsOutput"
    return "custom-findings" if findings else "custom-comment"


def _prose(chars: int, start: int = 0) -> str:
    """About ``chars`` characters of review prose, cut at a word boundary."""
    if chars <= 0:
        return ""
    text = ""
    for sentence in islice(cycle(_PROSE), start, start + 2 + chars // 80):
        text = f"{text} {sentence}" if text else sentence
        if len(text) >= chars:
            break
    cut = text[:chars]
    return cut.rsplit(" ", 1)[0] if " " in cut and len(text) > chars else cut


def _shown(prompt: str) -> list[tuple[str, list[int]]]:
    """Files whose hunks the prompt shows, with their added (or else context) line numbers."""
    heads = list(_HEADING.finditer(prompt))
    out: list[tuple[str, list[int]]] = []
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(prompt)
        numbered = [(int(m.group(1)), m.group(2)) for m in _NUMBERED.finditer(prompt, head.end(), end)]  # fmt: skip
        added = [n for n, mark in numbered if mark == "+"]
        lines = added or [n for n, _ in numbered]
        if lines:
            out.append((head.group(1), lines))
    return out


def _fill(skeleton: dict[str, Any], slots: list[tuple[dict[str, Any], str]], tokens: int) -> dict[str, Any]:  # fmt: skip
    """Share the characters left by ``skeleton`` among the prose ``slots`` (object, key)."""
    room = tokens * 4 - len(json.dumps(skeleton))
    for i, (obj, key) in enumerate(slots):
        obj[key] = _prose(max(room // len(slots), 40), start=i)
    return skeleton


def _findings(call: Call, tokens: int, per_finding: int) -> dict[str, Any]:
    files = _shown(call.prompt)
    count = min(max(1, round(tokens / per_finding)), 8) if files else 0
    findings: list[dict[str, Any]] = []
    for i in range(count):
        path, lines = files[i % len(files)]
        step = max(1, len(lines) // 3)  # a second finding on a file sits further down
        line = lines[min((i // len(files)) * step, len(lines) - 1)]
        findings.append({
            "file": path, "start_line": line, "end_line": line, "side": "RIGHT",
            "severity": ("medium", "low", "high", "info")[i % 4], "category": "correctness",
            "cwe": None, "title": f"Finding {i + 1}: behaviour change on this path",
            "explanation": "", "suggestion": None,
        })  # fmt: skip
    out: dict[str, Any] = {"summary": "", "findings": findings}
    slots = [(out, "summary")] + [(f, "explanation") for f in findings]
    return _fill(out, slots, tokens)


def _paths(prompt: str, limit: int) -> list[str]:
    seen = dict.fromkeys(_LISTED.findall(prompt))
    return list(seen)[:limit]


def answer(call: Call, job: str, tokens: int) -> dict[str, Any]:
    """A valid answer of ``job`` to ``call``, about ``tokens`` visible tokens long."""
    if job in ("review", "custom-findings"):
        return _findings(call, tokens, per_finding=300)
    if job == "security":
        return _findings(call, tokens, per_finding=350)
    if job == "describe":
        entries = [{"path": p, "change": ""} for p in _paths(call.prompt, 8)]
        out: dict[str, Any] = {"summary": "", "walkthrough": entries}
        return _fill(out, [(out, "summary")] + [(e, "change") for e in entries], tokens)
    if job == "changelog":
        out = {"user_facing": True, "section": "Changed", "entry": ""}
        return _fill(out, [(out, "entry")], tokens)
    if job == "docs":
        targets = _paths(call.prompt, 2) or ["README.md"]
        items = [{"target": t, "kind": "docstring", "text": ""} for t in targets]
        out = {"suggestions": items}
        return _fill(out, [(s, "text") for s in items], tokens)
    if job == "failure-summary":
        out = {"likely_cause": "", "failing_step": "tests", "fix": "", "confidence": "medium"}
        return _fill(out, [(out, "likely_cause"), (out, "fix")], tokens)
    out = {"body": ""}
    return _fill(out, [(out, "body")], tokens)


Sizes = Mapping[str, int] | Callable[[Call], Mapping[str, int]]


def _responder(lengths: Sizes, log: CallLog) -> Callable[[Call], dict[str, Any]]:
    def respond(call: Call) -> dict[str, Any]:
        job = job_of(call)
        log.add(job, estimate_tokens(_instructions(call) or "."))
        sizes = lengths(call) if callable(lengths) else lengths
        return answer(call, job, sizes[job])

    return respond


_SEEN = re.compile(r"^ *\d+ [+-] ", re.MULTILINE)


def seen_lines(call: Call) -> int:
    """Added and removed lines the prompt shows (what a findings answer is sized on)."""
    return len(_SEEN.findall(call.prompt))


def scenario_for(
    lengths: Sizes,
    log: CallLog,
    *,
    latency_s: float = 20.0,
    ttft_s: float = 2.0,
    batch_duration_s: float = 900.0,
) -> Scenario:
    """Every call answered at its job's length (``lengths``: by job, or by call); batches end
    ``batch_duration_s`` after creation."""
    rules = [
        Rule(output=_responder(lengths, log), latency_s=latency_s, ttft_s=ttft_s),
        Rule(batch_duration_s=batch_duration_s),
    ]
    return Scenario(rules, batch_duration_s=batch_duration_s)
