"""Which lines of a diff GitHub accepts review comments on, and what they say.

GitHub takes an inline comment on any line inside a hunk: on the RIGHT side
(head file) for context and added lines, on the LEFT side (base file) for context
and removed lines. A multi-line comment must start and end in the same hunk.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from pr_router.changes.model import FileChange, Hunk

__all__ = ["LineMap", "Side"]

Side = Literal["RIGHT", "LEFT"]


@dataclass(frozen=True, slots=True)
class _SideIndex:
    """One side of one file: line texts, sorted line numbers, and hunk ranges."""

    texts: dict[int, str]
    numbers: list[int]
    ranges: list[tuple[int, int]]  # inclusive (first, last) per hunk with lines on this side


class LineMap:
    """Answers "can a review comment go on this line?" for the files of a diff.

    When a path appears more than once (``git log -p`` output), its last entry wins.
    """

    def __init__(self, files: Iterable[FileChange]) -> None:
        self._files = {change.path: change for change in files}
        self._index: dict[tuple[str, Side], _SideIndex] = {}

    def paths(self) -> tuple[str, ...]:
        """The paths this map knows, in diff order."""
        return tuple(self._files)

    def side_of(self, path: str, line: int, side: Side) -> bool:
        """Whether ``line`` of ``path`` is part of the diff on ``side``."""
        return line in self._side(path, side).texts

    def text_at(self, path: str, line: int, side: Side) -> str | None:
        """The text of that line as the diff shows it, or None if it is not in the diff."""
        return self._side(path, side).texts.get(line)

    def nearest(self, path: str, line: int, side: Side) -> tuple[int, Side] | None:
        """The commentable line closest to ``line`` (same side first); None without hunks."""
        other: Side = "LEFT" if side == "RIGHT" else "RIGHT"
        for candidate_side in (side, other):
            numbers = self._side(path, candidate_side).numbers
            if numbers:
                return _closest(numbers, line), candidate_side
        return None

    def clamp_range(self, path: str, start: int, end: int, side: Side) -> tuple[int, int] | None:
        """The part of ``start..end`` GitHub accepts as one comment: inside a single hunk.

        Picks the hunk that overlaps the range most (the later one on a tie, since
        GitHub anchors a comment at its end line); None if no hunk overlaps.
        """
        if start > end:
            start, end = end, start
        best: tuple[int, int] | None = None
        best_overlap = 0
        for first, last in self._side(path, side).ranges:
            overlap = min(end, last) - max(start, first) + 1
            if overlap > 0 and overlap >= best_overlap:
                best, best_overlap = (max(start, first), min(end, last)), overlap
        return best

    def _side(self, path: str, side: Side) -> _SideIndex:
        """The index of one side of one file, built on first use."""
        key = (path, side)
        index = self._index.get(key)
        if index is None:
            change = self._files.get(path)
            index = _build(change.hunks if change else (), side)
            self._index[key] = index
        return index


def _build(hunks: tuple[Hunk, ...], side: Side) -> _SideIndex:
    """Collect one side's lines from the hunks."""
    texts: dict[int, str] = {}
    ranges: list[tuple[int, int]] = []
    for hunk in hunks:
        if side == "RIGHT":
            numbers = [(ln.new_no, ln.text) for ln in hunk.lines if ln.new_no is not None]
        else:
            numbers = [(ln.old_no, ln.text) for ln in hunk.lines if ln.old_no is not None]
        if numbers:
            texts.update(numbers)
            ranges.append((numbers[0][0], numbers[-1][0]))
    return _SideIndex(texts=texts, numbers=sorted(texts), ranges=ranges)


def _closest(numbers: list[int], line: int) -> int:
    """The member of sorted ``numbers`` closest to ``line`` (the lower one on a tie)."""
    at = bisect_left(numbers, line)
    if at == 0:
        return numbers[0]
    if at == len(numbers):
        return numbers[-1]
    before, after = numbers[at - 1], numbers[at]
    return after if after - line < line - before else before
