"""What the author changed between two pushes of a PR, without the base branch's changes.

GitHub's PR diff at a head is ``merge-base(base, head) -> head``: the PR's own change,
whatever the base did. Comparing the old head with the new head directly (a plain
two-dot compare) is wrong as soon as the author merges the base branch into the PR or
rebases it onto a newer base: the base's commits show up as if the author wrote them.
The interdiff compares the two PR diffs instead (a range-diff of the PR's change):

- a hunk of the new PR diff whose added and removed lines (line numbers and context left
  out, so a base that moved the code around does not count) are the same as a hunk of the
  old PR diff is **unchanged**: the author did not touch it since the old head;
- every other hunk of the new PR diff is **kept**, with its new-side lines exactly as the
  new PR diff has them, so its line numbers are those of the new head (where review
  comments go). Inside it, only what is new is shown as changed: the added and removed
  lines of the file are aligned in order (``difflib.SequenceMatcher``) with those of the
  old PR diff's hunks no new hunk matched, and a ``+`` line the old PR diff already added
  there becomes a context line (it was reviewed: the model still reads it in place, but
  it is no longer a change), while a ``-`` line the old PR diff already removed is dropped
  (it is not in the new head, and it was reviewed as removed). Only lines after the
  hunk's last newly removed line are rewritten: a removed line carries its old-side
  number (a LEFT comment goes there) and a rewrite before it would shift that number.
  The hunk header's old-side count is rewritten to match (a hunk of a new file starts
  its old side at line 1 once it has context); a hunk left with no ``+`` or ``-`` line
  is **unchanged** too;
- a hunk of the old PR diff that no new hunk matches was **rewritten or reverted**; a file
  of the old PR diff missing from the new one was **reverted** (it is back to the base).
  Neither is reviewed again: what is left there is base-branch code.

``with_context`` gives the security scan its sensitive context: the files it names hold
every hunk of the new PR diff, with the lines the old one already had shown as context
(a hunk with nothing new is all context), so the scan reads the whole file's change while
only what the push changed counts as changed.

A conflict resolved against the base changes the PR's removed lines, so it is kept: the
author wrote it. Hunks that merely moved (the base added lines above them) are not.
The old side of a rewritten hunk's context is the PR as reviewed, not the base: review
comments on context go on the RIGHT side (new numbers), as the prompts say.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

__all__ = ["Interdiff", "interdiff", "split_files", "with_context"]

_FILE = re.compile(rb"^diff --git ", re.MULTILINE)
_HUNK = re.compile(rb"^@@ ", re.MULTILINE)
_PATHS = re.compile(rb"^diff --git a/(.*?) b/(.*)$")
_INDEX = re.compile(rb"^index [0-9a-f]+\.\.[0-9a-f]+", re.MULTILINE)
_OLD_SIDE = (b" ", b"-")  # an empty line is context too (some tools strip its space)
_HEADER = re.compile(rb"^@@ -(\d+)(?:,(\d+))? (\+\d+(?:,\d+)? @@.*)$", re.DOTALL)


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
    reviewed_lines: int = 0  # '+' lines of kept hunks already added: shown as context
    reviewed_removals: int = 0  # '-' lines of kept hunks already removed: left out

    @property
    def empty(self) -> bool:
        """True when the author changed nothing that is still in the PR."""
        return not self.diff.strip()

    def describe(self) -> str:
        """One line saying what the push changed, for logs and the summary."""
        parts = [f"{self.files} file(s) changed since the last reviewed head"]
        if self.unchanged_hunks:
            parts.append(f"{self.unchanged_hunks} hunk(s) unchanged (base updates left out)")
        if self.reviewed_lines:
            parts.append(f"{self.reviewed_lines} already reviewed line(s) shown as context")
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


def _body(hunk: bytes) -> tuple[bytes, list[bytes]]:
    """A hunk's header line and its body lines (each with its newline, if it had one)."""
    header, _, rest = hunk.partition(b"\n")
    lines = [line + b"\n" for line in rest.split(b"\n")]  # not splitlines: a lone \r is text
    lines[-1] = lines[-1][:-1]
    return header, lines if lines[-1] else lines[:-1]


def _changes(hunks: Sequence[bytes]) -> list[bytes]:
    """The ``+``/``-`` lines of ``hunks`` in order, without line endings (the alignment)."""
    return [line.rstrip(b"\r\n") for h in hunks for line in _body(h)[1]
            if line[:1] in (b"+", b"-")]  # fmt: skip


@dataclass(slots=True)
class _Tally:
    """Lines the rewrite turned into context or left out, across one interdiff."""

    context: int = 0
    dropped: int = 0


def _rewrite(
    hunk: bytes, seen: Sequence[bool], tally: _Tally, *, keep: bool = False
) -> bytes | None:
    """``hunk`` with its already-reviewed lines (``seen``, per ``+``/``-`` line) no longer
    changes (see module); None when nothing new is left in it (unless ``keep``: context)."""
    header, lines = _body(hunk)
    marks = [line[:1] for line in lines]
    change_at = [i for i, m in enumerate(marks) if m in (b"+", b"-")]
    seen_at = dict(zip(change_at, seen, strict=True))
    fresh_removals = [i for i in change_at if marks[i] == b"-" and not seen_at[i]]
    after = fresh_removals[-1] if fresh_removals else -1
    out: list[bytes] = []
    dropping = False
    for i, line in enumerate(lines):
        if marks[i] == b"\\":  # "\ No newline at end of file" follows its line
            if not dropping:
                out.append(line)
            continue
        dropping = i > after and seen_at.get(i, False) and marks[i] == b"-"
        if dropping:
            tally.dropped += 1
        elif i > after and seen_at.get(i, False):
            out.append(b" " + line[1:])
            tally.context += 1
        else:
            out.append(line)
    if not out or not (keep or any(line[:1] in (b"+", b"-") for line in out)):
        return None
    old_len = sum(1 for line in out if line[:1] in _OLD_SIDE or not line.strip(b"\r\n"))
    return _header(header, old_len) + b"".join(out)


