"""The GitHub REST API subset pr-router uses, served from a ``GitHubState``.

Mounted at ``/github`` on the emulator server, so a client whose ``GITHUB_API_URL`` is
``http://127.0.0.1:PORT/github`` talks to it exactly as to api.github.com. It answers like
GitHub where pr-router's correctness depends on it: bodies shaped per GitHub's OpenAPI
description, pagination with ``Link`` headers, diffs by media type (refused over GitHub's
limits, see ``github_files``), the files lists, 302 for job logs,
``GET /user`` refused for app tokens, and 422 for an inline comment whose line is not in
the diff. ``GitHubState.fail(operation, kind)`` injects 403/404/422/secondary-rate-limit/500.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pr_router.emulator import github_checks
from pr_router.emulator.github_files import (
    COMPARE_FILES_MAX,
    PULL_FILES_MAX,
    EmuFile,
    file_rows,
    serve_rows,
    too_large_body,
)
from pr_router.emulator.http import Request, Response, json_response
from pr_router.github import shapes
from pr_router.github.emulated import (
    Call,
    EmuPull,
    EmuReview,
    EmuReviewComment,
    Fault,
    GitHubState,
)

__all__ = ["GitHubEmulator", "GitHubState"]

_DOCS = "https://docs.github.com/rest"
_REVIEW_STATES = {
    "COMMENT": "COMMENTED",
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
}
_LOG_PATH = "/_emulator/job-logs/"


def _error(
    status: int,
    message: str,
    errors: list[Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    payload: dict[str, Any] = {
        "message": message,
        "documentation_url": _DOCS,
        "status": str(status),
    }
    if errors is not None:
        payload["errors"] = errors
    return json_response(payload, status, headers)


_FAULTS: dict[str, Callable[[Fault], Response]] = {
    "forbidden": lambda f: _error(403, "Resource not accessible by integration"),
    "not_found": lambda f: _error(404, "Not Found"),
    "unprocessable": lambda f: _error(422, "Unprocessable Entity", ["Line could not be resolved"]),
    "secondary_rate_limit": lambda f: _error(
        403,
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        headers={"retry-after": str(f.retry_after), "x-ratelimit-remaining": "4000"},
    ),
    "server_error": lambda f: _error(500, "Server Error"),
}


@dataclass(frozen=True, slots=True)
class _Ctx:
    """One request, with the matched path parameters and the roots for links."""

    request: Request
    params: dict[str, str]
    api: str
    web: str

    def int(self, name: str) -> int:
        return int(self.params[name])


_Route = tuple[str, re.Pattern[str], str, Callable[["GitHubEmulator", _Ctx], Response]]


class GitHubEmulator:
    """A ``Handler`` for the GitHub REST API over an in-memory ``GitHubState``."""

    def __init__(self, state: GitHubState | None = None) -> None:
        self.state = state or GitHubState()

    def handle(self, request: Request) -> Response:
        """Answer one request like GitHub would."""
        api = request.base_url.rstrip("/") + request.mount
        if request.method == "GET" and request.path.startswith(_LOG_PATH):
            return self._log_blob(request)  # pre-signed: no token, like GitHub's log storage
        route = self._match(request)
        if route is None:
            return _error(404, "Not Found")
        op, handler, params = route
        ctx = _Ctx(request, params, api, request.base_url.rstrip("/"))
        response = self._answer(op, handler, ctx)
        self.state.calls.append(_call(op, request, response.status))
        return response

    def _answer(
        self, op: str, handler: Callable[[GitHubEmulator, _Ctx], Response], ctx: _Ctx
    ) -> Response:
        if not self._authorized(ctx.request):
            return _error(401, "Bad credentials")
        if self.state.read_only and ctx.request.method != "GET":
            return _error(403, "Resource not accessible by integration")
        fault = self.state.take_fault(op)
        if fault is not None:
            return _FAULTS[fault.kind](fault)
        if (
            "repo" in ctx.params
            and f"{ctx.params['owner']}/{ctx.params['repo']}" != self.state.repo
        ):
            return _error(404, "Not Found")
        return handler(self, ctx)

    def _authorized(self, request: Request) -> bool:
        if self.state.token is None:
            return True
        auth = request.headers.get("authorization", "")
        return auth in (f"Bearer {self.state.token}", f"token {self.state.token}")

    def _match(
        self, request: Request
    ) -> tuple[str, Callable[[GitHubEmulator, _Ctx], Response], dict[str, str]] | None:
        for method, pattern, op, handler in _ROUTES:
            m = pattern.fullmatch(request.path)
            if m and method == request.method:
                return op, handler, m.groupdict()
        return None

    # users and repos -----------------------------------------------------------------------

    def _user(self, ctx: _Ctx) -> Response:
        if self.state.viewer_is_app:
            return _error(403, "Resource not accessible by integration")
        return json_response(shapes.authenticated_user(self.state.viewer, ctx.api, ctx.web))

    def _repo(self, ctx: _Ctx) -> Response:
        return json_response(
            shapes.repository(
                self.state.repo, ctx.api, ctx.web, default_branch=self.state.default_branch
            )
        )

    def _permission(self, ctx: _Ctx) -> Response:
        login = ctx.params["username"]
        return json_response(
            shapes.collaborator_permission(login, self.state.role(login), ctx.api, ctx.web)
        )

    # pulls ---------------------------------------------------------------------------------

    def _pull_or_404(self, ctx: _Ctx) -> EmuPull | None:
        return self.state.pulls.get(ctx.int("number"))

    def _get_pull(self, ctx: _Ctx) -> Response:
        pull = self._pull_or_404(ctx)
        if pull is None:
            return _error(404, "Not Found")
        rows = file_rows(pull.diff)
        if "diff" in ctx.request.headers.get("accept", ""):
            return _diff_response(pull.diff, rows)
        out = shapes.pull_request(pull, ctx.api, ctx.web)
        out.update(
            changed_files=len(rows),
            additions=sum(r.additions for r in rows),
            deletions=sum(r.deletions for r in rows),
        )
        return json_response(out)

    def _list_files(self, ctx: _Ctx) -> Response:
        pull = self._pull_or_404(ctx)
        if pull is None:
            return _error(404, "Not Found")
        rows = file_rows(pull.diff)[:PULL_FILES_MAX]
        return _paged(ctx, list(rows), serve=lambda chunk: serve_rows(
            chunk, self.state.repo, pull.head_sha, ctx.api, ctx.web))  # fmt: skip

    def _list_pulls(self, ctx: _Ctx) -> Response:
        want = (ctx.request.query.get("state") or ["open"])[0]
        pulls = [p for n, p in sorted(self.state.pulls.items()) if want in ("all", p.state)]
        items = [shapes.pull_request(p, ctx.api, ctx.web, full=False) for p in pulls]
        return _paged(ctx, items)

    def _list_commits(self, ctx: _Ctx) -> Response:
        pull = self._pull_or_404(ctx)
        if pull is None:
            return _error(404, "Not Found")
        items = [
            shapes.commit(sha, msg, pull.author, pull.repo, api=ctx.api, web=ctx.web)
            for sha, msg in pull.commits
        ]
        return _paged(ctx, items)

    def _compare(self, ctx: _Ctx) -> Response:
        base, _, head = ctx.params["basehead"].partition("...")
        diff = self.state.compare_diff(base, head)
        if diff is None:
            return _error(404, "Not Found")
        rows = file_rows(diff)
        if "diff" in ctx.request.headers.get("accept", ""):
            return _diff_response(diff, rows)
        files = serve_rows(rows[:COMPARE_FILES_MAX], self.state.repo, head, ctx.api, ctx.web)
        answer = shapes.comparison(self.state.repo, base, head, ctx.api, ctx.web)
        return json_response(answer | {"files": files})

    # comments ------------------------------------------------------------------------------

    def _list_comments(self, ctx: _Ctx) -> Response:
        n = ctx.int("number")
        items = [
            shapes.issue_comment(c, self.state.repo, ctx.api, ctx.web)
            for c in self.state.comments.values()
            if c.number == n
        ]
        return _paged(ctx, items)

    def _list_repo_comments(self, ctx: _Ctx) -> Response:
        """Every issue comment of the repository, by creation or (``sort=updated``) by last
        write; ``since`` is not applied (the emulator's timestamps are one fixed instant)."""
        query = ctx.request.query
        by_update = (query.get("sort") or ["created"])[0] == "updated"
        newest_first = (query.get("direction") or ["asc"])[0] == "desc"
        comments = sorted(self.state.comments.values(),
                          key=lambda c: c.updated if by_update else c.id,
                          reverse=newest_first)  # fmt: skip
        items = [shapes.issue_comment(c, self.state.repo, ctx.api, ctx.web) for c in comments]
        return _paged(ctx, items)

    def _create_comment(self, ctx: _Ctx) -> Response:
        body = _body_field(ctx.request)
        if isinstance(body, Response):
            return body
        n = ctx.int("number")
        if n not in self.state.pulls:
            return _error(404, "Not Found")
        comment = self.state.add_comment(n, self.state.viewer, body)
        return json_response(shapes.issue_comment(comment, self.state.repo, ctx.api, ctx.web), 201)

    def _update_comment(self, ctx: _Ctx) -> Response:
        comment = self.state.comments.get(ctx.int("comment_id"))
        if comment is None:
            return _error(404, "Not Found")
        body = _body_field(ctx.request)
        if isinstance(body, Response):
            return body
        if comment.author != self.state.viewer:
            return _error(403, "You must be the author of this comment to edit it")
        comment.body = body
        comment.updated = self.state.next_id()
        return json_response(shapes.issue_comment(comment, self.state.repo, ctx.api, ctx.web))

    def _delete_comment(self, ctx: _Ctx) -> Response:
        if self.state.comments.pop(ctx.int("comment_id"), None) is None:
            return _error(404, "Not Found")
        return Response(204)

    def _delete_review_comment(self, ctx: _Ctx) -> Response:
        if self.state.review_comments.pop(ctx.int("comment_id"), None) is None:
            return _error(404, "Not Found")
        return Response(204)

    def _reactions(self, kind: str, ctx: _Ctx) -> Response:
        cid = ctx.int("comment_id")
        known = self.state.comments if kind == "issue" else self.state.review_comments
        if cid not in known:
            return _error(404, "Not Found")
        items = [
            shapes.reaction(rid, content, login, ctx.api, ctx.web)
            for rid, content, login in self.state.reactions.get((kind, cid), [])
        ]
        return _paged(ctx, items)

    # reviews -------------------------------------------------------------------------------

    def _list_review_comments(self, ctx: _Ctx) -> Response:
        n = ctx.int("number")
        if n not in self.state.pulls:
            return _error(404, "Not Found")
        items = [
            shapes.review_comment(c, self.state.repo, ctx.api, ctx.web)
            for c in self.state.review_comments.values()
            if c.number == n
        ]
        return _paged(ctx, items)

    def _list_reviews(self, ctx: _Ctx) -> Response:
        n = ctx.int("number")
        reviews = [r for r in self.state.reviews.values() if r.number == n]
        items = [shapes.review(r, self.state.repo, ctx.api, ctx.web) for r in reviews]
        return _paged(ctx, items)

    def _create_review(self, ctx: _Ctx) -> Response:
        pull = self._pull_or_404(ctx)
        if pull is None:
            return _error(404, "Not Found")
        try:
            data = ctx.request.json()
        except ValueError:
            return _error(400, "Problems parsing JSON")
        problem = pull.review_problem(data)
        if problem is not None:
            return _error(422, "Unprocessable Entity", [problem])
        review = EmuReview(
            id=self.state.next_id(),
            number=pull.number,
            author=self.state.viewer,
            body=data.get("body") or "",
            state=_REVIEW_STATES.get(data.get("event") or "", "PENDING"),
            commit_id=data.get("commit_id") or pull.head_sha,
        )
        self.state.reviews[review.id] = review
        for item in data.get("comments") or []:
            self._add_review_comment(review, item)
        return json_response(shapes.review(review, self.state.repo, ctx.api, ctx.web))

    def _add_review_comment(self, review: EmuReview, item: dict[str, Any]) -> None:
        comment = EmuReviewComment(
            id=self.state.next_id(),
            review_id=review.id,
            number=review.number,
            author=review.author,
            body=item["body"],
            path=item["path"],
            line=item["line"],
            side=item.get("side") or "RIGHT",
            commit_id=review.commit_id,
            start_line=item.get("start_line"),
            start_side=item.get("start_side")
            or (item.get("side") if item.get("start_line") else None),
            diff_hunk=diff_hunk(
                self.state.pulls[review.number].diff,
                item["path"],
                item["line"],
                item.get("side") or "RIGHT",
            ),
        )
        self.state.review_comments[comment.id] = comment

    def _reply(self, ctx: _Ctx) -> Response:
        """A reply in the thread of an inline comment of this PR."""
        body = _body_field(ctx.request)
        if isinstance(body, Response):
            return body
        root = self.state.review_comments.get(ctx.int("comment_id"))
        if root is None or root.number != ctx.int("number"):
            return _error(404, "Not Found")
        while root.in_reply_to_id is not None:  # GitHub threads a reply to a reply at the root
            root = self.state.review_comments[root.in_reply_to_id]
        reply = EmuReviewComment(
            id=self.state.next_id(), review_id=None, number=root.number,
            author=self.state.viewer, body=body, path=root.path, line=root.line,
            side=root.side, commit_id=root.commit_id, diff_hunk=root.diff_hunk,
            in_reply_to_id=root.id,
        )  # fmt: skip
        self.state.review_comments[reply.id] = reply
        return json_response(shapes.review_comment(reply, self.state.repo, ctx.api, ctx.web), 201)

    # contents ------------------------------------------------------------------------------

    def _content(self, ctx: _Ctx) -> Response:
        path = ctx.params["path"]
        ref = (ctx.request.query.get("ref") or [self.state.default_branch])[0]
        data = self.state.file(path, ref)
        if data is None:
            return _error(404, "Not Found")
        if "raw" in ctx.request.headers.get("accept", ""):
            return Response(200, data, {"content-type": "application/vnd.github.raw"})
        return json_response(
            shapes.content_file(self.state.repo, path, ref, data, api=ctx.api, web=ctx.web)
        )

    # actions -------------------------------------------------------------------------------

    def _run(self, ctx: _Ctx) -> Response:
        run = self.state.runs.get(ctx.int("run_id"))
        if run is None:
            return _error(404, "Not Found")
        return json_response(shapes.workflow_run(run, self.state.repo, ctx.api, ctx.web))

    def _jobs(self, ctx: _Ctx) -> Response:
        run = self.state.runs.get(ctx.int("run_id"))
        if run is None:
            return _error(404, "Not Found")
        items = [shapes.job(j, run, self.state.repo, ctx.api, ctx.web) for j in run.jobs]
        return _paged(ctx, items, key="jobs")

    def _job_logs(self, ctx: _Ctx) -> Response:
        job_id = ctx.int("job_id")
        if not any(j.id == job_id for r in self.state.runs.values() for j in r.jobs):
            return _error(404, "Not Found")
        location = f"{ctx.api}{_LOG_PATH}{job_id}?sig=emulated"
        return Response(302, b"", {"location": location})

    def _log_blob(self, request: Request) -> Response:
        job_id = request.path.removeprefix(_LOG_PATH)
        for run in self.state.runs.values():
            for job in run.jobs:
                if str(job.id) == job_id:
                    return Response(
                        200, job.log.encode(), {"content-type": "text/plain; charset=utf-8"}
                    )
        return Response(404, b"The specified blob does not exist.", {"content-type": "text/plain"})

    # check runs ----------------------------------------------------------------------------

    def _answer_json(self, status: int, payload: Any) -> Response:
        if status >= 400:
            return _error(status, payload["message"], payload.get("errors"))
        return json_response(payload, status)

    def _create_check_run(self, ctx: _Ctx) -> Response:
        data = _json_body(ctx.request)
        if isinstance(data, Response):
            return data
        return self._answer_json(
            *github_checks.create_check_run(self.state, data, ctx.api, ctx.web)
        )

    def _update_check_run(self, ctx: _Ctx) -> Response:
        data = _json_body(ctx.request)
        if isinstance(data, Response):
            return data
        run_id = ctx.int("check_run_id")
        return self._answer_json(
            *github_checks.update_check_run(self.state, run_id, data, ctx.api, ctx.web)
        )

    def _list_check_runs(self, ctx: _Ctx) -> Response:
        status, items = github_checks.list_for_ref(
            self.state, ctx.params["ref"], dict(ctx.request.query), ctx.api, ctx.web
        )
        if isinstance(items, dict):
            return self._answer_json(status, items)
        return _paged(ctx, items, key="check_runs")


def _json_body(request: Request) -> Any:
    try:
        return request.json()
    except ValueError:
        return _error(400, "Problems parsing JSON")


def _body_field(request: Request) -> str | Response:
    try:
        data = request.json()
    except ValueError:
        return _error(400, "Problems parsing JSON")
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(body, str):
        return _error(422, 'Invalid request.\n\n"body" wasn\'t supplied.')
    if len(body) > 65536:
        too_long = "body is too long (maximum is 65536 characters)"
        error = {"resource": "IssueComment", "code": "custom", "field": "body", "message": too_long}
        return _error(422, "Validation Failed", [error])
    return body


def _diff_response(diff: bytes, rows: Sequence[EmuFile]) -> Response:
    """The diff media type, or GitHub's 406 when the diff is over its limits."""
    refused = too_large_body(rows)
    if refused is not None:
        return json_response(refused, 406)
    return Response(200, diff, {"content-type": "application/vnd.github.v3.diff; charset=utf-8"})


def _paged(
    ctx: _Ctx,
    items: Sequence[Any],
    *,
    key: str | None = None,
    serve: Callable[[Sequence[Any]], list[Any]] | None = None,
) -> Response:
    """One page of ``items`` with GitHub's ``Link`` header (per_page, page); ``serve``
    turns the page's items into what is sent."""
    query = ctx.request.query
    per_page = max(1, min(100, int((query.get("per_page") or ["30"])[0])))
    page = max(1, int((query.get("page") or ["1"])[0]))
    chunk: Sequence[Any] = items[(page - 1) * per_page : page * per_page]
    if serve is not None:
        chunk = serve(chunk)
    headers: dict[str, str] = {}
    last = max(1, -(-len(items) // per_page))
    base = f"{ctx.api}{ctx.request.path}"
    keep = "".join(
        f"&{k}={v[0]}" for k, v in sorted(query.items()) if k not in ("page", "per_page")
    )
    links = []
    if page < last:
        links.append(f'<{base}?per_page={per_page}&page={page + 1}{keep}>; rel="next"')
        links.append(f'<{base}?per_page={per_page}&page={last}{keep}>; rel="last"')
    if links:
        headers["link"] = ", ".join(links)
    payload: Any = {"total_count": len(items), key: list(chunk)} if key else list(chunk)
    return json_response(payload, 200, headers)


def _call(op: str, request: Request, status: int) -> Call:
    try:
        body = json.loads(request.body) if request.body else None
    except ValueError:
        body = None
    return Call(op, request.method, request.path, dict(request.query), body, status)


def _route(
    method: str, template: str, op: str, handler: Callable[[GitHubEmulator, _Ctx], Response]
) -> _Route:
    def group(m: re.Match[str]) -> str:
        return f"(?P<{m[1]}>{'.+' if m[1] == 'path' else '[^/]+'})"

    regex = re.sub(r"\{(\w+)\}", group, template)
    return method, re.compile(regex), op, handler


_R = "/repos/{owner}/{repo}"
_ROUTES: list[_Route] = [
    _route("GET", "/user", "users/get-authenticated", GitHubEmulator._user),
    _route("GET", _R, "repos/get", GitHubEmulator._repo),
    _route(
        "GET",
        f"{_R}/collaborators/{{username}}/permission",
        "repos/get-collaborator-permission-level",
        GitHubEmulator._permission,
    ),
    _route("GET", f"{_R}/pulls", "pulls/list", GitHubEmulator._list_pulls),
    _route("GET", f"{_R}/pulls/{{number}}", "pulls/get", GitHubEmulator._get_pull),
    _route(
        "GET", f"{_R}/pulls/{{number}}/commits", "pulls/list-commits", GitHubEmulator._list_commits
    ),
    _route("GET", f"{_R}/pulls/{{number}}/files", "pulls/list-files", GitHubEmulator._list_files),
    _route(
        "GET", f"{_R}/pulls/{{number}}/reviews", "pulls/list-reviews", GitHubEmulator._list_reviews
    ),
    _route(
        "POST",
        f"{_R}/pulls/{{number}}/reviews",
        "pulls/create-review",
        GitHubEmulator._create_review,
    ),
    _route(
        "GET",
        f"{_R}/pulls/{{number}}/comments",
        "pulls/list-review-comments",
        GitHubEmulator._list_review_comments,
    ),
    _route(
        "POST",
        f"{_R}/pulls/{{number}}/comments/{{comment_id}}/replies",
        "pulls/create-reply-for-review-comment",
        GitHubEmulator._reply,
    ),
    _route(
        "DELETE",
        f"{_R}/pulls/comments/{{comment_id}}",
        "pulls/delete-review-comment",
        GitHubEmulator._delete_review_comment,
    ),
    _route(
        "GET",
        f"{_R}/pulls/comments/{{comment_id}}/reactions",
        "reactions/list-for-pull-request-review-comment",
        lambda e, c: e._reactions("review", c),
    ),
    _route(
        "GET",
        f"{_R}/issues/{{number}}/comments",
        "issues/list-comments",
        GitHubEmulator._list_comments,
    ),
    _route(
        "GET",
        f"{_R}/issues/comments",
        "issues/list-comments-for-repo",
        GitHubEmulator._list_repo_comments,
    ),
    _route(
        "POST",
        f"{_R}/issues/{{number}}/comments",
        "issues/create-comment",
        GitHubEmulator._create_comment,
    ),
    _route(
        "PATCH",
        f"{_R}/issues/comments/{{comment_id}}",
        "issues/update-comment",
        GitHubEmulator._update_comment,
    ),
    _route(
        "DELETE",
        f"{_R}/issues/comments/{{comment_id}}",
        "issues/delete-comment",
        GitHubEmulator._delete_comment,
    ),
    _route(
        "GET",
        f"{_R}/issues/comments/{{comment_id}}/reactions",
        "reactions/list-for-issue-comment",
        lambda e, c: e._reactions("issue", c),
    ),
    _route("GET", f"{_R}/contents/{{path}}", "repos/get-content", GitHubEmulator._content),
    _route("POST", f"{_R}/check-runs", "checks/create", GitHubEmulator._create_check_run),
    _route(
        "PATCH",
        f"{_R}/check-runs/{{check_run_id}}",
        "checks/update",
        GitHubEmulator._update_check_run,
    ),
    _route(
        "GET",
        f"{_R}/commits/{{ref}}/check-runs",
        "checks/list-for-ref",
        GitHubEmulator._list_check_runs,
    ),
    _route(
        "GET",
        f"{_R}/compare/{{basehead}}",
        "repos/compare-commits-with-basehead",
        GitHubEmulator._compare,
    ),
    _route("GET", f"{_R}/actions/runs/{{run_id}}", "actions/get-workflow-run", GitHubEmulator._run),
    _route(
        "GET",
        f"{_R}/actions/runs/{{run_id}}/jobs",
        "actions/list-jobs-for-workflow-run",
        GitHubEmulator._jobs,
    ),
    _route(
        "GET",
        f"{_R}/actions/jobs/{{job_id}}/logs",
        "actions/download-job-logs-for-workflow-run",
        GitHubEmulator._job_logs,
    ),
]


def diff_hunk(diff: bytes, path: str, line: int, side: str) -> str:
    """GitHub's ``diff_hunk`` of a review comment: the hunk header and its lines up to the
    commented one (what the PR page shows above the comment)."""
    from pr_router.changes import parse_diff
    from pr_router.errors import DiffError

    try:
        files = parse_diff(diff)
    except DiffError:
        return ""
    for f in files:
        if f.path != path:
            continue
        for h in f.hunks:
            out = [
                f"@@ -{h.old_start},{h.old_len} +{h.new_start},{h.new_len} @@ {h.section}".rstrip()
            ]
            for dl in h.lines:
                out.append(dl.kind + dl.text)
                if (dl.new_no if side == "RIGHT" else dl.old_no) == line:
                    return "\n".join(out)
    return ""
