"""Combined (merge) diffs: ``diff --cc`` / ``diff --combined`` sections, which unidiff cannot read.

A combined hunk has one marker column per parent. pr-router keeps only the file
and its counts: a line with ``+`` in any column is counted as added, one with
``-`` in any column as removed. GitHub never reviews combined diffs, so there are
no hunks to map lines onto.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pr_router.changes._paths import unquote

_STARTS = ("diff --cc ", "diff --combined ")
_HEADER = re.compile(r"^(@{3,}) ((?:-\d+(?:,\d+)? )+)\+(\d+)(?:,(\d+))? @{3,}")
_RANGE = re.compile(r"-\d+(?:,(\d+))?")


@dataclass(frozen=True, slots=True)
class CombinedEntry:
    """One file of a combined diff: where it sits in the diff and what it counts."""

    first: int  # index of its "diff --cc" line
    end: int  # index just past its last line
    path: str
    added: int
    removed: int
    new_file: bool


def has_combined(text: str) -> bool:
    """Cheap test: could ``text`` hold a combined diff section at all?"""
    return any(start in text for start in _STARTS)


def find_combined(lines: list[str]) -> list[CombinedEntry]:
    """Every combined-diff file entry in ``lines`` (split on newlines)."""
    entries: list[CombinedEntry] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(_STARTS):
            entry = _read_entry(lines, i)
            entries.append(entry)
            i = entry.end
        else:
            i += 1
    return entries


def _read_entry(lines: list[str], first: int) -> CombinedEntry:
    """Read one entry: header lines, then hunks until their counts are used up."""
    path = unquote(lines[first].split(" ", 2)[2].rstrip("\r"))
    new_file = False
    added = removed = 0
    i = first + 1
    while i < len(lines) and not lines[i].startswith("@@@"):
        if lines[i].startswith(_STARTS) or lines[i].startswith("diff --git "):
            return CombinedEntry(first, i, path, 0, 0, new_file)
        new_file = new_file or lines[i].startswith("new file mode")
        i += 1
    while i < len(lines):
        match = _HEADER.match(lines[i])
        if not match:
            break
        i, hunk_added, hunk_removed = _read_hunk(lines, i + 1, match)
        added += hunk_added
        removed += hunk_removed
    return CombinedEntry(first, i, path, added, removed, new_file)


def _read_hunk(lines: list[str], i: int, header: re.Match[str]) -> tuple[int, int, int]:
    """Consume one combined hunk body; return the next index and its +/- counts."""
    parents = len(header.group(1)) - 1
    want = [int(m.group(1) or 1) for m in _RANGE.finditer(header.group(2))]
    result_left = int(header.group(4) or 1)
    added = removed = 0
    while i < len(lines) and (result_left > 0 or any(n > 0 for n in want)):
        columns = lines[i][:parents].ljust(parents)
        if columns[0] == "\\":  # "\ No newline at end of file"
            i += 1
            continue
        if set(columns) - {" ", "+", "-"}:
            break
        # A "-" line exists only in the parents marked "-"; any other line is in
        # the result and in every parent whose column is blank.
        gone = "-" in columns
        for p, mark in enumerate(columns[: len(want)]):
            if mark == ("-" if gone else " "):
                want[p] -= 1
        if gone:
            removed += 1
        else:
            result_left -= 1
            added += "+" in columns
        i += 1
    return i, added, removed
