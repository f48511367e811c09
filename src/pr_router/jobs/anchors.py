"""Put a model's finding on a line GitHub accepts, or say why it cannot be.

GitHub takes an inline comment only on a line inside one of the diff's hunks: RIGHT for
added and context lines (new numbering), LEFT for removed and context lines (old numbering),
and a range must stay inside one hunk. Models get line numbers wrong now and then; a
finding is therefore *moved* to the nearest commentable line of the same file (and says
so), a range is clamped into the anchor's hunk, and a finding on a file that is not in the
diff is kept for the review body. Nothing is dropped, nothing is sent in a form GitHub
rejects with a 422.

``LineIndex`` is the small interface this needs; ``HunkLines`` implements it from the
parsed change set.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Literal, Protocol

from pr_router.changes.model import ChangeSet, FileChange

__all__ = ["Anchor", "HunkLines", "LineIndex", "Side", "normalise_path", "place"]

Side = Literal["RIGHT", "LEFT"]


class LineIndex(Protocol):
    """Which lines of which files accept an inline comment."""

    def has_file(self, path: str) -> bool:
        """True when ``path`` has hunks in the diff."""
        ...

    def hunk_of(self, path: str, line: int, side: Side) -> int | None:
        """Index of the hunk where ``line`` is commentable on ``side``, else None."""
        ...

    def nearest(self, path: str, line: int, side: Side) -> int | None:
        """The commentable line on ``side`` closest to ``line`` (ties: the earlier one)."""
        ...

    def hunk_lines(self, path: str, hunk: int, side: Side) -> tuple[int, ...]:
        """Sorted commentable lines of one hunk on ``side``."""
        ...

    def text_at(self, path: str, line: int, side: Side) -> str | None:
        """The text of a diff line, or None when it is not in the diff."""
        ...


@dataclass(frozen=True, slots=True)
class _FileLines:
    right: tuple[tuple[int, ...], ...]  # per hunk, sorted
    left: tuple[tuple[int, ...], ...]
    text_right: dict[int, str]
    text_left: dict[int, str]


class HunkLines:
    """``LineIndex`` built from a parsed ``ChangeSet``."""

    def __init__(self, changes: ChangeSet) -> None:
        """Index every file that has hunks."""
        self._files = {f.path: self._index(f) for f in changes.files if f.hunks}

    @staticmethod
    def _index(f: FileChange) -> _FileLines:
        right: list[tuple[int, ...]] = []
        left: list[tuple[int, ...]] = []
        text_right: dict[int, str] = {}
        text_left: dict[int, str] = {}
        for h in f.hunks:
            r = [dl.new_no for dl in h.lines if dl.kind != "-" and dl.new_no is not None]
            lft = [dl.old_no for dl in h.lines if dl.kind != "+" and dl.old_no is not None]
            right.append(tuple(sorted(r)))
            left.append(tuple(sorted(lft)))
            for dl in h.lines:
                if dl.kind != "-" and dl.new_no is not None:
                    text_right[dl.new_no] = dl.text
                if dl.kind != "+" and dl.old_no is not None:
                    text_left[dl.old_no] = dl.text
        return _FileLines(tuple(right), tuple(left), text_right, text_left)

    def _hunks(self, path: str, side: Side) -> tuple[tuple[int, ...], ...]:
        f = self._files.get(path)
        if f is None:
            return ()
        return f.right if side == "RIGHT" else f.left

    def has_file(self, path: str) -> bool:
        """True when ``path`` has hunks in the diff."""
        return path in self._files

    def hunk_of(self, path: str, line: int, side: Side) -> int | None:
        """Index of the hunk where ``line`` is commentable on ``side``, else None."""
        for i, lines in enumerate(self._hunks(path, side)):
            j = bisect.bisect_left(lines, line)
            if j < len(lines) and lines[j] == line:
                return i
        return None

    def nearest(self, path: str, line: int, side: Side) -> int | None:
        """The commentable line on ``side`` closest to ``line`` (ties: the earlier one)."""
        every = sorted(n for lines in self._hunks(path, side) for n in lines)
        if not every:
            return None
        j = bisect.bisect_left(every, line)
        candidates = every[max(0, j - 1) : j + 1]
        return min(candidates, key=lambda n: (abs(n - line), n))

    def hunk_lines(self, path: str, hunk: int, side: Side) -> tuple[int, ...]:
        """Sorted commentable lines of one hunk on ``side``."""
        hunks = self._hunks(path, side)
        return hunks[hunk] if 0 <= hunk < len(hunks) else ()

    def text_at(self, path: str, line: int, side: Side) -> str | None:
        """The text of a diff line, or None when it is not in the diff."""
        f = self._files.get(path)
        if f is None:
            return None
        return (f.text_right if side == "RIGHT" else f.text_left).get(line)


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a finding goes. ``line`` None: the file is not in the diff (review body)."""

    path: str
    line: int | None
    side: Side
    start_line: int | None = None
    moved_from: int | None = None  # the model's line when the anchor had to move
    exact: bool = True  # the anchor covers exactly the lines the model named


def normalise_path(path: str, index: LineIndex) -> str:
    """The model's path as the diff names it (``a/``, ``b/``, ``./`` and ``/`` removed)."""
    p = path.strip().strip("`").strip()
    if index.has_file(p):
        return p
    for prefix in ("./", "/", "a/", "b/"):
        if p.startswith(prefix) and index.has_file(p[len(prefix) :]):
            return p[len(prefix) :]
    return p


def _range_in_hunk(
    index: LineIndex, path: str, side: Side, line: int, start: int
) -> tuple[int | None, bool]:
    """The start line clamped into ``line``'s hunk; None for a single-line comment."""
    if start >= line:
        return None, start == line
    hunk = index.hunk_of(path, line, side)
    lines = index.hunk_lines(path, hunk, side) if hunk is not None else ()
    inside = [n for n in lines if start <= n < line]
    if not inside:
        return None, False
    return inside[0], inside[0] == start


def place(index: LineIndex, path: str, start: int, end: int, side: Side) -> Anchor:
    """Anchor a finding on ``start``..``end`` of ``side``; moved or clamped when needed."""
    path = normalise_path(path, index)
    if not index.has_file(path):
        return Anchor(path, None, side, exact=False)
    start, end = min(start, end), max(start, end)
    clipped = (
        index.hunk_of(path, end, side) is None and index.hunk_of(path, start, side) is not None
    )
    if clipped:
        end = start  # the model's range runs past its hunk: keep the part it started in
    if index.hunk_of(path, end, side) is not None:
        first, exact = _range_in_hunk(index, path, side, end, start)
        return Anchor(path, end, side, first, exact=exact and not clipped)
    other: Side = "LEFT" if side == "RIGHT" else "RIGHT"
    for s in (side, other):  # e.g. LEFT asked on a newly added file: only RIGHT exists
        near = index.nearest(path, end, s)
        if near is not None:
            return Anchor(path, near, s, moved_from=end, exact=False)
    return Anchor(path, None, side, exact=False)
