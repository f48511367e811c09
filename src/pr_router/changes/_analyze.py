"""Parse a diff, drop ignored files, and compute the signals of what is left."""

from __future__ import annotations

from collections.abc import Sequence

import pathspec

from pr_router.changes._parse import DEFAULT_MAX_BYTES, parse_with_length
from pr_router.changes._signals import compute_signals
from pr_router.changes.model import ChangeSet, FileChange

__all__ = ["analyze"]


def analyze(
    data: bytes,
    *,
    source: str = "<diff>",
    ignore: Sequence[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ChangeSet:
    """The parsed, classified diff and its signals, without files matching ``ignore``.

    ``ignore`` holds gitignore-style globs (``docs/**``, ``*.lock``, ``!keep.lock``).
    Ignoring every file is not an error: the result has no files and zero signals.
    """
    files, length = parse_with_length(data, source=source, max_bytes=max_bytes)
    kept, ignored = _split_ignored(files, ignore)
    # The size estimate follows the kept files only when some were dropped.
    text_len = length if not ignored else None
    return ChangeSet(
        files=kept,
        signals=compute_signals(kept, diff_text_len=text_len),
        ignored=tuple(change.path for change in ignored),
    )


def _split_ignored(
    files: tuple[FileChange, ...], ignore: Sequence[str]
) -> tuple[tuple[FileChange, ...], tuple[FileChange, ...]]:
    """Files to keep and files the ignore globs drop (by head path, or base path if deleted)."""
    if not ignore:
        return files, ()
    spec = pathspec.GitIgnoreSpec.from_lines(ignore)
    kept: list[FileChange] = []
    dropped: list[FileChange] = []
    for change in files:
        (dropped if spec.match_file(change.path) else kept).append(change)
    return tuple(kept), tuple(dropped)
