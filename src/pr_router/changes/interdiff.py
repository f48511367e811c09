"""What the author changed between two pushes of a PR, without the base branch's changes.

GitHub's PR diff at a head is ``merge-base(base, head) -> head``: the PR's own change,
whatever the base did. Comparing the old head with the new head directly (a plain
two-dot compare) is wrong as soon as the author merges the base branch into the PR or
rebases it onto a newer base: the base's commits show up as if the author wrote them.
The interdiff compares the two PR diffs instead (a range-diff of the PR's change):

- a hunk of the new PR diff whose added and removed lines (line numbers and context left
  out, so a base that moved the code around does not count) are the same as a hunk of the
  old PR diff is **unchanged**: the author did not touch it since the old head;
- every other hunk of the new PR diff is **kept**, exactly as the new PR diff has it, so
  its line numbers are those of the new head (where review comments go);
- a hunk of the old PR diff that no new hunk matches was **rewritten or reverted**; a file
  of the old PR diff missing from the new one was **reverted** (it is back to the base).
  Neither is reviewed again: what is left there is base-branch code.

A conflict resolved against the base changes the PR's removed lines, so it is kept: the
author wrote it. Hunks that merely moved (the base added lines above them) are not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

__all__ = ["Interdiff", "interdiff", "split_files", "with_whole_files"]

_FILE = re.compile(rb"^diff --git ", re.MULTILINE)
_HUNK = re.compile(rb"^@@ ", re.MULTILINE)
_PATHS = re.compile(rb"^diff --git a/(.*?) b/(.*)$")
_INDEX = re.compile(rb"^index [0-9a-f]+\.\.[0-9a-f]+", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class _File:
    """One file section of a git diff: header and hunks, as raw bytes."""

    path: str
    header: bytes
    hunks: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class Interdiff:
    """The kept hunks as a diff, and what the push undid or left unchanged."""

    diff: bytes
    files: int  # files with at least one kept hunk
    unchanged_hunks: int  # hunks of the new PR diff already in the old one
    rewritten_hunks: int  # hunks of the old PR diff no longer there as they were
    reverted_files: tuple[str, ...]  # files the old PR diff changed and the new one does not

    @property
    def empty(self) -> bool:
        """True when the author changed nothing that is still in the PR."""
        return not self.diff.strip()

    def describe(self) -> str:
        """One line saying what the push changed, for logs and the summary."""
        parts = [f"{self.files} file(s) changed since the last reviewed head"]
        if self.unchanged_hunks:
            parts.append(f"{self.unchanged_hunks} hunk(s) unchanged (base updates left out)")
        if self.reverted_files:
            parts.append(f"{len(self.reverted_files)} file(s) no longer changed by the PR")
        return "; ".join(parts)


def split_files(diff: bytes) -> list[_File]:
    """The file sections of a git diff (text before the first ``diff --git`` is dropped)."""
    starts = [m.start() for m in _FILE.finditer(diff)]
    out = []
    for i, start in enumerate(starts):
        section = diff[start : starts[i + 1] if i + 1 < len(starts) else len(diff)]
        first = section.split(b"\n", 1)[0]
        match = _PATHS.match(first)
        path = (match.group(2) if match else first[len(b"diff --git ") :]).decode(
            "utf-8", "replace"
        )
        cuts = [m.start() for m in _HUNK.finditer(section)]
        header = section[: cuts[0]] if cuts else section
        hunks = tuple(section[c : cuts[j + 1] if j + 1 < len(cuts) else len(section)]
                      for j, c in enumerate(cuts))  # fmt: skip
        out.append(_File(path, header, hunks))
    return out


def _key(hunk: bytes) -> tuple[bytes, ...]:
    """A hunk's identity across pushes: its added and removed lines, in order."""
    lines = hunk.split(b"\n")[1:]
    return tuple(line for line in lines if line[:1] in (b"+", b"-"))


def _same_header(a: bytes, b: bytes) -> bool:
    """Headers equal but for the blob ids (which move with the base)."""
    return _INDEX.sub(b"index", a) == _INDEX.sub(b"index", b)


def interdiff(old_pr_diff: bytes, new_pr_diff: bytes) -> Interdiff:
    """The part of ``new_pr_diff`` the author changed since ``old_pr_diff`` (see module)."""
    old = {f.path: f for f in split_files(old_pr_diff)}
    kept: list[bytes] = []
    files = unchanged = rewritten = 0
    for f in split_files(new_pr_diff):
        before = old.pop(f.path, None)
        if before is None:
            kept.append(f.header + b"".join(f.hunks))
            files += 1
            continue
        pool = Counter(_key(h) for h in before.hunks)
        fresh = []
        for hunk in f.hunks:
            if pool[_key(hunk)] > 0:
                pool[_key(hunk)] -= 1
                unchanged += 1
            else:
                fresh.append(hunk)
        rewritten += sum(pool.values())
        if fresh or (not f.hunks and not _same_header(f.header, before.header)):
            kept.append(f.header + b"".join(fresh))
            files += 1
    return Interdiff(b"".join(kept), files, unchanged, rewritten, tuple(sorted(old)))


def with_whole_files(diff: bytes, whole: bytes, paths: Collection[str]) -> bytes:
    """``diff`` with the sections of ``paths`` replaced by their sections in ``whole``."""
    full = {f.path: f for f in split_files(whole)}
    out = []
    for f in split_files(diff):
        g = full.get(f.path, f) if f.path in paths else f
        out.append(g.header + b"".join(g.hunks))
    return b"".join(out)
