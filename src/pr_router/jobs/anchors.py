"""Put a model's finding on a line GitHub accepts, or say why it cannot be.

GitHub takes an inline comment only on a line inside one of the diff's hunks: RIGHT for
added and context lines (new numbering), LEFT for removed and context lines (old numbering),
and a range must stay inside one hunk. Models get line numbers wrong now and then; a
finding is therefore *moved* to the nearest commentable line of the same file (and says
so), a range is clamped into one hunk, and a finding on a file that is not in the diff is
kept for the review body. Nothing is dropped, nothing is sent in a form GitHub rejects
with a 422. The diff's geometry comes from ``pr_router.changes.LineMap``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pr_router.changes.linemap import LineMap, Side

__all__ = ["Anchor", "Side", "normalise_path", "place"]


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a finding goes. ``line`` None: the file is not in the diff (review body)."""

    path: str
    line: int | None
    side: Side
    start_line: int | None = None
    moved_from: int | None = None  # the model's line when the anchor had to move
    exact: bool = True  # the anchor covers exactly the lines the model named


def normalise_path(path: str, linemap: LineMap) -> str:
    """The model's path as the diff names it (``a/``, ``b/``, ``./`` and ``/`` removed)."""
    known = set(linemap.paths())
    p = path.strip().strip("`").strip()
    if p in known:
        return p
    for prefix in ("./", "/", "a/", "b/"):
        if p.startswith(prefix) and p[len(prefix) :] in known:
            return p[len(prefix) :]
    return p


def place(linemap: LineMap, path: str, start: int, end: int, side: Side) -> Anchor:
    """Anchor a finding on ``start``..``end`` of ``side``; clamped or moved when needed."""
    path = normalise_path(path, linemap)
    if path not in linemap.paths():
        return Anchor(path, None, side, exact=False)
    start, end = min(start, end), max(start, end)
    clamped = linemap.clamp_range(path, start, end, side)
    if clamped is not None:
        first, last = clamped
        return Anchor(
            path, last, side, first if first < last else None, exact=(first, last) == (start, end)
        )
    near = linemap.nearest(path, end, side)  # same side first; e.g. LEFT on an added file
    if near is None:
        return Anchor(path, None, side, exact=False)  # in the diff without lines (binary)
    return Anchor(path, near[0], near[1], moved_from=end, exact=False)
