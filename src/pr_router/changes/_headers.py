"""What the lines before a file's first hunk say: names, status, modes, similarity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pr_router.changes import _paths

__all__ = ["Header", "git_header", "plain_header"]


@dataclass(slots=True)
class Header:
    """What the lines before the first hunk say about a file."""

    old_name: str | None = None
    new_name: str | None = None
    rename: bool = False
    copy: bool = False
    new_file: bool = False
    deleted: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    similarity: int | None = None
    binary: bool = False


_GIT_HEADER_PREFIXES = (
    "old mode ",
    "new mode ",
    "new file mode ",
    "deleted file mode ",
    "similarity index ",
    "dissimilarity index ",
    "rename from ",
    "rename to ",
    "copy from ",
    "copy to ",
    "index ",
    "--- ",
    "+++ ",
    "Binary files ",
    "GIT binary patch",
)


def git_header(lines: list[str], start: int) -> Header:
    """Read the ``diff --git`` line and the extended header lines that follow it."""
    header = Header()
    names = _paths.split_git_header(lines[start])
    minus = plus = None
    for index in range(start + 1, len(lines)):
        line = lines[index].rstrip("\r")
        if not line.startswith(_GIT_HEADER_PREFIXES):
            break
        if line.startswith("--- "):
            minus = line[4:]
        elif line.startswith("+++ "):
            plus = line[4:]
        else:
            _git_header_line(header, line)
    prefixed = _paths.git_prefixed(*names) if names else _prefixed_by(minus, plus)
    header.old_name, header.new_name = _git_names(header, names, minus, plus, prefixed)
    return header


def _prefixed_by(minus: str | None, plus: str | None) -> bool:
    """Whether ---/+++ names carry a/ b/ prefixes (when the diff --git line was unclear)."""
    sides = [n for n in (minus, plus) if n is not None and n != _paths.DEV_NULL]
    return bool(sides) and all(_paths.strip_prefix(n.strip('"')) != n.strip('"') for n in sides)


def _git_header_line(header: Header, line: str) -> None:
    """Apply one extended header line (modes, rename/copy, similarity, binary)."""
    key, _, value = line.partition(" ")
    if line.startswith(("rename from ", "copy from ")):
        header.old_name = _paths.unquote(line.split(" ", 2)[2])
        header.rename, header.copy = key == "rename", key == "copy"
    elif line.startswith(("rename to ", "copy to ")):
        header.new_name = _paths.unquote(line.split(" ", 2)[2])
    elif line.startswith("new file mode "):
        header.new_file, header.new_mode = True, line.rsplit(" ", 1)[1]
    elif line.startswith("deleted file mode "):
        header.deleted, header.old_mode = True, line.rsplit(" ", 1)[1]
    elif line.startswith("old mode "):
        header.old_mode = value.split(" ", 1)[1]
    elif line.startswith("new mode "):
        header.new_mode = value.split(" ", 1)[1]
    elif line.startswith(("similarity index ", "dissimilarity index ")):
        digits = line.rsplit(" ", 1)[1].rstrip("%")
        header.similarity = int(digits) if digits.isdigit() else None
    elif key == "index":
        parts = value.split(" ")
        if len(parts) == 2:  # "index abc..def 100644": the mode did not change
            header.old_mode = header.old_mode or parts[1]
            header.new_mode = header.new_mode or parts[1]
    else:  # "Binary files ... differ", "GIT binary patch"
        header.binary = True


def _git_names(
    header: Header,
    names: tuple[str, str] | None,
    minus: str | None,
    plus: str | None,
    prefixed: bool,
) -> tuple[str | None, str | None]:
    """Base and head names: rename/copy lines win, then ---/+++, then the diff --git line."""
    old, new = header.old_name, header.new_name
    if old is None:
        old = _git_side(minus, names[0] if names else None, prefixed)
    if new is None:
        new = _git_side(plus, names[1] if names else None, prefixed)
    if header.new_file:
        old = None
    if header.deleted:
        new = None
    return old, new


def _git_side(header_name: str | None, fallback: str | None, prefixed: bool) -> str | None:
    """One side's name from a ---/+++ line, else from the diff --git line."""
    if header_name is not None:
        if not header_name.startswith('"'):
            header_name = header_name.split("\t", 1)[0]  # git adds a tab after names with spaces
        if header_name == _paths.DEV_NULL:
            return None
        name = _paths.unquote(header_name)
    elif fallback is not None:
        name = fallback
    else:
        return None
    return _paths.strip_prefix(name) if prefixed else name


def plain_header(pf: Any) -> Header:
    """Names and status of a non-git unified diff entry (diff -u, hg, svn, bzr)."""
    source = _paths.unquote(_paths.strip_timestamp(pf.source_file, pf.source_timestamp))
    target = _paths.unquote(_paths.strip_timestamp(pf.target_file, pf.target_timestamp))
    source, target = _paths.strip_plain_prefixes(source, target)
    header = Header(old_name=source, new_name=target, binary=bool(pf.is_binary_file))
    if source == _paths.DEV_NULL or _only_hunk_is(pf, old_side=True):
        header.old_name, header.new_file = None, True
    elif target == _paths.DEV_NULL or _only_hunk_is(pf, old_side=False):
        header.new_name, header.deleted = None, True
    return header


def _only_hunk_is(pf: Any, *, old_side: bool) -> bool:
    """Whether the single hunk is ``-0,0`` (a creation) or ``+0,0`` (a deletion)."""
    if len(pf) != 1:
        return False
    hunk = pf[0]
    if old_side:
        return bool(hunk.source_start == 0 and hunk.source_length == 0)
    return bool(hunk.target_start == 0 and hunk.target_length == 0)
