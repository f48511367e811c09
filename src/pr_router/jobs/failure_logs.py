"""Find the error regions of a GitHub Actions job log, deterministically and within a cap.

A failed job's log is thousands of lines of setup and passing output around a few lines
that matter. This module finds those lines with known patterns (failing tests of pytest,
unittest, jest/vitest, go and cargo; Python tracebacks; gcc/clang/tsc/rustc/mypy errors;
``##[error]`` annotations and the exit code), adds a little context, and caps the excerpt
in lines and tokens, so the efficient model gets a small, relevant prompt.

Logs are untrusted: they print whatever the PR's code prints. Timestamps, ANSI colours,
invisible and control characters are removed here; the excerpt is fenced as data later.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pr_router.tokens import estimate_tokens

__all__ = ["LogExcerpt", "LogRegion", "clean_log", "extract_failure"]

_TIMESTAMP = re.compile(r"^\ufeff?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
_HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\U000e0000-\U000e007f]"
)
_HTML_COMMENT = re.compile(r"<!--.*?-->")
_MAX_LINE_CHARS = 400
_STEP = re.compile(r"^##\[group\](?:Run )?(.+)$")
_TRACEBACK = re.compile(r"^\s*Traceback \(most recent call last\):")
_RUST_ERROR = re.compile(r"^error(?:\[E\d{4}\])?: (.+)$")
_PYTEST_E = re.compile(r"^E(?: {2,}(\S.*))?$")  # pytest's error lines under a failing test
_MAX_BLOCK = 60


@dataclass(frozen=True, slots=True)
class _Pattern:
    kind: str
    regex: re.Pattern[str]
    group: int  # the group that names the test or error (0: the whole line)
    priority: int  # lower is kept first when the excerpt is capped
    before: int = 2
    after: int = 3
    test: bool = False  # the group names a failing test


# Order matters only for the headline of a line that matches several patterns.
_PATTERNS: tuple[_Pattern, ...] = (
    _Pattern("pytest", re.compile(r"^(?:FAILED|ERROR) (\S+::\S+|\S+\.py)"), 1, 0, 0, 0, True),
    _Pattern("pytest", re.compile(r"^(\S+::\S+) (?:FAILED|ERROR)\b"), 1, 0, 0, 0, True),
    _Pattern("unittest", re.compile(r"^(?:FAIL|ERROR): (\w+ \([\w.]+\))"), 1, 0, 0, 8, True),
    _Pattern(
        "jest", re.compile(r"^\s*[✕×✗]\s+(.+?)(?:\s+\(\d+(?:\.\d+)?\s*m?s\))?$"), 1, 0, 0, 0, True
    ),
    _Pattern("jest", re.compile(r"^\s*●\s+(.+›.+)$"), 1, 0, 0, 12),
    _Pattern("vitest", re.compile(r"^\s*FAIL\s+(\S+\s+>\s+.+)$"), 1, 0, 0, 6, True),
    _Pattern("go", re.compile(r"^\s*--- FAIL: (\S+)"), 1, 0, 3, 4, True),
    _Pattern("go", re.compile(r"^panic: (.+)$"), 1, 0, 0, 12),
    _Pattern("cargo", re.compile(r"^test (\S+) \.\.\. FAILED$"), 1, 0, 0, 0, True),
    _Pattern("cargo", re.compile(r"^(thread '.+' panicked at.*)$"), 1, 0, 0, 4),
    _Pattern("compiler", re.compile(r"^(\S+?:\d+:\d+: (?:fatal )?error: .+)$"), 1, 0, 1, 4),
    _Pattern("tsc", re.compile(r"^(\S+?\(\d+,\d+\): error TS\d+: .+)$"), 1, 0, 0, 1),
    _Pattern("tsc", re.compile(r"^(\S+?:\d+:\d+ - error TS\d+: .+)$"), 1, 0, 0, 4),
    _Pattern("go-build", re.compile(r"^(\S+\.go:\d+:\d+: .+)$"), 1, 0, 1, 1),
    _Pattern("mypy", re.compile(r"^(\S+\.pyi?:\d+(?::\d+)?: error: .+)$"), 1, 0, 0, 0),
    _Pattern("rustc", _RUST_ERROR, 0, 0, 0, 12),
    _Pattern("npm", re.compile(r"^npm ERR! (.+)$"), 1, 2, 0, 0),
    _Pattern("gh-error", re.compile(r"^##\[error\](.+)$"), 1, 2, 2, 0),
)
_EXIT = re.compile(r"Process completed with exit code (\d+)")


@dataclass(frozen=True, slots=True)
class LogRegion:
    """Lines ``start``..``end`` (exclusive, 0-based, cleaned log) around one error."""

    kind: str
    start: int
    end: int
    headline: str
    priority: int


@dataclass(frozen=True, slots=True)
class LogExcerpt:
    """The error regions of one log, rendered, with the facts found on the way."""

    text: str
    failing_tests: tuple[str, ...]
    errors: tuple[str, ...]  # compiler, runtime and ``##[error]`` headlines
    exit_code: int | None
    step: str | None  # the ``Run ...`` step that was running at the first error
    total_lines: int
    truncated: bool  # some regions did not fit the cap
    regions: tuple[LogRegion, ...]


def clean_log(text: str) -> list[str]:
    """Log lines without timestamps, ANSI colours, hidden characters or HTML comments."""
    out: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _TIMESTAMP.sub("", _ANSI.sub("", raw), count=1)
        line = _HTML_COMMENT.sub("", _HIDDEN.sub("", line)).rstrip()
        out.append(line[:_MAX_LINE_CHARS])
    while out and not out[-1]:
        out.pop()
    return out


def _traceback_end(lines: list[str], start: int) -> int:
    """Index after a Python traceback's final exception line."""
    i = start + 1
    while i < len(lines) and (lines[i].startswith((" ", "\t")) or not lines[i].strip()):
        i += 1
    return min(i + 1, len(lines))


