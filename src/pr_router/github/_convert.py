"""PyGithub objects turned into pr-router's plain values (files, PR context, comments, checks)."""

from __future__ import annotations

from typing import Any

from github.CheckRun import CheckRun
from github.File import File
from github.GithubObject import NotSet
from github.IssueComment import IssueComment
from github.PullRequest import PullRequest
from github.PullRequestComment import PullRequestComment

from pr_router.context import PRContext
from pr_router.github.large_diff import FileRow
from pr_router.github.models import (
    CheckRunRef,
    Comment,
    Reaction,
    ReviewComment,
)


def login_of(user: Any) -> str | None:
    """The login of a PyGithub user, or None when GitHub gave none."""
    return user.login if user is not None else None


def row_of(f: File) -> FileRow:
    """One listed PR or compare file as a FileRow."""
    return FileRow(
        filename=f.filename,
        status=f.status,
        additions=f.additions or 0,
        deletions=f.deletions or 0,
        patch=f.patch,
        previous_filename=f.previous_filename,
    )


def pr_context_of(pull: PullRequest, repo: str) -> PRContext:
    """The PRContext of a pull request in ``repo``."""
    head_repo = pull.head.repo.full_name if pull.head.repo is not None else None
    base_repo = pull.base.repo.full_name if pull.base.repo is not None else repo
    return PRContext(
        repo=base_repo,
        number=pull.number,
        title=pull.title or "",
        body=pull.body or "",
        author=login_of(pull.user),
        labels=tuple(label.name for label in pull.labels),
        draft=bool(pull.draft),
        base_sha=pull.base.sha,
        head_sha=pull.head.sha,
        base_ref=pull.base.ref,
        head_ref=pull.head.ref,
        is_fork=head_repo is None or head_repo != base_repo,
    )


def comment_of(c: IssueComment) -> Comment:
    """An issue comment as a Comment."""
    return Comment(id=c.id, author=login_of(c.user), body=c.body or "", url=c.html_url or "")


def review_comment_of(c: PullRequestComment) -> ReviewComment:
    """A pull request review comment as a ReviewComment."""
    return ReviewComment(
        id=c.id,
        author=login_of(c.user),
        body=c.body or "",
        path=c.path,
        line=c.line,
        side=c.side,
        review_id=c.pull_request_review_id,
        commit_id=c.commit_id,
        in_reply_to_id=reply_to_of(c),
    )


def reply_to_of(c: PullRequestComment) -> int | None:
    """The id of the comment a review comment answers, or None."""
    # Read the listed value without PyGithub's lazy completion: a comment that is not a reply
    # has no such field, and asking the property for it would fetch the comment again.
    value = c._in_reply_to_id
    return None if value is NotSet else int(value.value)


def check_run_of(r: CheckRun) -> CheckRunRef:
    """A check run as a CheckRunRef."""
    out = r.output
    return CheckRunRef(
        id=r.id, name=r.name, head_sha=r.head_sha, conclusion=r.conclusion,
        text=(out.text or "") if out is not None else "",
        annotations_count=(out.annotations_count or 0) if out is not None else 0,
        url=r.html_url or "",
    )  # fmt: skip


def reaction_of(r: Any) -> Reaction:
    """A reaction as a Reaction."""
    return Reaction(content=r.content, user=login_of(r.user))
