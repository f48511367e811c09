"""A PR diff GitHub will not serve as one diff, rebuilt from its list of changed files.

GitHub refuses the diff media type (``406``, ``{"field": "diff", "code": "too_large"}``)
once a diff passes 300 files or 20,000 lines. The files endpoints still answer: the PR's
``/pulls/{n}/files`` (paginated, at most 3,000 files) and the compare endpoint's ``files``
(at most 300). Each row carries the file's ``patch`` (its hunks), except where GitHub
leaves it out: binary files, and rows past GitHub's diff limit for one response, which
come back with ``0/0/0`` counts and no patch. This module turns those rows back into a
unified diff and names every file it could not rebuild, with the reason. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "COMPARE_FILES_MAX",
    "PULL_FILES_MAX",
    "FetchedDiff",
    "FileRow",
    "Unseen",
    "is_too_large",
    "rebuild",
    "suspect_rows",
]

PULL_FILES_MAX = 3000  # GET /pulls/{n}/files lists at most this many files
COMPARE_FILES_MAX = 300  # the compare endpoint lists at most this many files
NO_PATCH_CHANGED = "GitHub omitted its patch (too large)"
NO_PATCH = "GitHub served no patch (binary, or past GitHub's diff limit)"


@dataclass(frozen=True, slots=True)
class Unseen:
    """A changed file whose hunks are not in the diff, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class FileRow:
    """One row of GitHub's files list (a ``diff-entry``)."""

    filename: str
    status: str  # added, removed, modified, renamed, copied, changed, unchanged
    additions: int = 0
    deletions: int = 0
    patch: str | None = None
    previous_filename: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FileRow:
        """A row from the JSON GitHub sends."""
        return cls(
            filename=str(data["filename"]),
            status=str(data.get("status") or "modified"),
            additions=int(data.get("additions") or 0),
            deletions=int(data.get("deletions") or 0),
            patch=data.get("patch"),
            previous_filename=data.get("previous_filename"),
        )

    @property
    def moved(self) -> bool:
        """Renamed or copied from another path."""
        return self.status in ("renamed", "copied") and bool(self.previous_filename)


@dataclass(frozen=True, slots=True)
class FetchedDiff:
    """A diff as fetched: GitHub's own, or rebuilt from the files list with what it lacks."""

    data: bytes
    rebuilt: bool = False  # GitHub refused the diff; ``data`` comes from the files list
    unseen: tuple[Unseen, ...] = ()
    listed: int = 0  # files GitHub listed (when rebuilt)
    total: int | None = None  # files the change has, when GitHub says (PRs only)
    cap: int = PULL_FILES_MAX  # most files GitHub lists on the endpoint used

    @property
    def beyond_cap(self) -> int:
        """Files GitHub did not list at all (past its cap); 0 when all were listed."""
        if not self.rebuilt:
            return 0
        if self.total is not None:
            return max(0, self.total - self.listed)
        return 0

    @property
    def at_cap(self) -> bool:
        """GitHub listed exactly its maximum: there may be more files it did not list."""
        return self.rebuilt and self.listed >= self.cap

    def notices(self) -> tuple[str, ...]:
        """What the summary says about a rebuilt diff: why, and which files were not seen."""
        if not self.rebuilt:
            return ()
        out = [
            "GitHub does not serve this diff as one (over 300 files or 20,000 lines): "
            f"rebuilt from its list of {self.listed} changed file(s)"
        ]
        if self.unseen:
            names = "; ".join(f"`{u.path}`: {u.reason}" for u in self.unseen[:20])
            more = len(self.unseen) - 20
            tail = f" and {more} more" if more > 0 else ""
            out.append(f"{len(self.unseen)} file(s) not seen: {names}{tail}")
        if self.beyond_cap:
            out.append(
                f"GitHub lists at most {self.cap:,} files: {self.beyond_cap} more file(s) "
                "were not seen"
            )
        elif self.at_cap:
            out.append(f"GitHub lists at most {self.cap:,} files: any file past those was not seen")
        return tuple(out)


def is_too_large(status: int, data: Any) -> bool:
    """True for GitHub's refusal to serve a diff that is too large."""
    if status != 406 or not isinstance(data, Mapping):
        return False
    errors = data.get("errors")
    return isinstance(errors, list) and any(
        isinstance(e, Mapping) and e.get("field") == "diff" and e.get("code") == "too_large"
        for e in errors
    )


def suspect_rows(rows: Sequence[FileRow]) -> list[int]:
    """Indexes of rows with no patch and no counts: past the per-response diff limit, or
    binary. Asked for again one at a time, the former come back with their patch."""
    return [
        i
        for i, r in enumerate(rows)
        if r.patch is None and not r.moved and r.additions == 0 and r.deletions == 0
    ]


def _header(row: FileRow) -> list[str]:
    old = row.previous_filename if row.moved and row.previous_filename else row.filename
    lines = [f"diff --git a/{old} b/{row.filename}"]
    if row.status == "added":
        lines.append("new file mode 100644")
    elif row.status == "removed":
        lines.append("deleted file mode 100644")
    elif row.moved:
        verb = "rename" if row.status == "renamed" else "copy"
        if row.patch is None:
            lines.append("similarity index 100%")
        lines += [f"{verb} from {old}", f"{verb} to {row.filename}"]
    if row.patch is not None:
        lines.append("--- /dev/null" if row.status == "added" else f"--- a/{old}")
        lines.append("+++ /dev/null" if row.status == "removed" else f"+++ b/{row.filename}")
    return lines


def _unseen_reason(row: FileRow) -> str | None:
    if row.patch is not None or row.moved:
        return None
    return NO_PATCH_CHANGED if row.additions or row.deletions else NO_PATCH


def rebuild(rows: Sequence[FileRow]) -> tuple[bytes, tuple[Unseen, ...]]:
    """A unified diff of every row with a patch (and every pure rename); the rest, named."""
    parts: list[str] = []
    unseen: list[Unseen] = []
    for row in rows:
        reason = _unseen_reason(row)
        if reason is not None:
            unseen.append(Unseen(row.filename, reason))
            continue
        lines = _header(row)
        if row.patch:
            lines.append(row.patch.rstrip("\n"))
        parts.append("\n".join(lines) + "\n")
    return "".join(parts).encode("utf-8"), tuple(unseen)