def _rust_end(lines: list[str], start: int) -> int:
    i = start + 1
    while i < len(lines) and i - start < 20 and lines[i].strip():
        i += 1
    return i


def _pytest_block(lines: list[str], start: int) -> LogRegion:
    """A run of ``E`` lines with the code above it and the location line below."""
    end = start
    while end < len(lines) and _PYTEST_E.match(lines[end]):
        end += 1
    m = _PYTEST_E.match(lines[start])
    headline = (m.group(1) if m and m.group(1) else lines[start]).strip()
    return LogRegion("pytest", max(0, start - 4), min(len(lines), end + 2), headline, 0)


def _find(lines: list[str]) -> Iterator[tuple[LogRegion, str | None]]:
    """Every region, with the failing test it names (if any)."""
    for i, line in enumerate(lines):
        if _PYTEST_E.match(line) and line.strip():
            if i == 0 or not _PYTEST_E.match(lines[i - 1]):
                yield _pytest_block(lines, i), None
            continue
        if _TRACEBACK.match(line):
            end = _traceback_end(lines, i)
            yield LogRegion("traceback", i, end, lines[end - 1].strip(), 1), None
            continue
        for p in _PATTERNS:
            m = p.regex.match(line)
            if m is None:
                continue
            name = m.group(p.group).strip()
            end = _rust_end(lines, i) if p.kind == "rustc" else i + 1 + p.after
            start, end = max(0, i - p.before), min(len(lines), end)
            yield LogRegion(p.kind, start, end, name, p.priority), name if p.test else None
            break
        else:
            if _EXIT.search(line):
                yield LogRegion("exit-code", max(0, i - 1), i + 1, line.strip(), 3), None


def _unique(items: list[str], limit: int = 50) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))[:limit]


def _select(regions: list[LogRegion], max_lines: int) -> tuple[list[LogRegion], bool]:
    chosen: list[LogRegion] = []
    covered: set[int] = set()
    truncated = False
    for r in sorted(regions, key=lambda r: (r.priority, r.start)):
        span = set(range(r.start, min(r.end, r.start + _MAX_BLOCK)))
        if len(covered | span) > max_lines:
            truncated = True
            continue
        covered |= span
        chosen.append(r)
    return chosen, truncated


def _render(lines: list[str], regions: list[LogRegion]) -> str:
    keep = sorted({i for r in regions for i in range(r.start, min(r.end, r.start + _MAX_BLOCK))})
    out: list[str] = []
    previous = -1
    for i in keep:
        if i != previous + 1:
            gap = i - previous - 1
            out.append(f"[… {gap} line(s) omitted …]")
        out.append(lines[i])
        previous = i
    if previous < len(lines) - 1:
        out.append(f"[… {len(lines) - 1 - previous} line(s) omitted …]")
    return "\n".join(out)


def _step_at(lines: list[str], index: int) -> str | None:
    for line in reversed(lines[: index + 1]):
        m = _STEP.match(line)
        if m:
            return m.group(1).strip()
    return None


def _tail(lines: list[str], count: int) -> list[LogRegion]:
    start = max(0, len(lines) - count)
    return [LogRegion("tail", start, len(lines), "no known error pattern: last lines", 9)]


def extract_failure(
    log: str, *, max_lines: int = 150, max_tokens: int = 2_500, tail_lines: int = 40
) -> LogExcerpt:
    """The error regions of a job log, capped at ``max_lines`` lines and ``max_tokens``."""
    lines = clean_log(log)
    found = list(_find(lines))
    regions = [r for r, _ in found] or _tail(lines, tail_lines)
    tests = _unique([t for _, t in found if t])
    errors = _unique([r.headline for r, t in found if t is None and not _EXIT.search(r.headline)])
    chosen, truncated = _select(regions, max_lines)
    text = _render(lines, chosen)
    while estimate_tokens(text) > max_tokens and len(chosen) > 1:
        chosen.remove(max(chosen, key=lambda r: (r.priority, r.start)))
        truncated = True
        text = _render(lines, chosen)
    if estimate_tokens(text) > max_tokens:
        text = text[: max_tokens * 4 - 40] + "\n[… excerpt cut at the token cap …]"
        truncated = True
    codes = [int(m.group(1)) for line in lines if (m := _EXIT.search(line))]
    first = min((r.start for r in chosen), default=len(lines) - 1)
    return LogExcerpt(
        text=text,
        failing_tests=tests,
        errors=errors,
        exit_code=codes[-1] if codes else None,
        step=_step_at(lines, first) if lines else None,
        total_lines=len(lines),
        truncated=truncated,
        regions=tuple(sorted(chosen, key=lambda r: r.start)),
    )
