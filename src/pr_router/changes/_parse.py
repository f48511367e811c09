"""Turn the bytes of a unified diff into ``FileChange`` values.

Plain git output is read in one pass (``_scan``). Any other diff, or one that pass is
not sure of, goes to unidiff: it validates the structure and finds the files and hunks
(in its fast ``metadata_only`` mode); the hunk bodies are then sliced straight out of the
decoded lines, which costs less than having unidiff build a ``Line`` object per
line and converting those again. File names and statuses come from the git
extended headers, which unidiff keeps only partly.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from pr_router.changes._classify import classify, language_of
from pr_router.changes._combined import CombinedEntry, find_combined, has_combined
from pr_router.changes._headers import Header, git_header, plain_header
from pr_router.changes._scan import read_hunk, scan_git
from pr_router.changes.model import ChangeStatus, FileChange, FileKind, Hunk
from pr_router.errors import DiffError

__all__ = ["DEFAULT_MAX_BYTES", "parse_diff", "parse_with_length"]

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
    return parse_with_length(data, source=source, max_bytes=max_bytes)[0]


def parse_with_length(
    data: bytes, *, source: str = "<diff>", max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[tuple[FileChange, ...], int]:
    """``parse_diff`` and the length of the decoded text (the bytes are decoded once)."""
    if len(data) > max_bytes:
        raise DiffError(
            f"{source} is too large: {len(data)} bytes, the limit is {max_bytes}",
            hint="raise the limit with max_bytes, or ignore generated files",
        )
    # Invalid UTF-8 must never stop a review: undecodable bytes become U+FFFD.
    text = data.decode("utf-8", "replace")
    text_len = len(text)
    lines = text.split("\n")
    combined: list[CombinedEntry] = []
    if has_combined(text):
        combined = find_combined(lines)
        text = _blank_out(lines, combined)
    crlf = "\r" in text
    scanned = None if combined or crlf else scan_git(lines)
    ordered: list[tuple[int, FileChange]]
    if scanned is not None:
        ordered = [
            (s.start, _file_change(lines, s.start, s.hunks, (s.added, s.removed), s.binary))
            for s in scanned
        ]
    else:
        patch = _run_unidiff(text, source)
        ordered = [(pf.diff_line_no - 1, _unidiff_change(pf, lines, crlf)) for pf in patch]
    ordered += [(entry.first, _combined_change(entry)) for entry in combined]
    if not ordered:
        raise _no_changes(source, text)
    ordered.sort(key=lambda item: item[0])
    return tuple(change for _, change in ordered), text_len


def _no_changes(source: str, text: str) -> DiffError:
    """Nothing at all (no changes between two revisions), or text that is not a diff."""
    if not text.strip():
        return DiffError(f"{source} is empty: no file changes found")
    return DiffError(
        f"{source}: no file changes found (not a unified diff?)",
        hint="a unified diff has `diff --git` or `---`/`+++` file headers; "
        "make one with `git diff BASE HEAD`",
    )


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


def _unidiff_change(pf: Any, lines: list[str], crlf: bool) -> FileChange:
    """One ``FileChange`` from unidiff's view of a file and the raw lines."""
    start = pf.diff_line_no - 1
    hunks = _slice_hunks(pf, lines, start, crlf=crlf)
    plain = None if lines[start].startswith("diff --git ") else pf
    counts = (int(pf.added), int(pf.removed))
    return _file_change(lines, start, hunks, counts, bool(pf.is_binary_file), plain=plain)


def _file_change(
    lines: list[str],
    start: int,
    hunks: tuple[Hunk, ...],
    counts: tuple[int, int],
    binary_marker: bool,
    *,
    plain: Any = None,
) -> FileChange:
    """Build one ``FileChange`` from its header lines, hunks and added/removed counts.

    ``plain`` is unidiff's view of a file without a ``diff --git`` line (its names).
    """
    header = plain_header(plain) if plain is not None else git_header(lines, start)
    status = _status(header)
    old, new = header.old_name, header.new_name
    path = (old if status is ChangeStatus.DELETED else new) or old or new or ""
    binary = header.binary or binary_marker
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
        added=counts[0],
        removed=counts[1],
        hunks=hunks,
        binary=binary,
        old_mode=header.old_mode,
        new_mode=header.new_mode,
        symlink=_SYMLINK in modes,
        language=language_of(path, sample) if code_like else None,
        similarity=header.similarity,
        submodule=submodule,
    )


def _status(header: Header) -> ChangeStatus:
    """How the file changed, as its header says."""
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


def _slice_hunks(pf: Any, lines: list[str], start: int, *, crlf: bool = True) -> tuple[Hunk, ...]:
    """The hunks of one file, their bodies cut from ``lines`` (unidiff checked the counts)."""
    hunks: list[Hunk] = []
    i = start
    for meta in pf:
        while not (lines[i].startswith("@@ -") and _HUNK_HEADER.match(lines[i])):
            i += 1
        head = (meta.source_start, meta.source_length, meta.target_start, meta.target_length)
        hunk, i = read_hunk(head, meta.section_header, lines, i + 1, crlf=crlf)
        if hunk is None:  # unidiff accepted a body that does not fit its header
            raise DiffError(f"malformed hunk at line {i}", hint="check the diff's @@ counts")
        hunks.append(hunk)
    return tuple(hunks)


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
