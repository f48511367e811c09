"""Which diff lines GitHub accepts an inline review comment on, per file and side.

GitHub anchors a comment to a line inside one of the PR diff's hunks: RIGHT for added and
context lines (new-file numbering), LEFT for removed and context lines (old-file numbering).
A multi-line comment's start and end must lie in the same hunk. Anything else is a 422.
Used by the emulator to answer like GitHub, and by publishing to pre-check findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["DiffMap", "Hunk", "parse_diff_map"]

_HUNK_RE = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


@dataclass(frozen=True, slots=True)
class Hunk:
    """The lines of one hunk that can carry a comment, per side."""

    left: frozenset[int]
    right: frozenset[int]

    def lines(self, side: str) -> frozenset[int]:
        """The commentable line numbers on ``side`` (LEFT or RIGHT)."""
        return self.left if side == "LEFT" else self.right


@dataclass(slots=True)
class DiffMap:
    """Commentable lines of a whole diff, keyed by the path GitHub uses for comments."""

    files: dict[str, list[Hunk]] = field(default_factory=dict)

    def _hunk_of(self, path: str, side: str, line: int) -> int | None:
        for i, hunk in enumerate(self.files.get(path, ())):
            if line in hunk.lines(side):
                return i
        return None

    def check(
        self,
        path: str,
        line: int,
        side: str = "RIGHT",
        start_line: int | None = None,
        start_side: str | None = None,
    ) -> str | None:
        """None when GitHub would accept the comment, else GitHub's reason for a 422."""
        if path not in self.files:
            return "Path could not be resolved"
        end = self._hunk_of(path, side, line)
        if end is None:
            return "Line could not be resolved"
        if start_line is None:
            return None
        if start_line >= line:
            return "start_line must precede line"
        start = self._hunk_of(path, start_side or side, start_line)
        if start is None:
            return "Start line could not be resolved"
        if start != end:
            return "start_line must be part of the same hunk as the line."
        return None


def _unquote(raw: str) -> str:
    """Undo git's C-style quoting of a path ("a/sp\\tace" -> a/sp<TAB>ace)."""
    if not (raw.startswith('"') and raw.endswith('"')):
        return raw
    out: list[str] = []
    body = raw[1:-1]
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _header_path(line: bytes) -> str | None:
    """The path in a ``---``/``+++`` line without its a/ or b/ prefix; None for /dev/null."""
    raw = line[4:].split(b"\t")[0].rstrip(b"\r").decode("utf-8", "replace")
    path = _unquote(raw)
    if path == "/dev/null":
        return None
    return path[2:] if path[:2] in ("a/", "b/") else path


@dataclass(slots=True)
class _Open:
    """A hunk being read: next line numbers and how many lines each side still expects."""

    old: int
    new: int
    old_left: int
    new_left: int
    left: set[int] = field(default_factory=set)
    right: set[int] = field(default_factory=set)

    @property
    def done(self) -> bool:
        return self.old_left <= 0 and self.new_left <= 0

    def take(self, line: bytes) -> None:
        tag = line[:1]
        if tag == b"-":
            self.left.add(self.old)
            self.old, self.old_left = self.old + 1, self.old_left - 1
        elif tag == b"+":
            self.right.add(self.new)
            self.new, self.new_left = self.new + 1, self.new_left - 1
        elif tag in (b" ", b"", b"\r"):  # some tools strip the blank of empty context lines
            self.left.add(self.old)
            self.right.add(self.new)
            self.old, self.old_left = self.old + 1, self.old_left - 1
            self.new, self.new_left = self.new + 1, self.new_left - 1
        else:  # not a hunk line: the hunk header lied about its size; stop here
            self.old_left = self.new_left = 0


def _count(raw: bytes | None) -> int:
    return 1 if raw is None else int(raw)


def parse_diff_map(diff: bytes) -> DiffMap:
    """Map a unified diff (as GitHub serves it) to commentable lines; tolerant of junk."""
    opened: dict[str, list[_Open]] = {}
    old_path: str | None = None
    new_path: str | None = None
    hunk: _Open | None = None
    for line in diff.split(b"\n"):
        if line.startswith(b"\\"):  # "\ No newline at end of file"
            continue
        # Counting lines, not prefixes, tells a removed "-- x" line from a "--- x" header.
        if hunk is not None and not hunk.done:
            hunk.take(line)
            continue
        match = _HUNK_RE.match(line)
        path = new_path or old_path
        if match and path is not None:
            hunk = _Open(int(match[1]), int(match[3]), _count(match[2]), _count(match[4]))
            opened.setdefault(path, []).append(hunk)
        elif line.startswith(b"diff --git "):
            old_path = new_path = None
        elif line.startswith(b"--- "):
            old_path = _header_path(line)
        elif line.startswith(b"+++ "):
            new_path = _header_path(line)
    return DiffMap(
        {
            path: [Hunk(frozenset(h.left), frozenset(h.right)) for h in hunks]
            for path, hunks in opened.items()
        }
    )
