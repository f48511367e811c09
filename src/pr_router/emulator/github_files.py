"""GitHub's limits on diffs, as the GitHub emulation enforces them.

- The diff media type of a pull or a comparison is refused with ``406`` and GitHub's body
  once the diff passes 300 files or 20,000 lines.
- ``GET /pulls/{n}/files`` lists at most 3,000 files (paginated, ``Link`` headers); the
  compare endpoint's ``files`` at most 300.
- In one response, once the patches already served add up to 20,000 lines, the rows that
  follow come with ``0`` additions, deletions and changes and no ``patch`` (the same file
  is served in full on a smaller page). Binary files never have a patch.

Sources are in docs/limits.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pr_router.changes import parse_diff
from pr_router.changes.model import ChangeStatus
from pr_router.errors import DiffError

__all__ = [
    "COMPARE_FILES_MAX",
    "DIFF_MAX_FILES",
    "DIFF_MAX_LINES",
    "PULL_FILES_MAX",
    "RESPONSE_PATCH_LINES",
    "EmuFile",
    "file_rows",
    "serve_rows",
    "too_large_body",
]

DIFF_MAX_FILES = 300
DIFF_MAX_LINES = 20_000
PULL_FILES_MAX = 3000
COMPARE_FILES_MAX = 300
RESPONSE_PATCH_LINES = 20_000
_FILES_DOCS = "https://docs.github.com/rest/pulls/pulls#list-pull-requests-files"
_CHUNK = re.compile(rb"(?m)^(?=diff --git )")
_STATUS = {ChangeStatus.DELETED: "removed"}


@dataclass(frozen=True, slots=True)
class EmuFile:
    """One changed file of an emulated diff, as GitHub's files list describes it."""

    filename: str
    status: str
    additions: int
    deletions: int
    patch: str | None
    previous_filename: str | None = None

    @property
    def lines(self) -> int:
        """Changed lines (what GitHub's diff limits count)."""
        return self.additions + self.deletions


def _patch(chunk: bytes) -> str | None:
    at = chunk.find(b"\n@@ ")
    if at < 0:
        return None
    return chunk[at + 1 :].decode("utf-8", "replace").rstrip("\n")


@lru_cache(maxsize=8)
def file_rows(diff: bytes) -> tuple[EmuFile, ...]:
    """The files of a git diff, in diff order, with their patches."""
    rows: list[EmuFile] = []
    for chunk in _CHUNK.split(diff):
        if not chunk.strip():
            continue
        try:
            (f,) = parse_diff(chunk)
        except (DiffError, ValueError):
            continue
        moved = f.status in (ChangeStatus.RENAMED, ChangeStatus.COPIED)
        rows.append(
            EmuFile(
                filename=f.path,
                status=_STATUS.get(f.status, f.status.value),
                additions=f.added,
                deletions=f.removed,
                patch=None if f.binary else _patch(chunk),
                previous_filename=f.old_path if moved else None,
            )
        )
    return tuple(rows)


def too_large_body(rows: Sequence[EmuFile]) -> dict[str, Any] | None:
    """GitHub's 406 body for a diff over its limits, or None when the diff is served."""
    if len(rows) > DIFF_MAX_FILES:
        what = f"files ({DIFF_MAX_FILES})"
    elif sum(r.lines for r in rows) > DIFF_MAX_LINES:
        what = f"lines ({DIFF_MAX_LINES})"
    else:
        return None
    return {
        "message": f"Sorry, the diff exceeded the maximum number of {what}. Consider using "
        "'List pull requests files' API or locally cloning the repository instead.",
        "errors": [{"resource": "PullRequest", "field": "diff", "code": "too_large"}],
        "documentation_url": _FILES_DOCS,
        "status": "406",
    }


def serve_rows(rows: Sequence[EmuFile], repo: str, sha: str, api: str, web: str) -> list[Any]:
    """One response's rows as GitHub sends them: patches stop at the per-response limit."""
    out: list[Any] = []
    served = 0
    cut = False
    for row in rows:
        cut = cut or served + row.lines > RESPONSE_PATCH_LINES
        served += row.lines
        out.append(_entry(row, repo, sha, api, web, cut=cut))
    return out


def _entry(row: EmuFile, repo: str, sha: str, api: str, web: str, *, cut: bool) -> Any:
    entry: dict[str, Any] = {
        "sha": sha,
        "filename": row.filename,
        "status": row.status,
        "additions": 0 if cut else row.additions,
        "deletions": 0 if cut else row.deletions,
        "changes": 0 if cut else row.lines,
        "blob_url": f"{web}/{repo}/blob/{sha}/{row.filename}",
        "raw_url": f"{web}/{repo}/raw/{sha}/{row.filename}",
        "contents_url": f"{api}/repos/{repo}/contents/{row.filename}?ref={sha}",
    }
    if row.patch is not None and not cut:
        entry["patch"] = row.patch
    if row.previous_filename:
        entry["previous_filename"] = row.previous_filename
    return entry
