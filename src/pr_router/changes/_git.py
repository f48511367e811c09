"""Get a diff from a local git repository (the only I/O in this package)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pr_router.errors import DiffError

__all__ = ["git_diff"]

_TIMEOUT_S = 120


def git_diff(repo: Path, base: str, head: str) -> bytes:
    """``git diff -M base head`` of ``repo`` as bytes, in the format ``parse_diff`` expects.

    The revisions are passed as arguments, never through a shell; ones that could
    be read as options or split into several arguments are refused.
    """
    for name, rev in (("base", base), ("head", head)):
        _check_revision(name, rev)
    command = [
        "git",
        "-C",
        str(repo),
        "diff",
        "-M",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        # A user's diff.noprefix / diff.mnemonicPrefix must not change the paths.
        "--src-prefix=a/",
        "--dst-prefix=b/",
        base,
        head,
        "--",
    ]
    try:
        done = subprocess.run(command, capture_output=True, check=False, timeout=_TIMEOUT_S)
    except FileNotFoundError:
        raise DiffError("git is not installed or not on PATH", hint="install git") from None
    except subprocess.TimeoutExpired:
        raise DiffError(f"git diff {base} {head} in {repo} took over {_TIMEOUT_S}s") from None
    if done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = first[0] if first else f"exit status {done.returncode}"
        raise DiffError(f"git diff {base} {head} in {repo} failed: {detail}")
    return done.stdout


def _check_revision(name: str, rev: str) -> None:
    """Refuse revisions git could take for an option, or that hold whitespace or NUL."""
    if not rev:
        raise DiffError(f"{name} revision is empty")
    if rev.startswith("-"):
        raise DiffError(f"{name} revision {rev!r} starts with '-'")
    if "\0" in rev or any(ch.isspace() for ch in rev):
        raise DiffError(f"{name} revision {rev!r} contains whitespace or NUL")
