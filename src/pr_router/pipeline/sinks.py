"""Where a run's output goes: GitHub, nowhere (dry run) or files (``--publish-dir``).

The dry-run and directory sinks implement the same ``Publisher`` slice as the GitHub client:
they read the PR's existing comments from the real client (when there is one) so that
deduplication and the sticky summary behave exactly as they would, but write nothing to
GitHub. What would have been posted is recorded and printed or written to files.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pr_router.github.models import (
    CheckRunRef,
    Comment,
    InlineComment,
    ReviewComment,
    ReviewPosted,
)
from pr_router.github.publish import Publisher

__all__ = ["RecordingPublisher"]


@dataclass
class _Posted:
    kind: str  # "review", "comment", "edit", "delete", "check"
    target: int  # PR number or comment id
    body: str
    comments: list[dict[str, object]] = field(default_factory=list)


class RecordingPublisher:
    """A ``Publisher`` that reads from ``reader`` (if any) and records instead of writing."""

    def __init__(self, reader: Publisher | None, own_login: str) -> None:
        self._reader = reader
        self._own = own_login
        self._ids = itertools.count(9_000_000_001)
        self.posted: list[_Posted] = []
        self._comments: dict[int, Comment] = {}

    def list_issue_comments(self, number: int) -> list[Comment]:
        """Existing comments, with this run's recorded ones on top."""
        existing = self._reader.list_issue_comments(number) if self._reader else []
        merged = {c.id: c for c in existing} | self._comments
        return sorted(merged.values(), key=lambda c: c.id)

    def create_issue_comment(self, number: int, body: str) -> Comment:
        """Record a new comment."""
        comment = Comment(id=next(self._ids), author=self._own, body=body)
        self._comments[comment.id] = comment
        self.posted.append(_Posted("comment", number, body))
        return comment

    def edit_issue_comment(self, comment_id: int, body: str) -> Comment:
        """Record an edit."""
        comment = Comment(id=comment_id, author=self._own, body=body)
        self._comments[comment_id] = comment
        self.posted.append(_Posted("edit", comment_id, body))
        return comment

    def delete_issue_comment(self, comment_id: int) -> None:
        """Record a deletion."""
        self._comments.pop(comment_id, None)
        self.posted.append(_Posted("delete", comment_id, ""))

    def delete_review_comment(self, comment_id: int) -> None:
        """Record a deletion of an inline comment."""
        self.posted.append(_Posted("delete", comment_id, ""))

    def list_review_comments(self, number: int) -> list[ReviewComment]:
        """Existing inline comments (recorded reviews are not re-read)."""
        return self._reader.list_review_comments(number) if self._reader else []

    def reply_to_review_comment(self, number: int, comment_id: int, body: str) -> ReviewComment:
        """Record a reply in an inline comment's thread."""
        self.posted.append(_Posted("reply", comment_id, body))
        return ReviewComment(id=next(self._ids), author=self._own, body=body, path="", line=None,
                             side=None, review_id=None, in_reply_to_id=comment_id)  # fmt: skip

    def create_review(
        self,
        number: int,
        commit_sha: str,
        body: str,
        comments: Sequence[InlineComment] = (),
        event: str = "COMMENT",
    ) -> ReviewPosted:
        """Record a review and its inline comments."""
        self.posted.append(_Posted("review", number, body, [c.wire() for c in comments]))
        return ReviewPosted(id=next(self._ids))

    def check_runs_for(self, sha: str, name: str) -> list[CheckRunRef]:
        """Existing check runs (read from GitHub when there is a client)."""
        reader = getattr(self._reader, "check_runs_for", None)
        return list(reader(sha, name)) if reader is not None else []

    def create_check_run(
        self, name: str, head_sha: str, *, conclusion: str, output: dict[str, Any]
    ) -> CheckRunRef:
        """Record a check run."""
        self._check(name, conclusion, output)
        return CheckRunRef(id=next(self._ids), name=name, head_sha=head_sha, conclusion=conclusion)

    def update_check_run(
        self, check_run_id: int, *, output: dict[str, Any], conclusion: str | None = None
    ) -> None:
        """Record an update of a check run."""
        self._check(f"check run {check_run_id}", conclusion, output)

    def _check(self, name: str, conclusion: str | None, output: dict[str, Any]) -> None:
        notes = [dict(a) for a in output.get("annotations") or []]
        head = f"{name}: {conclusion or 'unchanged'} · {output.get('title') or ''}"
        self.posted.append(_Posted("check", 0, f"{head}\n\n{output.get('summary') or ''}", notes))

    def render(self) -> str:
        """What would have been posted, as Markdown for the terminal or a file."""
        parts: list[str] = []
        for p in self.posted:
            if p.kind == "review":
                parts.append(f"## Review on PR #{p.target} ({len(p.comments)} inline comments)\n")
                parts.append(p.body.strip() + "\n")
                for c in p.comments:
                    where = f"{c['path']}:{c.get('start_line') or c['line']}"
                    if c.get("start_line"):
                        where += f"-{c['line']}"
                    parts.append(f"### {where} ({c['side']})\n\n{str(c['body']).strip()}\n")
            elif p.kind == "delete":
                parts.append(f"## Deletion of comment #{p.target}\n")
            elif p.kind == "check":
                head, _, summary = p.body.partition("\n\n")
                parts.append(f"## Check run {head} ({len(p.comments)} annotations)\n\n{summary}\n")
            else:
                verb = {
                    "comment": "New comment on PR",
                    "reply": "Reply in the thread of comment",
                }.get(p.kind, "Edit of comment")
                parts.append(f"## {verb} #{p.target}\n\n{p.body.strip()}\n")
        return "\n".join(parts) if parts else "Nothing would be posted.\n"

    def write(self, directory: Path) -> list[Path]:
        """Write the recorded posts to ``directory`` (Markdown + JSON); returns the files."""
        directory.mkdir(parents=True, exist_ok=True)
        md = directory / "published.md"
        md.write_text(self.render(), encoding="utf-8")
        raw = directory / "published.json"
        raw.write_text(
            json.dumps([p.__dict__ for p in self.posted], indent=2) + "\n", encoding="utf-8"
        )
        return [md, raw]
