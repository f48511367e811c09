"""Values that describe a parsed, classified diff. Pure data, no behaviour beyond helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, NamedTuple

__all__ = [
    "ChangeSet",
    "ChangeStatus",
    "DiffLine",
    "FileChange",
    "FileKind",
    "Hunk",
    "Risk",
    "SensitiveHit",
    "Signals",
]

Risk = Literal["low", "medium", "high"]


class FileKind(StrEnum):
    """What a changed file is, for routing. One kind per file."""

    CODE = "code"
    TEST = "test"
    DOCS = "docs"
    CONFIG = "config"
    CI = "ci"
    DEPENDENCY = "dependency"  # dependency manifest: pyproject.toml, package.json, go.mod ...
    LOCKFILE = "lockfile"
    MIGRATION = "migration"
    GENERATED = "generated"
    VENDORED = "vendored"
    BINARY = "binary"
    ASSET = "asset"  # images, fonts, data files, translations


class ChangeStatus(StrEnum):
    """How a file changed."""

    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"
    COPIED = "copied"


class DiffLine(NamedTuple):
    """One line of a hunk. ``text`` has no leading +/-/space and no line terminator.

    A named tuple, not a frozen dataclass: the parser builds one per diff line, and a
    frozen dataclass's ``__init__`` costs about three times as much (a third of a parse).
    """

    kind: Literal["+", "-", " "]
    text: str
    old_no: int | None  # line number in the base file (None for added lines)
    new_no: int | None  # line number in the head file (None for removed lines)


@dataclass(frozen=True, slots=True)
class Hunk:
    """One ``@@`` hunk."""

    old_start: int
    old_len: int
    new_start: int
    new_len: int
    section: str  # the text after the second @@ (often the enclosing function)
    lines: tuple[DiffLine, ...]
    # "\ No newline at end of file": the hunk's last base-/head-side line has no terminator
    no_newline_old: bool = False
    no_newline_new: bool = False

    @property
    def new_end(self) -> int:
        """Last head-side line number the hunk covers (inclusive)."""
        return self.new_start + max(self.new_len, 1) - 1

    @property
    def old_end(self) -> int:
        """Last base-side line number the hunk covers (inclusive)."""
        return self.old_start + max(self.old_len, 1) - 1


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file of the diff, parsed and classified."""

    path: str  # head-side path ("b/" stripped); for deletions the base path
    old_path: str | None  # base-side path when renamed/copied, else None
    status: ChangeStatus
    kind: FileKind
    added: int
    removed: int
    hunks: tuple[Hunk, ...] = ()
    binary: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    symlink: bool = False
    language: str | None = None  # "python", "go", ... for code/test files
    similarity: int | None = None  # git's similarity index (percent) for renames/copies
    submodule: bool = False  # a gitlink (mode 160000): the change moves a pinned commit
    combined: bool = False  # from a combined (merge) diff: counts only, no hunks

    @property
    def changed_lines(self) -> int:
        """Added plus removed lines."""
        return self.added + self.removed


@dataclass(frozen=True, slots=True)
class SensitiveHit:
    """A reason to treat the change as security-sensitive, readable by a human."""

    path: str
    category: str  # "url-redirect", "deserialization", "shell", "auth", "ci-workflow", ...
    reason: str  # "src/app/session.py: session cookie handling"
    line: int | None = None  # head-side line for content hits, None for path hits
    source: Literal["path", "content"] = "path"
    severity: Risk = "medium"  # how much this reason alone raises the risk
    # True: the file or its surroundings are security-relevant, but this reason alone does not
    # make the change sensitive (it raises the risk to medium and guides the reviewer).
    context: bool = False


@dataclass(frozen=True, slots=True)
class Signals:
    """The routing signals computed from a change set. Field names are part of plan JSON."""

    files_changed: int
    lines_added: int
    lines_removed: int
    file_kinds: dict[str, int]
    code_changed: bool
    docs_only: bool
    security_sensitive: bool
    sensitive_reasons: tuple[str, ...]
    risk: Risk
    estimated_diff_tokens: int
    modules: tuple[str, ...] = ()  # top-level directories touched (scope)
    changelog_touched: bool = False
    public_api_changed: bool = False  # public signatures, CLI flags or config keys changed
    sensitive_hits: tuple[SensitiveHit, ...] = field(default=())

    @property
    def scope(self) -> int:
        """How many top-level modules the change touches."""
        return len(self.modules)

    @property
    def changed_lines(self) -> int:
        """Added plus removed lines."""
        return self.lines_added + self.lines_removed


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """A parsed diff: its files (ignored ones removed) and its signals."""

    files: tuple[FileChange, ...]
    signals: Signals
    ignored: tuple[str, ...] = ()  # paths dropped by the policy's ignore globs
