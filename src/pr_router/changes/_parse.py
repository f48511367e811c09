"""Turn the bytes of a unified diff into ``FileChange`` values.

unidiff validates the structure and finds the files and hunks (in its fast
``metadata_only`` mode); the hunk bodies are then sliced straight out of the
decoded lines, which costs less than having unidiff build a ``Line`` object per
line and converting those again. File names and statuses come from the git
extended headers, which unidiff keeps only partly.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from pr_router.changes import _paths
from pr_router.changes._classify import classify, language_of
from pr_router.changes._combined import CombinedEntry, find_combined, has_combined
from pr_router.changes.model import ChangeStatus, DiffLine, FileChange, FileKind, Hunk
from pr_router.errors import DiffError

__all__ = ["DEFAULT_MAX_BYTES", "parse_diff"]

DEFAULT_MAX_BYTES = 50_000_000

_HUNK_HEADER = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_SYMLINK = "120000"
_GITLINK = "160000"
_SAMPLE_LINES = 10  # head-side lines read for "generated" markers


def parse_diff(
    data: bytes, *, source: str = "<diff>", max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[FileChange, ...]:
    """Parse a unified diff (git, hg, svn, diff -u, log -p, format-patch) into files.

    Raises ``DiffError`` naming ``source`` when the diff is empty, malformed or
    larger than ``max_bytes``.
    """
    if len(data) > max_bytes:
        raise DiffError(
            f"{source} is too large: {len(data)} bytes, the limit is {max_bytes}",
            hint="raise the limit with max_bytes, or ignore generated files",
        )
    # Invalid UTF-8 must never stop a review: undecodable bytes become U+FFFD.
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    combined: list[CombinedEntry] = []
    if has_combined(text):
        combined = find_combined(lines)
        text = _blank_out(lines, combined)
    patch = _run_unidiff(text, source)
    ordered: list[tuple[int, FileChange]] = [
        (pf.diff_line_no - 1, _file_change(pf, lines)) for pf in patch
    ]
    ordered += [(entry.first, _combined_change(entry)) for entry in combined]
    if not ordered:
        raise DiffError(f"{source} is empty: no file changes found")
    ordered.sort(key=lambda item: item[0])
    return tuple(change for _, change in ordered)


def _blank_out(lines: list[str], entries: list[CombinedEntry]) -> str:
    """The diff text with combined sections emptied (line numbers kept) for unidiff."""
    masked = list(lines)
    for entry in entries:
        masked[entry.first : entry.end] = [""] * (entry.end - entry.first)
    return "\n".join(masked)


def _run_unidiff(text: str, source: str) -> Any:
    """unidiff's file/hunk structure, or a one-line ``DiffError`` naming where it broke."""
    try:
        return PatchSet(StringIO(text), metadata_only=True)
    except UnidiffParseError as exc:
        where = _failing_line(text)
        raise DiffError(f"{source}: malformed diff at line {where}: {_explain(exc)}") from None


def _failing_line(text: str) -> int:
    """Re-run unidiff while counting lines, to name the line it stops at (errors only)."""
    seen = [0]

    def counting(stream: StringIO) -> Iterator[str]:
        for number, line in enumerate(stream, 1):
            seen[0] = number
            yield line

    with contextlib.suppress(UnidiffParseError):
        PatchSet(counting(StringIO(text)), metadata_only=True)
    return seen[0]


_EXPLANATIONS = (
    ("Hunk diff line expected", "expected a hunk line starting with ' ', '+' or '-'"),
    ("Hunk is longer than expected", "hunk has more lines than its @@ header says"),
    ("Hunk is shorter than expected", "hunk has fewer lines than its @@ header says"),
    ("Target without source", "'+++' file header without a matching '---' header"),
    ("Unexpected hunk found", "@@ hunk header outside any file entry"),
)


def _explain(exc: UnidiffParseError) -> str:
    """unidiff's message in our words, without the raw line it quotes."""
    message = str(exc)
    for prefix, explanation in _EXPLANATIONS:
        if message.startswith(prefix):
            return explanation
    return message.strip().splitlines()[0] if message.strip() else "unreadable diff"


@dataclass(slots=True)
class _Header:
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


def _file_change(pf: Any, lines: list[str]) -> FileChange:
    """Build one ``FileChange`` from unidiff's view of a file and the raw lines."""
    start = pf.diff_line_no - 1
    if lines[start].startswith("diff --git "):
        header = _git_header(lines, start)
    else:
        header = _plain_header(pf)
    hunks = _slice_hunks(pf, lines, start)
    status = _status(header, hunks)
    old, new = header.old_name, header.new_name
    path = (old if status is ChangeStatus.DELETED else new) or old or new or ""
    binary = header.binary or bool(pf.is_binary_file)
    modes = (header.old_mode, header.new_mode)
    submodule = _GITLINK in modes
    sample = _sample(hunks)
    kind = FileKind.VENDORED if submodule else classify(path, binary=binary, content_sample=sample)
    code_like = kind in (FileKind.CODE, FileKind.TEST)
    return FileChange(
        path=path,
        old_path=old if status in (ChangeStatus.RENAMED, ChangeStatus.COPIED) else None,
        status=status,
        kind=kind,
        added=int(pf.added),
        removed=int(pf.removed),
        hunks=hunks,
        binary=binary,
        old_mode=header.old_mode,
        new_mode=header.new_mode,
        symlink=_SYMLINK in modes,
        language=language_of(path, sample) if code_like else None,
        similarity=header.similarity,
        submodule=submodule,
    )