def _header(header: bytes, old_len: int) -> bytes:
    """The hunk header with its old-side count set to ``old_len``."""
    match = _HEADER.match(header)
    if match is None:  # split_files cut at "@@ ": a header always matches
        raise ValueError(f"not a hunk header: {header[:60]!r}")
    start = int(match.group(1))
    if old_len and not int(match.group(2) or b"1"):
        start += 1  # a hunk of a new file: its old side starts at line 1 once it has lines
    return b"@@ -%d,%d %s\n" % (start, old_len, match.group(3))


def _seen(fresh: Sequence[bytes], old: Sequence[bytes]) -> list[bool]:
    """Per ``+``/``-`` line of ``fresh``: whether ``old`` has it at that place (aligned in
    order, so a line is matched once)."""
    new_lines, old_lines = _changes(fresh), _changes(old)
    seen = [False] * len(new_lines)
    if old_lines:
        matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        for block in matcher.get_matching_blocks():
            seen[block.b : block.b + block.size] = [True] * block.size
    return seen


def _narrow(fresh: list[bytes], old: list[bytes], tally: _Tally) -> tuple[list[bytes], int]:
    """The ``fresh`` hunks of one file rewritten against the ``old`` hunks no new hunk
    matched; the hunks left, and how many became unchanged."""
    seen = _seen(fresh, old)
    kept: list[bytes] = []
    at = 0
    for hunk in fresh:
        count = len(_changes([hunk]))
        rewritten = _rewrite(hunk, seen[at : at + count], tally)
        at += count
        if rewritten is not None:
            kept.append(rewritten)
    return kept, len(fresh) - len(kept)


def _unmatched(new: Sequence[bytes], old: Sequence[bytes]) -> tuple[list[bool], list[bytes]]:
    """Per hunk of ``new``, whether a hunk of ``old`` has its key; and the hunks of ``old``
    that no hunk of ``new`` has the key of."""
    pool = Counter(_key(h) for h in old)
    matched = []
    for hunk in new:
        matched.append(pool[_key(hunk)] > 0)
        pool[_key(hunk)] -= matched[-1]
    left = []
    for hunk in reversed(old):  # the matched ones are taken as the first of equal hunks
        if pool[_key(hunk)] > 0:
            pool[_key(hunk)] -= 1
            left.append(hunk)
    return matched, left[::-1]


def interdiff(old_pr_diff: bytes, new_pr_diff: bytes) -> Interdiff:
    """The part of ``new_pr_diff`` the author changed since ``old_pr_diff`` (see module)."""
    old = {f.path: f for f in split_files(old_pr_diff)}
    kept: list[bytes] = []
    files = unchanged = rewritten = 0
    tally = _Tally()
    for f in split_files(new_pr_diff):
        before = old.pop(f.path, None)
        if before is None:
            kept.append(f.header + b"".join(f.hunks))
            files += 1
            continue
        matched, left = _unmatched(f.hunks, before.hunks)
        fresh = [h for h, m in zip(f.hunks, matched, strict=True) if not m]
        unchanged += len(f.hunks) - len(fresh)
        rewritten += len(left)
        fresh, emptied = _narrow(fresh, left, tally)
        unchanged += emptied
        if fresh or (not f.hunks and not _same_header(f.header, before.header)):
            kept.append(f.header + b"".join(fresh))
            files += 1
    return Interdiff(b"".join(kept), files, unchanged, rewritten, tuple(sorted(old)),
                     tally.context, tally.dropped)  # fmt: skip


def _all_hunks(f: _File, before: _File | None) -> bytes:
    """Every hunk of ``f`` with the lines ``before`` already had shown as context."""
    if before is None:  # the file came into the PR since: all of it is new
        return b"".join(f.hunks)
    matched, left = _unmatched(f.hunks, before.hunks)
    fresh = [h for h, m in zip(f.hunks, matched, strict=True) if not m]
    seen, at, tally = _seen(fresh, left), 0, _Tally()
    out = []
    for hunk, whole in zip(f.hunks, matched, strict=True):
        count = len(_changes([hunk]))
        flags = [True] * count if whole else seen[at : at + count]
        at += 0 if whole else count
        out.append(_rewrite(hunk, flags, tally, keep=True) or b"")
    return b"".join(out)


def with_context(diff: bytes, old_pr_diff: bytes, new_pr_diff: bytes,
                 paths: Collection[str]) -> bytes:  # fmt: skip
    """``diff`` (an interdiff of the two PR diffs) with the sections of ``paths`` holding
    every hunk the new PR diff has there, what the old one already had shown as context."""
    old = {f.path: f for f in split_files(old_pr_diff)}
    new = {f.path: f for f in split_files(new_pr_diff)}
    out = []
    for f in split_files(diff):
        g = new.get(f.path) if f.path in paths else None
        out.append(g.header + _all_hunks(g, old.get(f.path)) if g else f.header + b"".join(f.hunks))
    return b"".join(out)
