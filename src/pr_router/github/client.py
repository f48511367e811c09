"""``GitHubClient``: the GitHub calls pr-router makes, returning plain values.

Built once in the entry point (``from_env`` or ``from_token``) and passed to whatever needs
GitHub. Works against api.github.com, GitHub Enterprise (``https://host/api/v3``) and the
local emulator (``http://127.0.0.1:PORT/github``): everything goes through the base URL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any
from urllib.parse import quote

from github.CheckRun import CheckRun
from github.GithubException import GithubException
from github.IssueComment import IssueComment
from github.MainClass import Github
from github.PullRequest import PullRequest
from github.PullRequestComment import PullRequestComment
from github.Repository import Repository

from pr_router.context import PRContext
from pr_router.errors import GitHubError, UsageError
from pr_router.github._convert import (
    check_run_of,
    comment_of,
    pr_context_of,
    reaction_of,
    review_comment_of,
    row_of,
)
from pr_router.github.large_diff import (
    COMPARE_FILES_MAX,
    PULL_FILES_MAX,
    FetchedDiff,
    FileRow,
    is_too_large,
    rebuild,
    suspect_rows,
)
from pr_router.github.models import (
    CheckRunRef,
    Comment,
    InlineComment,
    Job,
    Permission,
    Reaction,
    ReviewComment,
    ReviewPosted,
    WorkflowRun,
)
from pr_router.github.transport import (
    DEFAULT_API_URL,
    Operation,
    RawSession,
    RetrySettings,
    build_github,
    quiet_user_refusal,
    translating,
)

__all__ = ["ACTIONS_BOT", "GitHubClient"]

# The identity behind the Actions GITHUB_TOKEN, which cannot read GET /user.
ACTIONS_BOT = "github-actions[bot]"
DIFF = "application/vnd.github.v3.diff"
JSON = "application/vnd.github+json"
_MAX_RECOVER = 100  # files asked for again one by one when a page left their patch out
_FAILED = ("failure", "timed_out")

_PR_READ = "pull-requests: read"
_PR_WRITE = "pull-requests: write"
_CHECKS_WRITE = "checks: write"


def _op(doing: str, permission: str, resource: str) -> Operation:
    return Operation(doing=doing, permission=permission, resource=resource)


class GitHubClient:
    """One repository's GitHub API, with errors translated into ``GitHubError``."""

    def __init__(self, gh: Github, raw: RawSession, repo: str, *, login: str | None = None) -> None:
        self._gh = gh
        self._raw = raw
        self.repo_name = repo
        self._login = login
        self._repo: Repository = gh.get_repo(repo)  # lazy: no request

    @classmethod
    def from_token(
        cls,
        token: str,
        repo: str,
        *,
        base_url: str | None = None,
        login: str | None = None,
        retry: RetrySettings | None = None,
    ) -> GitHubClient:
        """A client for ``repo`` ("owner/name"); ``login`` overrides ``whoami``."""
        url = (base_url or DEFAULT_API_URL).rstrip("/")
        settings = retry or RetrySettings()
        return cls(
            build_github(token, url, settings), RawSession(token, url, settings), repo, login=login
        )

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str],
        *,
        token: str | None = None,
        retry: RetrySettings | None = None,
    ) -> GitHubClient:
        """A client from ``GITHUB_TOKEN``, ``GITHUB_API_URL`` and ``GITHUB_REPOSITORY``."""
        # Missing settings are the user's to fix (exit 2), not a GitHub outage (exit 0).
        token = (token or environ.get("GITHUB_TOKEN", "")).strip()
        repo = environ.get("GITHUB_REPOSITORY", "").strip()
        if not token:
            raise UsageError(
                "no GitHub token: GITHUB_TOKEN is empty or not set",
                hint="set GITHUB_TOKEN, or the action's github-token input "
                "(a secret that does not exist is empty)",
            )
        if repo.count("/") != 1 or not all(repo.split("/")):
            raise UsageError(
                f"GITHUB_REPOSITORY is not set to owner/name (got {repo!r})",
                hint="run inside GitHub Actions, or set GITHUB_REPOSITORY=OWNER/NAME",
            )
        login = environ.get("PR_ROUTER_BOT_LOGIN") or None
        return cls.from_token(
            token, repo, base_url=environ.get("GITHUB_API_URL"), login=login, retry=retry
        )

    @property
    def base_url(self) -> str:
        """The API base URL every request goes to."""
        return self._raw.base_url

    def close(self) -> None:
        """Release connections."""
        self._gh.close()
        self._raw.close()

    def _calling(self, op: Operation) -> AbstractContextManager[None]:
        return translating(op, self.base_url)

    def _pull(self, number: int) -> PullRequest:
        return self._repo.get_pull(number)  # lazy

    # identity ------------------------------------------------------------------------------

    def may_write(self, what: str, url: str, permission: str) -> bool:
        """Whether the token may POST to ``url`` (``what`` for errors), without writing.

        An empty body is invalid for every endpoint probed: GitHub checks the token's
        permission first, so a refused token gets 403 and an allowed one 422.
        """
        try:
            with self._calling(_op(what, permission, what)):
                self._gh.requester.requestJsonAndCheck("POST", f"{self._repo.url}{url}", input={})
        except GitHubError as exc:
            if exc.status == 422:
                return True
            if exc.status == 403:
                return False
            raise
        return True

    def whoami(self) -> str:
        """Login of the token's identity; ``github-actions[bot]`` when GET /user is refused."""
        if self._login is None:
            try:
                with (
                    quiet_user_refusal(),
                    self._calling(_op("read the authenticated user", "none", "user")),
                ):
                    self._login = self._gh.get_user().login
            except GitHubError as exc:
                # The Actions token and App installation tokens get 403 on GET /user.
                if exc.status not in (403, 404):
                    raise
                self._login = ACTIONS_BOT
        return self._login

    def permission(self, login: str) -> Permission:
        """``login``'s permission on the repository (a user GitHub does not know has none)."""
        op = _op(f"read the permission of {login}", "metadata: read", f"user {login}")
        path = f"/repos/{self.repo_name}/collaborators/{quote(login, safe='')}/permission"
        try:
            with self._calling(op):
                data = self._raw.get(path, accept="application/vnd.github+json").json()
        except GitHubError as exc:
            if exc.status == 404:
                return Permission(login, "none", "none")
            raise
        if not isinstance(data, dict):
            raise GitHubError(f"GitHub answered {path} with no permission object")
        return Permission(login, str(data.get("permission") or "none"),
                          str(data.get("role_name") or "none"))  # fmt: skip

    # pull requests -------------------------------------------------------------------------

    def pull(self, number: int) -> PRContext:
        """Facts about PR ``number`` as a ``PRContext``."""
        with self._calling(_op(f"read PR #{number}", _PR_READ, f"pull request #{number}")):
            return pr_context_of(self._pull(number), self.repo_name)

    def open_pulls(self) -> list[PRContext]:
        """Every open PR of the repository."""
        with self._calling(
            _op("list open pull requests", _PR_READ, f"repository {self.repo_name}")
        ):
            return [pr_context_of(p, self.repo_name) for p in self._repo.get_pulls(state="open")]

    def pull_diff(self, number: int) -> FetchedDiff:
        """The PR's unified diff; rebuilt from its files list when GitHub finds it too large."""
        with self._calling(
            _op(f"read the diff of PR #{number}", _PR_READ, f"pull request #{number}")
        ):
            url = f"/repos/{self.repo_name}/pulls/{number}"
            diff = self._diff_or_none(url)
            if diff is not None:
                return FetchedDiff(diff)
            pull = self._pull(number)
            rows = self._recover([row_of(f) for f in pull.get_files()], f"{url}/files")
            data, unseen = rebuild(rows)
            return FetchedDiff(data, rebuilt=True, unseen=unseen, listed=len(rows),
                               total=pull.changed_files, cap=PULL_FILES_MAX)  # fmt: skip

    def compare_diff(self, base: str, head: str) -> FetchedDiff:
        """The diff between two commits (for incremental review); from the compare endpoint's
        files list when GitHub finds it too large."""
        op = _op(f"compare {base[:12]}...{head[:12]}", "contents: read", "commit to compare")
        with self._calling(op):
            url = f"/repos/{self.repo_name}/compare/{base}...{head}"
            diff = self._diff_or_none(url)
            if diff is not None:
                return FetchedDiff(diff)
            answer = self._raw.get(url, accept=JSON).json()
            rows = [FileRow.from_json(f) for f in answer.get("files") or []]
            data, unseen = rebuild(rows)
            return FetchedDiff(data, rebuilt=True, unseen=unseen, listed=len(rows),
                               cap=COMPARE_FILES_MAX)  # fmt: skip

    def _diff_or_none(self, url: str) -> bytes | None:
        """The diff media type of ``url``; None when GitHub answers that it is too large."""
        try:
            return self._raw.get(url, accept=DIFF).content
        except GithubException as exc:
            if is_too_large(exc.status, exc.data):
                return None
            raise

    def _recover(self, rows: list[FileRow], files_url: str) -> list[FileRow]:
        """Ask again, one file per page, for rows that came back without patch or counts:
        GitHub serves them in full on a smaller page unless they are binary."""
        out = list(rows)
        for i in suspect_rows(rows)[:_MAX_RECOVER]:
            page = self._raw.get(f"{files_url}?per_page=1&page={i + 1}", accept=JSON).json()
            if page and page[0].get("filename") == rows[i].filename:
                out[i] = FileRow.from_json(page[0])
        return out

    def commit_messages(self, number: int) -> list[str]:
        """The messages of the PR's commits, oldest first."""
        with self._calling(
            _op(f"list the commits of PR #{number}", _PR_READ, f"pull request #{number}")
        ):
            return [c.commit.message for c in self._pull(number).get_commits()]

    def file_at(self, path: str, ref: str) -> bytes | None:
        """The content of ``path`` at ``ref``, or None when there is no such file."""
        op = _op(f"read {path} at {ref[:12]}", "contents: read", f"file {path}")
        try:
            with self._calling(op):
                content = self._repo.get_contents(path, ref=ref)
                if isinstance(content, list) or content.type != "file":
                    return None
                if content.encoding == "base64":
                    return content.decoded_content
                # files over 1 MB come without content: fetch them raw
                url = f"/repos/{self.repo_name}/contents/{path}?ref={ref}"
                return self._raw.get(url, accept="application/vnd.github.raw").content
        except GitHubError as exc:
            if exc.status == 404:
                return None
            raise

    # comments and reviews ------------------------------------------------------------------

    def list_issue_comments(self, number: int) -> list[Comment]:
        """The conversation comments of PR ``number``, oldest first."""
        with self._calling(
            _op(f"list the comments of PR #{number}", _PR_READ, f"pull request #{number}")
        ):
            return [comment_of(c) for c in self._repo.get_issue(number).get_comments()]

    def recent_issue_comments(self, since: datetime, limit: int) -> list[tuple[int, Comment]]:
        """(issue or PR number, comment) of the repository's comments written since
        ``since``, most recently updated first, at most ``limit`` (100 a request)."""
        doing = _op(
            "list the repository's recent comments", "issues: read", f"repository {self.repo_name}"
        )
        found: list[tuple[int, Comment]] = []
        with self._calling(doing):
            listing = self._repo.get_issues_comments(sort="updated", direction="desc", since=since)
            for c in listing:
                number = c.issue_url.rstrip("/").rpartition("/")[2]
                if number.isdigit():
                    found.append((int(number), comment_of(c)))
                if len(found) >= limit:
                    break
        return found

    def create_issue_comment(self, number: int, body: str) -> Comment:
        """Post a conversation comment on PR ``number``."""
        with self._calling(_op(f"comment on PR #{number}", _PR_WRITE, f"pull request #{number}")):
            return comment_of(self._repo.get_issue(number).create_comment(body))

    def edit_issue_comment(self, comment_id: int, body: str) -> Comment:
        """Replace the body of a conversation comment."""
        op = _op(f"edit comment {comment_id}", _PR_WRITE, f"comment {comment_id}")
        with self._calling(op):
            comment = self._issue_comment(comment_id)
            comment.edit(body)
            return comment_of(comment)

    def delete_issue_comment(self, comment_id: int) -> None:
        """Delete a conversation comment (pr-router only ever deletes its own duplicates)."""
        op = _op(f"delete comment {comment_id}", _PR_WRITE, f"comment {comment_id}")
        with self._calling(op):
            self._issue_comment(comment_id).delete()

    def delete_review_comment(self, comment_id: int) -> None:
        """Delete an inline review comment (pr-router only deletes its own duplicates)."""
        op = _op(f"delete review comment {comment_id}", _PR_WRITE, f"review comment {comment_id}")
        with self._calling(op):
            url = f"{self._repo.url}/pulls/comments/{comment_id}"
            PullRequestComment(self._repo.requester, url=url).delete()

    def list_review_comments(self, number: int) -> list[ReviewComment]:
        """The inline review comments of PR ``number``."""
        op = _op(f"list the review comments of PR #{number}", _PR_READ, f"pull request #{number}")
        with self._calling(op):
            return [review_comment_of(c) for c in self._pull(number).get_review_comments()]

    def create_review(
        self,
        number: int,
        commit_sha: str,
        body: str,
        comments: Sequence[InlineComment] = (),
        event: str = "COMMENT",
    ) -> ReviewPosted:
        """Create one submitted review; inline comments use ``line``/``side``, not ``position``."""
        op = _op(f"create a review on PR #{number}", _PR_WRITE, f"pull request #{number}")
        with self._calling(op):
            review = self._pull(number).create_review(
                commit=self._repo.get_commit(commit_sha),  # lazy: only its sha is used
                body=body,
                event=event,
                comments=[c.wire() for c in comments],  # type: ignore[misc]
            )
            return ReviewPosted(id=review.id, url=review.html_url or "")

    def reply_to_review_comment(self, number: int, comment_id: int, body: str) -> ReviewComment:
        """Reply in the thread of inline comment ``comment_id`` (the thread's first comment)."""
        op = _op(f"reply to review comment {comment_id}", _PR_WRITE, f"pull request #{number}")
        with self._calling(op):
            url = f"{self._repo.url}/pulls/{number}/comments/{comment_id}/replies"
            _, data = self._repo.requester.requestJsonAndCheck("POST", url, input={"body": body})
            return review_comment_of(PullRequestComment(self._repo.requester, {}, data))

    def reactions_for_issue_comment(self, comment_id: int) -> list[Reaction]:
        """Reactions on a conversation comment."""
        op = _op(f"list reactions on comment {comment_id}", _PR_READ, f"comment {comment_id}")
        with self._calling(op):
            return [reaction_of(r) for r in self._issue_comment(comment_id).get_reactions()]

    def reactions_for_review_comment(self, comment_id: int) -> list[Reaction]:
        """Reactions on an inline review comment."""
        op = _op(
            f"list reactions on review comment {comment_id}",
            _PR_READ,
            f"review comment {comment_id}",
        )
        with self._calling(op):
            url = f"{self._repo.url}/pulls/comments/{comment_id}"
            comment = PullRequestComment(self._repo.requester, url=url)
            return [reaction_of(r) for r in comment.get_reactions()]

    def _issue_comment(self, comment_id: int) -> IssueComment:
        url = f"{self._repo.url}/issues/comments/{comment_id}"
        return IssueComment(self._repo.requester, url=url)  # lazy: no GET

    # check runs ----------------------------------------------------------------------------

    def check_runs_for(self, sha: str, name: str) -> list[CheckRunRef]:
        """The newest check run called ``name`` on commit ``sha`` (an empty list if none)."""
        op = _op(f"list the check runs of {sha[:12]}", "checks: read", f"commit {sha[:12]}")
        with self._calling(op):
            runs = self._repo.get_commit(sha).get_check_runs(check_name=name)
            return [check_run_of(r) for r in runs]

    def create_check_run(
        self, name: str, head_sha: str, *, conclusion: str, output: dict[str, Any]
    ) -> CheckRunRef:
        """Create a completed check run on ``head_sha``."""
        op = _op(f"create the check run {name!r}", _CHECKS_WRITE, f"commit {head_sha[:12]}")
        with self._calling(op):
            run = self._repo.create_check_run(
                name, head_sha, status="completed", conclusion=conclusion, output=output
            )
            return check_run_of(run)

    def update_check_run(
        self, check_run_id: int, *, output: dict[str, Any], conclusion: str | None = None
    ) -> None:
        """Update a check run: its conclusion (if given) and output; annotations are added."""
        op = _op(f"update check run {check_run_id}", _CHECKS_WRITE, f"check run {check_run_id}")
        with self._calling(op):
            run = CheckRun(self._repo.requester, url=f"{self._repo.url}/check-runs/{check_run_id}")
            if conclusion is None:
                run.edit(output=output)
            else:
                run.edit(status="completed", conclusion=conclusion, output=output)

    # workflow runs -------------------------------------------------------------------------

    def workflow_run(self, run_id: int) -> WorkflowRun:
        """A workflow run's status, conclusion and PRs."""
        with self._calling(
            _op(f"read workflow run {run_id}", "actions: read", f"workflow run {run_id}")
        ):
            run = self._repo.get_workflow_run(run_id)
            return WorkflowRun(
                id=run.id,
                name=run.name or "",
                status=run.status,
                conclusion=run.conclusion,
                head_sha=run.head_sha,
                pr_numbers=tuple(p.number for p in run.pull_requests),
                url=run.html_url or "",
            )

    def failed_jobs(self, run_id: int) -> list[Job]:
        """The jobs of a run that failed or timed out, with their failed steps."""
        op = _op(
            f"list the jobs of workflow run {run_id}", "actions: read", f"workflow run {run_id}"
        )
        with self._calling(op):
            jobs = self._repo.get_workflow_run(run_id).jobs(_filter="latest")
            return [
                Job(
                    id=j.id,
                    name=j.name,
                    conclusion=j.conclusion,
                    failed_steps=tuple(s.name for s in j.steps if s.conclusion in _FAILED),
                    url=j.html_url or "",
                )
                for j in jobs
                if j.conclusion in _FAILED
            ]

    def job_log(self, job_id: int) -> str:
        """The plain-text log of a job (GitHub answers 302 to a short-lived log URL)."""
        with self._calling(
            _op(f"download the log of job {job_id}", "actions: read", f"job {job_id}")
        ):
            location = self._repo.get_workflow_job(job_id).logs_url()
            return self._raw.get(location, accept="text/plain").content.decode("utf-8", "replace")
