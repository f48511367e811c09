"""Read plain ``git diff`` output in one pass: its files, their hunks and hunk bodies.

unidiff reads any unified diff, trying a dozen regexes on every line; most diffs are
git's own output, whose structure this reader recognises while it slices the hunk bodies.
It reads a diff only where it is sure unidiff reads it the same way (the same files at the
same lines, the same hunks, counts and binary flags); on anything else (another format,
carriage returns, a malformed or unusual line) it returns None and the caller asks unidiff,
which also words the errors. ``tests/changes/test_scan.py`` holds the two to the same result
on every diff the project has, and on damaged copies of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from unidiff.constants import (
    RE_BINARY_DIFF,
    RE_DIFF_GIT_DELETED_FILE,
    RE_DIFF_GIT_HEADER,
    RE_DIFF_GIT_HEADER_NO_PREFIX,
    RE_DIFF_GIT_HEADER_URI_LIKE,
    RE_HUNK_HEADER,
    RE_TARGET_FILENAME,
)

from pr_router.changes.model import DiffLine, Hunk

__all__ = ["ScannedFile", "read_hunk", "scan_git"]

_GIT = "diff --git "
_DEV_NULL = "/dev/null"
_NO_NEWLINE = "\\ No newline at end of file"
# Lines that change unidiff's structure outside a file's header (a file, a hunk, an error).
# Any other line there is "patch info" to unidiff: text between files, such as a commit
# message or a format-patch signature.
_STRUCTURAL = (
    "diff --git",
    "new file mode ",
    "deleted file mode ",
    "--- ",
    "+++ ",
    "@@",
    "\\",
    "Binary file",
    "GIT binary patch",
)


@dataclass(frozen=True, slots=True)
class ScannedFile:
    """One file of a git diff: where its ``diff --git`` line is, its hunks and counts."""

    start: int  # index of its "diff --git" line
    hunks: tuple[Hunk, ...]
    added: int
    removed: int
    binary: bool  # a "Binary files ... differ" or "GIT binary patch" line


def scan_git(lines: list[str]) -> list[ScannedFile] | None:
    """The files of a git diff split on newlines, or None where unidiff must read it.

    ``lines`` holds no carriage return and no combined (``diff --cc``) section.
    """
    end = len(lines) - 1 if lines[-1] == "" else len(lines)  # "" after the last newline
    files: list[ScannedFile] = []
    i = 0
    while i < end:
        line = lines[i]
        if not line.startswith(_STRUCTURAL):
            i += 1  # text before or between files
            continue
        if not line.startswith(_GIT):
            return None
        scanned, i = _scan_file(lines, i, end)
        if scanned is None:
            return None
        files.append(scanned)
    return files or None


def _git_target(line: str) -> str | None:
    """The head-side name unidiff reads from a ``diff --git`` line (None: it reads none)."""
    found = (
        RE_DIFF_GIT_HEADER.match(line)
        or RE_DIFF_GIT_HEADER_URI_LIKE.match(line)
        or RE_DIFF_GIT_HEADER_NO_PREFIX.match(line)
    )
    return found.group("target") if found else None


def _scan_file(lines: list[str], start: int, end: int) -> tuple[ScannedFile | None, int]:
    """One file from its ``diff --git`` line; the index after it (None: unidiff must read)."""
    target = _git_target(lines[start])
    if target is None:
        return None, start
    i = start + 1
    while i < end:  # the extended header lines, up to the first hunk
        line = lines[i]
        if line.startswith(("@@", _GIT)):
            break
        if line.startswith("+++ "):
            found = RE_TARGET_FILENAME.match(line)
            if found is None or found.group("filename") != target:
                return None, i  # unidiff: "Target without source"
        elif line.startswith("deleted file mode "):
            if RE_DIFF_GIT_DELETED_FILE.match(line):
                target = _DEV_NULL
        elif line.startswith(("Binary file", "GIT binary patch")):
            if RE_BINARY_DIFF.match(line) or (line == "GIT binary patch" and i + 1 < len(lines)):
                return ScannedFile(start, (), 0, 0, True), i + 1  # the file ends here
        elif line.startswith("\\"):
            return None, i
        i += 1
    hunks: list[Hunk] = []
    added = removed = 0
    while i < end:
        line = lines[i]
        if line.startswith("@@"):
            hunk, i = _scan_hunk(lines, i, end)
            if hunk is None:
                return None, i
            hunks.append(hunk)
            # The body fits the header: its lines are the added ones plus the old side's.
            added += len(hunk.lines) - hunk.old_len
            removed += len(hunk.lines) - hunk.new_len
        elif line == "" and hunks:
            i += 1  # an empty line after a hunk belongs to the file
        elif line.startswith(_STRUCTURAL) and not line.startswith(_GIT):
            return None, i
        else:
            break  # the next file, or text between files
    return ScannedFile(start, tuple(hunks), added, removed, False), i


def _scan_hunk(lines: list[str], i: int, end: int) -> tuple[Hunk | None, int]:
    """The hunk whose ``@@`` line is ``lines[i]`` (None: unidiff must read it)."""
    found = RE_HUNK_HEADER.match(lines[i])
    if found is None:
        return None, i
    old_start, old_len, new_start, new_len, section = found.groups()
    head = (
        int(old_start),
        1 if old_len is None else int(old_len),
        int(new_start),
        1 if new_len is None else int(new_len),
    )
    if head[1] == head[3] == 0:
        return None, i  # unidiff reads a line into an empty hunk
    try:
        hunk, after = read_hunk(head, section, lines, i + 1, crlf=False, marker=_NO_NEWLINE)
    except IndexError:
        return None, i  # the diff ends inside the hunk
    if hunk is None or after > end:
        return None, i
    return hunk, after


def read_hunk(
    head: tuple[int, int, int, int],
    section: str,
    lines: list[str],
    i: int,
    *,
    crlf: bool = True,
    marker: str = "\\",
) -> tuple[Hunk | None, int]:
    """Read one hunk body starting at ``lines[i]``; return it and the next index.

    ``head`` is the ``@@`` line's old start, old length, new start and new length. The hunk
    is None when its body does not fit them: a line that is not a hunk line, or more lines
    of one side than the header says. A ``\\`` line right after the body counts as the
    "no newline" marker when it starts with ``marker``. ``crlf`` False says the diff holds
    no carriage return (most do not): no line is then tested for one.

    One flat loop on purpose: it runs once per diff line, and a helper call per
    line would cost about a fifth of the whole parse. For the same reason each
    ``DiffLine`` is made by ``tuple.__new__`` itself, which is what the named tuple's
    constructor calls, without its extra Python frame (a third of the cost of a line).
    """
    old_no, old_left, new_no, new_left = head
    body: list[DiffLine] = []
    append = body.append
    new = tuple.__new__
    line_type = DiffLine
    no_newline_old = no_newline_new = False
    last = " "
    while old_left > 0 or new_left > 0:
        line = lines[i]
        i += 1
        mark = line[:1]
        # CRLF content: the \r belongs to the line ending, not to the text.
        text = line[1:-1] if crlf and line[-1:] == "\r" else line[1:]
        if mark == "+":
            append(new(line_type, ("+", text, None, new_no)))
            new_no += 1
            new_left -= 1
        elif mark == "-":
            append(new(line_type, ("-", text, old_no, None)))
            old_no += 1
            old_left -= 1
        elif mark == "\\":
            no_newline_old, no_newline_new = _marker(last, no_newline_old, no_newline_new)
            continue
        elif mark in {" ", "\r"} or not line:  # " ", or an empty line stripped of its space
            append(new(line_type, (" ", text if mark == " " else "", old_no, new_no)))
            old_no += 1
            new_no += 1
            old_left -= 1
            new_left -= 1
        else:
            return None, i
        last = mark
    if old_left or new_left:
        return None, i
    if i < len(lines) and lines[i].startswith(marker):
        no_newline_old, no_newline_new = _marker(last, no_newline_old, no_newline_new)
        i += 1
    start = head[0], head[1], head[2], head[3]
    return Hunk(*start, section.rstrip("\r"), tuple(body), no_newline_old, no_newline_new), i


def _marker(last: str, old: bool, new: bool) -> tuple[bool, bool]:
    """Apply a "\\ No newline at end of file" that follows a line marked ``last``."""
    return old or last != "+", new or last != "-"