def _status(header: _Header, hunks: tuple[Hunk, ...]) -> ChangeStatus:
    """How the file changed, from the header (and, for plain diffs, the hunks)."""
    if header.new_file or header.old_name is None:
        return ChangeStatus.ADDED
    if header.deleted or header.new_name is None:
        return ChangeStatus.DELETED
    if header.copy:
        return ChangeStatus.COPIED
    if header.rename:
        return ChangeStatus.RENAMED
    return ChangeStatus.MODIFIED


def _sample(hunks: tuple[Hunk, ...]) -> str:
    """The first head-side lines of the file, when the diff shows them."""
    if not hunks or hunks[0].new_start > 1:
        return ""
    texts = [ln.text for ln in hunks[0].lines if ln.kind != "-"]
    return "\n".join(texts[:_SAMPLE_LINES])


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


def _git_header(lines: list[str], start: int) -> _Header:
    """Read the ``diff --git`` line and the extended header lines that follow it."""
    header = _Header()
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


def _git_header_line(header: _Header, line: str) -> None:
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
    header: _Header,
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


def _plain_header(pf: Any) -> _Header:
    """Names and status of a non-git unified diff entry (diff -u, hg, svn, bzr)."""
    source = _paths.unquote(_paths.strip_timestamp(pf.source_file, pf.source_timestamp))
    target = _paths.unquote(_paths.strip_timestamp(pf.target_file, pf.target_timestamp))
    source, target = _paths.strip_plain_prefixes(source, target)
    header = _Header(old_name=source, new_name=target, binary=bool(pf.is_binary_file))
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


def _slice_hunks(pf: Any, lines: list[str], start: int) -> tuple[Hunk, ...]:
    """The hunks of one file, their bodies cut from ``lines`` (unidiff checked the counts)."""
    hunks: list[Hunk] = []
    i = start
    for meta in pf:
        while not (lines[i].startswith("@@ -") and _HUNK_HEADER.match(lines[i])):
            i += 1
        hunk, i = _read_hunk(meta, lines, i + 1)
        hunks.append(hunk)
    return tuple(hunks)


def _read_hunk(meta: Any, lines: list[str], i: int) -> tuple[Hunk, int]:
    """Read one hunk body starting at ``lines[i]``; return it and the next index."""
    old_no, new_no = meta.source_start, meta.target_start
    old_left, new_left = meta.source_length, meta.target_length
    body: list[DiffLine] = []
    append = body.append
    no_newline_old = no_newline_new = False
    last = " "
    while old_left > 0 or new_left > 0:
        line = lines[i]
        i += 1
        mark = line[:1]
        # CRLF content: the \r belongs to the line ending, not to the text.
        text = line[1:-1] if line.endswith("\r") else line[1:]
        if mark == "+":
            append(DiffLine("+", text, None, new_no))
            new_no += 1
            new_left -= 1
        elif mark == "-":
            append(DiffLine("-", text, old_no, None))
            old_no += 1
            old_left -= 1
        elif mark == "\\":
            no_newline_old = no_newline_old or last != "+"
            no_newline_new = no_newline_new or last != "-"
            continue
        else:  # " ", or an empty line that an editor stripped of its space
            append(DiffLine(" ", text if mark == " " else "", old_no, new_no))
            old_no += 1
            new_no += 1
            old_left -= 1
            new_left -= 1
        last = mark
    if i < len(lines) and lines[i].startswith("\\"):
        no_newline_old = no_newline_old or last != "+"
        no_newline_new = no_newline_new or last != "-"
        i += 1
    section = meta.section_header.rstrip("\r")
    hunk = Hunk(
        meta.source_start,
        meta.source_length,
        meta.target_start,
        meta.target_length,
        section,
        tuple(body),
        no_newline_old,
        no_newline_new,
    )
    return hunk, i


def _combined_change(entry: CombinedEntry) -> FileChange:
    """A ``FileChange`` for one file of a combined diff (counts only)."""
    kind = classify(entry.path)
    return FileChange(
        path=entry.path,
        old_path=None,
        status=ChangeStatus.ADDED if entry.new_file else ChangeStatus.MODIFIED,
        kind=kind,
        added=entry.added,
        removed=entry.removed,
        language=language_of(entry.path) if kind in (FileKind.CODE, FileKind.TEST) else None,
        combined=True,
    )
