"""Plain values the GitHub client returns, so nothing above it touches PyGithub objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "CheckRunRef",
    "Comment",
    "InlineComment",
    "Job",
    "Permission",
    "Reaction",
    "ReviewComment",
    "ReviewPosted",
    "Side",
    "WorkflowRun",
]

Side = Literal["LEFT", "RIGHT"]


@dataclass(frozen=True, slots=True)
class Comment:
    """An issue (conversation) comment on a PR."""

    id: int
    author: str | None  # login; None when the account was deleted
    body: str
    url: str = ""


@dataclass(frozen=True, slots=True)
class ReviewComment:
    """An inline review comment on a PR's diff."""

    id: int
    author: str | None
    body: str
    path: str
    line: int | None
    side: str | None
    review_id: int | None
    commit_id: str | None = None
    in_reply_to_id: int | None = None  # set on replies in a review thread


@dataclass(frozen=True, slots=True)
class ReviewPosted:
    """The review GitHub created."""

    id: int
    url: str = ""


@dataclass(frozen=True, slots=True)
class Permission:
    """A user's permission on the repository, as GitHub's API reports it."""

    login: str
    permission: str  # legacy base role: admin, write, read or none (maintain shows as write)
    role_name: str  # the assigned role: admin, maintain, write, triage, read or a custom one

    @property
    def can_write(self) -> bool:
        """True for write, maintain and admin (a custom role counts by its base permission)."""
        return self.permission in ("admin", "write") or self.role_name in (
            "admin",
            "maintain",
            "write",
        )


@dataclass(frozen=True, slots=True)
class Reaction:
    """One emoji reaction (``+1``, ``-1``, ``laugh``, ...) and who left it."""

    content: str
    user: str | None


@dataclass(frozen=True, slots=True)
class WorkflowRun:
    """A GitHub Actions workflow run."""

    id: int
    name: str
    status: str | None
    conclusion: str | None
    head_sha: str
    pr_numbers: tuple[int, ...]
    url: str = ""


@dataclass(frozen=True, slots=True)
class CheckRunRef:
    """A check run on a commit, as listed or returned after a write."""

    id: int
    name: str
    head_sha: str
    conclusion: str | None
    text: str = ""  # output.text: where pr-router keeps which findings it annotated
    annotations_count: int = 0
    url: str = ""


@dataclass(frozen=True, slots=True)
class Job:
    """One job of a workflow run, with the steps that failed."""

    id: int
    name: str
    conclusion: str | None
    failed_steps: tuple[str, ...] = ()
    url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class InlineComment:
    """A finding to post on a diff line (or a range ``start_line``..``line`` on one side)."""

    path: str
    line: int
    side: Side = "RIGHT"  # RIGHT: added or context lines; LEFT: removed lines
    start_line: int | None = None
    start_side: Side | None = None
    body: str
    fingerprint: str  # stable id of the finding, for deduplication across runs

    def __post_init__(self) -> None:
        if self.line < 1:
            raise ValueError(f"{self.path}: line must be >= 1, got {self.line}")
        if self.side not in ("LEFT", "RIGHT") or self.start_side not in (None, "LEFT", "RIGHT"):
            raise ValueError(f"{self.path}:{self.line}: side must be LEFT or RIGHT")
        if self.start_line is not None and not 1 <= self.start_line < self.line:
            raise ValueError(f"{self.path}:{self.line}: start_line must be in 1..line-1")

    def wire(self) -> dict[str, Any]:
        """The create-review ``comments[]`` item GitHub expects (no legacy ``position``)."""
        item: dict[str, Any] = {
            "path": self.path,
            "body": self.body,
            "line": self.line,
            "side": self.side,
        }
        if self.start_line is not None:
            item["start_line"] = self.start_line
            item["start_side"] = self.start_side or self.side
        return item
