"""Run the CLI on hostile input with a deadline, and check its one-line error contract.

``cli`` runs ``pr_router.cli.main`` in a thread and fails the test when it is still busy
after the deadline (pytest-timeout is not installed; a hung parser must fail fast, not
block the suite). ``cli_subprocess`` runs ``python -m pr_router.cli`` for the few checks
that need a real process. An exception escaping ``main`` is re-raised: a traceback is a
failure.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from pr_router.cli import main

__all__ = [
    "DEADLINE_S",
    "CliResult",
    "assert_one_line_error",
    "cli",
    "cli_subprocess",
    "commonmark_spans",
    "within",
    "write",
]

DEADLINE_S = 20.0  # generous for a loaded CI machine; the inputs here take well under 2 s
MAX_ERROR_CHARS = 600  # an error echoes what is wrong, never the hostile input itself

T = TypeVar("T")


@dataclass(frozen=True)
class CliResult:
    """Exit code, captured output and how long it took."""

    code: int
    out: str
    err: str
    seconds: float


def within(seconds: float, fn: Callable[[], T]) -> T:
    """``fn()``, failing the test if it has not returned after ``seconds``."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # re-raised in the test's thread
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        pytest.fail(f"still running after {seconds:g} s (a hang)")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: bytes | None = None,
    deadline: float = DEADLINE_S,
) -> CliResult:
    """``pr-router ARGS`` in this process, with a deadline; stdin from ``stdin`` bytes."""
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    capsys.readouterr()

    def call() -> int:
        try:
            return main(list(args))
        except SystemExit as exc:  # argparse usage errors
            return exc.code if isinstance(exc.code, int) else 2

    started = time.perf_counter()
    code = within(deadline, call)
    seconds = time.perf_counter() - started
    out, err = capsys.readouterr()
    return CliResult(code, out, err, seconds)


def cli_subprocess(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, cwd: Path
) -> CliResult:
    """``python -m pr_router.cli ARGS`` as a subprocess, killed at the deadline."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pr_router.cli", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=DEADLINE_S,
        env=env,
        cwd=cwd,
        check=False,
    )
    return CliResult(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        time.perf_counter() - started,
    )


def assert_one_line_error(result: CliResult, *mentions: str, code: int = 2) -> str:
    """Exit ``code`` with ``pr-router: error: ...`` on one line (plus an optional hint line)
    that mentions each of ``mentions``; no traceback. Returns the error line."""
    assert "Traceback" not in result.err + result.out, result.err[-2000:]
    assert result.code == code, (result.code, result.err[-2000:])
    lines = result.err.strip().splitlines()
    assert lines, "no error message"
    assert lines[0].startswith("pr-router: error: "), lines
    assert len(lines) <= 2, lines
    if len(lines) == 2:
        assert lines[1].startswith("hint: "), lines
    assert all(len(line) <= MAX_ERROR_CHARS for line in lines), [len(x) for x in lines]
    for text in mentions:
        assert text in lines[0], (text, lines[0])
    return lines[0]


def write(tmp: Path, name: str, data: bytes | str) -> str:
    """Write ``data`` to ``tmp/name`` and return the path as a string."""
    path = tmp / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


def commonmark_spans(text: str) -> list[tuple[int, int]]:
    """Inline code spans the slow obvious way, as GitHub reads them: per block (a blank line,
    or a line opening a list item, quote, heading or table row, starts a new one), runs of
    backticks are atomic, and the next run of the same length closes a span."""
    spans: list[tuple[int, int]] = []
    block_start = offset = 0
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if n and re.match(r"[ \t]*(?:$|[-*+>#|]|\d{1,9}[.)])", line):
            spans += _spans_of(text[block_start : offset - 1], block_start)
            block_start = offset
        offset += len(line) + 1
    return spans + _spans_of(text[block_start:], block_start)


def _spans_of(block: str, at: int) -> list[tuple[int, int]]:
    runs = [(m.start(), m.end()) for m in re.finditer("`+", block)]
    spans, k = [], 0
    while k < len(runs):
        size = runs[k][1] - runs[k][0]
        close = next((m for m in range(k + 1, len(runs)) if runs[m][1] - runs[m][0] == size), None)
        if close is None:
            k += 1
        else:
            spans.append((at + runs[k][0], at + runs[close][1]))
            k = close + 1
    return spans
